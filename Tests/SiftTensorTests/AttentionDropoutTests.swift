// Dropout on attention probabilities (training): the forward against the Float64 reference with the
// same mask, gradients against finite differences (the mask is fixed by its seed, so the loss is a
// smooth function of q, k, v), independence from kernels, tiles and the fused Q/K/V path, the drop
// rate, and bad probabilities.
import Testing
@testable import SiftTensor

@Suite("Attention dropout", .serialized)
struct AttentionDropoutTests {
    /// The mask × scale the kernels apply to probability row `row` (0 or 1/(1 − p) per key).
    static func keepScale(_ dropout: AttentionDropout, row: Int, keys: Int) -> [Float] {
        var ones = [Float](repeating: 1, count: keys)
        ones.withUnsafeMutableBufferPointer { dropout.apply($0.baseAddress!, count: keys, rowIndex: row) }
        return ones
    }

    /// `Reference.attention`'s `keep` for this dropout on a `[B, T, H, ·]` query.
    static func referenceKeep(_ dropout: AttentionDropout, heads: Int, queryLength: Int, keyLength: Int)
        -> (Int, Int, Int, Int) -> Double
    {
        { b, h, t, s in Double(keepScale(dropout, row: (b * heads + h) * queryLength + t, keys: keyLength)[s]) }
    }

    /// Attention's cases with more than one key: with a single key dq and dk are exactly zero, and
    /// what the f32 kernels leave of dP·m − δ (≈ 1e-9 after the 1/(1 − p) scale) has no scale to be
    /// relative to.
    static let cases = AttentionTests.cases.filter { $0.keyLength > 1 }

    @Test("forward matches the reference with the same mask; gradients match finite differences",
          arguments: Self.cases, AttentionKernel.allCases)
    func matchesReference(c: AttentionCase, kernel: AttentionKernel) throws {
        let mask = c.keyMask
        let dropout = AttentionDropout(probability: 0.3, seed: 0xD0_0D)
        let keep = Self.referenceKeep(dropout, heads: c.heads, queryLength: c.queryLength, keyLength: c.keyLength)
        try checkOp(
            "attention dropout \(c.testDescription) \(kernel)",
            inputs: [
                randomReference([c.batch, c.queryLength, c.heads, c.dimension], seed: 1, scale: 1.5),
                randomReference([c.batch, c.keyLength, c.keyHeads, c.dimension], seed: 2, scale: 1.5),
                randomReference([c.batch, c.keyLength, c.keyHeads, c.dimension], seed: 3),
            ],
            fast: {
                try Tensor.attention(
                    query: $0[0], key: $0[1], value: $0[2], keyMask: mask, causal: c.causal, kernel: kernel, dropout: dropout)
            },
            reference: { Reference.attention(query: $0[0], key: $0[1], value: $0[2], keyMask: mask, causal: c.causal, keep: keep) })
    }

    @Test("the mask depends on the seed and the row, not on tiles: T > 128 matches the reference")
    func acrossTiles() throws {
        let q = randomReference([1, 131, 2, 4], seed: 4), k = randomReference([1, 131, 2, 4], seed: 5)
        let v = randomReference([1, 131, 2, 4], seed: 6)
        let dropout = AttentionDropout(probability: 0.5, seed: 77)
        let fast = try Tensor.attention(query: q.tensor(), key: k.tensor(), value: v.tensor(), causal: true, dropout: dropout)
        let expected = Reference.attention(
            query: q, key: k, value: v, causal: true, keep: Self.referenceKeep(dropout, heads: 2, queryLength: 131, keyLength: 131))
        #expect(maxRelativeError(fast.scalars.map(Double.init), expected.data) < 1e-5)
        let otherSeed = try Tensor.attention(
            query: q.tensor(), key: k.tensor(), value: v.tensor(), causal: true, dropout: AttentionDropout(probability: 0.5, seed: 78))
        #expect(otherSeed.scalars != fast.scalars, "another seed draws another mask")
    }

    @Test("the fused Q/K/V path applies the same mask as separate query, key and value")
    func fusedPathAgrees() throws {
        var rng = SeededGenerator(seed: 5)
        let batch = 2, length = 9, heads = 3, dimension = 4, width = heads * dimension
        let qkv = try rng.normal([batch, length, 3 * width])
        let mask = [1, 1, 1, 1, 1, 1, 1, 0, 0] + Array(repeating: 1, count: length)
        let dropout = AttentionDropout(probability: 0.2, seed: 9)
        let fused = try Tensor.attention(fusedQKV: qkv, heads: heads, keyMask: mask, dropout: dropout)
        let part = { (index: Int) throws -> Tensor in
            try qkv.slice(axis: 2, range: (index * width)..<((index + 1) * width)).reshaped([batch, length, heads, dimension])
        }
        let separate = try Tensor.attention(query: part(0), key: part(1), value: part(2), keyMask: mask, dropout: dropout)
        #expect(maxRelativeError(fused.scalars.map(Double.init), separate.scalars.map(Double.init)) < 1e-6)
    }

    @Test("about p of the probabilities are dropped and the kept ones are scaled by 1/(1 − p)")
    func dropRate() {
        for probability: Float in [0.1, 0.5] {
            let dropout = AttentionDropout(probability: probability, seed: 3)
            var dropped = 0, total = 0
            for row in 0..<512 {
                for value in Self.keepScale(dropout, row: row, keys: 128) {
                    total += 1
                    if value == 0 { dropped += 1 } else { #expect(abs(value - 1 / (1 - probability)) < 1e-6) }
                }
            }
            let rate = Double(dropped) / Double(total)
            #expect(abs(rate - Double(probability)) < 0.01, "drop rate \(rate) for p = \(probability)")
        }
        // Neighbouring rows of one seed draw different masks.
        let dropout = AttentionDropout(probability: 0.5, seed: 3)
        #expect(Self.keepScale(dropout, row: 0, keys: 64) != Self.keepScale(dropout, row: 1, keys: 64))
    }

    @Test("p = 0 is attention without dropout, bit for bit; p = 1 gives zeros; bad probabilities throw")
    func edgeProbabilities() throws {
        var rng = SeededGenerator(seed: 8)
        let q = try rng.normal([1, 5, 2, 4]), k = try rng.normal([1, 5, 2, 4]), v = try rng.normal([1, 5, 2, 4])
        let plain = try Tensor.attention(query: q, key: k, value: v)
        let zero = try Tensor.attention(query: q, key: k, value: v, dropout: AttentionDropout(probability: 0, seed: 1))
        #expect(zero.scalars == plain.scalars)
        let all = try Tensor.attention(query: q, key: k, value: v, dropout: AttentionDropout(probability: 1, seed: 1))
        #expect(all.scalars.allSatisfy { $0 == 0 })
        for bad: Float in [-0.1, 1.5, .nan] {
            #expect(throws: TensorError.self) {
                try Tensor.attention(query: q, key: k, value: v, dropout: AttentionDropout(probability: bad, seed: 1))
            }
        }
    }
}
