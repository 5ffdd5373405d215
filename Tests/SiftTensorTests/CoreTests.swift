import Testing
@testable import SiftTensor

@Suite("Engine core")
struct CoreTests {
    @Test("tanh matches its reference and its finite-difference gradient", arguments: [[1], [3], [7], [5, 13], [2, 65]])
    func tanhOp(shape: [Int]) throws {
        try checkOp("tanh", inputs: [randomReference(shape, seed: 1)], fast: { $0[0].tanh() }, reference: { Reference.tanh($0[0]) })
    }

    @Test("shape errors are thrown, not crashes")
    func shapeErrors() {
        #expect(throws: TensorError.self) { try Tensor(shape: [2, 3], values: [1, 2, 3]) }
        #expect(throws: TensorError.self) { try Tensor.zeros([-1, 2]) }
    }

    @Test("inference mode records nothing")
    func inferenceRecordsNothing() throws {
        let x = try Tensor(shape: [4], values: [0.1, 0.2, 0.3, 0.4], requiresGrad: true)
        let counter = GraphRecordCounter()
        let y = GradMode.$recordCounter.withValue(counter) { withNoGrad { x.tanh().tanh() } }
        #expect(counter.count == 0)
        // The same ops with grad on record two nodes: the counter does count.
        _ = GradMode.$recordCounter.withValue(counter) { x.tanh().tanh() }
        #expect(counter.count == 2)
        #expect(y.gradFn == nil && !y.requiresGrad)
        #expect(throws: TensorError.self) { try y.backward() }
    }

    @Test("backward frees the graph and accumulates into leaves")
    func backwardReleasesGraph() throws {
        let x = try Tensor(shape: [3], values: [0.5, -0.25, 1], requiresGrad: true)
        let y = x.tanh()
        #expect(y.gradFn != nil)
        try y.backward(gradient: Tensor(shape: [3], values: [1, 1, 1]))
        #expect(y.gradFn == nil)
        let first = try #require(x.grad).scalars
        try x.tanh().backward(gradient: Tensor(shape: [3], values: [1, 1, 1]))
        let second = try #require(x.grad).scalars
        for (a, b) in zip(first, second) { #expect(abs(2 * a - b) < 1e-6) }
    }

    @Test("bf16 and f16 conversions round to nearest even")
    func halfConversions() {
        // 1 + 2^-8 is exactly halfway between two bf16 values: ties to even (1.0).
        #expect(HalfConversion.bf16Bits(from: 1 + 0x1p-8) == 0x3F80)
        // 1 + 3·2^-8 is halfway between 1+2^-7 (odd) and 1+2^-6 (even): rounds up.
        #expect(HalfConversion.bf16Bits(from: 1 + 3 * 0x1p-8) == 0x3F82)
        #expect(HalfConversion.float(fromBF16: 0x4049) == 3.140625)
        var rng = SeededGenerator(seed: 3)
        for _ in 0..<20_000 {
            let v = Float(rng.nextNormal() * 1000) * (rng.nextUniform() < 0.5 ? 1e-6 : 1)
            #expect(HalfConversion.f16Bits(from: v) == HalfConversion.softwareF16Bits(from: v))
            let bits = UInt16(truncatingIfNeeded: rng.next())
            let a = HalfConversion.float(fromF16: bits), b = HalfConversion.softwareFloat(fromF16: bits)
            #expect(a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN))
        }
    }

    @Test("seeded generator is reproducible")
    func generatorReproducible() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42)
        for _ in 0..<100 { #expect(a.next() == b.next()) }
        #expect(a.nextNormal() == b.nextNormal())
    }
}
