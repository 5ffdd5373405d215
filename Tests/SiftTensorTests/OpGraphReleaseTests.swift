import Testing
@testable import SiftTensor

@Suite("Op outputs are released")
struct OpGraphReleaseTests {
    /// Builds every op's output from inputs that require grad and drops it without calling backward:
    /// a backward closure that captured its own output would keep it alive (a retain cycle).
    @Test("no op keeps its own output alive through its backward closure")
    func outputsAreReleased() throws {
        var rng = SeededGenerator(seed: 1)
        let x = try rng.normal([2, 3, 2, 4], requiresGrad: true)
        let table = try rng.normal([5, 4], requiresGrad: true)
        let channels = try rng.normal([4], requiresGrad: true)
        let builders: [(String, () throws -> Tensor)] = [
            ("embedding", { try Tensor.embedding(table: table, ids: [0, 4, 2], shape: [3]) }),
            ("gelu", { x.gelu() }), ("geluTanh", { x.geluTanh() }), ("silu", { x.silu() }),
            ("swiglu", { try Tensor.swiglu(gate: x, up: x) }),
            ("softmax", { try x.softmax() }), ("logSoftmax", { try x.logSoftmax(axis: 1) }),
            ("layerNorm", { try x.layerNorm(weight: channels, bias: channels, eps: 1e-5) }),
            ("rmsNorm", { try x.rmsNorm(weight: channels, eps: 1e-6) }),
            ("rope", { try x.rope(positions: [0, 1, 2, 0, 1, 2], theta: 10_000) }),
            ("attention", { try Tensor.attention(query: x, key: x, value: x, keyMask: [1, 1, 0, 1, 1, 1], causal: true) }),
            ("dropout", {
                var generator = SeededGenerator(seed: 2)
                return try x.dropout(probability: 0.5, generator: &generator, training: true)
            }),
            ("crossEntropy", { try Tensor.crossEntropy(logits: table, targets: [0, 1, -100, 3, 2]) }),
            ("pickRows", { try table.detached().reshapedForTest([1, 5, 4], requiresGrad: true).pickRows([3]) }),
        ]
        for (name, build) in builders {
            weak var released: Tensor?
            do {
                let output = try build()
                #expect(output.gradFn != nil, "\(name) recorded no graph node")
                released = output
            }
            #expect(released == nil, "\(name): the output is still alive, its backward closure captures it")
        }
    }
}

extension Tensor {
    /// A leaf with the same storage and a new shape (tests only).
    fileprivate func reshapedForTest(_ shape: [Int], requiresGrad: Bool) throws -> Tensor {
        try Tensor(shape: shape, storage: storage, requiresGrad: requiresGrad)
    }
}
