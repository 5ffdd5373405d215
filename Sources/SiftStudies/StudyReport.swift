// The study's report, made from its results only: `report.md` (tables, sentences, links to chart
// files under `charts/`) and `report.html` (one self-contained page: inline CSS and inline SVG
// charts, no scripts, no external assets).
import Foundation
import SiftTrain

/// Renders a study's results as Markdown and HTML.
public struct StudyReport {
    public let results: StudyResults

    public init(results: StudyResults) {
        self.results = results
    }

    var runs: [RunResult] { results.runs }

    /// Writes `report.md`, `report.html` and `charts/*.svg` into `directory`.
    public func write(to directory: URL) throws {
        let charts = directory.appendingPathComponent("charts")
        try FileManager.default.createDirectory(at: charts, withIntermediateDirectories: true)
        for (name, svg) in chartFiles() {
            try svg.write(to: charts.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        try markdown().write(to: directory.appendingPathComponent("report.md"), atomically: true, encoding: .utf8)
        try html().write(to: directory.appendingPathComponent("report.html"), atomically: true, encoding: .utf8)
    }

    // MARK: Numbers as text

    static func dash(_ value: Double?, _ format: String) -> String {
        guard let value, value.isFinite else { return "—" }
        return String(format: format, value)
    }

    /// The comparison table's rows: run, method, model, accuracy, macro-F1, training time, inference ex/s, RPS,
    /// peak memory.
    public var tableHeader: [String] {
        ["run", "method", "model", "accuracy", "macro-F1", "training time", "inference (ex/s)", "RPS", "peak RSS"]
    }

    /// One row per run, best accuracy first.
    public var tableRows: [[String]] {
        rankedRuns.map { run in
            [run.spec.id, run.spec.method.displayName, RankingSentences.modelLabel(run),
             String(format: "%.4f", run.accuracy), String(format: "%.4f", run.macroF1),
             run.trainingSeconds.map(RankingSentences.duration) ?? "—",
             Self.dash(run.inferenceExamplesPerSecond > 0 ? run.inferenceExamplesPerSecond : nil, "%.1f"),
             Self.dash(run.requestsPerSecond, "%.1f"),
             Self.dash(run.peakResidentBytes.map { Double($0) / Double(1 << 30) }, "%.1f GiB")]
        }
    }

    /// The prompt-method table's header: answers that could not be read, seconds per example and
    /// tokens generated matter for zero-shot and prompt SFT runs (the study's think vs no-think question).
    public var promptTableHeader: [String] {
        ["run", "method", "unreadable answers", "seconds per example", "tokens generated per example"]
    }

    /// One row per prompt run (SFT, zero-shot, think) in study order; empty when the study has none.
    public var promptTableRows: [[String]] {
        runs.filter(\.spec.method.usesPrompt).map { run in
            [run.spec.id, run.spec.method.displayName, "\(run.unparseable) of \(run.testExamples)",
             Self.dash(run.inferenceExamplesPerSecond > 0 ? 1 / run.inferenceExamplesPerSecond : nil, "%.3f"),
             Self.dash(run.meanGeneratedTokens, "%.1f")]
        }
    }

    /// Runs sorted by accuracy (best first), ties in study order.
    var rankedRuns: [RunResult] {
        runs.enumerated().sorted { a, b in a.element.accuracy != b.element.accuracy ? a.element.accuracy > b.element.accuracy : a.offset < b.offset }
            .map(\.element)
    }

    var dataSummary: String {
        let study = results.study
        let first = runs.first
        let classes = first?.labelNames.count ?? 0
        let train = runs.map(\.trainExamples).max() ?? 0
        let test = first?.testExamples ?? 0
        let training = train == 0 ? "" : "\(train) training examples" + (study.trainPerClass.map { " (\($0) per class)" } ?? "") + " · "
        return "\(classes) classes · " + training + "\(test) test examples" + (study.testPerClass.map { " (\($0) per class)" } ?? "")
            + (study.evalPerClass.map { " · training curves on \($0) test examples per class" } ?? "")
            + " · seed \(study.seed)"
    }

    // MARK: Charts

    /// Accuracy on the evaluation subset against the optimizer step, one curve per trained run.
    public func accuracyChart() -> LineChart? {
        let series = runs.filter { !$0.evalAccuracyCurve.isEmpty }.map { run in
            ChartSeries(name: run.spec.id, x: run.evalAccuracyCurve.map { Double($0.step) }, y: run.evalAccuracyCurve.map(\.value))
        }
        guard !series.isEmpty else { return nil }
        return LineChart(title: "Evaluation accuracy during training", xLabel: "optimizer step", yLabel: "accuracy", series: series)
    }

    /// Training loss against the optimizer step, one curve per trained run.
    public func lossChart() -> LineChart? {
        let series = runs.filter { !$0.lossCurve.isEmpty }.map { run in
            ChartSeries(name: run.spec.id, x: run.lossCurve.map { Double($0.step) }, y: run.lossCurve.map(\.value))
        }
        guard !series.isEmpty else { return nil }
        return LineChart(title: "Training loss", xLabel: "optimizer step", yLabel: "loss", series: series, markerLimit: 30)
    }

    /// Test accuracy per run.
    public func accuracyBars() -> BarChart {
        BarChart(title: "Test accuracy", valueLabel: "accuracy", bars: runs.map { ChartBar(label: $0.spec.id, value: $0.accuracy) },
                 valueDecimals: 3)
    }

    /// Serving requests per second per run (nil when no run was measured).
    public func rpsBars() -> BarChart? {
        let measured = runs.filter { $0.requestsPerSecond != nil }
        guard !measured.isEmpty else { return nil }
        return BarChart(title: "Serving throughput", valueLabel: "requests / s",
                        bars: measured.map { ChartBar(label: $0.spec.id, value: $0.requestsPerSecond ?? .nan) })
    }

    /// In-process inference speed per run.
    public func inferenceBars() -> BarChart {
        BarChart(title: "Inference speed (in-process, batched)", valueLabel: "examples / s",
                 bars: runs.map { ChartBar(label: $0.spec.id, value: $0.inferenceExamplesPerSecond) })
    }

    /// Confusion matrix of a run on the test set.
    public func confusionChart(_ run: RunResult) -> ConfusionMatrixChart {
        ConfusionMatrixChart(title: "\(run.spec.id): confusion matrix" + (run.unparseable > 0 ? " (\(run.unparseable) unreadable not shown)" : ""), counts: run.confusionMatrix, labelNames: run.labelNames,
                             cellSize: run.labelNames.count > 6 ? 40 : 52)
    }

    /// Every chart as (file name, SVG document).
    func chartFiles() -> [(String, String)] {
        var files: [(String, String)] = [("accuracy.svg", accuracyBars().svg()), ("inference.svg", inferenceBars().svg())]
        if let chart = accuracyChart() { files.append(("eval-accuracy.svg", chart.svg())) }
        if let chart = lossChart() { files.append(("loss.svg", chart.svg())) }
        if let chart = rpsBars() { files.append(("rps.svg", chart.svg())) }
        for run in runs { files.append(("confusion-\(run.spec.id).svg", confusionChart(run).svg())) }
        return files
    }

    // MARK: Markdown

    /// The Markdown report.
    public func markdown() -> String {
        var lines = ["# \(results.study.name)", "", dataSummary + ".", "", "Machine: \(results.machine) · \(results.createdAt)", ""]
        lines += ["## Findings", ""] + RankingSentences.make(runs).map { "- " + $0 } + [""]
        lines += ["## Comparison", ""] + Self.markdownTable(header: tableHeader, rows: tableRows)
        lines += ["", "Accuracy and macro-F1 are on the test subset, with the best checkpoint of each trained run (picked on the evaluation curve). Inference speed is batched, in-process; RPS is through the HTTP server (— where not measured). Peak RSS: the process's peak resident memory during the run (training, evaluation, serving probe).", ""]
        if !promptTableRows.isEmpty {
            lines += ["## Prompt predictions", ""] + Self.markdownTable(header: promptTableHeader, rows: promptTableRows)
            lines += ["", "Option scoring (SFT, zero-shot without thinking) always yields an option; thinking runs generate and read the letter after `</think>` (— : no generation).", ""]
        }
        lines += ["## Charts", ""]
        for (name, _) in chartFiles() { lines.append("![\(name)](charts/\(name))") }
        lines += ["", "## Runs", ""]
        for run in runs {
            lines.append("- **\(run.spec.id)** — \(run.spec.method.displayName), model `\(run.spec.model)`"
                         + (run.modelDirectory.map { ", kept model `\($0)`" } ?? "")
                         + (run.bestStep.map { " (step \($0))" } ?? "")
                         + (run.unparseable > 0 ? ", \(run.unparseable) unreadable answers" : ""))
        }
        let notes = groupedNotes()
        if !notes.isEmpty { lines += ["", "### Notes", ""] + notes.map { "- " + $0 } }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A Markdown table: header, separator, one line per row.
    static func markdownTable(header: [String], rows: [[String]]) -> [String] {
        ["| " + header.joined(separator: " | ") + " |", "|" + header.map { _ in "---" }.joined(separator: "|") + "|"]
            + rows.map { "| " + $0.map(markdownCell).joined(separator: " | ") + " |" }
    }

    /// An HTML table with escaped cells; `highlightFirst` marks the first row as the best.
    static func htmlTable(header: [String], rows: [[String]], highlightFirst: Bool) -> String {
        "<table><thead><tr>" + header.map { "<th>\(escaped($0))</th>" }.joined() + "</tr></thead><tbody>"
            + rows.enumerated().map { index, row in
                "<tr\(highlightFirst && index == 0 ? " class=\"best\"" : "")>" + row.map { "<td>\(escaped($0))</td>" }.joined() + "</tr>"
            }.joined()
            + "</tbody></table>"
    }

    static func markdownCell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|")
    }

    // MARK: HTML

    /// Escapes text for HTML.
    static func escaped(_ text: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// An SVG document as an inline element (without the XML declaration).
    static func inline(_ svg: String) -> String {
        guard svg.hasPrefix("<?xml"), let end = svg.range(of: "?>") else { return svg }
        return String(svg[end.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static let style = """
        body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;margin:0;background:#f6f7f9;color:#1a1a1a}
        main{max-width:1120px;margin:0 auto;padding:24px 28px 48px}
        h1{font-size:26px;margin:8px 0 4px}h2{font-size:19px;margin:28px 0 10px;border-bottom:1px solid #dde;padding-bottom:4px}
        .meta{color:#555;font-size:13px;margin:2px 0}
        ul.findings{background:#fff;border-left:4px solid #3b6fb6;padding:12px 16px 12px 34px;margin:0;font-size:15px;line-height:1.55}
        table{border-collapse:collapse;background:#fff;width:100%;font-size:14px}
        th,td{padding:7px 10px;border-bottom:1px solid #e4e6ea;text-align:right;white-space:nowrap}
        th{background:#eef1f6;font-weight:600}td:nth-child(-n+3),th:nth-child(-n+3){text-align:left}
        tr.best td{font-weight:600;background:#f3f8ef}
        .note{color:#666;font-size:12.5px;margin:6px 0}
        .grid{display:flex;flex-wrap:wrap;gap:16px}
        figure{background:#fff;margin:0;padding:8px;border:1px solid #e4e6ea;border-radius:4px;box-sizing:border-box}
        .grid.pair figure{flex:1 1 460px;max-width:calc(50% - 8px)}
        figure svg{display:block;max-width:100%;height:auto}
        .grid.pair figure svg{width:100%}
        .grid.trio figure{flex:0 1 calc(33.333% - 11px)}
        .grid.trio figure svg{width:100%}
        table.runs td{white-space:normal;word-break:break-all;text-align:left;font-size:12.5px}
        table.runs td:first-child{word-break:normal;white-space:nowrap}
        code{font-size:12.5px;background:#eef1f6;padding:1px 4px;border-radius:3px}
        """

    /// The self-contained HTML page.
    public func html() -> String {
        var page = ["<!DOCTYPE html>", "<html lang=\"en\"><head><meta charset=\"utf-8\">",
                    "<title>\(Self.escaped(results.study.name)) — Sift report</title>", "<style>\(Self.style)</style></head><body><main>"]
        page.append("<h1>\(Self.escaped(results.study.name))</h1>")
        page.append("<p class=\"meta\">\(Self.escaped(dataSummary))</p>")
        page.append("<p class=\"meta\">Data: <code>\(Self.escaped(results.study.data.train))</code> → <code>\(Self.escaped(results.study.data.test))</code> · \(Self.escaped(results.machine)) · \(Self.escaped(results.createdAt))</p>")
        let sentences = RankingSentences.make(runs)
        if !sentences.isEmpty {
            page.append("<h2>Findings</h2><ul class=\"findings\">" + sentences.map { "<li>\(Self.escaped($0))</li>" }.joined() + "</ul>")
        }
        page.append("<h2>Comparison</h2>" + Self.htmlTable(header: tableHeader, rows: tableRows, highlightFirst: true))
        page.append("<p class=\"note\">Accuracy and macro-F1 on the test subset, with the best checkpoint of each trained run (picked on the evaluation curve). Training time excludes evaluations. Inference speed: batched, in-process. RPS: through the HTTP server; — where not measured. Peak RSS: the process's peak resident memory during the run.</p>")
        if !promptTableRows.isEmpty {
            page.append("<h2>Prompt predictions</h2>" + Self.htmlTable(header: promptTableHeader, rows: promptTableRows, highlightFirst: false))
            page.append("<p class=\"note\">Answers that could not be read count as wrong. Thinking runs generate, then read the letter after &lt;/think&gt;; option scoring generates nothing (—).</p>")
        }
        page.append("<h2>Training</h2><div class=\"grid pair\">")
        if let chart = accuracyChart() { page.append("<figure>\(Self.inline(chart.svg()))</figure>") }
        if let chart = lossChart() { page.append("<figure>\(Self.inline(chart.svg()))</figure>") }
        if accuracyChart() == nil && lossChart() == nil { page.append("<p class=\"note\">No run trained.</p>") }
        page.append("</div><h2>Accuracy and speed</h2><div class=\"grid pair\">")
        page.append("<figure>\(Self.inline(accuracyBars().svg()))</figure>")
        if let chart = rpsBars() {
            page.append("<figure>\(Self.inline(chart.svg()))</figure>")
        }
        page.append("<figure>\(Self.inline(inferenceBars().svg()))</figure>")
        page.append("</div>")
        if rpsBars() == nil { page.append("<p class=\"note\">Serving throughput (RPS) was not measured in this run.</p>") }
        page.append("<h2 id=\"confusion\">Confusion matrices (test set)</h2><div class=\"grid trio\">")
        for run in runs { page.append("<figure>\(Self.inline(confusionChart(run).svg()))</figure>") }
        page.append("</div><h2>Runs</h2><table class=\"runs\"><thead><tr><th>run</th><th>model</th><th>settings</th><th>kept checkpoint</th></tr></thead><tbody>")
        for run in runs {
            page.append("<tr><td>\(Self.escaped(run.spec.id))</td><td>\(Self.escaped(run.spec.model))</td><td>\(Self.escaped(settings(run)))</td><td>\(Self.escaped(run.modelDirectory ?? "—"))</td></tr>")
        }
        page.append("</tbody></table>")
        let notes = groupedNotes()
        if !notes.isEmpty { page.append("<p class=\"note\">" + notes.map(Self.escaped).joined(separator: "<br>") + "</p>") }
        page.append("</main></body></html>")
        return page.joined(separator: "\n") + "\n"
    }

    /// Each distinct note once, with the runs it applies to ("all runs" when every run has it).
    func groupedNotes() -> [String] {
        var order: [String] = []
        var owners: [String: [String]] = [:]
        for run in runs {
            for note in run.notes {
                if owners[note] == nil { order.append(note) }
                owners[note, default: []].append(run.spec.id)
            }
        }
        return order.map { note in
            let ids = owners[note] ?? []
            return (ids.count == runs.count && runs.count > 1 ? "all runs" : ids.joined(separator: ", ")) + ": " + note
        }
    }

    /// A run's hyper-parameters in one line.
    func settings(_ run: RunResult) -> String {
        let s = run.spec
        switch s.method {
        case .classifier, .head:
            return "\(run.trainExamples) train ex · \(String(format: "%g", s.epochs)) epochs · lr \(String(format: "%g", s.learningRate)) · batch \(s.batchSize)×\(s.gradientAccumulation) · max length \(s.maxLength)" + (s.freezeBase ? " · head only" : "")
        case .sft:
            return "\(run.trainExamples) train ex · \(String(format: "%g", s.epochs)) epochs · lr \(String(format: "%g", s.learningRate)) · batch \(s.batchSize)×\(s.gradientAccumulation) · cutoff \(s.cutoffLength)" + (s.lora.map { " · LoRA r\($0.rank)" } ?? " · full fine-tune")
        case .zeroshot:
            return "no training · option perplexity"
        case .think:
            return "no training · up to \(s.maxNewTokens) new tokens" + (run.meanGeneratedTokens.map { String(format: " (mean %.0f)", $0) } ?? "")
        }
    }
}
