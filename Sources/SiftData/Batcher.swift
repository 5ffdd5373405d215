// Grouping tokenized examples into padded batches: dynamic padding to the longest row, optional
// truncation, seeded shuffling and length bucketing.

/// How ``Batcher`` groups and pads examples.
public struct BatchingOptions: Sendable, Hashable {
    /// Rows per batch (the last batch may be smaller unless `dropLast`).
    public var batchSize: Int
    /// The id written at padded positions.
    public var padID: Int
    /// Which side padding goes on.
    public var paddingSide: PaddingSide
    /// Rows longer than this keep their first `maxLength` ids. Truncate before adding special
    /// tokens with ``LongText/truncate(_:maxLength:reserved:strategy:)`` when the end must survive.
    public var maxLength: Int?
    /// Round the padded length up to a multiple of this (e.g. 8), never beyond `maxLength`.
    public var padToMultipleOf: Int?
    /// Length bucketing: sort by length within chunks of `lengthBucketChunks × batchSize` examples
    /// (after the seeded shuffle), so rows of a batch have similar lengths. Nil: off.
    public var lengthBucketChunks: Int?
    /// Shuffle the examples (and, with bucketing, the batch order) with this seed; nil keeps the order.
    public var shuffleSeed: UInt64?
    /// Drop a last batch smaller than `batchSize`.
    public var dropLast: Bool

    /// Options; only `batchSize` is required (right padding with id 0, no truncation, no shuffle).
    public init(batchSize: Int, padID: Int = 0, paddingSide: PaddingSide = .right, maxLength: Int? = nil,
                padToMultipleOf: Int? = nil, lengthBucketChunks: Int? = nil, shuffleSeed: UInt64? = nil,
                dropLast: Bool = false) {
        self.batchSize = batchSize
        self.padID = padID
        self.paddingSide = paddingSide
        self.maxLength = maxLength
        self.padToMultipleOf = padToMultipleOf
        self.lengthBucketChunks = lengthBucketChunks
        self.shuffleSeed = shuffleSeed
        self.dropLast = dropLast
    }

    func validate() throws {
        guard batchSize >= 1 else {
            throw DatasetError.invalidParameter(name: "batchSize", value: String(batchSize), reason: "must be ≥ 1")
        }
        if let maxLength, maxLength < 1 {
            throw DatasetError.invalidParameter(name: "maxLength", value: String(maxLength), reason: "must be ≥ 1")
        }
        if let padToMultipleOf, padToMultipleOf < 1 {
            throw DatasetError.invalidParameter(name: "padToMultipleOf", value: String(padToMultipleOf), reason: "must be ≥ 1")
        }
        if let lengthBucketChunks, lengthBucketChunks < 1 {
            throw DatasetError.invalidParameter(
                name: "lengthBucketChunks", value: String(lengthBucketChunks), reason: "must be ≥ 1")
        }
    }
}

/// Makes padded batches from tokenized examples.
public enum Batcher {
    /// The order of examples in batches: a list of example-index groups.
    ///
    /// Without a seed and without bucketing: consecutive groups in order. With a seed: a seeded
    /// permutation first (seed mixed with `epoch`, so each epoch differs). With bucketing: each chunk
    /// of `lengthBucketChunks × batchSize` examples is sorted by length (longest first, ties in order),
    /// cut into batches, and with a seed the batch order is shuffled too.
    public static func plan(lengths: [Int], options: BatchingOptions, epoch: Int = 0) throws -> [[Int]] {
        try options.validate()
        var random = options.shuffleSeed.map { SeededRandom(seed: $0 &+ UInt64(truncatingIfNeeded: epoch) &* 0x9E37_79B9_7F4A_7C15) }
        var order = Array(lengths.indices)
        if random != nil { random!.shuffle(&order) }
        if let chunks = options.lengthBucketChunks {
            let chunkSize = chunks * options.batchSize
            var sorted: [Int] = []
            sorted.reserveCapacity(order.count)
            var start = 0
            while start < order.count {
                let chunk = order[start..<min(start + chunkSize, order.count)]
                let ranked = chunk.enumerated().sorted { a, b in
                    let lengthA = min(lengths[a.element], options.maxLength ?? Int.max)
                    let lengthB = min(lengths[b.element], options.maxLength ?? Int.max)
                    return lengthA != lengthB ? lengthA > lengthB : a.offset < b.offset
                }
                sorted.append(contentsOf: ranked.map(\.element))
                start += chunkSize
            }
            order = sorted
        }
        var groups: [[Int]] = []
        var start = 0
        while start < order.count {
            let end = min(start + options.batchSize, order.count)
            if end - start == options.batchSize || !options.dropLast {
                groups.append(Array(order[start..<end]))
            }
            start = end
        }
        if options.lengthBucketChunks != nil, random != nil { random!.shuffle(&groups) }
        return groups
    }

    /// Pads the examples at `indices` into one batch.
    public static func batch(_ examples: [TokenizedExample], indices: [Int], options: BatchingOptions) throws -> PaddedBatch {
        try options.validate()
        guard !indices.isEmpty else {
            throw DatasetError.invalidParameter(name: "indices", value: "[]", reason: "a batch needs at least one example")
        }
        var lengths: [Int] = []
        lengths.reserveCapacity(indices.count)
        for index in indices {
            guard index >= 0, index < examples.count else {
                throw DatasetError.invalidParameter(
                    name: "example index", value: String(index), reason: "out of range 0..<\(examples.count)")
            }
            let example = examples[index]
            guard !example.ids.isEmpty else {
                throw DatasetError.invalidParameter(
                    name: "example \(index)", value: "[]", reason: "has no token ids; every example needs at least one token")
            }
            if let types = example.tokenTypeIDs, types.count != example.ids.count {
                throw DatasetError.invalidParameter(
                    name: "example \(index) tokenTypeIDs", value: "\(types.count) ids",
                    reason: "must have as many entries as ids (\(example.ids.count))")
            }
            lengths.append(min(example.ids.count, options.maxLength ?? Int.max))
        }
        var width = lengths.max() ?? 0
        if let multiple = options.padToMultipleOf {
            width = (width + multiple - 1) / multiple * multiple
            if let maxLength = options.maxLength { width = max(min(width, maxLength), lengths.max() ?? 0) }
        }
        let rows = indices.count
        var ids = [Int](repeating: options.padID, count: rows * width)
        var mask = [Int](repeating: 0, count: rows * width)
        var types = [Int](repeating: 0, count: rows * width)
        var lastPositions = [Int](repeating: 0, count: rows)
        var labels = [Int](repeating: 0, count: rows)
        ids.withUnsafeMutableBufferPointer { idBuffer in
            mask.withUnsafeMutableBufferPointer { maskBuffer in
                types.withUnsafeMutableBufferPointer { typeBuffer in
                    for (row, index) in indices.enumerated() {
                        let example = examples[index]
                        let length = lengths[row]
                        let offset = row * width + (options.paddingSide == .left ? width - length : 0)
                        example.ids.withUnsafeBufferPointer { source in
                            for position in 0..<length { idBuffer[offset + position] = source[position] }
                        }
                        for position in 0..<length { maskBuffer[offset + position] = 1 }
                        if let tokenTypes = example.tokenTypeIDs {
                            for position in 0..<length { typeBuffer[offset + position] = tokenTypes[position] }
                        }
                        lastPositions[row] = offset - row * width + length - 1
                        labels[row] = example.label
                    }
                }
            }
        }
        return PaddedBatch(
            batchSize: rows, sequenceLength: width, inputIDs: ids, attentionMask: mask, tokenTypeIDs: types,
            labels: labels, exampleIndices: indices, lastTokenPositions: lastPositions, lengths: lengths)
    }

    /// All batches of one epoch (see ``plan(lengths:options:epoch:)``).
    public static func batches(_ examples: [TokenizedExample], options: BatchingOptions, epoch: Int = 0) throws -> [PaddedBatch] {
        try plan(lengths: examples.map(\.ids.count), options: options, epoch: epoch).map {
            try batch(examples, indices: $0, options: options)
        }
    }
}
