// Accuracy against training-set size and difficulty: for each per-class size and each subset kind
// (random, hard-only, easy-only — hard and easy from a `sift mine` ranking), each chosen method is
// trained on that subset and scored on the same test subset. Answers "does hard data affect SFT
// and the linear head alike?". Output: scale.json, scale.md, scale.svg, scale.html and runs/<cell>/.
import Foundation
import SiftData
import SiftTrain

/// Which training examples a cell of the scale study draws.
public enum DifficultySubset: String, Sendable, Codable, CaseIterable {
    /// Drawn at random (seeded) from the pool.
    case random
    /// The hardest examples of each class.
    case hard
    /// The easiest examples of each class.
    case easy
}

/// One cell: a method trained on one subset of one size.
public struct ScaleCell: Sendable, Codable, Equatable {
    public var method: String
    public var subset: DifficultySubset
    public var perClass: Int
    public var result: RunResult
}

/// Runs the scale study.
public final class ScaleStudy {
    /// Data, test budget, seed and the method templates (their ids name the series).
    public let base: StudySpec
    public let sizes: [Int]
    public let subsets: [DifficultySubset]
    /// Difficulty per training-file row (from `sift mine`); required for hard and easy subsets.
    public let ranking: [ExampleDifficulty]?
    public let measure: DifficultyMeasure
    public let output: URL
    public let resume: Bool
    public var onEvent: (StudyEvent) -> Void = { _ in }

    public init(base: StudySpec, sizes: [Int], subsets: [DifficultySubset], ranking: [ExampleDifficulty]?, measure: DifficultyMeasure,
                output: URL, resume: Bool) throws {
        guard !sizes.isEmpty, sizes.allSatisfy({ $0 >= 1 }) else { throw StudyError.invalidStudy("--sizes needs per-class sizes ≥ 1") }
        guard !subsets.isEmpty else { throw StudyError.invalidStudy("--subsets needs at least one of random, hard, easy") }
        if ranking == nil, subsets.contains(where: { $0 != .random }) {
            throw StudyError.invalidStudy("hard and easy subsets need a difficulty ranking: run `sift mine` first and pass --ranking")
        }
        guard base.runs.allSatisfy({ $0.method.trains }) else {
            throw StudyError.invalidStudy("the scale study trains: use methods classifier, head or sft")
        }
        self.base = base
        self.sizes = sizes.sorted()
        self.subsets = subsets
        self.ranking = ranking
        self.measure = measure
        self.output = output
        self.resume = resume
    }

    /// The training pool (the ranked rows when a ranking is given) and its difficulty scores.
    func pool(_ train: TextDataset) throws -> (TextDataset, [Double]) {
        guard let ranking else { return (train, []) }
        var byRow: [Int: Double] = [:]
        for entry in ranking { byRow[entry.row] = entry.difficulty(measure) }
        let kept = train.examples.indices.filter { byRow[train.examples[$0].row] != nil }
        guard !kept.isEmpty else {
            throw StudyError.invalidStudy("no row of the ranking is in \(base.data.train); mine the same training file")
        }
        let pool = train.selecting(kept)
        return (pool, pool.examples.map { byRow[$0.row] ?? .nan })
    }

    /// Runs every cell (reusing finished ones with `resume`) and writes the outputs.
    @discardableResult
    public func run() async throws -> [ScaleCell] {
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        var full = base
        full.trainPerClass = nil
        let data = try StudyData.load(full)
        let (pool, scores) = try pool(data.train)
        let smallest = pool.classCounts.min() ?? 0
        if let largest = sizes.last, largest > smallest {
            throw StudyError.invalidStudy("size \(largest) per class exceeds the pool (\(smallest) examples in its smallest class)")
        }
        var cells: [ScaleCell] = []
        var cellSpecs: [(RunSpec, DifficultySubset, Int, String)] = []
        for template in base.runs {
            for subset in subsets {
                for size in sizes {
                    var run = template
                    run.id = "\(template.id)-\(subset.rawValue)-\(size)"
                    cellSpecs.append((run, subset, size, template.id))
                }
            }
        }
        for (index, (run, subset, size, method)) in cellSpecs.enumerated() {
            onEvent(.runStarted(id: run.id, index: index, total: cellSpecs.count))
            let directory = output.appendingPathComponent("runs").appendingPathComponent(run.id)
            let resultFile = directory.appendingPathComponent("result.json")
            if resume, let cached = try? JSONDecoder().decode(RunResult.self, from: Data(contentsOf: resultFile)) {
                guard cached.spec == run else {
                    throw StudyError.staleRun(id: run.id, path: directory.path, changed: run.changedSettings(from: cached.spec))
                }
                onEvent(.runSkipped(id: run.id, reason: "finished earlier"))
                cells.append(ScaleCell(method: method, subset: subset, perClass: size, result: cached))
                continue
            }
            let selection: PerClassSelection = switch subset {
            case .random: .seededRandom(seed: base.seed)
            case .hard: .byScore(scores: scores, highest: true)
            case .easy: .byScore(scores: scores, highest: false)
            }
            let train = try pool.limitedPerClass(size, selection: selection)
            let cellData = StudyData(train: train, test: data.test, evaluation: data.evaluation)
            var result: RunResult
            do {
                result = try RunExecutor.execute(run, data: cellData, seed: base.seed, directory: directory, studyDirectory: output,
                                                 resume: resume, onEvent: onEvent)
            } catch let error as StudyError {
                throw error
            } catch {
                throw StudyError.runFailed(id: run.id, reason: "\(error)")
            }
            result.notes.append("\(subset.rawValue) subset, \(size) per class")
            try StudyJSON.encoder.encode(result).write(to: resultFile, options: .atomic)
            onEvent(.runFinished(result))
            cells.append(ScaleCell(method: method, subset: subset, perClass: size, result: result))
        }
        try StudyJSON.encoder.encode(cells).write(to: output.appendingPathComponent("scale.json"), options: .atomic)
        let report = ScaleReport(title: base.name, cells: cells, measure: ranking == nil ? nil : measure)
        try report.chart().svg().write(to: output.appendingPathComponent("scale.svg"), atomically: true, encoding: .utf8)
        try report.markdown().write(to: output.appendingPathComponent("scale.md"), atomically: true, encoding: .utf8)
        try report.html().write(to: output.appendingPathComponent("scale.html"), atomically: true, encoding: .utf8)
        return cells
    }
}

/// The scale study's table and chart.
public struct ScaleReport {
    public var title: String
    public var cells: [ScaleCell]
    /// The difficulty measure behind hard/easy subsets (nil: random only).
    public var measure: DifficultyMeasure?

    public init(title: String, cells: [ScaleCell], measure: DifficultyMeasure?) {
        self.title = title
        self.cells = cells
        self.measure = measure
    }

    var sizes: [Int] { Array(Set(cells.map(\.perClass))).sorted() }
    /// Series keys in first-seen order: "method · subset".
    var series: [(method: String, subset: DifficultySubset)] {
        var seen: [(String, DifficultySubset)] = []
        for cell in cells where !seen.contains(where: { $0.0 == cell.method && $0.1 == cell.subset }) { seen.append((cell.method, cell.subset)) }
        return seen
    }

    func accuracy(_ method: String, _ subset: DifficultySubset, _ size: Int) -> Double? {
        cells.first { $0.method == method && $0.subset == subset && $0.perClass == size }?.result.accuracy
    }

    /// Test accuracy against examples per class, one line per method and subset.
    public func chart() -> LineChart {
        let sizes = self.sizes
        let logarithmic = (sizes.last ?? 1) >= 4 * (sizes.first ?? 1)
        return LineChart(title: "Accuracy against training-set size", xLabel: "training examples per class", yLabel: "test accuracy",
                         series: series.map { key in
                             let points = sizes.compactMap { size in accuracy(key.method, key.subset, size).map { ChartPoint(x: Double(size), y: $0) } }
                             return ChartSeries(name: "\(key.method) · \(key.subset.rawValue)", points: points)
                         }, logarithmicX: logarithmic)
    }

    /// Rows: method · subset; columns: sizes.
    public func markdown() -> String {
        let sizes = self.sizes
        var lines = ["# \(title): accuracy against training-set size", ""]
        if let measure { lines += ["Hard and easy subsets by \(measure.rawValue) difficulty (`sift mine --by \(measure.rawValue)`).", ""] }
        lines.append("| method | subset | " + sizes.map { "\($0)/class" }.joined(separator: " | ") + " |")
        lines.append("|---|---|" + sizes.map { _ in "---:" }.joined(separator: "|") + "|")
        for key in series {
            lines.append("| \(key.method) | \(key.subset.rawValue) | "
                         + sizes.map { accuracy(key.method, key.subset, $0).map { String(format: "%.4f", $0) } ?? "—" }.joined(separator: " | ") + " |")
        }
        lines += ["", "![accuracy against size](scale.svg)", ""]
        lines += sentences().map { "- " + $0 }
        return lines.joined(separator: "\n") + "\n"
    }

    /// For each method with random and hard subsets: how much hard-only data changes accuracy at each size.
    public func sentences() -> [String] {
        var out: [String] = []
        for method in Array(Set(cells.map(\.method))).sorted() {
            for other in [DifficultySubset.hard, .easy] {
                let deltas = sizes.compactMap { size -> Double? in
                    guard let a = accuracy(method, other, size), let r = accuracy(method, .random, size) else { return nil }
                    return (a - r) * 100
                }
                guard !deltas.isEmpty else { continue }
                let mean = deltas.reduce(0, +) / Double(deltas.count)
                out.append(String(format: "%@: %@-only data changes accuracy by %+.1f points on average against random data (%@).",
                                  method, other.rawValue, mean, deltas.map { String(format: "%+.1f", $0) }.joined(separator: ", ")))
            }
        }
        return out
    }

    /// A self-contained page with the chart and table.
    public func html() -> String {
        let sizes = self.sizes
        var page = ["<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>\(StudyReport.escaped(title)) — scale</title>",
                    "<style>\(StudyReport.style)</style></head><body><main>",
                    "<h1>\(StudyReport.escaped(title)): accuracy against training-set size</h1>"]
        let notes = sentences()
        if !notes.isEmpty { page.append("<ul class=\"findings\">" + notes.map { "<li>\(StudyReport.escaped($0))</li>" }.joined() + "</ul>") }
        page.append("<h2>Accuracy</h2><table><thead><tr><th>method</th><th>subset</th><th></th>"
                    + sizes.map { "<th>\($0)/class</th>" }.joined() + "</tr></thead><tbody>")
        for key in series {
            page.append("<tr><td>\(StudyReport.escaped(key.method))</td><td>\(key.subset.rawValue)</td><td></td>"
                        + sizes.map { "<td>\(accuracy(key.method, key.subset, $0).map { String(format: "%.4f", $0) } ?? "—")</td>" }.joined() + "</tr>")
        }
        page.append("</tbody></table><h2>Chart</h2><figure>\(StudyReport.inline(chart().svg()))</figure></main></body></html>")
        return page.joined(separator: "\n") + "\n"
    }
}
