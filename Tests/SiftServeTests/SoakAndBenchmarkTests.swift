// A small version of the 20,000-request soak (valid answers checked, invalid ones each with their 4xx,
// never a 5xx) and the load generator in closed and open loop against an in-process server.
import Foundation
@testable import SiftServe
import SiftTestSupport
import Testing

@Suite("Soak and load generator", .serialized)
struct SoakAndBenchmarkTests {
    @Test("soak: 1,500 mixed requests at concurrency 32: every valid answer right, every invalid its 4xx")
    func smallSoak() async throws {
        let texts = try ServeFixtures.texts(perClass: 10)
        let report = try await ServingSoak.run(model: try ServeFixtures.tinyBert(),
                                               configuration: ServerConfiguration(maxInputLength: 128, maxClientBatchSize: 8, maxBodyBytes: 16 << 10),
                                               texts: texts, requests: 1500, concurrency: 32)
        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(report.passed)
        #expect(report.validRequests + report.invalidRequests == 1500)
        #expect(report.validRequests > 700 && report.invalidRequests > 300)
        // Every kind of request was sent.
        for kind in SoakKind.allCases {
            #expect(report.outcomes.keys.contains { $0.hasPrefix(kind.rawValue + " ") }, "\(kind.rawValue) never sent")
        }
        print("soak: \(report.requests) requests in \(report.seconds) s; RSS \(report.rssBeforeMiB) → \(report.rssAfterMiB) MiB")
    }

    @Test("closed loop: the requested count, all answered 200, percentiles ordered")
    func closedLoop() async throws {
        let texts = try ServeFixtures.texts(perClass: 4)
        let report = try await ServingBenchmark.run(
            model: try ServeFixtures.tinyBert(),
            options: ServingBenchmarkOptions(pattern: .closedLoop(concurrency: 8), duration: nil, requests: 200, texts: texts, warmupRequests: 8))
        #expect(report.requests == 200 && report.succeeded == 200 && report.errors.isEmpty, "\(report.errors)")
        #expect(report.requestsPerSecond > 0)
        let l = report.latencyMs
        #expect(0 < l.p50 && l.p50 <= l.p90 && l.p90 <= l.p99 && l.p99 <= l.max)
        #expect(report.pattern == "closed" && report.concurrency == 8)
    }

    @Test("open loop: arrivals at the given rate for the given count; errors counted by status")
    func openLoop() async throws {
        let texts = try ServeFixtures.texts(perClass: 2)
        let report = try await ServingBenchmark.run(
            model: try ServeFixtures.tinyBert(),
            options: ServingBenchmarkOptions(pattern: .openLoop(requestsPerSecond: 200, maxInFlight: 64), duration: nil, requests: 100, texts: texts))
        #expect(report.requests + report.errors["dropped", default: 0] == 100)
        #expect(report.succeeded == report.requests, "\(report.errors)")
        // 100 arrivals at 200/s take about half a second.
        #expect(report.seconds >= 0.45)
        // Against a server that refuses everything (a body too large), errors are counted by status.
        let refused = try await ServingBenchmark.run(
            model: try ServeFixtures.tinyBert(), server: ServerConfiguration(port: 0, maxBodyBytes: 64),
            options: ServingBenchmarkOptions(pattern: .closedLoop(concurrency: 2), duration: nil, requests: 10,
                                             texts: [String(repeating: "long text ", count: 20)]))
        #expect(refused.succeeded == 0 && refused.errors["413"] == 10, "\(refused.errors)")
    }
}
