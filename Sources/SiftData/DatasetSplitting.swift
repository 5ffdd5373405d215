// Splitting, subsampling and shuffling datasets, all reproducible from a seed.

/// How ``TextDataset/limitedPerClass(_:selection:)`` picks examples.
public enum PerClassSelection: Sendable, Hashable {
    /// The first N examples of each class in the current order (the default; the study and the
    /// MiniLM fixture take the first 1,000 rows of each class in file order).
    case firstInOrder
    /// N examples of each class drawn at random with this seed (kept in their current order).
    case seededRandom(seed: UInt64)
    /// The N examples of each class with the highest `scores` (one per example, e.g. a loss or a
    /// perplexity for hard-sample mining); `highest: false` takes the lowest. Ties go to the earlier
    /// example; NaN scores are never taken before finite ones. Kept in their current order.
    case byScore(scores: [Double], highest: Bool)
}

/// A train / validation pair made from one file.
public struct TrainValidationSplit: Sendable {
    /// The examples left for training.
    public var train: TextDataset
    /// The examples split off for validation.
    public var validation: TextDataset
}

extension TextDataset {
    /// Keeps at most `maxPerClass` examples of each class; examples keep their relative order.
    public func limitedPerClass(_ maxPerClass: Int, selection: PerClassSelection = .firstInOrder) throws -> TextDataset {
        guard maxPerClass >= 0 else {
            throw DatasetError.invalidParameter(name: "maxPerClass", value: String(maxPerClass), reason: "must be ≥ 0")
        }
        var kept = [Bool](repeating: false, count: examples.count)
        switch selection {
        case .firstInOrder:
            var taken = [Int](repeating: 0, count: labels.count)
            for (index, example) in examples.enumerated()
            where example.label >= 0 && example.label < taken.count && taken[example.label] < maxPerClass {
                taken[example.label] += 1
                kept[index] = true
            }
        case .seededRandom(let seed):
            var random = SeededRandom(seed: seed)
            for members in indicesByClass() {
                var shuffled = members
                random.shuffle(&shuffled)
                for index in shuffled.prefix(maxPerClass) { kept[index] = true }
            }
        case .byScore(let scores, let highest):
            guard scores.count == examples.count else {
                throw DatasetError.invalidParameter(
                    name: "scores", value: "\(scores.count) values", reason: "need one score per example (\(examples.count))")
            }
            for members in indicesByClass() {
                let ranked = members.sorted { a, b in
                    let scoreA = scores[a], scoreB = scores[b]
                    if scoreA.isNaN != scoreB.isNaN { return !scoreA.isNaN }
                    if scoreA != scoreB, !scoreA.isNaN { return highest ? scoreA > scoreB : scoreA < scoreB }
                    return a < b
                }
                for index in ranked.prefix(maxPerClass) { kept[index] = true }
            }
        }
        return selecting(examples.indices.filter { kept[$0] })
    }

    /// Splits off a validation set holding `validationFraction` of each class (rounded to the
    /// nearest whole example, at least one per class when the fraction is > 0 and the class has ≥ 2
    /// examples), chosen at random with `seed`. Both parts keep the original order.
    public func stratifiedSplit(validationFraction: Double, seed: UInt64) throws -> TrainValidationSplit {
        guard validationFraction > 0, validationFraction < 1 else {
            throw DatasetError.invalidParameter(
                name: "validationFraction", value: String(validationFraction), reason: "must be strictly between 0 and 1")
        }
        var random = SeededRandom(seed: seed)
        var inValidation = [Bool](repeating: false, count: examples.count)
        for members in indicesByClass() where !members.isEmpty {
            var take = Int((Double(members.count) * validationFraction).rounded())
            if members.count >= 2 { take = min(max(take, 1), members.count - 1) }
            var shuffled = members
            random.shuffle(&shuffled)
            for index in shuffled.prefix(take) { inValidation[index] = true }
        }
        return TrainValidationSplit(
            train: selecting(examples.indices.filter { !inValidation[$0] }),
            validation: selecting(examples.indices.filter { inValidation[$0] }))
    }

    /// `k` stratified folds: each class's examples are shuffled with `seed` and dealt round-robin
    /// into the folds, so fold sizes per class differ by at most one. Fold `i` validates and the
    /// others train; both parts keep the original order.
    public func stratifiedFolds(_ k: Int, seed: UInt64) throws -> [TrainValidationSplit] {
        guard k >= 2, k <= examples.count else {
            throw DatasetError.invalidParameter(
                name: "k", value: String(k), reason: "must be in 2...\(examples.count) (the number of examples)")
        }
        var random = SeededRandom(seed: seed)
        var fold = [Int](repeating: 0, count: examples.count)
        var next = 0  // continue dealing where the previous class stopped, to balance total fold sizes
        for members in indicesByClass() {
            var shuffled = members
            random.shuffle(&shuffled)
            for index in shuffled {
                fold[index] = next
                next = (next + 1) % k
            }
        }
        return (0..<k).map { current in
            TrainValidationSplit(
                train: selecting(examples.indices.filter { fold[$0] != current }),
                validation: selecting(examples.indices.filter { fold[$0] == current }))
        }
    }

    /// The examples in a random order fixed by `seed`.
    public func shuffled(seed: UInt64) -> TextDataset {
        var random = SeededRandom(seed: seed)
        return selecting(random.permutation(examples.count))
    }

    /// Example indices grouped by class id, each group in order.
    public func indicesByClass() -> [[Int]] {
        var groups = [[Int]](repeating: [], count: labels.count)
        for (index, example) in examples.enumerated() where example.label >= 0 && example.label < groups.count {
            groups[example.label].append(index)
        }
        return groups
    }
}
