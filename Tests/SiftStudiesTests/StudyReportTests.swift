// Reports from a synthetic results set: the HTML page is self-contained and holds the table and every
// chart; the ranking sentences follow the numbers (margins and ratios computed from the inputs, and
// the winner changes when the numbers do).
import Foundation
@testable import SiftStudies
import SiftTrain
import Testing

@Suite("Study reports")
struct StudyReportTests {
    static let labels = ["World", "Sports", "Business", "Sci/Tech"]

    static func result(_ id: String, _ method: StudyMethod, model: String, accuracy: Double, f1: Double, training: Double?,
                       speed: Double, rps: Double?, unparseable: Int = 0) -> RunResult {
        var curve: [CurvePoint] = []
        var loss: [CurvePoint] = []
        if training != nil {
            curve = (1...4).map { CurvePoint(step: $0 * 10, value: accuracy - 0.05 * Double(4 - $0)) }
            loss = (1...40).map { CurvePoint(step: $0, value: 1.4 / Double($0).squareRoot()) }
        }
        let matrix = (0..<4).map { row in (0..<4).map { column in row == column ? 20 : 2 } }
        return RunResult(spec: RunSpec(id: id, method: method, model: model), accuracy: accuracy, macroF1: f1,
                         confusionMatrix: matrix, labelNames: labels, testExamples: 100, trainExamples: training == nil ? 0 : 400,
                         unparseable: unparseable, trainingSeconds: training, inferenceExamplesPerSecond: speed, requestsPerSecond: rps,
                         evalAccuracyCurve: curve, evalMacroF1Curve: curve, lossCurve: loss, bestStep: training == nil ? nil : 40,
                         modelDirectory: training == nil ? nil : "runs/\(id)/model")
    }

    static let smol = "/models/SmolLM2-135M-Instruct.Q4_1.gguf"
    static let minilm = "/models/minilm/model"

    static func synthetic() -> [RunResult] {
        [result("head", .head, model: smol, accuracy: 0.91, f1: 0.905, training: 600, speed: 20, rps: 10),
         result("classifier", .classifier, model: minilm, accuracy: 0.904, f1: 0.903, training: 60, speed: 200, rps: 41),
         result("zeroshot", .zeroshot, model: smol, accuracy: 0.60, f1: 0.55, training: nil, speed: 30, rps: nil),
         result("think", .think, model: smol, accuracy: 0.62, f1: 0.60, training: nil, speed: 1.5, rps: nil, unparseable: 3)]
    }

    static func results(_ runs: [RunResult]) -> StudyResults {
        StudyResults(study: StudySpec(name: "Synthetic <study>", data: StudyDataSpec(train: "train.csv", test: "test.csv", preset: "standard"),
                                      trainPerClass: 100, testPerClass: 25, runs: runs.map(\.spec)),
                     runs: runs, createdAt: "2026-01-01T00:00:00Z", machine: "test machine")
    }

    @Test("ranking sentences state the winner, its margin and the speed ratios computed from the numbers")
    func sentencesFollowNumbers() throws {
        let runs = Self.synthetic()
        let sentences = RankingSentences.make(runs)
        let margin = String(format: "%.1f", (runs[0].accuracy - runs[1].accuracy) * 100)
        #expect(sentences[0] == "The linear head on SmolLM2-135M-Instruct.Q4_1 is the most accurate (0.910), \(margin) points ahead of the encoder classifier on minilm (0.904).")
        let worstGap = String(format: "%.1f", (runs[0].accuracy - runs[2].accuracy) * 100)
        #expect(sentences.contains { $0.hasPrefix("The zero-shot (no think) on SmolLM2-135M-Instruct.Q4_1 is the least accurate (0.600), \(worstGap) points behind") })
        let rpsRatio = String(format: "%.1f×", 41.0 / 10.0)
        #expect(sentences.contains { $0 == "The encoder classifier on minilm serves the most requests per second (41.0 RPS), \(rpsRatio) as many as the most accurate run, the linear head on SmolLM2-135M-Instruct.Q4_1 (10.0)." })
        let trainingRatio = String(format: "%.0f×", 600.0 / 60.0)
        #expect(sentences.contains { $0 == "Training took from 60 s (the encoder classifier on minilm) to 10.0 min (the linear head on SmolLM2-135M-Instruct.Q4_1, \(trainingRatio) longer)." })
        let thinkGain = String(format: "%.1f", (0.62 - 0.60) * 100)
        let slowdown = String(format: "%.0f×", 30 / 1.5)
        #expect(sentences.contains { $0 == "On SmolLM2-135M-Instruct.Q4_1, thinking raises zero-shot accuracy by \(thinkGain) points (0.600 → 0.620) and is \(slowdown) slower per example; 3 of 100 answers were unreadable." })

        // Change the numbers: the zero-shot run becomes the most accurate, and the sentences follow.
        var changed = runs
        changed[2].accuracy = 0.95
        let flipped = RankingSentences.make(changed)
        #expect(flipped[0].hasPrefix("The zero-shot (no think) on SmolLM2-135M-Instruct.Q4_1 is the most accurate (0.950), 4.0 points ahead of the linear head"))
        #expect(flipped.contains { $0.contains("thinking lowers zero-shot accuracy by 33.0 points") })
        // Thinking that is faster (it stopped early) is called faster, not "0.5× slower".
        var quickThink = runs
        quickThink[3].inferenceExamplesPerSecond = 60
        #expect(RankingSentences.make(quickThink).contains { $0.contains("and is 2.0× faster per example") })
        // Without RPS, the speed sentence uses in-process inference speed.
        let unserved = runs.map { run -> RunResult in var copy = run; copy.requestsPerSecond = nil; return copy }
        #expect(RankingSentences.make(unserved).contains { $0.contains("classifies the most examples per second (200 ex/s)") })
        // Two runs of the same method and model are told apart by their ids.
        let twins = [Self.result("a", .head, model: Self.smol, accuracy: 0.8, f1: 0.8, training: 1, speed: 1, rps: nil),
                     Self.result("b", .head, model: Self.smol, accuracy: 0.8, f1: 0.8, training: 2, speed: 1, rps: nil)]
        #expect(RankingSentences.make(twins)[0] == "The linear head on SmolLM2-135M-Instruct.Q4_1 (a) and the linear head on SmolLM2-135M-Instruct.Q4_1 (b) are the most accurate, tied at 0.800.")
    }

    @Test("the prompt-prediction table lists unreadable answers, seconds per example and tokens generated")
    func promptTable() throws {
        var runs = Self.synthetic()
        runs[3].meanGeneratedTokens = 212.5
        let report = StudyReport(results: Self.results(runs))
        #expect(report.promptTableRows == [["zeroshot", "zero-shot (no think)", "0 of 100", "0.033", "—"],
                                           ["think", "zero-shot (think)", "3 of 100", "0.667", "212.5"]])
        #expect(report.markdown().contains("| think | zero-shot (think) | 3 of 100 | 0.667 | 212.5 |"))
        #expect(report.html().contains("<td>3 of 100</td><td>0.667</td><td>212.5</td>"))
        // Without prompt runs the section is left out.
        let trainedOnly = StudyReport(results: Self.results(Array(runs.prefix(2))))
        #expect(trainedOnly.promptTableRows.isEmpty && !trainedOnly.markdown().contains("Prompt predictions"))
    }

    @Test("report.html is one self-contained page with the table, the findings and every chart")
    func htmlIsSelfContained() throws {
        let runs = Self.synthetic()
        let report = StudyReport(results: Self.results(runs))
        let html = report.html()
        for forbidden in ["<script", "<link", "src=", "href=", "url(", "@import", "<img"] {
            #expect(!html.contains(forbidden), "report.html must not load anything: found \(forbidden)")
        }
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("</html>"))
        #expect(!html.contains("<?xml"))
        #expect(html.contains("Synthetic &lt;study&gt;"))
        // Charts: eval accuracy curve, loss curve, accuracy bars, RPS bars, inference bars, 4 confusion matrices.
        #expect(html.components(separatedBy: "<svg ").count - 1 == 9)
        #expect(html.contains("data-series=\"head\"") && html.contains("data-series=\"classifier\""))
        // The table: best run first, numbers as measured, "—" where RPS or training time does not apply.
        let rows = report.tableRows
        #expect(rows.map { $0[0] } == ["head", "classifier", "think", "zeroshot"])
        #expect(rows[0][3] == "0.9100" && rows[0][4] == "0.9050" && rows[0][5] == "10.0 min" && rows[0][7] == "10.0")
        #expect(rows[3][5] == "—" && rows[3][7] == "—")
        for row in rows { #expect(html.contains("<td>\(row[3])</td>")) }
        for sentence in RankingSentences.make(runs) { #expect(html.contains(StudyReport.escaped(sentence))) }
        // Markdown holds the same table.
        let markdown = report.markdown()
        #expect(markdown.contains("| head | linear head | SmolLM2-135M-Instruct.Q4_1 | 0.9100 | 0.9050 | 10.0 min | 20.0 | 10.0 |"))
    }

    @Test("writing a report creates report.md, report.html and the chart files; results.json round-trips")
    func writesFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sift-report-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let results = Self.results(Self.synthetic())
        try results.write(to: folder.appendingPathComponent("results.json"))
        #expect(try StudyResults.read(folder.appendingPathComponent("results.json")) == results)
        try StudyReport(results: results).write(to: folder)
        for name in ["report.md", "report.html", "charts/loss.svg", "charts/eval-accuracy.svg", "charts/rps.svg", "charts/confusion-think.svg"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path), "\(name) missing")
        }
        #expect(throws: StudyError.self) { try StudyResults.read(folder.appendingPathComponent("report.md")) }
    }
}
