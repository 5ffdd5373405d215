import Testing
@testable import SiftTensor

@Suite("LayerNorm and RMSNorm")
struct NormTests {
    static let shapes: [[Int]] = [[1, 1], [3, 3], [7], [2, 65], [65, 7], [2, 3, 16]]

    @Test("layerNorm matches reference and gradients of x, weight, bias", arguments: shapes)
    func layerNorm(shape: [Int]) throws {
        let channels = shape[shape.count - 1]
        // One channel: the normalised value is 0 and x has no gradient; the check still covers weight/bias.
        try checkOp(
            "layerNorm",
            inputs: [
                randomReference(shape, seed: 1, scale: 2), randomReference([channels], seed: 2).map { 1 + 0.1 * $0 },
                randomReference([channels], seed: 3, scale: 0.1),
            ],
            forwardTolerance: 1e-5,
            fast: { try $0[0].layerNorm(weight: $0[1], bias: $0[2], eps: 1e-5) },
            reference: { Reference.layerNorm($0[0], weight: $0[1], bias: $0[2], eps: 1e-5) })
    }

    @Test("layerNorm(adding:) is the LayerNorm of the sum: one pass without a graph, recorded ops with one", arguments: shapes)
    func layerNormAddingResidual(shape: [Int]) throws {
        let channels = shape[shape.count - 1]
        let inputs = [
            randomReference(shape, seed: 11, scale: 2), randomReference(shape, seed: 12),
            randomReference([channels], seed: 13).map { 1 + 0.1 * $0 }, randomReference([channels], seed: 14, scale: 0.1),
        ]
        func reference(_ r: [ReferenceTensor]) -> ReferenceTensor {
            let sum = ReferenceTensor(shape: r[0].shape, data: zip(r[0].data, r[1].data).map { $0 + $1 })
            return Reference.layerNorm(sum, weight: r[2], bias: r[3], eps: 1e-5)
        }
        // With a graph (gradients of both summands, weight and bias).
        try checkOp("layerNorm(adding:)", inputs: inputs, fast: { try $0[0].layerNorm(adding: $0[1], weight: $0[2], bias: $0[3], eps: 1e-5) },
                    reference: reference)
        // Without one: the fused pass.
        let fused = try withNoGrad {
            try inputs[0].tensor().layerNorm(adding: inputs[1].tensor(), weight: inputs[2].tensor(), bias: inputs[3].tensor(), eps: 1e-5)
        }
        #expect(fused.shape == shape)
        let error = maxRelativeError(fused.scalars.map(Double.init), reference(inputs).data)
        #expect(error < 1e-5, "fused add & norm: relative error \(error)")
    }

    // One channel with a tiny eps makes y ≈ sign(x)·w, whose x-gradient ~eps/|x|³ cancels in f32;
    // that case uses a large eps so the gradient check measures the kernel, not f32 cancellation.
    @Test("rmsNorm matches reference and gradients of x and weight", arguments: shapes)
    func rmsNorm(shape: [Int]) throws {
        let channels = shape[shape.count - 1]
        let eps: Float = channels == 1 ? 0.5 : 1e-6
        try checkOp(
            "rmsNorm",
            inputs: [randomReference(shape, seed: 4, scale: 2), randomReference([channels], seed: 5).map { 1 + 0.1 * $0 }],
            fast: { try $0[0].rmsNorm(weight: $0[1], eps: eps) },
            reference: { Reference.rmsNorm($0[0], weight: $0[1], eps: Double(eps)) })
    }

    @Test("norm backward gives the same bits on a multi-chunk problem run twice")
    func deterministicBackward() throws {
        var rng = SeededGenerator(seed: 8)
        let x = try rng.normal([64, 768]), weight = try rng.normal([768], requiresGrad: true)
        let gradOut = try rng.normal([64, 768])
        var results: [[Float]] = []
        for _ in 0..<2 {
            weight.zeroGrad()
            try x.rmsNorm(weight: weight, eps: 1e-6).backward(gradient: gradOut)
            results.append(try #require(weight.grad).scalars)
        }
        #expect(results[0] == results[1])
    }

    @Test("norms reject mismatched weights")
    func errors() throws {
        let x = try Tensor.zeros([2, 4])
        #expect(throws: TensorError.self) { try x.layerNorm(weight: try Tensor.zeros([3]), bias: try Tensor.zeros([4]), eps: 1e-5) }
        #expect(throws: TensorError.self) { try x.layerNorm(weight: try Tensor.zeros([4]), bias: try Tensor.zeros([2, 2]), eps: 1e-5) }
        #expect(throws: TensorError.self) { try x.rmsNorm(weight: try Tensor.zeros([5]), eps: 1e-6) }
        #expect(throws: TensorError.self) { try x.rmsNorm(weight: try Tensor.zeros([4]), eps: -1) }
        #expect(throws: TensorError.self) { try Tensor.scalar(1).rmsNorm(weight: try Tensor.zeros([1]), eps: 1e-6) }
        #expect(throws: TensorError.self) {
            try x.layerNorm(adding: try Tensor.zeros([2, 3]), weight: try Tensor.zeros([4]), bias: try Tensor.zeros([4]), eps: 1e-5)
        }
        #expect(throws: TensorError.self) {
            try withNoGrad { try x.layerNorm(adding: x, weight: try Tensor.zeros([3]), bias: try Tensor.zeros([4]), eps: 1e-5) }
        }
    }
}
