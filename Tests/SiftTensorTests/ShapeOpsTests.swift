import Testing
@testable import SiftTensor

@Suite("shape ops")
struct ShapeOpsTests {
    @Test("reshaped shares storage, infers -1, and passes gradients back")
    func reshape() throws {
        let x = try Tensor(shape: [2, 6], values: (0..<12).map(Float.init))
        let y = try x.reshaped([3, -1, 2])
        #expect(y.shape == [3, 2, 2])
        #expect(y.storage === x.storage)
        try checkOp("reshaped", inputs: [randomReference([2, 3, 5], seed: 51)],
                    fast: { try $0[0].reshaped([5, -1]).tanh() },
                    reference: { Reference.tanh(Reference.reshape($0[0], [5, 6])) })
    }

    @Test("reshaped rejects bad shapes")
    func reshapeErrors() throws {
        let x = try Tensor.zeros([2, 6])
        #expect(throws: TensorError.self) { try x.reshaped([5, 2]) }
        #expect(throws: TensorError.self) { try x.reshaped([-1, -1]) }
        #expect(throws: TensorError.self) { try x.reshaped([5, -1]) }
        #expect(throws: TensorError.self) { try x.reshaped([-2, -6]) }
        #expect(throws: TensorError.self) { try Tensor.zeros([0, 3]).reshaped([0, -1]) }
    }

    static let permutations: [([Int], [Int])] = [
        ([3, 5], [1, 0]), ([65, 33], [1, 0]), ([1, 7], [1, 0]), ([2, 3, 4, 5], [0, 2, 1, 3]),
        ([2, 3, 4, 5], [3, 1, 0, 2]), ([3, 17, 20], [0, 2, 1]), ([2, 3, 4], [-1, 0, 1]), ([7], [0]),
    ]

    @Test("permuted matches the reference both ways", arguments: permutations)
    func permute(_ c: ([Int], [Int])) throws {
        let resolved = c.1.map { $0 < 0 ? $0 + c.0.count : $0 }
        try checkOp("permuted \(c.0) by \(c.1)", inputs: [randomReference(c.0, seed: 52)],
                    fast: { try $0[0].permuted(c.1) }, reference: { Reference.permute($0[0], resolved) })
    }

    @Test("transposed swaps two axes")
    func transpose() throws {
        try checkOp("transposed(1, 2)", inputs: [randomReference([2, 3, 4, 5], seed: 53)],
                    fast: { try $0[0].transposed(1, 2) }, reference: { Reference.permute($0[0], [0, 2, 1, 3]) })
        try checkOp("transposed(-1, 0)", inputs: [randomReference([7, 65], seed: 54)],
                    fast: { try $0[0].transposed(-1, 0) }, reference: { Reference.permute($0[0], [1, 0]) })
    }

    @Test("permuted and transposed reject bad axes")
    func permuteErrors() throws {
        let x = try Tensor.zeros([2, 3, 4])
        #expect(throws: TensorError.self) { try x.permuted([0, 1]) }
        #expect(throws: TensorError.self) { try x.permuted([0, 0, 1]) }
        #expect(throws: TensorError.self) { try x.permuted([0, 1, 3]) }
        #expect(throws: TensorError.self) { try x.transposed(0, 3) }
        #expect(throws: TensorError.self) { try Tensor.scalar(1).transposed(0, 0) }
    }

    static let concatCases: [([[Int]], Int)] = [
        ([[2, 3], [4, 3]], 0), ([[2, 3], [2, 1], [2, 5]], 1), ([[2, 3, 4], [2, 1, 4], [2, 7, 4]], -2),
        ([[3, 65]], 0), ([[1, 2, 3], [1, 2, 1]], 2),
    ]

    @Test("concat matches the reference and splits the gradient", arguments: concatCases)
    func concat(_ c: ([[Int]], Int)) throws {
        let inputs = c.0.enumerated().map { randomReference($1, seed: 60 + UInt64($0)) }
        let resolved = c.1 < 0 ? c.1 + c.0[0].count : c.1
        try checkOp("concat axis \(c.1)", inputs: inputs,
                    fast: { try Tensor.concat($0, axis: c.1) }, reference: { Reference.concat($0, axis: resolved) })
    }

    @Test("concat rejects empty lists and mismatched shapes")
    func concatErrors() throws {
        #expect(throws: TensorError.self) { try Tensor.concat([], axis: 0) }
        #expect(throws: TensorError.self) { try Tensor.concat([Tensor.zeros([2, 3]), Tensor.zeros([3, 3])], axis: 1) }
        #expect(throws: TensorError.self) { try Tensor.concat([Tensor.zeros([2, 3]), Tensor.zeros([2, 3, 1])], axis: 0) }
        #expect(throws: TensorError.self) { try Tensor.concat([Tensor.zeros([2, 3])], axis: 2) }
    }

    static let sliceCases: [([Int], Int, Range<Int>)] = [
        ([7], 0, 2..<5), ([3, 5], 1, 0..<1), ([3, 5], 0, 1..<3), ([2, 65, 3], 1, 10..<43), ([2, 3, 4], -1, 3..<4),
        ([4, 3], 0, 2..<2),
    ]

    @Test("slice matches the reference and scatters the gradient", arguments: sliceCases)
    func slice(_ c: ([Int], Int, Range<Int>)) throws {
        let resolved = c.1 < 0 ? c.1 + c.0.count : c.1
        try checkOp("slice \(c.0) axis \(c.1) \(c.2)", inputs: [randomReference(c.0, seed: 70)],
                    fast: { try $0[0].slice(axis: c.1, range: c.2) },
                    reference: { Reference.slice($0[0], axis: resolved, range: c.2) })
    }

    @Test("slice rejects ranges outside the axis")
    func sliceErrors() throws {
        let x = try Tensor.zeros([2, 3])
        #expect(throws: TensorError.self) { try x.slice(axis: 1, range: 2..<4) }
        #expect(throws: TensorError.self) { try x.slice(axis: 2, range: 0..<1) }
        #expect(throws: TensorError.self) { try x.slice(axis: 0, range: -1..<1) }
    }
}
