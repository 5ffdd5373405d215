// Classification metrics: confusion matrix (rows = true class, columns = predicted class),
// accuracy, per-class precision / recall / F1 / support, macro and weighted averages, a text
// table like scikit-learn's classification_report, and JSON-encodable report structs.
// A ratio whose denominator is 0 (a class never predicted, or absent) counts as 0, as
// scikit-learn's `zero_division=0` does.

import Foundation

/// A problem with metric inputs.
public enum MetricsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Labels and predictions differ in length.
    case lengthMismatch(labels: Int, predictions: Int)
    /// A class id is outside 0..<classCount.
    case classOutOfRange(what: String, index: Int, value: Int, classCount: Int)
    /// The number of classes is not positive, or names do not match it.
    case invalidClassCount(Int, reason: String)
    /// Logits do not divide into rows of `classCount`.
    case badLogitCount(count: Int, classCount: Int)

    public var description: String {
        switch self {
        case .lengthMismatch(let labels, let predictions):
            return "metrics: \(labels) labels but \(predictions) predictions; pass one prediction per example"
        case .classOutOfRange(let what, let index, let value, let classCount):
            return "metrics: \(what)[\(index)] = \(value) is not a class id in 0..<\(classCount)"
        case .invalidClassCount(let count, let reason):
            return "metrics: invalid class count \(count): \(reason)"
        case .badLogitCount(let count, let classCount):
            return "metrics: \(count) logits do not form rows of \(classCount) classes"
        }
    }
}

/// Counts of (true class, predicted class) pairs.
public struct ConfusionMatrix: Sendable, Hashable, Codable {
    /// The number of classes.
    public let classCount: Int
    /// `counts[t][p]` = examples of true class `t` predicted as `p`.
    public private(set) var counts: [[Int]]

    /// An empty matrix.
    public init(classCount: Int) throws {
        guard classCount >= 1 else { throw MetricsError.invalidClassCount(classCount, reason: "need at least 1 class") }
        self.classCount = classCount
        self.counts = Array(repeating: Array(repeating: 0, count: classCount), count: classCount)
    }

    /// The matrix of `labels` (true class ids) against `predictions`.
    public init(labels: [Int], predictions: [Int], classCount: Int) throws {
        guard labels.count == predictions.count else {
            throw MetricsError.lengthMismatch(labels: labels.count, predictions: predictions.count)
        }
        try self.init(classCount: classCount)
        for index in labels.indices {
            try add(label: labels[index], prediction: predictions[index], index: index)
        }
    }

    /// Counts one example.
    public mutating func add(label: Int, prediction: Int, index: Int = 0) throws {
        guard label >= 0, label < classCount else {
            throw MetricsError.classOutOfRange(what: "labels", index: index, value: label, classCount: classCount)
        }
        guard prediction >= 0, prediction < classCount else {
            throw MetricsError.classOutOfRange(what: "predictions", index: index, value: prediction, classCount: classCount)
        }
        counts[label][prediction] += 1
    }

    /// All counted examples.
    public var total: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }
    /// Examples on the diagonal.
    public var correct: Int { (0..<classCount).reduce(0) { $0 + counts[$1][$1] } }
    /// Examples of each true class (row sums).
    public var support: [Int] { counts.map { $0.reduce(0, +) } }
    /// Examples predicted as each class (column sums).
    public var predictedCounts: [Int] { (0..<classCount).map { column in counts.reduce(0) { $0 + $1[column] } } }

    /// The matrix as aligned text; `labelNames` label rows (true) and columns (predicted).
    public func table(labelNames: [String]? = nil) -> String {
        let names = (0..<classCount).map { labelNames?[metricsSafe: $0] ?? String($0) }
        let firstWidth = max("true \\ predicted".count, names.map(\.count).max() ?? 0)
        let cellWidth = max(names.map(\.count).max() ?? 0, counts.flatMap { $0 }.map { String($0).count }.max() ?? 1)
        var lines = ["true \\ predicted".padding(toLength: firstWidth, withPad: " ", startingAt: 0) + "  "
            + names.map { $0.leftPadded(to: cellWidth) }.joined(separator: "  ")]
        for (row, name) in names.enumerated() {
            lines.append(name.padding(toLength: firstWidth, withPad: " ", startingAt: 0) + "  "
                + counts[row].map { String($0).leftPadded(to: cellWidth) }.joined(separator: "  "))
        }
        return lines.joined(separator: "\n")
    }
}

/// Precision, recall, F1 and support of one class.
public struct ClassMetrics: Sendable, Hashable, Codable {
    /// The class name.
    public var name: String
    /// Correct predictions of this class / all predictions of this class.
    public var precision: Double
    /// Correct predictions of this class / all examples of this class.
    public var recall: Double
    /// The harmonic mean of precision and recall.
    public var f1: Double
    /// The number of examples whose true class is this one.
    public var support: Int
}

/// Every metric of a classification run, JSON-encodable for reports.
public struct ClassificationReport: Sendable, Hashable, Codable {
    /// The number of examples.
    public var count: Int
    /// Correct predictions / all examples.
    public var accuracy: Double
    /// Unweighted means over all classes of the label set.
    public var macroPrecision: Double
    public var macroRecall: Double
    public var macroF1: Double
    /// Means weighted by support.
    public var weightedPrecision: Double
    public var weightedRecall: Double
    public var weightedF1: Double
    /// Per class, in class-id order.
    public var perClass: [ClassMetrics]
    /// Rows = true class, columns = predicted class.
    public var confusionMatrix: [[Int]]

    /// The report of a confusion matrix; `labelNames` (one per class) name the classes, default "0", "1", …
    public init(confusion: ConfusionMatrix, labelNames: [String]? = nil) throws {
        let classCount = confusion.classCount
        if let labelNames, labelNames.count != classCount {
            throw MetricsError.invalidClassCount(classCount, reason: "\(labelNames.count) label names given")
        }
        let support = confusion.support
        let predicted = confusion.predictedCounts
        let total = confusion.total
        var perClass: [ClassMetrics] = []
        for label in 0..<classCount {
            let truePositives = Double(confusion.counts[label][label])
            let precision = predicted[label] > 0 ? truePositives / Double(predicted[label]) : 0
            let recall = support[label] > 0 ? truePositives / Double(support[label]) : 0
            let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
            perClass.append(ClassMetrics(name: labelNames?[label] ?? String(label), precision: precision,
                                         recall: recall, f1: f1, support: support[label]))
        }
        func macro(_ value: (ClassMetrics) -> Double) -> Double {
            perClass.reduce(0) { $0 + value($1) } / Double(classCount)
        }
        func weighted(_ value: (ClassMetrics) -> Double) -> Double {
            total > 0 ? perClass.reduce(0) { $0 + value($1) * Double($1.support) } / Double(total) : 0
        }
        self.count = total
        self.accuracy = total > 0 ? Double(confusion.correct) / Double(total) : 0
        self.macroPrecision = macro(\.precision)
        self.macroRecall = macro(\.recall)
        self.macroF1 = macro(\.f1)
        self.weightedPrecision = weighted(\.precision)
        self.weightedRecall = weighted(\.recall)
        self.weightedF1 = weighted(\.f1)
        self.perClass = perClass
        self.confusionMatrix = confusion.counts
    }

    /// The report of `predictions` against `labels` (class ids) for `labelNames.count` classes.
    public init(labels: [Int], predictions: [Int], labelNames: [String]) throws {
        let confusion = try ConfusionMatrix(labels: labels, predictions: predictions, classCount: labelNames.count)
        try self.init(confusion: confusion, labelNames: labelNames)
    }

    /// A text table in the layout of scikit-learn's `classification_report` (4 decimals),
    /// followed by accuracy and the averages.
    public func table(decimals: Int = 4) -> String {
        let nameWidth = max(12, perClass.map(\.name.count).max() ?? 0)
        let numberWidth = max(9, decimals + 3)
        func number(_ value: Double) -> String { String(format: "%.\(decimals)f", value).leftPadded(to: numberWidth) }
        func row(_ name: String, _ p: String, _ r: String, _ f: String, _ s: String) -> String {
            name.leftPadded(to: nameWidth) + " " + p + " " + r + " " + f + " " + s.leftPadded(to: numberWidth)
        }
        var lines = [row("", "precision".leftPadded(to: numberWidth), "recall".leftPadded(to: numberWidth),
                         "f1-score".leftPadded(to: numberWidth), "support"), ""]
        for metrics in perClass {
            lines.append(row(metrics.name, number(metrics.precision), number(metrics.recall), number(metrics.f1),
                             String(metrics.support)))
        }
        lines.append("")
        let blank = "".leftPadded(to: numberWidth)
        lines.append(row("accuracy", blank, blank, number(accuracy), String(count)))
        lines.append(row("macro avg", number(macroPrecision), number(macroRecall), number(macroF1), String(count)))
        lines.append(row("weighted avg", number(weightedPrecision), number(weightedRecall), number(weightedF1), String(count)))
        return lines.joined(separator: "\n")
    }

    /// The per-class metrics and the averages as a Markdown table (4 decimals), for study reports.
    public func markdownTable(decimals: Int = 4) -> String {
        func number(_ value: Double) -> String { String(format: "%.\(decimals)f", value) }
        func escaped(_ name: String) -> String { name.replacingOccurrences(of: "|", with: "\\|") }
        var lines = ["| class | precision | recall | F1 | support |", "|---|---:|---:|---:|---:|"]
        for metrics in perClass {
            lines.append("| \(escaped(metrics.name)) | \(number(metrics.precision)) | \(number(metrics.recall)) | \(number(metrics.f1)) | \(metrics.support) |")
        }
        lines.append("| **macro avg** | \(number(macroPrecision)) | \(number(macroRecall)) | \(number(macroF1)) | \(count) |")
        lines.append("| **weighted avg** | \(number(weightedPrecision)) | \(number(weightedRecall)) | \(number(weightedF1)) | \(count) |")
        lines.append("| **accuracy** | | | \(number(accuracy)) | \(count) |")
        return lines.joined(separator: "\n")
    }

    /// The report as pretty-printed JSON with sorted keys.
    public func jsonString() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

/// Helpers that turn model outputs into predictions.
public enum ClassPredictions {
    /// The arg-max class of each row of row-major `logits` (`[rows, classCount]`); ties go to the
    /// lowest class id, as `torch.argmax` does; NaN never wins.
    public static func argmax(logits: [Float], classCount: Int) throws -> [Int] {
        guard classCount >= 1, logits.count % classCount == 0 else {
            throw MetricsError.badLogitCount(count: logits.count, classCount: classCount)
        }
        let rows = logits.count / classCount
        var result = [Int](repeating: 0, count: rows)
        logits.withUnsafeBufferPointer { buffer in
            for row in 0..<rows {
                let base = row * classCount
                var best = 0
                var bestValue = -Float.infinity
                for label in 0..<classCount where buffer[base + label] > bestValue {
                    bestValue = buffer[base + label]
                    best = label
                }
                result[row] = best
            }
        }
        return result
    }
}

fileprivate extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

fileprivate extension Array {
    subscript(metricsSafe index: Int) -> Element? {
        index >= 0 && index < count ? self[index] : nil
    }
}

/// A two-sided confidence interval of a proportion (e.g. accuracy).
public struct ProportionInterval: Sendable, Hashable, Codable {
    /// The lower bound.
    public var lower: Double
    /// The upper bound.
    public var upper: Double
    /// The confidence level, e.g. 0.95.
    public var confidence: Double

    /// The Wilson score interval of `successes` out of `total` at 95% (z = 1.959963984540054), or at
    /// the level whose two-sided normal quantile is `z`. It stays inside [0, 1] and behaves well near
    /// 0 and 1, unlike the normal approximation.
    public static func wilson(successes: Int, total: Int, z: Double = 1.959963984540054,
                              confidence: Double = 0.95) throws -> ProportionInterval {
        guard total > 0, successes >= 0, successes <= total else {
            throw MetricsError.invalidClassCount(total, reason: "need 0 ≤ successes (\(successes)) ≤ total and total > 0")
        }
        let n = Double(total), p = Double(successes) / n, z2 = z * z
        let centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        let halfWidth = z / (1 + z2 / n) * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        return ProportionInterval(lower: max(0, centre - halfWidth), upper: min(1, centre + halfWidth), confidence: confidence)
    }
}

/// McNemar's test of two classifiers on the same examples: do they differ in accuracy more than
/// chance would explain? Only the examples exactly one of them gets right count.
public struct McNemarComparison: Sendable, Hashable, Codable {
    /// Examples the first classifier gets right and the second wrong.
    public var onlyFirstCorrect: Int
    /// Examples the second gets right and the first wrong.
    public var onlySecondCorrect: Int
    /// Examples both classifiers get right.
    public var bothCorrect: Int
    /// Examples both classifiers get wrong.
    public var bothWrong: Int
    /// The exact two-sided p-value: 2·P(X ≤ min(b, c)) for X ~ Binomial(b + c, ½), capped at 1.
    public var exactPValue: Double
    /// The chi-square statistic with continuity correction, (|b − c| − 1)² / (b + c) (0 when b + c = 0).
    public var chiSquare: Double

    /// Compares `first` and `second` predictions against `labels`.
    public init(labels: [Int], first: [Int], second: [Int]) throws {
        guard labels.count == first.count else { throw MetricsError.lengthMismatch(labels: labels.count, predictions: first.count) }
        guard labels.count == second.count else { throw MetricsError.lengthMismatch(labels: labels.count, predictions: second.count) }
        var onlyFirst = 0, onlySecond = 0, both = 0, neither = 0
        for index in labels.indices {
            switch (first[index] == labels[index], second[index] == labels[index]) {
            case (true, true): both += 1
            case (true, false): onlyFirst += 1
            case (false, true): onlySecond += 1
            case (false, false): neither += 1
            }
        }
        onlyFirstCorrect = onlyFirst
        onlySecondCorrect = onlySecond
        bothCorrect = both
        bothWrong = neither
        let discordant = onlyFirst + onlySecond
        chiSquare = discordant > 0 ? pow(Double(max(abs(onlyFirst - onlySecond) - 1, 0)), 2) / Double(discordant) : 0
        exactPValue = Self.binomialTwoSided(smaller: min(onlyFirst, onlySecond), trials: discordant)
    }

    /// 2·Σ_{k ≤ smaller} C(n, k)/2ⁿ, summed in log space (no overflow for large n).
    static func binomialTwoSided(smaller: Int, trials: Int) -> Double {
        guard trials > 0 else { return 1 }
        let n = Double(trials)
        let logTerms = (0...smaller).map { k -> Double in
            let k = Double(k)
            return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1) - n * M_LN2
        }
        let largest = logTerms.max() ?? 0
        let sum = logTerms.reduce(0) { $0 + exp($1 - largest) }
        return min(1, 2 * exp(largest) * sum)
    }
}
