// The seam between studies and serving: a study asks a probe for a trained model's requests per
// second. The CLI passes a probe built on SiftServe's in-process loopback benchmark (nil: the report
// shows "—" for RPS); studies never import the server themselves.
import Foundation

/// Measures serving throughput of a saved model.
public protocol ServingThroughputProbe: Sendable {
    /// Requests per second for the model at `modelDirectory` (a classifier checkpoint for
    /// `classifier`/`head`, a decoder directory or `.gguf` for the prompt methods), sending
    /// `texts` as requests; `labels` are the study's class names (the options of prompt methods);
    /// nil when the method cannot be served.
    func requestsPerSecond(modelDirectory: URL, method: StudyMethod, labels: [String], texts: [String]) async throws -> Double?
}
