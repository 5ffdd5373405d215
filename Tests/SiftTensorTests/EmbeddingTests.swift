import Testing
@testable import SiftTensor

@Suite("Embedding and pickRows")
struct EmbeddingTests {
    @Test("embedding gathers rows and scatter-adds repeated ids", arguments: [(1, 1), (3, 7), (7, 65), (65, 3)])
    func embeddingMatchesReference(vocabulary: Int, dimension: Int) throws {
        var rng = SeededGenerator(seed: UInt64(vocabulary * 100 + dimension))
        let shape = [2, 5]
        // Repeated ids on purpose: their gradients must add up.
        let ids = (0..<10).map { _ in Int(rng.next() % UInt64(vocabulary)) }
        try checkOp(
            "embedding", inputs: [randomReference([vocabulary, dimension], seed: 3)],
            fast: { try Tensor.embedding(table: $0[0], ids: ids, shape: shape) },
            reference: { Reference.embedding(table: $0[0], ids: ids, shape: shape) })
    }

    @Test("embedding backward is deterministic and matches a plain scatter on a larger table")
    func embeddingLargeScatter() throws {
        let vocabulary = 50, dimension = 300, n = 400
        var rng = SeededGenerator(seed: 11)
        let ids = (0..<n).map { _ in Int(rng.next() % UInt64(vocabulary)) }
        let table = try rng.normal([vocabulary, dimension], requiresGrad: true)
        let gradOut = try rng.normal([n, dimension])
        let out = try Tensor.embedding(table: table, ids: ids, shape: [n])
        try out.backward(gradient: gradOut)
        var expected = [Float](repeating: 0, count: vocabulary * dimension)
        let g = gradOut.scalars
        for (row, id) in ids.enumerated() { for d in 0..<dimension { expected[id * dimension + d] += g[row * dimension + d] } }
        #expect(try #require(table.grad).scalars == expected)
    }

    @Test("embedding rejects bad ids and shapes")
    func embeddingErrors() throws {
        let table = try Tensor.zeros([4, 3])
        #expect(throws: TensorError.indexOutOfRange(op: "embedding", index: 4, bound: 4)) {
            try Tensor.embedding(table: table, ids: [0, 4], shape: [2])
        }
        #expect(throws: TensorError.self) { try Tensor.embedding(table: table, ids: [-1], shape: [1]) }
        #expect(throws: TensorError.self) { try Tensor.embedding(table: table, ids: [0, 1, 2], shape: [2]) }
        #expect(throws: TensorError.self) { try Tensor.embedding(table: try Tensor.zeros([12]), ids: [0], shape: [1]) }
    }

    @Test("pickRows picks one position per batch row", arguments: [[1, 1, 1], [3, 7, 5], [2, 65, 3], [7, 3, 65]])
    func pickRowsMatchesReference(shape: [Int]) throws {
        let indices = (0..<shape[0]).map { ($0 * 5 + 2) % shape[1] }
        try checkOp(
            "pickRows", inputs: [randomReference(shape, seed: 5)],
            fast: { try $0[0].pickRows(indices) }, reference: { Reference.pickRows($0[0], indices) })
    }

    @Test("pickRows rejects bad indices and shapes")
    func pickRowsErrors() throws {
        let x = try Tensor.zeros([2, 3, 4])
        #expect(throws: TensorError.self) { try x.pickRows([0]) }
        #expect(throws: TensorError.self) { try x.pickRows([0, 3]) }
        #expect(throws: TensorError.self) { try x.pickRows([-1, 0]) }
        #expect(throws: TensorError.self) { try Tensor.zeros([2, 3]).pickRows([0, 0]) }
    }
}
