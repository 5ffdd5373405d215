// The server's Prometheus metrics: requests by endpoint and status, histograms of queue,
// tokenization and inference time and of batch sizes, and gauges of queue length and requests in
// flight. Rendered by hand in the Prometheus text exposition format (version 0.0.4).
import Foundation
import NIOConcurrencyHelpers

/// A cumulative histogram with fixed upper bounds, as Prometheus exposes them.
struct PrometheusHistogram: Sendable {
    let bounds: [Double]
    private(set) var counts: [UInt64]
    private(set) var sum = 0.0
    private(set) var count: UInt64 = 0

    init(bounds: [Double]) {
        self.bounds = bounds
        counts = [UInt64](repeating: 0, count: bounds.count)
    }

    mutating func observe(_ value: Double) {
        if let bucket = bounds.firstIndex(where: { value <= $0 }) { counts[bucket] += 1 }
        sum += value
        count += 1
    }

    func render(name: String, help: String, into text: inout String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        var cumulative: UInt64 = 0
        for (bound, bucketCount) in zip(bounds, counts) {
            cumulative += bucketCount
            text += "\(name)_bucket{le=\"\(Self.format(bound))\"} \(cumulative)\n"
        }
        text += "\(name)_bucket{le=\"+Inf\"} \(count)\n\(name)_sum \(Self.format(sum))\n\(name)_count \(count)\n"
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

/// Counters, histograms and gauges shared by the request handlers and the inference thread.
public final class ServerMetrics: Sendable {
    struct State {
        var requests: [String: UInt64] = [:]  // "endpoint status" → count
        var queueSeconds = PrometheusHistogram(bounds: ServerMetrics.secondBounds)
        var tokenizationSeconds = PrometheusHistogram(bounds: ServerMetrics.secondBounds)
        var inferenceSeconds = PrometheusHistogram(bounds: ServerMetrics.secondBounds)
        var requestSeconds = PrometheusHistogram(bounds: ServerMetrics.secondBounds)
        var batchSize = PrometheusHistogram(bounds: [1, 2, 4, 8, 16, 32, 64, 128, 256])
        var batchTokens = PrometheusHistogram(bounds: [64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536])
        var queueLength = 0
        var inFlight = 0
        var inputs: UInt64 = 0
    }

    static let secondBounds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
    private let state = NIOLockedValueBox(State())

    public init() {}

    func recordRequest(endpoint: String, status: Int, seconds: Double) {
        state.withLockedValue {
            $0.requests["\(endpoint) \(status)", default: 0] += 1
            $0.requestSeconds.observe(seconds)
        }
    }

    func observeTokenization(seconds: Double, inputs: Int) {
        state.withLockedValue {
            $0.tokenizationSeconds.observe(seconds)
            $0.inputs += UInt64(inputs)
        }
    }

    func observeQueueTime(_ seconds: Double) { state.withLockedValue { $0.queueSeconds.observe(seconds) } }

    func observeBatch(size: Int, paddedTokens: Int, seconds: Double) {
        state.withLockedValue {
            $0.batchSize.observe(Double(size))
            $0.batchTokens.observe(Double(paddedTokens))
            $0.inferenceSeconds.observe(seconds)
        }
    }

    func setQueueLength(_ length: Int) { state.withLockedValue { $0.queueLength = length } }

    /// Claims a slot for a request in flight; false when `limit` are already in flight.
    func tryEnter(limit: Int) -> Bool {
        state.withLockedValue {
            guard $0.inFlight < limit else { return false }
            $0.inFlight += 1
            return true
        }
    }

    func leave() { state.withLockedValue { $0.inFlight -= 1 } }

    /// Requests currently in flight.
    public var inFlight: Int { state.withLockedValue { $0.inFlight } }

    /// Count of answered requests by `"endpoint status"`.
    public var requestCounts: [String: UInt64] { state.withLockedValue { $0.requests } }

    /// The Prometheus text exposition.
    public func prometheusText() -> String {
        let s = state.withLockedValue { $0 }
        var text = "# HELP sift_requests_total Requests answered, by endpoint and HTTP status.\n# TYPE sift_requests_total counter\n"
        for key in s.requests.keys.sorted() {
            let parts = key.split(separator: " ")
            let outcome = (Int(parts[1]) ?? 0) < 400 ? "success" : "error"
            text += "sift_requests_total{endpoint=\"\(parts[0])\",status=\"\(parts[1])\",outcome=\"\(outcome)\"} \(s.requests[key] ?? 0)\n"
        }
        text += "# HELP sift_inputs_total Texts tokenized (a batch request counts each text).\n# TYPE sift_inputs_total counter\nsift_inputs_total \(s.inputs)\n"
        s.requestSeconds.render(name: "sift_request_duration_seconds", help: "Time from the request's arrival to its answer.", into: &text)
        s.queueSeconds.render(name: "sift_queue_duration_seconds", help: "Time a request's inputs waited for the inference thread.", into: &text)
        s.tokenizationSeconds.render(name: "sift_tokenization_duration_seconds", help: "Time to tokenize one request.", into: &text)
        s.inferenceSeconds.render(name: "sift_inference_duration_seconds", help: "Time of one batched forward pass.", into: &text)
        s.batchSize.render(name: "sift_batch_size", help: "Inputs per forward pass.", into: &text)
        s.batchTokens.render(name: "sift_batch_tokens", help: "Padded tokens per forward pass.", into: &text)
        text += "# HELP sift_queue_length Inputs waiting for the inference thread.\n# TYPE sift_queue_length gauge\nsift_queue_length \(s.queueLength)\n"
        text += "# HELP sift_requests_in_flight Requests being handled.\n# TYPE sift_requests_in_flight gauge\nsift_requests_in_flight \(s.inFlight)\n"
        return text
    }
}
