// A whole tiny comparison on real AG News rows with the tiny fixture models (tiny-bert classifier,
// tiny-qwen3 head / SFT / zero-shot / think), in seconds: every run produces a result whose numbers
// agree with its confusion matrix, the kept models reload, the report is written; `resume` skips
// finished runs and refuses runs whose settings changed; a LoRA SFT run changes only its adapted projections.
import Foundation
import SiftModels
@testable import SiftStudies
import SiftTensor
import SiftTestSupport
import SiftTrain
import Testing

@Suite("sift compare end to end", .serialized)
struct CompareEndToEndTests {
    static func temporaryDirectory(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("sift-\(name)-\(UUID().uuidString)")
    }

    static func tinyStudy() -> StudySpec {
        let agnews = Fixtures.sharedFile("data/agnews")
        var runs: [RunSpec] = []
        let trained: [(String, StudyMethod, String)] = [("bert", .classifier, "models/tiny-bert"), ("qwen-head", .head, "models/tiny-qwen3"),
                                                       ("qwen-sft", .sft, "models/tiny-qwen3")]
        for (id, method, model) in trained {
            var run = RunSpec(id: id, method: method, model: Fixtures.fixture(model).path)
            run.maxSteps = 2
            run.batchSize = 4
            run.evalEvery = 1
            run.cutoffLength = 160
            if method != .sft { run.learningRate = 1e-3 }
            runs.append(run)
        }
        var zeroshot = RunSpec(id: "qwen-zeroshot", method: .zeroshot, model: Fixtures.fixture("models/tiny-qwen3").path)
        zeroshot.cutoffLength = 160
        var think = RunSpec(id: "qwen-think", method: .think, model: Fixtures.fixture("models/tiny-qwen3").path)
        think.maxNewTokens = 4
        think.cutoffLength = 160
        runs += [zeroshot, think]
        return StudySpec(name: "tiny", data: StudyDataSpec(train: agnews.appendingPathComponent("train.csv").path,
                                                           test: agnews.appendingPathComponent("test.csv").path),
                         trainPerClass: 4, testPerClass: 2, evalPerClass: 1, seed: 3, runs: runs)
    }

    @Test("a tiny five-method comparison runs, reports, and resumes without re-running")
    func tinyComparison() async throws {
        guard Fixtures.sharedIsPresent else {
            print("SKIP: ../shared is not present")
            return
        }
        let output = Self.temporaryDirectory("compare")
        defer { try? FileManager.default.removeItem(at: output) }
        let spec = Self.tinyStudy()
        #expect(spec.data.preset == "agnews")
        let start = Date()
        let results = try await StudyRunner(spec: spec, output: output, resume: false).run()
        print("tiny compare: \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        #expect(results.runs.map(\.spec.id) == spec.runs.map(\.id))
        let peakMeasurable = StorageStatistics.residentBytes != nil
        if !peakMeasurable { print("SKIP peak RSS check: this system does not report resident memory (/proc/self/statm)") }
        for run in results.runs {
            let matrix = run.confusionMatrix
            let total = matrix.reduce(0) { $0 + $1.reduce(0, +) }
            let correct = matrix.indices.reduce(0) { $0 + matrix[$1][$1] }
            // Unreadable answers (think) are wrong and left out of the confusion matrix.
            #expect(run.testExamples == 8 && total + run.unparseable == 8, "\(run.spec.id): 2 test examples per class")
            #expect(abs(run.accuracy - Double(correct) / 8) < 1e-12, "\(run.spec.id): accuracy agrees with the confusion matrix")
            #expect(run.inferenceExamplesPerSecond > 0)
            if peakMeasurable {
                // Peak RSS per run: at least the model's weights, at most the machine.
                let peak = try #require(run.peakResidentBytes, "\(run.spec.id): peak memory not measured")
                #expect(peak > 1 << 20 && UInt64(peak) < ProcessInfo.processInfo.physicalMemory, "\(run.spec.id): peak RSS \(peak) bytes")
            }
            #expect(run.notes.contains { $0.contains("RPS not measured") })
            if run.spec.method.trains {
                #expect(run.trainExamples == 16)
                #expect((run.trainingSeconds ?? 0) > 0)
                #expect(run.evalAccuracyCurve.map(\.step) == [1, 2], "\(run.spec.id): evaluated every step")
                #expect(run.lossCurve.map(\.step) == [1, 2])
                let model = try #require(run.modelDirectory)
                #expect(model == "runs/\(run.spec.id)/model")
                #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(model).appendingPathComponent("config.json").path))
            } else {
                #expect(run.trainingSeconds == nil && run.evalAccuracyCurve.isEmpty)
            }
        }
        let think = try #require(results.runs.first { $0.spec.method == .think })
        #expect((think.meanGeneratedTokens ?? 99) <= 4)
        // The head run's kept model reloads as a classifier with the study's labels.
        let head = try ModelLoader.load(output.appendingPathComponent("runs/qwen-head/model"), task: .classification(labels: nil))
        #expect(head.labelNames == ["World", "Sports", "Business", "Sci/Tech"])
        for name in ["results.json", "report.md", "report.html", "study.json", "runs/bert/log.jsonl", "runs/qwen-sft/result.json"] {
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(name).path), "\(name) missing")
        }
        let html = try String(contentsOf: output.appendingPathComponent("report.html"), encoding: .utf8)
        for run in spec.runs { #expect(html.contains(run.id)) }

        // Resume: every finished run is reused, nothing is trained again.
        let again = StudyRunner(spec: spec, output: output, resume: true)
        var skipped: [String] = []
        var trained = false
        again.onEvent = { event in
            if case let .runSkipped(id, _) = event { skipped.append(id) }
            if case .training = event { trained = true }
        }
        let resumed = try await again.run()
        #expect(skipped == spec.runs.map(\.id))
        #expect(!trained)
        #expect(resumed.runs == results.runs)

        // Resume refuses a finished run whose settings changed.
        var changed = spec
        changed.runs[0].learningRate = 5e-4
        await #expect(throws: StudyError.staleRun(id: "bert", path: output.appendingPathComponent("runs/bert").path, changed: ["learningRate"])) {
            try await StudyRunner(spec: changed, output: output, resume: true).run()
        }
        // …and a study with other data or budgets in the same folder.
        var otherBudget = spec
        otherBudget.trainPerClass = 5
        await #expect(throws: StudyError.self) { try await StudyRunner(spec: otherBudget, output: output, resume: true).run() }
    }

    @Test("an SFT run with LoRA trains only adapters, and its kept model is the base with the update merged in")
    func loraRun() async throws {
        guard Fixtures.sharedIsPresent else {
            print("SKIP: ../shared is not present")
            return
        }
        let output = Self.temporaryDirectory("lora")
        defer { try? FileManager.default.removeItem(at: output) }
        var spec = Self.tinyStudy()
        spec.runs = [spec.runs[2]]
        spec.runs[0].lora = LoRASpec(rank: 4, alpha: 8, dropout: 0, targets: ["q_proj", "v_proj"])
        spec.runs[0].learningRate = 1e-2
        spec.runs[0].schedule = "constant"
        spec.runs[0].warmupRatio = 0
        spec.runs[0].maxSteps = 3
        spec.runs[0].evalEvery = 100  // one evaluation, at the end: the kept model is the trained one
        let results = try await StudyRunner(spec: spec, output: output, resume: false).run()
        let run = try #require(results.runs.first)
        #expect(run.testExamples == 8)
        let kept = try #require(run.modelDirectory)
        let keptDirectory = kept.hasPrefix("/") ? URL(fileURLWithPath: kept) : output.appendingPathComponent(kept)
        let base = try ModelLoader.load(Fixtures.fixture("models/tiny-qwen3"), task: .causalLM)
        let tuned = try ModelLoader.load(keptDirectory, task: .causalLM)
        guard case let .decoder(baseDecoder) = base.model, case let .decoder(tunedDecoder) = tuned.model else {
            Issue.record("tiny-qwen3 did not load as a decoder")
            return
        }
        let before = Dictionary(uniqueKeysWithValues: baseDecoder.namedParameters().map { ($0.name, $0.tensor.scalars) })
        var changed: Set<String> = []
        for (name, tensor) in tunedDecoder.namedParameters() where before[name] != tensor.scalars { changed.insert(name) }
        // Only the adapted projections moved (the merged update B·A), every other weight is the base's.
        #expect(!changed.isEmpty)
        #expect(changed.allSatisfy { $0.hasSuffix("q_proj.weight") || $0.hasSuffix("v_proj.weight") })
    }
}
