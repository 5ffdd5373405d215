// One HTTP request through Foundation's URLSession, waited for synchronously, with redirects left
// to the caller (the Hub client decides which to follow and where the token may go) and the body
// either collected or streamed to a sink chosen once the status is known.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The status line and headers of an answer, plus its body when it was collected rather than streamed.
struct HubHTTPResponse: Sendable {
    /// The URL that answered.
    let url: URL
    let status: Int
    /// Header values by lowercased name.
    let headers: [String: String]
    /// The body, when it was not streamed to a sink (at most 1 MiB is kept).
    var body: Data

    init(url: URL, status: Int, headers: [String: String], body: Data = Data()) {
        self.url = url
        self.status = status
        self.headers = headers
        self.body = body
    }

    init(_ response: HTTPURLResponse, url: URL) {
        var headers: [String: String] = [:]
        for (key, value) in response.allHeaderFields {
            if let name = key as? String { headers[name.lowercased()] = "\(value)" }
        }
        self.init(url: response.url ?? url, status: response.statusCode, headers: headers)
    }

    func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// A 3xx answer with a `Location`, resolved against the request URL.
    var redirectTarget: URL? {
        guard (300..<400).contains(status), let location = header("location") else { return nil }
        return URL(string: location, relativeTo: url)?.absoluteURL
    }

    /// The Hub's explanation of an error: the `X-Error-Message` header, else `{"error": …}` in the body.
    var serverMessage: String? {
        if let message = header("x-error-message"), !message.isEmpty { return message }
        if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any], let error = object["error"] as? String {
            return error
        }
        return nil
    }
}

/// Synchronous HTTP requests for the Hub client.
enum HubHTTP {
    /// What to do with a 2xx body: return a sink to stream it, or nil to collect it into `body`.
    typealias BodyPlan = (HubHTTPResponse) throws -> ((Data) throws -> Void)?

    /// Sends `request` and waits. Returns the answer's head (nil if none arrived) and the error that ended
    /// the exchange, if any (a cut connection after part of a streamed body still returns the head).
    static func perform(_ request: URLRequest, timeout: TimeInterval, plan: BodyPlan? = nil) -> (response: HubHTTPResponse?, error: (any Error)?) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpShouldSetCookies = false
        let transfer = HubTransfer(plan: plan)
        let session = URLSession(configuration: configuration, delegate: transfer, delegateQueue: nil)
        var request = request
        request.timeoutInterval = timeout
        session.dataTask(with: request).resume()
        transfer.wait()
        session.finishTasksAndInvalidate()
        return (transfer.response.map { head in
            var answer = head
            answer.body = transfer.collected
            return answer
        }, transfer.failure)
    }
}

/// The delegate of one request. URLSession calls it on its own serial queue; the caller reads the
/// results only after `wait()` returns, which orders those reads after every callback.
private final class HubTransfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let plan: HubHTTP.BodyPlan?
    private let finished = DispatchSemaphore(value: 0)
    private var sink: ((Data) throws -> Void)?
    private(set) var response: HubHTTPResponse?
    private(set) var collected = Data()
    private(set) var failure: (any Error)?
    private static let collectLimit = 1 << 20

    init(plan: HubHTTP.BodyPlan?) {
        self.plan = plan
    }

    func wait() { finished.wait() }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        // Never follow: the 3xx answer (with its X-Linked-* headers) comes back to the client.
        completionHandler(nil)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        guard let http = response as? HTTPURLResponse else {
            failure = HubError.malformedResponse(url: response.url?.absoluteString ?? "?", reason: "not an HTTP answer")
            completionHandler(.cancel)
            return
        }
        let head = HubHTTPResponse(http, url: dataTask.originalRequest?.url ?? http.url ?? URL(fileURLWithPath: "/"))
        self.response = head
        if (200..<300).contains(head.status), let plan {
            do {
                sink = try plan(head)
            } catch {
                failure = error
                completionHandler(.cancel)
                return
            }
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard failure == nil else { return }
        if let sink {
            do {
                try sink(data)
            } catch {
                failure = error
                dataTask.cancel()
            }
        } else if collected.count < HubTransfer.collectLimit {
            collected.append(data.prefix(HubTransfer.collectLimit - collected.count))
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        if failure == nil, let error { failure = error }
        finished.signal()
    }
}
