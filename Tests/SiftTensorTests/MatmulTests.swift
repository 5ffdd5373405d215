import Testing
@testable import SiftTensor

@Suite("matmul")
struct MatmulTests {
    /// (a's stored shape, b's stored shape, transposeA, transposeB)
    static let cases: [([Int], [Int], Bool, Bool)] = [
        ([3, 7], [7, 5], false, false),
        ([1, 1], [1, 1], false, false),
        ([7, 3], [7, 5], true, false),
        ([3, 7], [5, 7], false, true),
        ([7, 3], [5, 7], true, true),
        ([65, 3], [3, 7], false, false),
        ([2, 3, 4], [2, 4, 5], false, false),
        ([2, 4, 3], [2, 5, 4], true, true),
        ([2, 3, 4, 3], [2, 3, 3, 1], false, false),
        ([2, 3, 4], [4, 5], false, false),  // shared 2-D right operand, batch folded into M
        ([2, 3, 4], [5, 4], false, true),
        ([3, 4, 3], [4, 5], true, false),   // shared right operand with a transposed left: per-item GEMMs
        ([3, 4, 3], [5, 4], true, true),
    ]

    @Test("forward matches the Float64 reference and gradients match finite differences", arguments: cases)
    func matchesReference(_ c: ([Int], [Int], Bool, Bool)) throws {
        let (shapeA, shapeB, ta, tb) = c
        try checkOp(
            "matmul \(shapeA)\(ta ? "ᵀ" : "") × \(shapeB)\(tb ? "ᵀ" : "")",
            inputs: [randomReference(shapeA, seed: 11), randomReference(shapeB, seed: 12)],
            fast: { try $0[0].matmul($0[1], transposeSelf: ta, transposeOther: tb) },
            reference: { Reference.matmul($0[0], $0[1], transposeA: ta, transposeB: tb) })
    }

    @Test("only the operands that require grad get a gradient")
    func partialGradients() throws {
        let a = randomReference([4, 3], seed: 1).tensor(requiresGrad: false)
        let b = randomReference([3, 2], seed: 2).tensor(requiresGrad: true)
        let c = try a.matmul(b)
        try c.backward(gradient: Tensor.full([4, 2], value: 1))
        #expect(a.grad == nil)
        let expected = Reference.matmul(ReferenceTensor(a), ReferenceTensor(try Tensor.full([4, 2], value: 1)), transposeA: true)
        #expect(maxRelativeError(try #require(b.grad).scalars.map(Double.init), expected.data) < 1e-6)
    }

    @Test("bad shapes throw")
    func shapeErrors() throws {
        let vector = try Tensor.zeros([3]), matrix = try Tensor.zeros([3, 4])
        #expect(throws: TensorError.self) { try vector.matmul(matrix) }
        #expect(throws: TensorError.self) { try matrix.matmul(vector) }
        #expect(throws: TensorError.self) { try matrix.matmul(Tensor.zeros([3, 4])) }  // K 4 vs 3
        #expect(throws: TensorError.self) { try Tensor.zeros([2, 3, 4]).matmul(Tensor.zeros([3, 4, 5])) }  // batch 2 vs 3
        #expect(throws: TensorError.self) { try matrix.matmul(Tensor.zeros([2, 4, 5])) }  // batched right, 2-D left
        let transposedOK = try matrix.matmul(Tensor.zeros([3, 4]), transposeSelf: true)
        #expect(transposedOK.shape == [4, 4])
    }

    @Test("empty dimensions give empty or zero results, not crashes")
    func emptyDimensions() throws {
        let zeroK = try Tensor.full([2, 0], value: 1).matmul(Tensor.full([0, 3], value: 1))
        #expect(zeroK.shape == [2, 3] && zeroK.scalars.allSatisfy { $0 == 0 })
        #expect(try Tensor.zeros([0, 4]).matmul(Tensor.zeros([4, 3])).shape == [0, 3])
    }
}
