// Element-wise activations of transformer feed-forward blocks: GELU (erf, BERT's "gelu"),
// GELU with the tanh approximation ("gelu_new" / "gelu_pytorch_tanh"), SiLU, and fused SwiGLU.
// Shapes: x [any] -> y [same]; swiglu: gate [any], up [same] -> y [same].
// Backward uses the saved input(s). The element loops are the C kernels of CSiftKernels
// (activations.c: the formulas, forward and backward side by side, an AVX-512 copy dispatched at
// run time); this file splits the work across threads and records the backward pass.
import CSiftKernels
import Foundation

/// Below this many elements a loop stays on one thread.
private let elementwiseMinChunk = 1 << 14

/// An activation's forward and backward element loops.
private protocol ElementwiseActivation {
    static var name: String { get }
    /// y[i] = f(x[i]) for i in 0..<count.
    static func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int)
    /// dx[i] = dy[i] · f′(x[i]) for i in 0..<count.
    static func backward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ count: Int)
}

/// GELU, exact: `0.5 · x · (1 + erf(x/√2))`.
private enum GELUErf: ElementwiseActivation {
    static let name = "gelu"
    static func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int) { sift_gelu_erf_forward(x, y, count) }
    static func backward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ count: Int) {
        sift_gelu_erf_backward(x, dy, dx, count)
    }
}

/// GELU, tanh form: `0.5 · x · (1 + tanh(√(2/π)(x + 0.044715 x³)))`.
private enum GELUTanh: ElementwiseActivation {
    static let name = "geluTanh"
    static func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int) { sift_gelu_tanh_forward(x, y, count) }
    static func backward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ count: Int) {
        sift_gelu_tanh_backward(x, dy, dx, count)
    }
}

/// SiLU: `x · σ(x)`.
private enum SiLU: ElementwiseActivation {
    static let name = "silu"
    static func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int) { sift_silu_forward(x, y, count) }
    static func backward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ count: Int) {
        sift_silu_backward(x, dy, dx, count)
    }
}

extension Tensor {
    /// Applies `Activation` element-wise and records `f′(x)·dy` as the backward pass.
    private func unaryActivation<Activation: ElementwiseActivation>(_ activation: Activation.Type) -> Tensor {
        let out = Tensor.uninitialized(shape)
        let x = storage.pointer, y = out.storage.pointer
        Parallel.forEachChunk(count, minChunk: elementwiseMinChunk) { range in
            Activation.forward(x + range.lowerBound, y + range.lowerBound, range.count)
        }
        let savedInput = storage
        return out.recordOp(Activation.name, inputs: [self]) { gradOut in
            let gradIn = Tensor.uninitialized(gradOut.shape)
            let dy = gradOut.storage.pointer, xx = savedInput.pointer, dx = gradIn.storage.pointer
            Parallel.forEachChunk(gradOut.count, minChunk: elementwiseMinChunk) { range in
                let at = range.lowerBound
                Activation.backward(xx + at, dy + at, dx + at, range.count)
            }
            return [gradIn]
        }
    }

    /// GELU, exact form: `x · Φ(x) = 0.5 · x · (1 + erf(x/√2))` (BERT's `"gelu"`).
    public func gelu() -> Tensor { unaryActivation(GELUErf.self) }

    /// GELU, tanh approximation: `0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 x³)))`
    /// (`"gelu_new"`, `"gelu_pytorch_tanh"`).
    public func geluTanh() -> Tensor { unaryActivation(GELUTanh.self) }

    /// SiLU (swish): `x · σ(x)`.
    public func silu() -> Tensor { unaryActivation(SiLU.self) }

    /// Fused SwiGLU of a gated feed-forward block: `silu(gate) · up`, in one pass.
    ///
    /// Throws `shapeMismatch` when `gate` and `up` differ in shape.
    public static func swiglu(gate: Tensor, up: Tensor) throws -> Tensor {
        guard gate.shape == up.shape else {
            throw TensorError.shapeMismatch(op: "swiglu", expected: "up with the gate's shape \(gate.shape)", got: up.shape)
        }
        let out = Tensor.uninitialized(gate.shape)
        let g = gate.storage.pointer, u = up.storage.pointer, y = out.storage.pointer
        Parallel.forEachChunk(gate.count, minChunk: elementwiseMinChunk) { range in
            let at = range.lowerBound
            sift_swiglu_forward(g + at, u + at, y + at, range.count)
        }
        let savedGate = gate.storage, savedUp = up.storage
        return out.recordOp("swiglu", inputs: [gate, up]) { gradOut in
            let gradGate = Tensor.uninitialized(gradOut.shape), gradUp = Tensor.uninitialized(gradOut.shape)
            let dy = gradOut.storage.pointer, gg = savedGate.pointer, uu = savedUp.pointer
            let dGate = gradGate.storage.pointer, dUp = gradUp.storage.pointer
            Parallel.forEachChunk(gradOut.count, minChunk: elementwiseMinChunk) { range in
                let at = range.lowerBound
                sift_swiglu_backward(gg + at, uu + at, dy + at, dGate + at, dUp + at, range.count)
            }
            return [gradGate, gradUp]
        }
    }
}

extension Reference {
    /// GELU (erf form) in Float64.
    public static func gelu(_ x: ReferenceTensor) -> ReferenceTensor {
        x.map { 0.5 * $0 * (1 + Foundation.erf($0 / 2.0.squareRoot())) }
    }

    /// GELU (tanh approximation) in Float64.
    public static func geluTanh(_ x: ReferenceTensor) -> ReferenceTensor {
        x.map { 0.5 * $0 * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * ($0 + 0.044715 * $0 * $0 * $0))) }
    }

    /// SiLU in Float64.
    public static func silu(_ x: ReferenceTensor) -> ReferenceTensor {
        x.map { $0 / (1 + Foundation.exp(-$0)) }
    }

    /// SwiGLU `silu(gate) · up` in Float64.
    public static func swiglu(gate: ReferenceTensor, up: ReferenceTensor) -> ReferenceTensor {
        ReferenceTensor(shape: gate.shape, data: zip(gate.data, up.data).map { g, u in g / (1 + Foundation.exp(-g)) * u })
    }
}
