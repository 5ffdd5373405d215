// The load generator behind `sift bench serve` (and `sift compare`'s serving column): closed loop
// (N clients, each sending its next request when the last is answered) or open loop (requests sent
// at a fixed rate whatever the answers; latency counted from the scheduled send, so a slow server
// cannot hide its queueing). Latencies go to HdrHistogram; errors are counted by status.
import Foundation
import Histogram
import NIOCore
import NIOConcurrencyHelpers

/// How load is offered.
public enum LoadPattern: Sendable, Equatable {
    /// `concurrency` clients, each waiting for its answer before the next request.
    case closedLoop(concurrency: Int)
    /// `requestsPerSecond` arrivals, at most `maxInFlight` outstanding (beyond: counted as dropped).
    case openLoop(requestsPerSecond: Double, maxInFlight: Int)
}

/// What a benchmark run sends and for how long.
public struct ServingBenchmarkOptions: Sendable {
    public var pattern: LoadPattern
    /// Stop after this many seconds (nil: only `requests` limits the run).
    public var duration: Double?
    /// Stop after this many requests (nil: only `duration` limits the run).
    public var requests: Int?
    /// Texts to classify, sent in turn (one per request, or `textsPerRequest` as a batch).
    public var texts: [String]
    public var textsPerRequest: Int
    /// Requests sent and discarded before measuring (connections and caches warm).
    public var warmupRequests: Int

    public init(pattern: LoadPattern = .closedLoop(concurrency: 8), duration: Double? = 10, requests: Int? = nil,
                texts: [String], textsPerRequest: Int = 1, warmupRequests: Int = 0) {
        self.pattern = pattern
        self.duration = duration
        self.requests = requests
        self.texts = texts
        self.textsPerRequest = max(1, textsPerRequest)
        self.warmupRequests = warmupRequests
    }
}

/// Latency percentiles in milliseconds.
public struct LatencySummary: Sendable, Codable, Equatable {
    public var p50: Double
    public var p90: Double
    public var p99: Double
    public var max: Double
    public var mean: Double
}

/// The outcome of a benchmark run.
public struct ServingBenchmarkReport: Sendable, Codable {
    /// "closed" or "open".
    public var pattern: String
    public var concurrency: Int?
    public var targetRate: Double?
    /// Requests answered (any status) or failed on the connection.
    public var requests: Int
    /// Requests answered with 200.
    public var succeeded: Int
    /// Non-200 answers by status, "connection" for requests with no answer, "dropped" for
    /// open-loop arrivals beyond the in-flight limit.
    public var errors: [String: Int]
    public var seconds: Double
    /// Successful requests per second.
    public var requestsPerSecond: Double
    /// Latency of successful requests.
    public var latencyMs: LatencySummary
    /// Free-form labels (model, batching) set by the caller.
    public var labels: [String: String] = [:]
}

/// Runs load against a server.
public enum ServingBenchmark {
    /// Offers load to a running server at `host:port` (`POST /predict`).
    public static func run(host: String, port: Int, options: ServingBenchmarkOptions) async throws -> ServingBenchmarkReport {
        guard !options.texts.isEmpty else { throw ServeSetupError("the benchmark needs at least one text") }
        let bodies = requestBodies(options)
        if options.warmupRequests > 0 {
            let warm = ServingBenchmarkOptions(pattern: .closedLoop(concurrency: min(8, options.warmupRequests)), duration: nil,
                                               requests: options.warmupRequests, texts: options.texts, textsPerRequest: options.textsPerRequest)
            _ = try await closedLoop(host: host, port: port, bodies: bodies, concurrency: min(8, options.warmupRequests), options: warm)
        }
        switch options.pattern {
        case let .closedLoop(concurrency):
            return try await closedLoop(host: host, port: port, bodies: bodies, concurrency: max(1, concurrency), options: options)
        case let .openLoop(rate, maxInFlight):
            return try await openLoop(host: host, port: port, bodies: bodies, rate: rate, maxInFlight: max(1, maxInFlight), options: options)
        }
    }

    /// Starts `model` in this process on a free loopback port, offers the load, stops the server.
    public static func run(model: ServingModel, server: ServerConfiguration = ServerConfiguration(port: 0),
                           options: ServingBenchmarkOptions) async throws -> ServingBenchmarkReport {
        var configuration = server
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.maxConcurrentRequests = max(configuration.maxConcurrentRequests, concurrencyOf(options.pattern) + 8)
        let running = try await SiftServer(model: model, configuration: configuration).start()
        do {
            let report = try await run(host: "127.0.0.1", port: running.port, options: options)
            try await running.shutdown()
            return report
        } catch {
            try? await running.shutdown()
            throw error
        }
    }

    static func concurrencyOf(_ pattern: LoadPattern) -> Int {
        switch pattern {
        case let .closedLoop(concurrency): concurrency
        case let .openLoop(_, maxInFlight): maxInFlight
        }
    }

    /// JSON bodies, one per request, cycling through the texts.
    static func requestBodies(_ options: ServingBenchmarkOptions) -> [ByteBuffer] {
        let texts = options.texts
        let per = options.textsPerRequest
        let count = per == 1 ? texts.count : max(1, texts.count / per)
        return (0..<count).map { index in
            let json: String
            if per == 1 {
                json = "{\"inputs\":\(SiftServer.jsonString(texts[index])),\"truncate\":true}"
            } else {
                let batch = (0..<per).map { "[" + SiftServer.jsonString(texts[(index * per + $0) % texts.count]) + "]" }
                json = "{\"inputs\":[\(batch.joined(separator: ","))],\"truncate\":true}"
            }
            return ByteBuffer(string: json)
        }
    }

    static func closedLoop(host: String, port: Int, bodies: [ByteBuffer], concurrency: Int,
                           options: ServingBenchmarkOptions) async throws -> ServingBenchmarkReport {
        let recorder = LatencyRecorder()
        let budget = NIOLockedValueBox(0)
        let limit = options.requests ?? Int.max
        let start = DispatchTime.now().uptimeNanoseconds
        let deadline = options.duration.map { start + UInt64($0 * 1e9) } ?? UInt64.max
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var connection: HTTPClientConnection?
                    while true {
                        let index: Int? = budget.withLockedValue { sent in
                            guard sent < limit && DispatchTime.now().uptimeNanoseconds < deadline else { return nil }
                            sent += 1
                            return sent - 1
                        }
                        guard let index else { break }
                        let sentAt = DispatchTime.now().uptimeNanoseconds
                        do {
                            let active = try await HTTPClientConnection.reusing(connection, host: host, port: port)
                            connection = active
                            let answer = try await active.send(.POST, "/predict", body: bodies[index % bodies.count])
                            recorder.record(status: answer.status, nanoseconds: DispatchTime.now().uptimeNanoseconds &- sentAt)
                        } catch {
                            recorder.recordFailure("connection")
                            await connection?.close()
                            connection = nil
                        }
                    }
                    await connection?.close()
                }
            }
            try await group.waitForAll()
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds &- start) / 1e9
        var report = recorder.report(seconds: seconds)
        report.pattern = "closed"
        report.concurrency = concurrency
        return report
    }

    static func openLoop(host: String, port: Int, bodies: [ByteBuffer], rate: Double, maxInFlight: Int,
                         options: ServingBenchmarkOptions) async throws -> ServingBenchmarkReport {
        guard rate > 0 else { throw ServeSetupError("--rate must be positive, got \(rate)") }
        let recorder = LatencyRecorder()
        let pool = ConnectionPool(host: host, port: port)
        let inFlight = NIOLockedValueBox(0)
        let interval = 1e9 / rate
        let limit = options.requests ?? Int.max
        let start = DispatchTime.now().uptimeNanoseconds
        let deadline = options.duration.map { start + UInt64($0 * 1e9) } ?? UInt64.max
        await withTaskGroup(of: Void.self) { group in
            var index = 0
            while index < limit {
                let scheduled = start + UInt64(Double(index) * interval)
                if scheduled >= deadline { break }
                let now = DispatchTime.now().uptimeNanoseconds
                if scheduled > now { try? await Task.sleep(nanoseconds: scheduled - now) }
                let admitted = inFlight.withLockedValue { count in
                    guard count < maxInFlight else { return false }
                    count += 1
                    return true
                }
                if admitted {
                    let body = bodies[index % bodies.count]
                    group.addTask {
                        do {
                            let connection = try await pool.take()
                            let answer = try await connection.send(.POST, "/predict", body: body)
                            recorder.record(status: answer.status, nanoseconds: DispatchTime.now().uptimeNanoseconds &- scheduled)
                            await pool.give(connection)
                        } catch {
                            recorder.recordFailure("connection")
                        }
                        inFlight.withLockedValue { $0 -= 1 }
                    }
                } else {
                    recorder.recordFailure("dropped")
                }
                index += 1
            }
            await group.waitForAll()
        }
        await pool.closeAll()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds &- start) / 1e9
        var report = recorder.report(seconds: seconds)
        report.pattern = "open"
        report.targetRate = rate
        return report
    }
}

/// Idle keep-alive connections for the open loop.
actor ConnectionPool {
    let host: String
    let port: Int
    private var idle: [HTTPClientConnection] = []

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    func take() async throws -> HTTPClientConnection {
        while let connection = idle.popLast() {
            if connection.isActive { return connection }
        }
        return try await HTTPClientConnection.connect(host: host, port: port)
    }

    func give(_ connection: HTTPClientConnection) {
        if connection.isActive { idle.append(connection) }
    }

    func closeAll() async {
        for connection in idle { await connection.close() }
        idle.removeAll()
    }
}

/// Latencies (microseconds, 3 significant digits) and outcome counts, shared by the clients.
final class LatencyRecorder: Sendable {
    struct State {
        var histogram = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
        var statuses: [String: Int] = [:]
        var succeeded = 0
        var total = 0
    }

    private let state = NIOLockedValueBox(State())

    func record(status: Int, nanoseconds: UInt64) {
        state.withLockedValue {
            $0.total += 1
            if status == 200 {
                $0.succeeded += 1
                _ = $0.histogram.record(max(1, nanoseconds / 1000))
            } else {
                $0.statuses[String(status), default: 0] += 1
            }
        }
    }

    func recordFailure(_ kind: String) {
        state.withLockedValue {
            $0.statuses[kind, default: 0] += 1
            if kind != "dropped" { $0.total += 1 }
        }
    }

    func report(seconds: Double) -> ServingBenchmarkReport {
        state.withLockedValue { s in
            let h = s.histogram
            let ms = { (value: UInt64) in Double(value) / 1000 }
            let latency = s.succeeded == 0
                ? LatencySummary(p50: 0, p90: 0, p99: 0, max: 0, mean: 0)
                : LatencySummary(p50: ms(h.valueAtPercentile(50)), p90: ms(h.valueAtPercentile(90)), p99: ms(h.valueAtPercentile(99)),
                                 max: ms(h.max), mean: h.mean / 1000)
            return ServingBenchmarkReport(pattern: "", concurrency: nil, targetRate: nil, requests: s.total, succeeded: s.succeeded,
                                          errors: s.statuses, seconds: seconds,
                                          requestsPerSecond: seconds > 0 ? Double(s.succeeded) / seconds : 0, latencyMs: latency)
        }
    }
}
