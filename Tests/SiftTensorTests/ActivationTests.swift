import Testing
@testable import SiftTensor

@Suite("Activations")
struct ActivationTests {
    static let shapes: [[Int]] = [[1], [3], [7], [5, 13], [2, 65]]

    @Test("gelu (erf) matches reference and gradient", arguments: shapes)
    func gelu(shape: [Int]) throws {
        try checkOp("gelu", inputs: [randomReference(shape, seed: 1, scale: 2)], fast: { $0[0].gelu() }, reference: { Reference.gelu($0[0]) })
    }

    @Test("gelu (tanh) matches reference and gradient", arguments: shapes)
    func geluTanh(shape: [Int]) throws {
        try checkOp(
            "geluTanh", inputs: [randomReference(shape, seed: 2, scale: 2)], fast: { $0[0].geluTanh() },
            reference: { Reference.geluTanh($0[0]) })
    }

    @Test("silu matches reference and gradient", arguments: shapes)
    func silu(shape: [Int]) throws {
        try checkOp("silu", inputs: [randomReference(shape, seed: 3, scale: 2)], fast: { $0[0].silu() }, reference: { Reference.silu($0[0]) })
    }

    @Test("swiglu matches reference and gradient for both inputs", arguments: shapes)
    func swiglu(shape: [Int]) throws {
        try checkOp(
            "swiglu", inputs: [randomReference(shape, seed: 4, scale: 2), randomReference(shape, seed: 5)],
            fast: { try Tensor.swiglu(gate: $0[0], up: $0[1]) }, reference: { Reference.swiglu(gate: $0[0], up: $0[1]) })
    }

    @Test("swiglu equals silu(gate)·up computed separately")
    func swigluEqualsComposition() throws {
        var rng = SeededGenerator(seed: 9)
        let gate = try rng.normal([3, 40]), up = try rng.normal([3, 40])
        let fused = try Tensor.swiglu(gate: gate, up: up).scalars
        let separate = zip(gate.silu().scalars, up.scalars).map { $0 * $1 }
        #expect(fused == separate)
    }

    @Test("gelu forms differ by less than their known approximation error and agree at large |x|")
    func geluFormsAgree() throws {
        let x = try Tensor(shape: [5], values: [-6, -1, 0, 1, 6])
        for (a, b) in zip(x.gelu().scalars, x.geluTanh().scalars) { #expect(abs(a - b) < 1e-3) }
    }

    @Test("swiglu rejects mismatched shapes")
    func swigluErrors() throws {
        #expect(throws: TensorError.self) { try Tensor.swiglu(gate: try Tensor.zeros([2, 3]), up: try Tensor.zeros([3, 2])) }
    }
}
