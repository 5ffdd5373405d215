// A small keep-alive HTTP/1.1 client on SwiftNIO, for the load generator, the soak and the tests:
// one connection, requests answered in order (no pipelining is needed: callers await each answer).
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// An HTTP answer: status and body bytes.
public struct HTTPAnswer: Sendable {
    public var status: Int
    public var body: [UInt8]
    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Why a request got no HTTP answer.
public enum HTTPClientError: Error, CustomStringConvertible, Sendable {
    case connectionClosed
    case timedOut(seconds: Double)

    public var description: String {
        switch self {
        case .connectionClosed: "the connection closed before the answer was complete"
        case let .timedOut(seconds): "no answer within \(seconds) s"
        }
    }
}

/// One keep-alive HTTP/1.1 connection.
public final class HTTPClientConnection: Sendable {
    let channel: any Channel
    public let host: String
    public let port: Int

    init(channel: any Channel, host: String, port: Int) {
        self.channel = channel
        self.host = host
        self.port = port
    }

    /// Opens a connection to `host:port`.
    public static func connect(host: String, port: Int,
                               group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> HTTPClientConnection {
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(AnswerCollector())
                }
            }
            .connect(host: host, port: port).get()
        return HTTPClientConnection(channel: channel, host: host, port: port)
    }

    /// `connection` if it is still open, else a new connection to `host:port`.
    public static func reusing(_ connection: HTTPClientConnection?, host: String, port: Int) async throws -> HTTPClientConnection {
        if let connection, connection.isActive { return connection }
        return try await connect(host: host, port: port)
    }

    /// Whether the connection is still open.
    public var isActive: Bool { channel.isActive }

    /// Sends one request and waits for its answer.
    public func send(_ method: HTTPMethod, _ path: String, body: ByteBuffer? = nil,
                     contentType: String = "application/json") async throws -> HTTPAnswer {
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: path)
        head.headers.add(name: "Host", value: "\(host):\(port)")
        if let body {
            head.headers.add(name: "Content-Type", value: contentType)
            head.headers.add(name: "Content-Length", value: String(body.readableBytes))
        } else if method == .POST {
            head.headers.add(name: "Content-Length", value: "0")
        }
        let promise = channel.eventLoop.makePromise(of: HTTPAnswer.self)
        channel.writeAndFlush(OutgoingRequest(head: head, body: body, promise: promise), promise: nil)
        return try await promise.futureResult.get()
    }

    /// `POST path` with a JSON body.
    public func post(_ path: String, json: String) async throws -> HTTPAnswer {
        try await send(.POST, path, body: ByteBuffer(string: json))
    }

    /// `GET path`.
    public func get(_ path: String) async throws -> HTTPAnswer {
        try await send(.GET, path)
    }

    /// Closes the connection.
    public func close() async {
        try? await channel.close()
    }
}

/// A request on its way to the wire with the promise its answer fulfils.
struct OutgoingRequest: Sendable {
    let head: HTTPRequestHead
    let body: ByteBuffer?
    let promise: EventLoopPromise<HTTPAnswer>
}

/// Writes requests and matches answers to them in order.
final class AnswerCollector: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = OutgoingRequest
    typealias OutboundOut = HTTPClientRequestPart

    private var waiting = CircularBuffer<EventLoopPromise<HTTPAnswer>>()
    private var status = 0
    private var body: [UInt8] = []

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        guard context.channel.isActive else {
            request.promise.fail(HTTPClientError.connectionClosed)
            return
        }
        waiting.append(request.promise)
        context.write(wrapOutboundOut(.head(request.head)), promise: nil)
        if let body = request.body { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(head):
            status = Int(head.status.code)
            body.removeAll(keepingCapacity: true)
        case var .body(buffer):
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            if !waiting.isEmpty { waiting.removeFirst().succeed(HTTPAnswer(status: status, body: body)) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll()
        context.close(promise: nil)
    }

    private func failAll() {
        while !waiting.isEmpty { waiting.removeFirst().fail(HTTPClientError.connectionClosed) }
    }
}
