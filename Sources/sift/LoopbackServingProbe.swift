// Serving throughput for `sift compare`: each trained model is served in-process on a loopback port by
// SiftServe (the same server as `sift serve`) and loaded by the same closed-loop generator as
// `sift bench serve`.
import Foundation
import SiftServe
import SiftStudies

/// Requests per second of a study run's model under `concurrency` closed-loop clients for `seconds`.
struct LoopbackServingProbe: ServingThroughputProbe {
    var seconds: Double
    var concurrency = 8

    func requestsPerSecond(modelDirectory: URL, method: StudyMethod, labels: [String], texts: [String]) async throws -> Double? {
        let servingMethod: ServingMethod
        switch method {
        case .classifier, .head: servingMethod = .classifier
        case .sft, .zeroshot: servingMethod = .choice
        case .think: return nil  // generation is not served: the server answers by option scoring
        }
        guard !texts.isEmpty else { return nil }
        let model = try ServingModel.load(path: modelDirectory.path, method: servingMethod,
                                          labels: servingMethod == .choice ? labels : nil)
        let options = ServingBenchmarkOptions(pattern: .closedLoop(concurrency: concurrency), duration: seconds,
                                              texts: texts, warmupRequests: concurrency)
        let report = try await ServingBenchmark.run(model: model, options: options)
        return report.requestsPerSecond
    }
}
