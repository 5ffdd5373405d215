// Distillation: the teacher's turn is cut at its end-of-turn marker, the student's sequence trains
// exactly the assistant turn, and a tiny student trains on given traces and is scored both ways.
import Foundation
import SiftData
import SiftModels
@testable import SiftStudies
import SiftTestSupport
import SiftTrain
import Testing

@Suite("Distillation", .serialized)
struct DistillationTests {
    @Test("a generation is cut at its first end-of-turn marker, trailing whitespace dropped")
    func assistantTurn() {
        #expect(Distiller.assistantTurn("<think>\nwhy\n</think>\n\nB<|im_end|>\n<|endoftext|>") == "<think>\nwhy\n</think>\n\nB")
        #expect(Distiller.assistantTurn("C. Business \n") == "C. Business")
        #expect(Distiller.assistantTurn("<|im_end|>") == "")
    }

    @Test("the student's sequence labels exactly the assistant turn; a tiny student trains on traces and is scored in both modes")
    func distillTinyStudent() async throws {
        guard Fixtures.sharedIsPresent else {
            print("SKIP: ../shared is not present")
            return
        }
        let agnews = Fixtures.sharedFile("data/agnews")
        let student = Fixtures.fixture("models/tiny-qwen3").path
        let train = try DatasetLoader.loadAGNews(agnews.appendingPathComponent("train.csv")).limitedPerClass(2)
        let letters = ["A", "B", "C", "D"]
        let traces = train.examples.map { example in
            DistillationTrace(row: example.row, label: example.label, text: example.text,
                              answer: "<think>\nThe article is about \(train.labels.names[example.label]).\n</think>\n\n\(letters[example.label])")
        }
        let bundle = try ModelLoader.load(URL(fileURLWithPath: student), task: .causalLM)
        let formatter = PromptFormatter(tokenizer: bundle.tokenizer, template: .study(labelNames: train.labels.names))
        let sequence = try #require(try Distiller.sequence(traces[0], formatter: formatter, cutoffLength: nil))
        let trained = zip(sequence.ids, sequence.labels).filter { $0.1 != -100 }
        #expect(trained.allSatisfy { $0.0 == $0.1 })
        #expect(bundle.tokenizer.decode(trained.map(\.0), skipSpecialTokens: false) == traces[0].answer + "<|im_end|>")
        let prompt = bundle.tokenizer.decode(Array(sequence.ids.prefix(sequence.labels.firstIndex { $0 != -100 } ?? 0)), skipSpecialTokens: false)
        #expect(prompt.hasSuffix("<|im_start|>assistant\n") && !prompt.contains("/no_think"))
        #expect(try Distiller.sequence(traces[0], formatter: formatter, cutoffLength: 10) == nil)

        var run = RunSpec(id: "student", method: .sft, model: student)
        run.maxSteps = 2
        run.batchSize = 4
        run.evalEvery = 1
        run.maxNewTokens = 4
        run.cutoffLength = 400
        let base = StudySpec(name: "tiny distill", data: StudyDataSpec(train: agnews.appendingPathComponent("train.csv").path,
                                                                     test: agnews.appendingPathComponent("test.csv").path),
                             trainPerClass: 2, testPerClass: 1, seed: 1, runs: [run])
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("sift-distill-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let results = try await DistillStudy(base: base, teacher: student, student: run, output: output, resume: false).run(providedTraces: traces)
        #expect(results.runs.map(\.spec.id) == ["student-nothink", "student-think"])
        for result in results.runs {
            #expect(result.trainExamples == 8 && result.testExamples == 4)
            #expect(result.lossCurve.map(\.step) == [1, 2])
            #expect(result.modelDirectory == "student/model")
        }
        #expect((results.runs[1].meanGeneratedTokens ?? 99) <= 4)
        for name in ["results.json", "report.html", "student/model/config.json"] {
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(name).path), "\(name) missing")
        }
        await #expect(throws: StudyError.self) {
            try await DistillStudy(base: base, teacher: student, student: run, output: output, resume: false).run(providedTraces: [])
        }
    }
}
