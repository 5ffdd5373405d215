import Testing
@testable import SiftData

@Suite struct BatchingTests {
    private let examples = [
        TokenizedExample(ids: [101, 7, 8, 102], label: 1),
        TokenizedExample(ids: [101, 9, 102], label: 0, tokenTypeIDs: [0, 0, 1]),
        TokenizedExample(ids: [101, 1, 2, 3, 4, 5, 102], label: 3),
    ]

    @Test func rightPaddingToTheLongestInTheBatch() throws {
        let batch = try Batcher.batch(examples, indices: [0, 1], options: BatchingOptions(batchSize: 2, padID: 0))
        #expect(batch.sequenceLength == 4)
        #expect(batch.inputIDs == [101, 7, 8, 102, 101, 9, 102, 0])
        #expect(batch.attentionMask == [1, 1, 1, 1, 1, 1, 1, 0])
        #expect(batch.tokenTypeIDs == [0, 0, 0, 0, 0, 0, 1, 0])
        #expect(batch.labels == [1, 0])
        #expect(batch.lastTokenPositions == [3, 2])
        #expect(batch.maskedPositions == [0, 1, 2, 3, 0, 1, 2, 0])
    }

    @Test func leftPaddingPutsRealTokensLast() throws {
        let options = BatchingOptions(batchSize: 2, padID: -5, paddingSide: .left)
        let batch = try Batcher.batch(examples, indices: [1, 0], options: options)
        #expect(batch.inputIDs == [-5, 101, 9, 102, 101, 7, 8, 102])
        #expect(batch.attentionMask == [0, 1, 1, 1, 1, 1, 1, 1])
        #expect(batch.tokenTypeIDs == [0, 0, 0, 1, 0, 0, 0, 0])
        #expect(batch.lastTokenPositions == [3, 3])
        #expect(batch.maskedPositions == [0, 0, 1, 2, 0, 1, 2, 3])
        #expect(batch.exampleIndices == [1, 0])
    }

    @Test func maxLengthKeepsTheFirstIdsAndPadToMultiple() throws {
        let cut = try Batcher.batch(examples, indices: [2, 1], options: BatchingOptions(batchSize: 2, maxLength: 5))
        #expect(cut.sequenceLength == 5)
        #expect(Array(cut.row(0)) == [101, 1, 2, 3, 4])
        #expect(cut.lengths == [5, 3])
        let rounded = try Batcher.batch(examples, indices: [0, 1], options: BatchingOptions(batchSize: 2, padToMultipleOf: 8))
        #expect(rounded.sequenceLength == 8)
        #expect(rounded.attentionMask.reduce(0, +) == 7)
        let capped = try Batcher.batch(examples, indices: [2], options: BatchingOptions(batchSize: 1, maxLength: 6, padToMultipleOf: 4))
        #expect(capped.sequenceLength == 6)
    }

    @Test func planWithoutShuffleIsConsecutiveAndDropLast() throws {
        let lengths = Array(repeating: 3, count: 10)
        #expect(try Batcher.plan(lengths: lengths, options: BatchingOptions(batchSize: 4)) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]])
        #expect(try Batcher.plan(lengths: lengths, options: BatchingOptions(batchSize: 4, dropLast: true)).count == 2)
    }

    @Test func shuffledPlanCoversEveryExampleOnceAndDependsOnSeedAndEpoch() throws {
        let lengths = (0..<50).map { $0 % 13 + 1 }
        let options = BatchingOptions(batchSize: 8, shuffleSeed: 17)
        let plan = try Batcher.plan(lengths: lengths, options: options)
        #expect(plan.flatMap { $0 }.sorted() == Array(0..<50))
        #expect(try Batcher.plan(lengths: lengths, options: options) == plan)
        #expect(try Batcher.plan(lengths: lengths, options: options, epoch: 1) != plan)
    }

    @Test func lengthBucketingGroupsSimilarLengths() throws {
        var random = SeededRandom(seed: 4)
        let lengths = (0..<400).map { _ in 1 + random.nextIndex(below: 300) }
        let plain = try Batcher.plan(lengths: lengths, options: BatchingOptions(batchSize: 16, shuffleSeed: 1))
        let bucketed = try Batcher.plan(lengths: lengths, options: BatchingOptions(batchSize: 16, lengthBucketChunks: 25, shuffleSeed: 1))
        #expect(bucketed.flatMap { $0 }.sorted() == Array(0..<400))
        func padding(_ plan: [[Int]]) -> Int {
            plan.reduce(0) { total, group in
                let longest = group.map { lengths[$0] }.max()!
                return total + group.reduce(0) { $0 + longest - lengths[$1] }
            }
        }
        // With one chunk holding everything, each batch is a contiguous run of the sorted lengths.
        #expect(padding(bucketed) * 5 < padding(plain), "bucketed padding \(padding(bucketed)) vs plain \(padding(plain))")
        for group in bucketed {
            let groupLengths = group.map { lengths[$0] }
            #expect(groupLengths == groupLengths.sorted(by: >))
        }
    }

    @Test func batchesOfAnEpoch() throws {
        let batches = try Batcher.batches(examples, options: BatchingOptions(batchSize: 2, padID: 0))
        #expect(batches.map(\.batchSize) == [2, 1])
        #expect(batches[1].inputIDs == examples[2].ids)
    }

    @Test func invalidRequestsThrow() throws {
        #expect(throws: DatasetError.self) { try Batcher.plan(lengths: [1], options: BatchingOptions(batchSize: 0)) }
        #expect(throws: DatasetError.self) { try Batcher.batch(examples, indices: [], options: BatchingOptions(batchSize: 2)) }
        #expect(throws: DatasetError.self) { try Batcher.batch(examples, indices: [3], options: BatchingOptions(batchSize: 2)) }
        let empty = [TokenizedExample(ids: [], label: 0)]
        #expect(throws: DatasetError.self) { try Batcher.batch(empty, indices: [0], options: BatchingOptions(batchSize: 1)) }
        let mismatched = [TokenizedExample(ids: [1, 2], label: 0, tokenTypeIDs: [0])]
        #expect(throws: DatasetError.self) { try Batcher.batch(mismatched, indices: [0], options: BatchingOptions(batchSize: 1)) }
    }
}

@Suite struct LongTextTests {
    private let ids = Array(100..<120)  // 20 ids

    @Test func truncationStrategies() throws {
        #expect(try LongText.truncate(ids, maxLength: 8, reserved: 2, strategy: .head) == Array(100..<106))
        #expect(try LongText.truncate(ids, maxLength: 8, reserved: 2, strategy: .tail) == Array(114..<120))
        #expect(try LongText.truncate(ids, maxLength: 8, reserved: 2, strategy: .headAndTail(head: 2)) == [100, 101, 116, 117, 118, 119])
        #expect(try LongText.truncate(ids, maxLength: 8, reserved: 2, strategy: .headAndTail(head: 6)) == Array(100..<106))
        #expect(try LongText.truncate(ids, maxLength: 8, reserved: 2, strategy: .headAndTail(head: 0)) == Array(114..<120))
        #expect(try LongText.truncate(ids, maxLength: 22, reserved: 2, strategy: .tail) == ids)
        #expect(throws: DatasetError.self) { try LongText.truncate(ids, maxLength: 8, reserved: 2, strategy: .headAndTail(head: 7)) }
        #expect(throws: DatasetError.self) { try LongText.truncate(ids, maxLength: 2, reserved: 2) }
        #expect(throws: DatasetError.self) { try LongText.truncate(ids, maxLength: 8, reserved: -1) }
    }

    @Test func slidingWindowsOverlapAndCoverEveryToken() throws {
        let windows = try SlidingWindow(window: 10, stride: 5, reserved: 2)  // 8 ids per window, overlap 3
        #expect(windows.ranges(count: 20) == [0..<8, 5..<13, 10..<18, 15..<20])
        #expect(windows.ranges(count: 8) == [0..<8])
        #expect(windows.ranges(count: 0) == [0..<0])
        let chunks = windows.chunks([ids, [1, 2, 3]])
        #expect(chunks.map(\.exampleIndex) == [0, 0, 0, 0, 1])
        #expect(chunks[1].ids == Array(105..<113))
        #expect(chunks[4].ids == [1, 2, 3])
        for count in 0..<40 {
            let ranges = windows.ranges(count: count)
            var covered = Set<Int>()
            for range in ranges { covered.formUnion(range); #expect(range.count <= 8) }
            #expect(covered == Set(0..<count))
        }
        #expect(throws: DatasetError.self) { try SlidingWindow(window: 10, stride: 9, reserved: 2) }
        #expect(throws: DatasetError.self) { try SlidingWindow(window: 10, stride: 0) }
    }

    @Test func logitAggregationMeanAndMax() throws {
        let logits: [Float] = [1, 4, 3, 2, 5, 0, -1, -2]  // 4 windows × 2 classes
        let owners = [0, 0, 1, 0]
        let mean = try SlidingWindow.aggregate(chunkLogits: logits, classCount: 2, exampleIndices: owners,
                                               exampleCount: 2, method: .mean)
        let expectedMean: [Float] = [Float(1 + 3 - 1) / 3, Float(4 + 2 - 2) / 3, 5, 0]
        #expect(mean == expectedMean)
        let maximum = try SlidingWindow.aggregate(chunkLogits: logits, classCount: 2, exampleIndices: owners,
                                                  exampleCount: 2, method: .max)
        #expect(maximum == [3, 4, 5, 0])
        #expect(throws: DatasetError.self) {
            try SlidingWindow.aggregate(chunkLogits: logits, classCount: 2, exampleIndices: owners, exampleCount: 3, method: .mean)
        }
        #expect(throws: DatasetError.self) {
            try SlidingWindow.aggregate(chunkLogits: logits, classCount: 3, exampleIndices: owners, exampleCount: 2, method: .mean)
        }
    }
}
