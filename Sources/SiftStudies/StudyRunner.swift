// Runs a whole study into an output folder:
//   study.json            the study as run (data, budgets, seed, runs)
//   runs/<id>/            each run's checkpoints, log.jsonl, loss.svg, eval.svg, model/, result.json
//   results.json          every run's result
//   report.md, report.html
// `resume` reuses every run whose result.json exists with unchanged settings, and continues an
// interrupted training run from its newest checkpoint.
import Foundation
import SiftData
import SiftTensor

/// Runs studies.
public final class StudyRunner {
    public let spec: StudySpec
    public let output: URL
    public let resume: Bool
    /// Serving throughput probe (nil: RPS is not measured and shows as "—").
    public let probe: ServingThroughputProbe?
    /// Called for progress events, on the running thread.
    public var onEvent: (StudyEvent) -> Void = { _ in }

    public init(spec: StudySpec, output: URL, resume: Bool, probe: ServingThroughputProbe? = nil) {
        self.spec = spec
        self.output = output
        self.resume = resume
        self.probe = probe
    }

    /// The folder of a run.
    public func runDirectory(_ id: String) -> URL {
        output.appendingPathComponent("runs").appendingPathComponent(id)
    }

    /// The settings that make finished runs reusable: everything but the run list (and the name).
    struct DataKey: Codable, Equatable {
        var data: StudyDataSpec
        var trainPerClass: Int?
        var testPerClass: Int?
        var evalPerClass: Int?
        var seed: UInt64
        init(_ spec: StudySpec) {
            data = spec.data
            trainPerClass = spec.trainPerClass
            testPerClass = spec.testPerClass
            evalPerClass = spec.evalPerClass
            seed = spec.seed
        }
    }

    /// Runs every run (or reuses finished ones with `resume`), then writes results and reports.
    @discardableResult
    public func run() async throws -> StudyResults {
        try spec.validate()
        let fm = FileManager.default
        try fm.createDirectory(at: output, withIntermediateDirectories: true)
        let studyFile = output.appendingPathComponent("study.json")
        if resume, let previous = try? JSONDecoder().decode(StudySpec.self, from: Data(contentsOf: studyFile)),
           DataKey(previous) != DataKey(spec) {
            throw StudyError.invalidStudy("\(output.path) holds a study with other data, budgets or seed; use another --output, or run without --resume to start over")
        }
        try StudyJSON.encoder.encode(spec).write(to: studyFile, options: .atomic)
        let data = try StudyData.load(spec)
        var results: [RunResult] = []
        for (index, run) in spec.runs.enumerated() {
            onEvent(.runStarted(id: run.id, index: index, total: spec.runs.count))
            let directory = runDirectory(run.id)
            let resultFile = directory.appendingPathComponent("result.json")
            if resume, fm.fileExists(atPath: resultFile.path) {
                let cached: RunResult
                do { cached = try JSONDecoder().decode(RunResult.self, from: Data(contentsOf: resultFile)) } catch {
                    throw StudyError.unreadableFile(path: resultFile.path, reason: "not a run result (\(error)); delete it to re-run \(run.id)")
                }
                guard cached.spec == run else {
                    throw StudyError.staleRun(id: run.id, path: directory.path, changed: run.changedSettings(from: cached.spec))
                }
                onEvent(.runSkipped(id: run.id, reason: "finished earlier (\(resultFile.path))"))
                results.append(cached)
                continue
            }
            var result: RunResult
            let memory = PeakMemorySampler()
            defer { _ = memory.stop() }
            do {
                result = try RunExecutor.execute(run, data: data, seed: spec.seed, directory: directory, studyDirectory: output,
                                                 resume: resume, onEvent: onEvent)
            } catch let error as StudyError {
                throw error
            } catch {
                throw StudyError.runFailed(id: run.id, reason: "\(error)")
            }
            try await measureServing(&result, run: run, data: data)
            result.peakResidentBytes = memory.stop()
            // The next run has other shapes (another model, method or batch): give this run's
            // cached buffers back rather than keep them resident beside the next run's.
            TensorBufferPool.drain()
            try StudyJSON.encoder.encode(result).write(to: resultFile, options: .atomic)
            onEvent(.runFinished(result))
            results.append(result)
        }
        let studyResults = StudyResults(study: spec, runs: results, createdAt: ISO8601DateFormatter().string(from: Date()),
                                        machine: StudyRunner.machineDescription())
        try studyResults.write(to: output.appendingPathComponent("results.json"))
        try StudyReport(results: studyResults).write(to: output)
        return studyResults
    }

    /// Asks the probe for requests per second of the run's model.
    func measureServing(_ result: inout RunResult, run: RunSpec, data: StudyData) async throws {
        guard let probe else {
            result.notes.append("RPS not measured (--rps-seconds 0)")
            return
        }
        onEvent(.measuringServing(id: run.id))
        let model = result.modelDirectory.map { $0.hasPrefix("/") ? URL(fileURLWithPath: $0) : output.appendingPathComponent($0) }
            ?? URL(fileURLWithPath: run.model)
        do {
            result.requestsPerSecond = try await probe.requestsPerSecond(modelDirectory: model, method: run.method, labels: data.labelNames,
                                                                         texts: data.test.examples.map(\.text))
            if result.requestsPerSecond == nil { result.notes.append("RPS not measured: \(run.method.displayName) is not served") }
        } catch {
            result.notes.append("RPS measurement failed: \(error)")
        }
    }

    /// "Linux, 2 cores, 23 GiB, bf16 GEMMs" and the like, for the report.
    public static func machineDescription() -> String {
        let info = ProcessInfo.processInfo
        #if os(Linux)
        let os = "Linux"
        #else
        let os = "macOS"
        #endif
        let precision = MatmulPrecision.effective(MatmulPrecision.current)
        return "\(os), \(info.activeProcessorCount) cores, \(info.physicalMemory / (1 << 30)) GiB, \(precision.rawValue) GEMMs"
    }
}
