// Text generation and continuation scoring with a KV cache for decoder models.
//
// Generation: prompts are left-padded into one batch, run once to fill the cache, then one token per
// step for every row until each row hits a stop token or max_new_tokens.
// Scoring: the prompt is run once; its cache is repeated for every continuation, and all
// continuations run as one right-padded batch on top of it.
import SiftTensor
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// How the next token is chosen.
public struct SamplingOptions: Sendable, Equatable {
    /// Greedy (argmax) when true; otherwise sampling with the settings below.
    public var greedy: Bool = true
    public var temperature: Float = 1
    /// Keep the smallest set of tokens whose probability reaches `topP` (1 = off).
    public var topP: Float = 1
    /// Keep the `topK` most likely tokens (0 = off).
    public var topK: Int = 0
    public var seed: UInt64 = 0

    public init(greedy: Bool = true, temperature: Float = 1, topP: Float = 1, topK: Int = 0, seed: UInt64 = 0) {
        self.greedy = greedy
        self.temperature = temperature
        self.topP = topP
        self.topK = topK
        self.seed = seed
    }
}

/// The tokens generated for one prompt.
public struct GenerationResult: Sendable, Equatable {
    /// New token ids (the stop token included when one ended the row).
    public var tokens: [Int]
    /// Whether a stop token ended the row (false: max_new_tokens reached).
    public var stopped: Bool
}

/// Log-probability of one continuation after a prompt.
public struct ContinuationScore: Sendable, Equatable {
    /// Σ log p(token | prefix) over the continuation's tokens.
    public var logprob: Double
    /// Per-token log-probabilities.
    public var tokenLogprobs: [Double]
    /// Mean negative log-likelihood per token (the log of the perplexity).
    public var meanNegativeLogLikelihood: Double { tokenLogprobs.isEmpty ? 0 : -logprob / Double(tokenLogprobs.count) }
}

extension DecoderModel {
    /// Generates up to `maxNewTokens` tokens after each prompt.
    public func generate(prompts: [[Int]], maxNewTokens: Int, stopTokens: Set<Int>, sampling: SamplingOptions = SamplingOptions()) throws -> [GenerationResult] {
        guard !prompts.isEmpty else { return [] }
        guard prompts.allSatisfy({ !$0.isEmpty }) else { throw ModelError.invalidInput("every prompt needs at least one token") }
        let padId = config.padTokenId ?? config.eosTokenIds.first ?? 0
        return try withNoGrad {
            let cache = KVCache(layers: config.numHiddenLayers)
            var generator = SeededGenerator(seed: sampling.seed)
            let batch = try TokenBatch(rows: prompts, padId: padId, padLeft: true)
            var hidden = try hiddenStates(batch, cache: cache)  // [B, T, C]
            var lastIndex = batch.length - 1
            var results = prompts.map { _ in GenerationResult(tokens: [], stopped: false) }
            var active = [Bool](repeating: true, count: prompts.count)
            for _ in 0..<maxNewTokens {
                let rows = try hidden.pickRows([Int](repeating: lastIndex, count: prompts.count))  // [B, C]
                let logits = try self.logits(fromHidden: rows)  // [B, V]
                var nextTokens = [Int](repeating: padId, count: prompts.count)
                var nextMask = [Int](repeating: 0, count: prompts.count)
                for row in 0..<prompts.count where active[row] {
                    let token = choose(logits: logits, row: row, sampling: sampling, generator: &generator)
                    results[row].tokens.append(token)
                    nextTokens[row] = token
                    nextMask[row] = 1
                    if stopTokens.contains(token) {
                        results[row].stopped = true
                        active[row] = false
                    }
                }
                if !active.contains(true) { break }
                let step = try TokenBatch(ids: nextTokens, attentionMask: nextMask, batchSize: prompts.count, length: 1)
                hidden = try hiddenStates(step, cache: cache)
                lastIndex = 0
            }
            return results
        }
    }

    /// Log-probabilities of each continuation after `prompt` (token ids, concatenated as given).
    /// The prompt runs once; the continuations run together on its cache.
    public func scoreContinuations(prompt: [Int], continuations: [[Int]]) throws -> [ContinuationScore] {
        guard !prompt.isEmpty else { throw ModelError.invalidInput("the prompt needs at least one token") }
        guard !continuations.isEmpty else { return [] }
        guard continuations.allSatisfy({ !$0.isEmpty }) else { throw ModelError.invalidInput("every continuation needs at least one token") }
        return try withNoGrad {
            // 1. The prompt once, batch 1; its last position predicts each continuation's first token.
            let promptCache = KVCache(layers: config.numHiddenLayers)
            let promptBatch = try TokenBatch(ids: prompt, batchSize: 1, length: prompt.count)
            let promptHidden = try hiddenStates(promptBatch, cache: promptCache)
            let firstLogProbs = try logits(fromHidden: promptHidden.pickRows([prompt.count - 1])).logSoftmax(axis: -1)  // [1, V]
            // 2. Repeat the cache for every continuation and run them right-padded in one batch.
            let k = continuations.count
            let cache = try promptCache.repeated(rows: k)
            let padId = config.padTokenId ?? 0
            let batch = try TokenBatch(rows: continuations, padId: padId, padLeft: false)
            let hidden = try hiddenStates(batch, cache: cache)  // [K, L, C]
            // 3. Position j of continuation r predicts its token j+1.
            let (l, c) = (batch.length, hidden.shape[2])
            let flat = try hidden.reshaped([k * l, c])
            let logProbs = try logits(fromHidden: flat).logSoftmax(axis: -1)  // [K·L, V]
            let vocab = logProbs.shape[1]
            let first = firstLogProbs.storage.pointer, rest = logProbs.storage.pointer
            return continuations.enumerated().map { r, tokens in
                var perToken = [Double]()
                perToken.reserveCapacity(tokens.count)
                perToken.append(Double(first[tokens[0]]))
                for j in 1..<max(tokens.count, 1) where j < tokens.count {
                    perToken.append(Double(rest[(r * l + j - 1) * vocab + tokens[j]]))
                }
                return ContinuationScore(logprob: perToken.reduce(0, +), tokenLogprobs: perToken)
            }
        }
    }

    /// Picks the next token from row `row` of logits `[B, V]`.
    func choose(logits: Tensor, row: Int, sampling: SamplingOptions, generator: inout SeededGenerator) -> Int {
        let vocab = logits.shape[1]
        let values = UnsafeBufferPointer(start: logits.storage.pointer + row * vocab, count: vocab)
        if sampling.greedy || sampling.temperature <= 0 {
            var best = 0
            for i in 1..<vocab where values[i] > values[best] { best = i }
            return best
        }
        // Temperature, then top-k, then top-p over the sorted candidates (as transformers' warpers).
        var candidates = (0..<vocab).map { ($0, values[$0] / sampling.temperature) }
        candidates.sort { $0.1 > $1.1 }
        if sampling.topK > 0 { candidates = Array(candidates.prefix(sampling.topK)) }
        let maxLogit = candidates[0].1
        var probabilities = candidates.map { Double(expf($0.1 - maxLogit)) }
        let total = probabilities.reduce(0, +)
        probabilities = probabilities.map { $0 / total }
        if sampling.topP < 1 {
            var cumulative = 0.0, keep = 0
            for p in probabilities {
                cumulative += p
                keep += 1
                if cumulative >= Double(sampling.topP) { break }
            }
            candidates = Array(candidates.prefix(keep))
            probabilities = Array(probabilities.prefix(keep))
            let kept = probabilities.reduce(0, +)
            probabilities = probabilities.map { $0 / kept }
        }
        var u = generator.nextUniformDouble()
        for (index, p) in probabilities.enumerated() {
            u -= p
            if u <= 0 { return candidates[index].0 }
        }
        return candidates[candidates.count - 1].0
    }
}

extension KVCache {
    /// A cache whose single row is repeated `rows` times (for scoring several continuations).
    public func repeated(rows: Int) throws -> KVCache {
        guard nextPositions.count == 1 else {
            throw ModelError.invalidInput("only a single-row cache can be repeated (this one has \(nextPositions.count) rows)")
        }
        let copy = KVCache(layers: keys.count)
        for i in keys.indices {
            if let k = keys[i], let v = values[i] {
                copy.keys[i] = try Tensor.concat(Array(repeating: k, count: rows), axis: 0)
                copy.values[i] = try Tensor.concat(Array(repeating: v, count: rows), axis: 0)
            }
        }
        copy.length = length
        copy.mask = Array([[Int]](repeating: mask, count: rows).joined())
        copy.nextPositions = [Int](repeating: nextPositions[0], count: rows)
        return copy
    }
}
