import Foundation
import Testing
@testable import SiftData

@Suite struct SplitTests {
    /// 3 classes with 10, 20 and 31 examples, interleaved.
    private func sample() throws -> TextDataset {
        var examples: [TextExample] = []
        var row = 0
        for label in [0, 1, 2] {
            for _ in 0..<[10, 20, 31][label] {
                examples.append(TextExample(text: "t\(row)", label: label, row: row))
                row += 1
            }
        }
        var random = SeededRandom(seed: 99)
        random.shuffle(&examples)
        return TextDataset(examples: examples, labels: try LabelSet(names: ["a", "b", "c"]), source: "memory")
    }

    @Test func seededRandomIsReproducibleAndBoundedIndicesAreUniform() {
        var first = SeededRandom(seed: 7), second = SeededRandom(seed: 7), other = SeededRandom(seed: 8)
        let a = (0..<8).map { _ in first.next() }
        #expect(a == (0..<8).map { _ in second.next() })
        #expect(a != (0..<8).map { _ in other.next() })
        var random = SeededRandom(seed: 1)
        var counts = [Int](repeating: 0, count: 6)
        for _ in 0..<60_000 { counts[random.nextIndex(below: 6)] += 1 }
        // Each bucket expects 10,000 with std ≈ 91; 500 is > 5 sigma.
        #expect(counts.allSatisfy { abs($0 - 10_000) < 500 }, "bucket counts \(counts)")
        var generator = SeededRandom(seed: 3)
        let permutation = generator.permutation(100)
        #expect(permutation.sorted() == Array(0..<100))
        #expect(permutation != Array(0..<100))
        #expect(generator.permutation(0).isEmpty)
    }

    @Test func stratifiedSplitKeepsClassProportionsAndOrder() throws {
        let dataset = try sample()
        let split = try dataset.stratifiedSplit(validationFraction: 0.2, seed: 42)
        #expect(split.validation.classCounts == [2, 4, 6])  // round(0.2 × 10, 20, 31)
        #expect(split.train.classCounts == [8, 16, 25])
        let rows = Set(split.train.examples.map(\.row)).union(split.validation.examples.map(\.row))
        #expect(rows.count == dataset.count)
        // Both parts keep the original relative order.
        let position = Dictionary(uniqueKeysWithValues: dataset.examples.enumerated().map { ($0.element.row, $0.offset) })
        for part in [split.train, split.validation] {
            let positions = part.examples.map { position[$0.row]! }
            #expect(positions == positions.sorted())
        }
        let again = try dataset.stratifiedSplit(validationFraction: 0.2, seed: 42)
        #expect(again.validation.examples == split.validation.examples)
        let otherSeed = try dataset.stratifiedSplit(validationFraction: 0.2, seed: 43)
        #expect(otherSeed.validation.examples != split.validation.examples)
        #expect(throws: DatasetError.self) { try dataset.stratifiedSplit(validationFraction: 1.0, seed: 0) }
        #expect(throws: DatasetError.self) { try dataset.stratifiedSplit(validationFraction: 0, seed: 0) }
    }

    @Test func limitedPerClassFirstInOrderAndSeededRandom() throws {
        let dataset = try sample()
        let first = try dataset.limitedPerClass(5)
        #expect(first.classCounts == [5, 5, 5])
        for label in 0..<3 {
            let expected = dataset.examples.filter { $0.label == label }.prefix(5).map(\.row)
            #expect(first.examples.filter { $0.label == label }.map(\.row) == Array(expected))
        }
        let random = try dataset.limitedPerClass(15, selection: .seededRandom(seed: 5))
        #expect(random.classCounts == [10, 15, 15])
        #expect(try dataset.limitedPerClass(15, selection: .seededRandom(seed: 5)).examples == random.examples)
        #expect(try dataset.limitedPerClass(15, selection: .seededRandom(seed: 6)).examples != random.examples)
        #expect(throws: DatasetError.self) { try dataset.limitedPerClass(-1) }
    }

    @Test func limitedPerClassByScoreTakesTheHardestOrEasiest() throws {
        let dataset = try sample()
        var random = SeededRandom(seed: 8)
        var scores = (0..<dataset.count).map { _ in Double(random.nextIndex(below: 1_000)) / 10 }
        scores[0] = .nan
        let hardest = try dataset.limitedPerClass(4, selection: .byScore(scores: scores, highest: true))
        let easiest = try dataset.limitedPerClass(4, selection: .byScore(scores: scores, highest: false))
        for (subset, highest) in [(hardest, true), (easiest, false)] {
            #expect(subset.classCounts == [4, 4, 4])
            for label in 0..<3 {
                let members = dataset.examples.indices.filter { dataset.examples[$0].label == label && !scores[$0].isNaN }
                let sortedScores = members.map { scores[$0] }.sorted(by: highest ? (>) : (<))
                let taken = subset.examples.filter { $0.label == label }.map { example in
                    scores[dataset.examples.firstIndex(of: example)!]
                }
                // The taken scores are exactly the 4 most extreme (ties may pick either equal score).
                #expect(taken.sorted(by: highest ? (>) : (<)) == Array(sortedScores.prefix(4)))
            }
        }
        #expect(throws: DatasetError.self) { try dataset.limitedPerClass(4, selection: .byScore(scores: [1], highest: true)) }
    }

    @Test func stratifiedFoldsPartitionTheDataWithBalancedClasses() throws {
        let dataset = try sample()  // 10, 20, 31 per class
        let folds = try dataset.stratifiedFolds(5, seed: 2)
        #expect(folds.count == 5)
        var seen: [Int] = []
        for fold in folds {
            seen += fold.validation.examples.map(\.row)
            #expect(fold.train.count + fold.validation.count == dataset.count)
            #expect(Set(fold.train.examples.map(\.row)).isDisjoint(with: fold.validation.examples.map(\.row)))
            let counts = fold.validation.classCounts
            #expect(counts[0] == 2 && counts[1] == 4 && (counts[2] == 6 || counts[2] == 7), "per-class counts \(counts)")
        }
        #expect(seen.sorted() == dataset.examples.map(\.row).sorted())
        let sizes = folds.map(\.validation.count)
        #expect(sizes.max()! - sizes.min()! <= 1, "fold sizes \(sizes)")
        #expect(try dataset.stratifiedFolds(5, seed: 2).map(\.validation.examples) == folds.map(\.validation.examples))
        #expect(throws: DatasetError.self) { try dataset.stratifiedFolds(1, seed: 0) }
    }

    @Test func shuffleIsAPermutationFixedBySeed() throws {
        let dataset = try sample()
        let shuffled = dataset.shuffled(seed: 11)
        #expect(shuffled.examples.map(\.row).sorted() == dataset.examples.map(\.row).sorted())
        #expect(shuffled.examples == dataset.shuffled(seed: 11).examples)
        #expect(shuffled.examples != dataset.examples)
    }
}

@Suite struct DatasetSplitsTests {
    @Test func oneFilePerSplitSharesTheTrainingLabels() throws {
        let train = try TemporaryFiles.write("text\tlabel\r\na\tneg\r\nb\tpos\r\n", name: "train.tsv")
        let test = try TemporaryFiles.write("text\tlabel\r\nc\tpos\r\n", name: "test.tsv")
        let splits = try DatasetSplits.load(train: train, test: test)
        #expect(splits.train.labels.names == ["neg", "pos"])
        #expect(splits.test?.labelIDs == [1])
        #expect(splits.validation == nil)
        // A test file with only "pos" would give a 1-class label set on its own; here it keeps id 1.
        let badTest = try TemporaryFiles.write("text\tlabel\nd\tneutral\n", name: "bad.tsv")
        #expect(throws: DatasetError.unknownLabel(path: badTest.path, location: .line(2), label: "neutral", known: ["neg", "pos"])) {
            try DatasetSplits.load(train: train, test: badTest)
        }
    }

    @Test func validationSplitFromOneFile() throws {
        var text = "text,label\n"
        for index in 0..<40 { text += "example \(index),\(index % 2 == 0 ? "even" : "odd")\n" }
        let file = try TemporaryFiles.write(text, name: "all.csv")
        let splits = try DatasetSplits.load(file: file, validationFraction: 0.25, seed: 3)
        #expect(splits.train.classCounts == [15, 15])
        #expect(splits.validation?.classCounts == [5, 5])
        let tokenized = splits.train.tokenized { Array($0.text.utf8).map(Int.init) }
        #expect(tokenized.map(\.label) == splits.train.labelIDs)
        #expect(tokenized[0].ids == Array(splits.train.examples[0].text.utf8).map(Int.init))
    }

    @Test func truncatedJSONLinesNeverCrash() throws {
        let bytes = Array("{\"text\": \"caf\u{e9} \\\"q\\\"\", \"label\": 1}\n{\"text\": \"b\", \"label\": 0}\n".utf8)
        for cut in 0...bytes.count {
            do { _ = try JSONRecordReader.parseJSONLines(Array(bytes[0..<cut]), source: "cut.jsonl") } catch is DatasetError {}
            do { _ = try JSONRecordReader.parseJSON(Array(bytes[0..<cut]), source: "cut.json") } catch is DatasetError {}
        }
    }
}

@Suite struct LengthStatisticsTests {
    @Test func percentilesAndCountsAgainstDirectComputation() throws {
        var random = SeededRandom(seed: 21)
        let lengths = (0..<1_000).map { _ in 5 + random.nextIndex(below: 600) }
        let stats = try #require(LengthStatistics(lengths))
        let sorted = lengths.sorted()
        #expect(stats.minimum == sorted.first && stats.maximum == sorted.last)
        #expect(stats.median == sorted[499] && stats.percentile90 == sorted[899] && stats.percentile99 == sorted[989])
        #expect(abs(stats.mean - Double(lengths.reduce(0, +)) / 1_000) < 1e-9)
        for limit in [0, 4, 5, 128, 300, 604, 605, 10_000] {
            #expect(stats.countLonger(than: limit) == lengths.filter { $0 > limit }.count, "limit \(limit)")
        }
        #expect(LengthStatistics([]) == nil)
        #expect(LengthStatistics([7])?.percentile99 == 7)
    }

    @Test func agNewsTestTextLengthsInCharacters() throws {
        try #require(FileManager.default.fileExists(atPath: agNewsTestPath), "AG News data missing")
        let test = try DatasetLoader.loadAGNews(URL(fileURLWithPath: agNewsTestPath))
        let stats = try #require(LengthStatistics(test.examples.map { $0.text.unicodeScalars.count }))
        #expect(stats.count == 7_600)
        #expect(stats.countLonger(than: stats.maximum) == 0)
        #expect(stats.countLonger(than: stats.minimum - 1) == 7_600)
        print("AG News test text length (Unicode scalars): min \(stats.minimum), median \(stats.median), p95 \(stats.percentile95), max \(stats.maximum)")
    }
}

@Suite struct ConfigLabelsTests {
    @Test func id2labelFromConfigJSON() throws {
        let url = try TemporaryFiles.write("{\"architectures\": [\"BertForSequenceClassification\"], \"id2label\": {\"1\": \"Sports\", \"0\": \"World\"}}", name: "config.json")
        #expect(try LabelSet(configJSON: url).names == ["World", "Sports"])
        let noLabels = try TemporaryFiles.write("{\"hidden_size\": 8}", name: "config.json")
        #expect(throws: DatasetError.self) { try LabelSet(configJSON: noLabels) }
        let broken = try TemporaryFiles.write("{\"id2label\": ", name: "config.json")
        #expect(throws: DatasetError.self) { try LabelSet(configJSON: broken) }
    }
}

@Suite struct DatasetSummaryTests {
    @Test func summaryListsEveryClassWithItsCount() throws {
        try #require(FileManager.default.fileExists(atPath: agNewsTestPath), "AG News data missing")
        let test = try DatasetLoader.loadAGNews(URL(fileURLWithPath: agNewsTestPath))
        let summary = test.summary()
        print(summary)
        let lines = summary.split(separator: "\n").map(String.init)
        #expect(lines[0].hasSuffix("7600 examples, 4 classes"))
        for (id, name) in test.labels.names.enumerated() {
            #expect(lines[id + 1].contains(name) && lines[id + 1].contains("1900") && lines[id + 1].contains("25.0%"))
        }
        let stats = try #require(LengthStatistics(test.examples.map { $0.text.unicodeScalars.count }))
        #expect(lines[5].contains("max \(stats.maximum)"))
    }
}

@Suite struct ClassWeightTests {
    @Test func balancedWeightsEqualiseClassContributions() throws {
        let labels = [0, 0, 0, 0, 0, 0, 1, 1, 2]
        let dataset = TextDataset(examples: labels.enumerated().map { TextExample(text: "", label: $0.element, row: $0.offset) },
                                  labels: try LabelSet(names: ["a", "b", "c", "unused"]), source: "memory")
        let weights = dataset.balancedClassWeights()
        #expect(weights[3] == 0)
        // weight × count is the same for every present class: count / classCount.
        for (label, examples) in [(0, 6), (1, 2), (2, 1)] {
            #expect(abs(weights[label] * Double(examples) - 9.0 / 4.0) < 1e-12)
        }
    }
}
