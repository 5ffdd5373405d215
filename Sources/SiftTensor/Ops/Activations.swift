// Element-wise activations of transformer feed-forward blocks: GELU (erf, BERT's "gelu"),
// GELU with the tanh approximation ("gelu_new" / "gelu_pytorch_tanh"), SiLU, and fused SwiGLU.
// Shapes: x [any] -> y [same]; swiglu: gate [any], up [same] -> y [same].
// Backward uses the saved input(s): each derivative is written next to its forward formula.
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Foundation

/// Constants shared by the GELU forms.
private enum GELUConstants {
    static let inverseSqrt2: Float = 0.707_106_77  // 1/√2
    static let inverseSqrt2Pi: Float = 0.398_942_28  // 1/√(2π)
    static let sqrt2OverPi: Float = 0.797_884_56  // √(2/π)
    static let cubic: Float = 0.044_715
}

/// Below this many elements a loop stays on one thread.
private let elementwiseMinChunk = 1 << 14

/// A scalar activation and its derivative. Static requirements let the element-wise loop below be
/// specialised and inlined for each activation (no closure call per element).
private protocol ScalarActivation {
    static var name: String { get }
    static func value(_ x: Float) -> Float
    static func derivative(_ x: Float) -> Float
}

/// GELU, exact: `0.5 · x · (1 + erf(x/√2))`; derivative Φ(x) + x · φ(x), φ the standard normal density.
private enum GELUErf: ScalarActivation {
    static let name = "gelu"
    @inline(__always) static func value(_ x: Float) -> Float { 0.5 * x * (1 + erff(x * GELUConstants.inverseSqrt2)) }
    @inline(__always) static func derivative(_ x: Float) -> Float {
        0.5 * (1 + erff(x * GELUConstants.inverseSqrt2)) + x * GELUConstants.inverseSqrt2Pi * expf(-0.5 * x * x)
    }
}

/// GELU, tanh form: with u = √(2/π)(x + c x³), t = tanh u: y = 0.5 x (1 + t),
/// derivative 0.5(1 + t) + 0.5 x (1 − t²) √(2/π)(1 + 3c x²).
private enum GELUTanh: ScalarActivation {
    static let name = "geluTanh"
    @inline(__always) static func value(_ x: Float) -> Float {
        0.5 * x * (1 + tanhf(GELUConstants.sqrt2OverPi * (x + GELUConstants.cubic * x * x * x)))
    }
    @inline(__always) static func derivative(_ x: Float) -> Float {
        let t = tanhf(GELUConstants.sqrt2OverPi * (x + GELUConstants.cubic * x * x * x))
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELUConstants.sqrt2OverPi * (1 + 3 * GELUConstants.cubic * x * x)
    }
}

/// SiLU: y = x · σ(x); derivative σ(x) · (1 + x · (1 − σ(x))).
private enum SiLU: ScalarActivation {
    static let name = "silu"
    @inline(__always) static func value(_ x: Float) -> Float { x / (1 + expf(-x)) }
    @inline(__always) static func derivative(_ x: Float) -> Float {
        let sigma = 1 / (1 + expf(-x))
        return sigma * (1 + x * (1 - sigma))
    }
}

extension Tensor {
    /// Applies `Activation` element-wise and records `derivative(x)·dy` as the backward pass.
    private func unaryActivation<Activation: ScalarActivation>(_ activation: Activation.Type) -> Tensor {
        let out = Tensor.uninitialized(shape)
        let x = storage.pointer, y = out.storage.pointer
        Parallel.forEachChunk(count, minChunk: elementwiseMinChunk) { range in
            for i in range { y[i] = Activation.value(x[i]) }
        }
        let savedInput = storage
        return out.recordOp(Activation.name, inputs: [self]) { gradOut in
            let gradIn = Tensor.uninitialized(gradOut.shape)
            let dy = gradOut.storage.pointer, xx = savedInput.pointer, dx = gradIn.storage.pointer
            Parallel.forEachChunk(gradOut.count, minChunk: elementwiseMinChunk) { range in
                for i in range { dx[i] = dy[i] * Activation.derivative(xx[i]) }
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
            for i in range { y[i] = g[i] / (1 + expf(-g[i])) * u[i] }
        }
        let savedGate = gate.storage, savedUp = up.storage
        return out.recordOp("swiglu", inputs: [gate, up]) { gradOut in
            let gradGate = Tensor.uninitialized(gradOut.shape), gradUp = Tensor.uninitialized(gradOut.shape)
            let dy = gradOut.storage.pointer, gg = savedGate.pointer, uu = savedUp.pointer
            let dGate = gradGate.storage.pointer, dUp = gradUp.storage.pointer
            Parallel.forEachChunk(gradOut.count, minChunk: elementwiseMinChunk) { range in
                for i in range {
                    let sigma = 1 / (1 + expf(-gg[i]))
                    dUp[i] = dy[i] * gg[i] * sigma  // ∂/∂up = silu(gate)
                    dGate[i] = dy[i] * uu[i] * sigma * (1 + gg[i] * (1 - sigma))  // ∂/∂gate = up · silu'(gate)
                }
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
