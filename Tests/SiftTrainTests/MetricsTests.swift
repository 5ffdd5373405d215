import Foundation
import Testing
import SiftData
import SiftTestSupport
@testable import SiftTrain

@Suite struct MetricsTests {
    @Test func smallExampleAgainstDirectCounting() throws {
        let labels = [0, 0, 0, 1, 1, 2, 2, 2, 2, 1]
        let predictions = [0, 1, 0, 1, 2, 2, 2, 0, 2, 1]
        let report = try ClassificationReport(labels: labels, predictions: predictions, labelNames: ["a", "b", "c"])
        for label in 0..<3 {
            let pairs = zip(labels, predictions)
            let truePositives = Double(pairs.filter { $0 == label && $1 == label }.count)
            let precision = truePositives / Double(predictions.filter { $0 == label }.count)
            let recall = truePositives / Double(labels.filter { $0 == label }.count)
            #expect(report.perClass[label].precision == precision)
            #expect(report.perClass[label].recall == recall)
            #expect(abs(report.perClass[label].f1 - 2 * precision * recall / (precision + recall)) < 1e-15)
        }
        #expect(report.accuracy == Double(zip(labels, predictions).filter { $0 == $1 }.count) / 10)
        #expect(report.perClass.map(\.support) == [3, 3, 4])
        let weighted = (report.perClass[0].f1 * 3 + report.perClass[1].f1 * 3 + report.perClass[2].f1 * 4) / 10
        #expect(abs(report.weightedF1 - weighted) < 1e-15)
        #expect(report.confusionMatrix == [[2, 1, 0], [0, 2, 1], [1, 0, 3]])
    }

    @Test func classNeverPredictedOrAbsentCountsAsZero() throws {
        let report = try ClassificationReport(labels: [0, 0, 1], predictions: [0, 0, 0], labelNames: ["x", "y", "z"])
        #expect(report.perClass[1].precision == 0 && report.perClass[1].f1 == 0)
        #expect(report.perClass[2].support == 0 && report.perClass[2].f1 == 0)
        #expect(report.macroF1 == report.perClass.map(\.f1).reduce(0, +) / 3)
    }

    @Test func invalidInputsThrow() throws {
        #expect(throws: MetricsError.lengthMismatch(labels: 2, predictions: 1)) {
            try ConfusionMatrix(labels: [0, 1], predictions: [0], classCount: 2)
        }
        #expect(throws: MetricsError.classOutOfRange(what: "predictions", index: 1, value: 5, classCount: 2)) {
            try ConfusionMatrix(labels: [0, 1], predictions: [0, 5], classCount: 2)
        }
        #expect(throws: MetricsError.self) { try ConfusionMatrix(classCount: 0) }
        #expect(throws: MetricsError.self) { try ClassificationReport(confusion: ConfusionMatrix(classCount: 2), labelNames: ["a"]) }
        #expect(throws: MetricsError.badLogitCount(count: 5, classCount: 2)) { try ClassPredictions.argmax(logits: [1, 2, 3, 4, 5], classCount: 2) }
    }

    @Test func argmaxTakesTheFirstMaximum() throws {
        #expect(try ClassPredictions.argmax(logits: [0.1, 0.9, 0.9, 3, -1, -2, .nan, 1, 0], classCount: 3) == [1, 0, 1])
    }

    /// Recomputes every stored metric of the MiniLM AG News run from its stored predictions.
    @Test func matchesTheMiniLMTrainingFixture() throws {
        let directory = Fixtures.fixture("training/minilm-agnews")
        try #require(FileManager.default.fileExists(atPath: directory.appendingPathComponent("results.json").path),
                     "training fixture missing")
        struct Predictions: Decodable { let labels: [Int]; let predictions: [String: [Int]] }
        struct SeedResult: Decodable {
            let accuracy: Double
            let macro_f1: Double
            let per_class_f1: [String: Double]
            let confusion_matrix: [[Int]]
        }
        struct Results: Decodable { let seeds: [String: SeedResult] }
        let stored = try JSONDecoder().decode(Predictions.self, from: Data(contentsOf: directory.appendingPathComponent("predictions.json")))
        let results = try JSONDecoder().decode(Results.self, from: Data(contentsOf: directory.appendingPathComponent("results.json")))
        let test = try DatasetLoader.loadAGNews(Fixtures.sharedFile("data/agnews/test.csv"))
        #expect(test.labelIDs == stored.labels)
        let names = test.labels.names
        #expect(results.seeds.count == 3)
        for (seed, expected) in results.seeds {
            let predictions = try #require(stored.predictions[seed])
            let report = try ClassificationReport(labels: test.labelIDs, predictions: predictions, labelNames: names)
            #expect(report.confusionMatrix == expected.confusion_matrix, "seed \(seed)")
            #expect(abs(report.accuracy - expected.accuracy) < 1e-12, "seed \(seed)")
            #expect(abs(report.macroF1 - expected.macro_f1) < 1e-12, "seed \(seed)")
            for metrics in report.perClass {
                let f1 = try #require(expected.per_class_f1[metrics.name])
                #expect(abs(metrics.f1 - f1) < 1e-12, "seed \(seed) class \(metrics.name)")
            }
            // The test set is balanced (1,900 per class), so weighted averages equal macro ones.
            #expect(report.perClass.allSatisfy { $0.support == 1_900 })
            #expect(abs(report.weightedF1 - report.macroF1) < 1e-12)
            if seed == "0" {
                print(report.table())
                print(try ConfusionMatrix(labels: test.labelIDs, predictions: predictions, classCount: 4).table(labelNames: names))
            }
        }
    }

    @Test func reportEncodesAsJSONAndTablesListEveryClass() throws {
        let report = try ClassificationReport(labels: [0, 1, 1], predictions: [0, 1, 0], labelNames: ["World", "Sci/Tech"])
        let decoded = try JSONDecoder().decode(ClassificationReport.self, from: Data(try report.jsonString().utf8))
        #expect(decoded == report)
        let table = report.table()
        #expect(table.contains("Sci/Tech"))
        #expect(table.contains("macro avg"))
        #expect(table.contains(String(format: "%.4f", report.macroF1)))
        let matrix = try ConfusionMatrix(labels: [0, 1, 1], predictions: [0, 1, 0], classCount: 2).table(labelNames: ["World", "Sci/Tech"])
        #expect(matrix.split(separator: "\n").count == 3)
        let markdown = report.markdownTable().split(separator: "\n").map(String.init)
        #expect(markdown.count == 2 + 2 + 3)
        #expect(markdown[3] == "| Sci/Tech | \(String(format: "%.4f", report.perClass[1].precision)) | 0.5000 | \(String(format: "%.4f", report.perClass[1].f1)) | 2 |")
    }
}

@Suite struct SignificanceTests {
    @Test func wilsonIntervalAgainstClosedForms() throws {
        // 0 of n: the interval is [0, z²/(n + z²)].
        let z = 1.959963984540054
        let none = try ProportionInterval.wilson(successes: 0, total: 10)
        #expect(none.lower == 0 && abs(none.upper - z * z / (10 + z * z)) < 1e-12)
        // n of n mirrors it.
        let all = try ProportionInterval.wilson(successes: 10, total: 10)
        #expect(abs(all.lower - 10 / (10 + z * z)) < 1e-12 && abs(all.upper - 1) < 1e-12)
        // Half: symmetric around 0.5.
        let half = try ProportionInterval.wilson(successes: 50, total: 100)
        #expect(abs((half.lower + half.upper) / 2 - 0.5) < 1e-12)
        #expect(throws: MetricsError.self) { try ProportionInterval.wilson(successes: 3, total: 2) }
    }

    /// Seeds 0 and 1 of the MiniLM fixture: b = 85, c = 77 and the exact p-value 0.5824757301133328,
    /// computed with Python's fractions (2·Σ_{k≤77} C(162, k)/2¹⁶², exact) from predictions.json.
    @Test func mcNemarOnTheFixtureSeeds() throws {
        let url = Fixtures.fixture("training/minilm-agnews/predictions.json")
        try #require(FileManager.default.fileExists(atPath: url.path), "training fixture missing")
        struct Stored: Decodable { let labels: [Int]; let predictions: [String: [Int]] }
        let stored = try JSONDecoder().decode(Stored.self, from: Data(contentsOf: url))
        let comparison = try McNemarComparison(labels: stored.labels, first: try #require(stored.predictions["0"]),
                                               second: try #require(stored.predictions["1"]))
        #expect(comparison.onlyFirstCorrect == 85 && comparison.onlySecondCorrect == 77)
        #expect(comparison.bothCorrect + comparison.onlyFirstCorrect == 6_743)  // seed 0 accuracy 0.88724 × 7,600
        #expect(abs(comparison.exactPValue - 0.5824757301133328) < 1e-12)
        #expect(abs(comparison.chiSquare - 49.0 / 162) < 1e-15)
    }

    @Test func exactBinomialAgainstARecurrence() {
        for (smaller, trials) in [(0, 1), (3, 10), (10, 20), (40, 100), (0, 30)] {
            var term = pow(0.5, Double(trials)), sum = 0.0
            for k in 0...smaller {
                sum += term
                term *= Double(trials - k) / Double(k + 1)
            }
            #expect(abs(McNemarComparison.binomialTwoSided(smaller: smaller, trials: trials) - min(1, 2 * sum)) < 1e-12)
        }
        #expect(McNemarComparison.binomialTwoSided(smaller: 0, trials: 0) == 1)
    }

    @Test func identicalClassifiersDoNotDiffer() throws {
        let comparison = try McNemarComparison(labels: [0, 1, 1], first: [0, 0, 1], second: [0, 0, 1])
        #expect(comparison.exactPValue == 1 && comparison.chiSquare == 0)
        #expect(throws: MetricsError.self) { try McNemarComparison(labels: [0], first: [0, 1], second: [0]) }
    }
}
