// Element-wise activations of transformer feed-forward blocks: GELU (erf, BERT's "gelu"),
// GELU with the tanh approximation ("gelu_new" / "gelu_pytorch_tanh"), SiLU, and fused SwiGLU.
// Shapes: x [any] -> y [same]; swiglu: gate [any], up [same] -> y [same].
// Backward uses the saved input(s): each derivative is written next to its forward formula.
// All are computed 16 lanes at a time with `VectorMath` (exp, erf) instead of libm per element.
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

/// An activation and its derivative on 16 lanes at a time. Static requirements let the loop below
/// be specialised and inlined for each activation (no closure call per element).
private protocol VectorActivation {
    static var name: String { get }
    static func value(_ x: SIMD16<Float>) -> SIMD16<Float>
    static func derivative(_ x: SIMD16<Float>) -> SIMD16<Float>
}

/// GELU, exact: `0.5 · x · (1 + erf(x/√2))`; derivative Φ(x) + x · φ(x), φ the standard normal density.
private enum GELUErf: VectorActivation {
    static let name = "gelu"
    @inline(__always) static func value(_ x: SIMD16<Float>) -> SIMD16<Float> {
        0.5 * x * (1 + VectorMath.erf(x * GELUConstants.inverseSqrt2))
    }
    @inline(__always) static func derivative(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let cdf: SIMD16<Float> = 0.5 * (1 + VectorMath.erf(x * GELUConstants.inverseSqrt2))
        let density: SIMD16<Float> = GELUConstants.inverseSqrt2Pi * VectorMath.exp(-0.5 * (x * x))
        return cdf + x * density
    }
}

/// GELU, tanh form: with u = √(2/π)(x + c x³), t = tanh u: y = 0.5 x (1 + t),
/// derivative 0.5(1 + t) + 0.5 x (1 − t²) √(2/π)(1 + 3c x²). tanh u = 1 − 2/(e^(2u) + 1).
private enum GELUTanh: VectorActivation {
    static let name = "geluTanh"
    @inline(__always) static func tanhOfU(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let cube: SIMD16<Float> = x * x * x
        let u: SIMD16<Float> = GELUConstants.sqrt2OverPi * (x + GELUConstants.cubic * cube)
        return 1 - 2 / (VectorMath.exp(2 * u) + 1)
    }
    @inline(__always) static func value(_ x: SIMD16<Float>) -> SIMD16<Float> { 0.5 * x * (1 + tanhOfU(x)) }
    @inline(__always) static func derivative(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let t = tanhOfU(x)
        let slope: SIMD16<Float> = GELUConstants.sqrt2OverPi * (1 + (3 * GELUConstants.cubic) * (x * x))
        let outer: SIMD16<Float> = 0.5 * (1 + t)
        return outer + (0.5 * x) * (1 - t * t) * slope
    }
}

/// SiLU: y = x · σ(x); derivative σ(x) · (1 + x · (1 − σ(x))).
private enum SiLU: VectorActivation {
    static let name = "silu"
    @inline(__always) static func sigmoid(_ x: SIMD16<Float>) -> SIMD16<Float> { 1 / (1 + VectorMath.exp(-x)) }
    @inline(__always) static func value(_ x: SIMD16<Float>) -> SIMD16<Float> { x * sigmoid(x) }
    @inline(__always) static func derivative(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let sigma = sigmoid(x)
        return sigma * (1 + x * (1 - sigma))
    }
}

/// Applies `f` to `count` elements 16 at a time; the tail goes through a zero-padded vector so
/// every element is computed by the same code.
@inline(__always)
private func forEachVector(
    count: Int, _ f: (_ offset: Int, _ load: (UnsafePointer<Float>) -> SIMD16<Float>, _ lanes: Int) -> Void
) {
    var i = 0
    while i + 16 <= count {
        f(i, { VectorMath.load($0) }, 16)
        i += 16
    }
    if i < count {
        let lanes = count - i
        f(i, { pointer in
            var v = SIMD16<Float>()
            for lane in 0..<lanes { v[lane] = pointer[lane] }
            return v
        }, lanes)
    }
}

/// Writes the first `lanes` lanes of `v` to `p`.
@inline(__always)
private func storeLanes(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>, lanes: Int) {
    if lanes == 16 { VectorMath.store(v, p) } else { for lane in 0..<lanes { p[lane] = v[lane] } }
}

extension Tensor {
    /// Applies `Activation` element-wise and records `derivative(x)·dy` as the backward pass.
    private func unaryActivation<Activation: VectorActivation>(_ activation: Activation.Type) -> Tensor {
        let out = Tensor.uninitialized(shape)
        let x = storage.pointer, y = out.storage.pointer
        Parallel.forEachChunk(count, minChunk: elementwiseMinChunk) { range in
            let base = range.lowerBound
            forEachVector(count: range.count) { offset, load, lanes in
                storeLanes(Activation.value(load(x + base + offset)), y + base + offset, lanes: lanes)
            }
        }
        let savedInput = storage
        return out.recordOp(Activation.name, inputs: [self]) { gradOut in
            let gradIn = Tensor.uninitialized(gradOut.shape)
            let dy = gradOut.storage.pointer, xx = savedInput.pointer, dx = gradIn.storage.pointer
            Parallel.forEachChunk(gradOut.count, minChunk: elementwiseMinChunk) { range in
                let base = range.lowerBound
                forEachVector(count: range.count) { offset, load, lanes in
                    let at = base + offset
                    storeLanes(load(dy + at) * Activation.derivative(load(xx + at)), dx + at, lanes: lanes)
                }
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
            let base = range.lowerBound
            forEachVector(count: range.count) { offset, load, lanes in
                let at = base + offset
                storeLanes(SiLU.value(load(g + at)) * load(u + at), y + at, lanes: lanes)
            }
        }
        let savedGate = gate.storage, savedUp = up.storage
        return out.recordOp("swiglu", inputs: [gate, up]) { gradOut in
            let gradGate = Tensor.uninitialized(gradOut.shape), gradUp = Tensor.uninitialized(gradOut.shape)
            let dy = gradOut.storage.pointer, gg = savedGate.pointer, uu = savedUp.pointer
            let dGate = gradGate.storage.pointer, dUp = gradUp.storage.pointer
            Parallel.forEachChunk(gradOut.count, minChunk: elementwiseMinChunk) { range in
                let base = range.lowerBound
                forEachVector(count: range.count) { offset, load, lanes in
                    let at = base + offset
                    let gateValue = load(gg + at), gradient = load(dy + at)
                    let sigma = SiLU.sigmoid(gateValue)
                    storeLanes(gradient * gateValue * sigma, dUp + at, lanes: lanes)  // ∂/∂up = silu(gate)
                    // ∂/∂gate = up · silu'(gate)
                    let siluSlope: SIMD16<Float> = sigma * (1 + gateValue * (1 - sigma))
                    storeLanes(gradient * load(uu + at) * siluSlope, dGate + at, lanes: lanes)
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
