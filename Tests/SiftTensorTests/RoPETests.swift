import Testing
@testable import SiftTensor

@Suite("RoPE")
struct RoPETests {
    @Test("rope matches reference and its gradient (rotation by −angle)", arguments: [(1, 1, 1, 2), (1, 3, 2, 8), (2, 7, 3, 16), (1, 65, 1, 8), (2, 3, 1, 64)])
    func matchesReference(batch: Int, time: Int, heads: Int, dimension: Int) throws {
        // Positions include a left-padded row (repeated 0s) and an offset row.
        let positions = (0..<(batch * time)).map { index in
            let b = index / time, t = index % time
            return b == 0 ? t : max(0, t - 2) + 5
        }
        try checkOp(
            "rope", inputs: [randomReference([batch, time, heads, dimension], seed: UInt64(dimension))],
            fast: { try $0[0].rope(positions: positions, theta: 10_000) },
            reference: { Reference.rope($0[0], positions: positions, theta: 10_000) })
    }

    @Test("a sequence at positions p equals each token rotated alone at its position", arguments: [8, 16, 64])
    func positionsAreIndependent(dimension: Int) throws {
        let batch = 2, time = 5, heads = 3
        var rng = SeededGenerator(seed: UInt64(dimension))
        let x = try rng.normal([batch, time, heads, dimension])
        let positions = [3, 4, 5, 6, 7, 0, 0, 0, 1, 2]  // row 0: a KV-cache offset of 3; row 1: left padding
        let whole = try x.rope(positions: positions, theta: 1_000_000).scalars
        let values = x.scalars, tokenSize = heads * dimension
        for token in 0..<(batch * time) {
            let single = try Tensor(shape: [1, 1, heads, dimension], values: Array(values[(token * tokenSize)..<((token + 1) * tokenSize)]))
            let rotated = try single.rope(positions: [positions[token]], theta: 1_000_000).scalars
            #expect(rotated == Array(whole[(token * tokenSize)..<((token + 1) * tokenSize)]))
        }
    }

    @Test("position 0 is the identity and scores depend only on relative position")
    func relativePosition() throws {
        var rng = SeededGenerator(seed: 21)
        let q = try rng.normal([1, 1, 1, 16]), k = try rng.normal([1, 1, 1, 16])
        #expect(try q.rope(positions: [0], theta: 10_000).scalars == q.scalars)
        func score(_ m: Int, _ n: Int) throws -> Float {
            let a = try q.rope(positions: [m], theta: 10_000).scalars, b = try k.rope(positions: [n], theta: 10_000).scalars
            return zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
        }
        #expect(abs(try score(7, 3) - score(4, 0)) < 1e-4)
        #expect(abs(try score(20, 10) - score(10, 0)) < 1e-4)
    }

    @Test("inverse frequencies follow 1/theta^(2i/D)")
    func inverseFrequencies() throws {
        let f = RotaryEmbedding.inverseFrequencies(headDimension: 8, theta: 10_000)
        let expected = (0..<4).map { 1 / pow(10_000.0, Double(2 * $0) / 8) }
        for (a, b) in zip(f, expected) { #expect(abs(Double(a) - b) <= 1e-7 * b) }
    }

    @Test("rope rejects odd head dims, wrong position counts and wrong ranks")
    func errors() throws {
        #expect(throws: TensorError.self) { try Tensor.zeros([1, 2, 1, 3]).rope(positions: [0, 1], theta: 10_000) }
        #expect(throws: TensorError.self) { try Tensor.zeros([1, 2, 1, 4]).rope(positions: [0], theta: 10_000) }
        #expect(throws: TensorError.self) { try Tensor.zeros([2, 1, 4]).rope(positions: [0, 1], theta: 10_000) }
        #expect(throws: TensorError.self) { try Tensor.zeros([1, 1, 1, 4]).rope(positions: [0], theta: 0) }
    }
}

import Foundation
