// Scoring the same continuations after many prompts at once (option scoring across examples):
//   1. the prompts run once, left-padded in one batch, filling a KV cache of N rows;
//   2. the cache's rows are repeated K times each (N·K rows), and every (prompt, continuation)
//      pair runs in one right-padded batch on top of it;
//   3. each prompt's last position predicts every continuation's first token; position j of a
//      continuation predicts its token j+1. Only those positions go through the LM head.
// Left padding keeps every prompt's last token in the last column; padded keys are masked and
// positions count real tokens only, so each pair scores as if run alone.
import SiftTensor

extension DecoderModel {
    /// Log-probabilities of each of `continuations` after each of `prompts`:
    /// result[p][c] scores continuation c after prompt p.
    public func scoreContinuations(prompts: [[Int]], continuations: [[Int]]) throws -> [[ContinuationScore]] {
        guard !prompts.isEmpty else { return [] }
        guard prompts.allSatisfy({ !$0.isEmpty }) else { throw ModelError.invalidInput("every prompt needs at least one token") }
        guard !continuations.isEmpty else { return prompts.map { _ in [] } }
        guard continuations.allSatisfy({ !$0.isEmpty }) else { throw ModelError.invalidInput("every continuation needs at least one token") }
        let padId = config.padTokenId ?? config.eosTokenIds.first ?? 0
        let (n, k) = (prompts.count, continuations.count)
        return try withNoGrad {
            // 1. Prompts once; the last column is every row's last real token.
            let promptCache = KVCache(layers: config.numHiddenLayers)
            let promptBatch = try TokenBatch(rows: prompts, padId: padId, padLeft: true)
            let promptHidden = try hiddenStates(promptBatch, cache: promptCache)  // [N, T, C]
            let last = try promptHidden.pickRows([Int](repeating: promptBatch.length - 1, count: n))
            let firstLogProbs = try logits(fromHidden: last).logSoftmax(axis: -1)  // [N, V]
            // 2. Every (prompt, continuation) pair on the repeated cache, right-padded.
            let cache = try promptCache.repeatingEachRow(k)
            let pairRows = (0..<n).flatMap { _ in continuations }
            let batch = try TokenBatch(rows: pairRows, padId: padId, padLeft: false)
            let hidden = try hiddenStates(batch, cache: cache)  // [N·K, L, C]
            // 3. LM head only at positions that predict a continuation token.
            let (l, c) = (batch.length, hidden.shape[2])
            var picked: [Int] = []
            for row in 0..<(n * k) {
                let length = continuations[row % k].count
                for j in 0..<(length - 1) { picked.append(row * l + j) }
            }
            var restLogProbs: Tensor?
            if !picked.isEmpty {
                let rows = try Tensor.embedding(table: hidden.reshaped([n * k * l, c]), ids: picked, shape: [picked.count])
                restLogProbs = try logits(fromHidden: rows).logSoftmax(axis: -1)  // [P, V]
            }
            let vocab = firstLogProbs.shape[1]
            let first = firstLogProbs.storage.pointer
            var cursor = 0
            var result: [[ContinuationScore]] = []
            result.reserveCapacity(n)
            for p in 0..<n {
                var scores: [ContinuationScore] = []
                scores.reserveCapacity(k)
                for tokens in continuations {
                    var perToken = [Double]()
                    perToken.reserveCapacity(tokens.count)
                    perToken.append(Double(first[p * vocab + tokens[0]]))
                    if let rest = restLogProbs?.storage.pointer {
                        for j in 1..<max(tokens.count, 1) where j < tokens.count {
                            perToken.append(Double(rest[cursor * vocab + tokens[j]]))
                            cursor += 1
                        }
                    }
                    scores.append(ContinuationScore(logprob: perToken.reduce(0, +), tokenLogprobs: perToken))
                }
                result.append(scores)
            }
            return result
        }
    }
}

extension KVCache {
    /// A cache with each row repeated `times` times in place: row r becomes rows r·times ..< (r+1)·times.
    public func repeatingEachRow(_ times: Int) throws -> KVCache {
        guard times >= 1 else { throw ModelError.invalidInput("a cache row must be repeated at least once, got \(times)") }
        let rows = nextPositions.count
        let copy = KVCache(layers: keys.count)
        func repeated(_ tensor: Tensor) throws -> Tensor {
            let perRow = tensor.count / max(tensor.shape[0], 1)
            let storage = TensorStorage(uninitializedCount: tensor.count * times)
            let source = tensor.storage.pointer, target = storage.pointer
            for row in 0..<tensor.shape[0] {
                for copyIndex in 0..<times {
                    (target + (row * times + copyIndex) * perRow).update(from: source + row * perRow, count: perRow)
                }
            }
            return try Tensor(shape: [tensor.shape[0] * times] + tensor.shape.dropFirst(), storage: storage)
        }
        for i in keys.indices {
            if let k = keys[i], let v = values[i] {
                copy.keys[i] = try repeated(k)
                copy.values[i] = try repeated(v)
            }
        }
        copy.length = length
        var mask: [Int] = []
        mask.reserveCapacity(self.mask.count * times)
        var positions: [Int] = []
        for row in 0..<rows {
            let rowMask = self.mask[(row * length)..<((row + 1) * length)]
            for _ in 0..<times {
                mask += rowMask
                positions.append(nextPositions[row])
            }
        }
        copy.mask = mask
        copy.nextPositions = positions
        return copy
    }
}
