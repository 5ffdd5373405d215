// `sift distill` as a study: teacher traces on the training subset (traces.jsonl), SFT of the
// student on the kept traces (student/ holds its checkpoints and the best model), then the student
// scored in no-think and think modes on the test subset; results.json and the report as for compare.
import Foundation
import SiftData
import SiftModels
import SiftTrain

/// Runs a distillation study.
public final class DistillStudy {
    /// Data, budgets and seed (its runs are ignored).
    public let base: StudySpec
    /// The teacher decoder (directory or `.gguf`).
    public let teacher: String
    /// The student's training settings (method sft; `model` is the student; `maxNewTokens` is the
    /// thinking budget of the teacher and of the think evaluation).
    public let student: RunSpec
    public let output: URL
    public let resume: Bool
    public var onEvent: (StudyEvent) -> Void = { _ in }

    public init(base: StudySpec, teacher: String, student: RunSpec, output: URL, resume: Bool) {
        self.base = base
        self.teacher = teacher
        self.student = student
        self.output = output
        self.resume = resume
    }

    var tracesFile: URL { output.appendingPathComponent("traces.jsonl") }

    /// Generates (or, with `resume`, reads) the teacher's traces; `provided` skips the teacher.
    func traces(_ data: StudyData, provided: [DistillationTrace]?) throws -> [DistillationTrace] {
        if let provided { return provided }
        if resume, let text = try? String(contentsOf: tracesFile, encoding: .utf8) {
            return try text.split(separator: "\n").map { try JSONDecoder().decode(DistillationTrace.self, from: Data($0.utf8)) }
        }
        onEvent(.loading(id: "teacher", what: teacher))
        let bundle = try ModelLoader.load(URL(fileURLWithPath: teacher), task: .causalLM, seed: base.seed)
        guard case let .decoder(model) = bundle.model else { throw StudyError.invalidStudy("the teacher \(teacher) is not a decoder") }
        let formatter = PromptFormatter(tokenizer: bundle.tokenizer, template: .study(labelNames: data.labelNames))
        let total = data.train.count
        let (kept, _) = try Distiller.generateTraces(teacher: model, formatter: formatter, dataset: data.train, maxNewTokens: student.maxNewTokens,
                                                     batchSize: student.promptBatchSize, cutoffLength: student.cutoffLength) {
            self.onEvent(.predicting(id: "teacher", done: $0, total: total))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let lines = try kept.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        try Data((lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")).utf8).write(to: tracesFile, options: .atomic)
        return kept
    }

    /// Runs the study; `providedTraces` replaces the teacher (tests, or traces made elsewhere).
    @discardableResult
    public func run(providedTraces: [DistillationTrace]? = nil) async throws -> StudyResults {
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let data = try StudyData.load(base)
        let kept = try traces(data, provided: providedTraces)
        guard !kept.isEmpty else {
            throw StudyError.invalidStudy("the teacher answered no training example correctly within \(student.maxNewTokens) new tokens; nothing to distill (raise --max-new-tokens or use a stronger teacher)")
        }
        onEvent(.loading(id: student.id, what: student.model))
        let bundle = try ModelLoader.load(URL(fileURLWithPath: student.model), task: .causalLM, seed: base.seed)
        guard case let .decoder(decoder) = bundle.model else { throw StudyError.invalidStudy("the student \(student.model) is not a decoder") }
        let formatter = PromptFormatter(tokenizer: bundle.tokenizer, template: .study(labelNames: data.labelNames))
        let sequences = try kept.compactMap { try Distiller.sequence($0, formatter: formatter, cutoffLength: student.cutoffLength) }
        guard !sequences.isEmpty else {
            throw StudyError.invalidStudy("every trace is longer than the cutoff (\(student.cutoffLength) tokens); raise cutoff_length")
        }
        decoder.setRequiresGrad(true)
        let objective = DistillationObjective(decoder: decoder, formatter: formatter, sequences: sequences,
                                              validationTexts: data.evaluation.examples.map(\.text),
                                              validationLabels: data.evaluation.examples.map(\.label), padId: bundle.padTokenId,
                                              cutoffLength: student.cutoffLength, evalBatchSize: student.promptBatchSize)
        var options = try RunExecutor.trainingOptions(student, seed: base.seed)
        options.freezeBase = false
        let trainer = try Trainer(bundle: bundle, objective: objective, options: options, output: output.appendingPathComponent("student"))
        trainer.onEvent = { [student, onEvent] in onEvent(.training(id: student.id, event: $0)) }
        let summary = try trainer.run(resume: resume)
        let best = try ModelLoader.load(URL(fileURLWithPath: summary.finalModelDirectory), task: .causalLM)
        guard case let .decoder(trained) = best.model else {
            throw StudyError.runFailed(id: student.id, reason: "the saved student did not reload as a decoder")
        }
        var results: [RunResult] = []
        for method in [StudyMethod.zeroshot, .think] {
            var spec = student
            spec.id = student.id + (method == .think ? "-think" : "-nothink")
            spec.method = method
            var result = try RunExecutor.promptEvaluation(spec, decoder: trained, tokenizerBundle: best, data: data, onEvent: onEvent)
            result.trainExamples = sequences.count
            RunExecutor.fillTraining(&result, summary: summary, studyDirectory: output)
            result.notes.append("student trained on \(sequences.count) correct teacher traces of \(data.train.count) training examples (teacher: \(teacher))")
            onEvent(.runFinished(result))
            results.append(result)
        }
        var spec = base
        spec.runs = results.map(\.spec)
        let studyResults = StudyResults(study: spec, runs: results, createdAt: ISO8601DateFormatter().string(from: Date()),
                                        machine: StudyRunner.machineDescription())
        try studyResults.write(to: output.appendingPathComponent("results.json"))
        try StudyReport(results: studyResults).write(to: output)
        return studyResults
    }
}
