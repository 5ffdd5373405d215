import Testing
@testable import SiftTensor

@Suite("linear")
struct LinearTests {
    static let shapes: [(input: [Int], outFeatures: Int)] = [
        ([1], 1), ([3], 7), ([4, 5], 3), ([2, 3, 7], 65), ([65, 3], 1), ([2, 2, 3, 5], 4), ([300, 3], 5),
    ]

    @Test("with a bias: forward and all three gradients", arguments: shapes)
    func withBias(_ c: (input: [Int], outFeatures: Int)) throws {
        let inFeatures = c.input.last!
        try checkOp(
            "linear x\(c.input) W[\(c.outFeatures), \(inFeatures)] + b",
            inputs: [randomReference(c.input, seed: 3), randomReference([c.outFeatures, inFeatures], seed: 4),
                     randomReference([c.outFeatures], seed: 5)],
            fast: { try $0[0].linear(weight: $0[1], bias: $0[2]) },
            reference: { Reference.linear($0[0], weight: $0[1], bias: $0[2]) })
    }

    @Test("without a bias", arguments: shapes)
    func withoutBias(_ c: (input: [Int], outFeatures: Int)) throws {
        let inFeatures = c.input.last!
        try checkOp(
            "linear x\(c.input) W[\(c.outFeatures), \(inFeatures)]",
            inputs: [randomReference(c.input, seed: 6), randomReference([c.outFeatures, inFeatures], seed: 7)],
            fast: { try $0[0].linear(weight: $0[1]) },
            reference: { Reference.linear($0[0], weight: $0[1], bias: nil) })
    }

    @Test("a frozen input gets no gradient; weight and bias do")
    func frozenInput() throws {
        try checkOp(
            "linear, frozen input",
            inputs: [randomReference([5, 6], seed: 8), randomReference([4, 6], seed: 9), randomReference([4], seed: 10)],
            differentiable: [1, 2],
            fast: { try $0[0].linear(weight: $0[1], bias: $0[2]) },
            reference: { Reference.linear($0[0], weight: $0[1], bias: $0[2]) })
    }

    @Test("forward and backward are bit-identical run to run")
    func deterministic() throws {
        func step() throws -> [[UInt32]] {
            let x = randomReference([512, 48], seed: 11).tensor(requiresGrad: true)
            let weight = randomReference([40, 48], seed: 12).tensor(requiresGrad: true)
            let bias = randomReference([40], seed: 13).tensor(requiresGrad: true)
            let y = try x.linear(weight: weight, bias: bias)
            try y.backward(gradient: randomReference([512, 40], seed: 14).tensor())
            return try [y, #require(x.grad), #require(weight.grad), #require(bias.grad)].map { $0.scalars.map(\.bitPattern) }
        }
        let first = try step()
        for _ in 0..<3 { #expect(try step() == first) }
    }

    @Test("bad shapes throw, naming the weight")
    func shapeErrors() throws {
        let x = try Tensor.zeros([2, 3])
        let weight = try Tensor.zeros([4, 5], name: "bert.pooler.dense.weight")
        let error = #expect(throws: TensorError.self) { try x.linear(weight: weight) }
        #expect(error?.description.contains("bert.pooler.dense.weight") == true)
        #expect(throws: TensorError.self) { try x.linear(weight: Tensor.zeros([3])) }
        #expect(throws: TensorError.self) { try x.linear(weight: Tensor.zeros([4, 3]), bias: Tensor.zeros([3])) }
        #expect(throws: TensorError.self) { try Tensor.scalar(1).linear(weight: Tensor.zeros([1, 1])) }
    }
}

extension Tensor {
    /// Test helper: zeros with a parameter name.
    static func zeros(_ shape: [Int], name: String) throws -> Tensor {
        let t = try zeros(shape)
        t.name = name
        return t
    }
}
