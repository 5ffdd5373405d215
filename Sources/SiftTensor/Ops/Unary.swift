// Cheap element-wise unary maps: + scalar, × scalar, negation, square, square root, exp, log.
// Shapes: x [any] -> y [same].
// Backward: dx = dy · f'(x), using the saved input or output (whichever f' needs).
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

extension Tensor {
    /// `self + scalar`, element-wise.
    public func adding(_ scalar: Float) -> Tensor {
        let splat = SIMD16<Float>(repeating: scalar)
        let out = mapElements({ $0 + splat }, { $0 + scalar })
        return out.recordOp("adding(scalar)", inputs: [self]) { gradOut in [gradOut.copy()] }
    }

    /// `self × factor`, element-wise.
    public func scaled(by factor: Float) -> Tensor {
        let out = scaledNoGrad(by: factor)
        return out.recordOp("scaled(by:)", inputs: [self]) { gradOut in [gradOut.scaledNoGrad(by: factor)] }
    }

    /// `−self`, element-wise.
    public func negated() -> Tensor {
        let out = scaledNoGrad(by: -1)
        return out.recordOp("negated", inputs: [self]) { gradOut in [gradOut.scaledNoGrad(by: -1)] }
    }

    /// `self²`, element-wise.
    public func squared() -> Tensor {
        let out = mapElements({ $0 * $0 }, { $0 * $0 })
        let input = storage
        return out.recordOp("squared", inputs: [self]) { gradOut in
            // dx = 2x · dy
            [gradOut.zipElements(with: input, { 2 * $0 * $1 }, { 2 * $0 * $1 })]
        }
    }

    /// `√self`, element-wise (NaN for negative inputs, as IEEE).
    public func sqrt() -> Tensor {
        let out = mapElements({ $0.squareRoot() }, { $0.squareRoot() })
        let saved = out.storage
        return out.recordOp("sqrt", inputs: [self]) { gradOut in
            // dx = dy / (2√x)
            [gradOut.zipElements(with: saved, { $0 / (2 * $1) }, { $0 / (2 * $1) })]
        }
    }

    /// `eˣ`, element-wise.
    public func exp() -> Tensor {
        let out = mapElements(nil, { expf($0) })
        let saved = out.storage
        return out.recordOp("exp", inputs: [self]) { gradOut in
            [gradOut.zipElements(with: saved, { $0 * $1 }, { $0 * $1 })]
        }
    }

    /// Natural logarithm, element-wise (−inf at 0, NaN below, as IEEE).
    public func log() -> Tensor {
        let out = mapElements(nil, { logf($0) })
        let input = storage
        return out.recordOp("log", inputs: [self]) { gradOut in
            [gradOut.zipElements(with: input, { $0 / $1 }, { $0 / $1 })]
        }
    }

    /// `self × factor` into a new tensor without recording.
    func scaledNoGrad(by factor: Float) -> Tensor {
        let splat = SIMD16<Float>(repeating: factor)
        return mapElements({ $0 * splat }, { $0 * factor })
    }

    /// Applies `f` to every element into a new tensor (parallel; the SIMD form when given).
    @inline(__always)
    func mapElements(
        _ vector: ((SIMD16<Float>) -> SIMD16<Float>)?, _ scalar: (Float) -> Float
    ) -> Tensor {
        let out = Tensor.uninitialized(shape)
        let x = storage.pointer, y = out.storage.pointer
        Parallel.forEachChunk(count, minChunk: 1 << 15) { range in
            var i = range.lowerBound
            if let vector {
                let rawX = UnsafeRawPointer(x), rawY = UnsafeMutableRawPointer(y)
                while i + 16 <= range.upperBound {
                    rawY.storeBytes(of: vector(rawX.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)),
                                    toByteOffset: i * 4, as: SIMD16<Float>.self)
                    i += 16
                }
            }
            while i < range.upperBound { y[i] = scalar(x[i]); i += 1 }
        }
        return out
    }

    /// `out[i] = f(self[i], other[i])` for a same-count storage, into a new tensor of this shape.
    @inline(__always)
    func zipElements(
        with other: TensorStorage,
        _ vector: (SIMD16<Float>, SIMD16<Float>) -> SIMD16<Float>, _ scalar: (Float, Float) -> Float
    ) -> Tensor {
        let out = Tensor.uninitialized(shape)
        let x = storage.pointer, z = other.pointer, y = out.storage.pointer
        Parallel.forEachChunk(count, minChunk: 1 << 15) { range in
            var i = range.lowerBound
            let rawX = UnsafeRawPointer(x), rawZ = UnsafeRawPointer(z), rawY = UnsafeMutableRawPointer(y)
            while i + 16 <= range.upperBound {
                let v = vector(rawX.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self),
                               rawZ.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self))
                rawY.storeBytes(of: v, toByteOffset: i * 4, as: SIMD16<Float>.self)
                i += 16
            }
            while i < range.upperBound { y[i] = scalar(x[i], z[i]); i += 1 }
        }
        return out
    }
}

extension Reference {
    /// x + s in Float64.
    public static func adding(_ x: ReferenceTensor, _ s: Double) -> ReferenceTensor { x.map { $0 + s } }
    /// x · s in Float64.
    public static func scaled(_ x: ReferenceTensor, by s: Double) -> ReferenceTensor { x.map { $0 * s } }
    /// −x in Float64.
    public static func negated(_ x: ReferenceTensor) -> ReferenceTensor { x.map { -$0 } }
    /// x² in Float64.
    public static func squared(_ x: ReferenceTensor) -> ReferenceTensor { x.map { $0 * $0 } }
    /// √x in Float64.
    public static func sqrt(_ x: ReferenceTensor) -> ReferenceTensor { x.map { $0.squareRoot() } }
    /// eˣ in Float64.
    public static func exp(_ x: ReferenceTensor) -> ReferenceTensor { x.map { Foundation.exp($0) } }
    /// ln x in Float64.
    public static func log(_ x: ReferenceTensor) -> ReferenceTensor { x.map { Foundation.log($0) } }
}

import Foundation
