// Softmax and log-softmax along one axis, numerically stable (the row maximum is subtracted).
// Shapes: x [..., N, ...] -> y [same]; the axis of length N is normalised.
// The tensor is viewed as [outer, N, inner]; the last axis (inner = 1) has a contiguous fast path.
// Backward: softmax dx = y ⊙ (dy − Σ dy⊙y); log-softmax dx = dy − exp(y) · Σ dy.
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Foundation

/// The [outer, length, inner] view of a tensor around one axis.
struct SoftmaxAxisLayout {
    let outer: Int
    let length: Int
    let inner: Int

    init(shape: [Int], axis: Int) {
        outer = shape[..<axis].reduce(1, *)
        length = shape[axis]
        inner = shape[(axis + 1)...].reduce(1, *)
    }

    /// Number of independent lanes (outer × inner).
    var laneCount: Int { outer * inner }
    /// Offset of lane `lane`'s first element; its elements are `inner` apart.
    func laneStart(_ lane: Int) -> Int { (lane / inner) * length * inner + lane % inner }
}

extension Tensor {
    /// Softmax along `axis` (default: the last axis).
    public func softmax(axis: Int = -1) throws -> Tensor {
        try normalizedExponential(axis: axis, logarithmic: false)
    }

    /// Log-softmax along `axis` (default: the last axis): `x − logΣexp(x)`, stable.
    public func logSoftmax(axis: Int = -1) throws -> Tensor {
        try normalizedExponential(axis: axis, logarithmic: true)
    }

    private func normalizedExponential(axis: Int, logarithmic: Bool) throws -> Tensor {
        let op = logarithmic ? "logSoftmax" : "softmax"
        guard rank > 0 else {
            throw TensorError.invalidShape(op: op, shape: shape, reason: "a scalar has no axis to normalise over")
        }
        let resolved = try normalizedAxis(axis, op: op)
        let layout = SoftmaxAxisLayout(shape: shape, axis: resolved)
        let out = Tensor.uninitialized(shape)
        let x = storage.pointer, y = out.storage.pointer
        let length = layout.length, stride = layout.inner
        Parallel.forEachChunk(layout.laneCount, minChunk: max(1, 8192 / max(length, 1))) { lanes in
            for lane in lanes {
                let start = layout.laneStart(lane)
                // Last axis: stride 1 is a constant here, so the loops compile contiguous (vectorised).
                if stride == 1 {
                    forwardLane(x + start, y + start, length: length, stride: 1, logarithmic: logarithmic)
                } else {
                    forwardLane(x + start, y + start, length: length, stride: stride, logarithmic: logarithmic)
                }
            }
        }

        let savedOutput = out.storage
        return out.recordOp(op, inputs: [self]) { gradOut in
            let gradIn = Tensor.uninitialized(gradOut.shape)
            let dy = gradOut.storage.pointer, yy = savedOutput.pointer, dx = gradIn.storage.pointer
            Parallel.forEachChunk(layout.laneCount, minChunk: max(1, 8192 / max(length, 1))) { lanes in
                for lane in lanes {
                    let start = layout.laneStart(lane)
                    if stride == 1 {
                        backwardLane(dy + start, yy + start, dx + start, length: length, stride: 1, logarithmic: logarithmic)
                    } else {
                        backwardLane(dy + start, yy + start, dx + start, length: length, stride: stride, logarithmic: logarithmic)
                    }
                }
            }
            return [gradIn]
        }
    }
}

/// One lane of the forward pass: 1. maximum, 2. Σ exp(x − max), 3. normalise (or subtract the log-sum).
/// The exponentials come from `VectorMath.exp` on both paths so every lane rounds the same way.
@inline(__always)
private func forwardLane(
    _ xs: UnsafeMutablePointer<Float>, _ ys: UnsafeMutablePointer<Float>, length: Int, stride: Int, logarithmic: Bool
) {
    if stride == 1 {  // contiguous: vectorised max and exp
        var maximum = VectorMath.maximum(xs, count: length)
        if maximum == -.infinity { maximum = 0 }  // an all −∞ lane: keep the arithmetic finite
        let sum = VectorMath.expShifted(xs, ys, count: length, shift: maximum)
        if logarithmic {
            let logSum = maximum + logf(sum)
            for j in 0..<length { ys[j] = xs[j] - logSum }
        } else {
            let inverse = 1 / sum
            for j in 0..<length { ys[j] *= inverse }
        }
        return
    }
    var maximum = -Float.infinity
    for j in 0..<length { maximum = Swift.max(maximum, xs[j * stride]) }
    if maximum == -.infinity { maximum = 0 }
    var sum: Float = 0
    for j in 0..<length {
        let e = VectorMath.exp(xs[j * stride] - maximum)
        if !logarithmic { ys[j * stride] = e }
        sum += e
    }
    if logarithmic {
        let logSum = maximum + logf(sum)
        for j in 0..<length { ys[j * stride] = xs[j * stride] - logSum }
    } else {
        let inverse = 1 / sum
        for j in 0..<length { ys[j * stride] *= inverse }
    }
}

/// One lane of the backward pass, from the saved output `ys`.
@inline(__always)
private func backwardLane(
    _ dys: UnsafeMutablePointer<Float>, _ ys: UnsafeMutablePointer<Float>, _ dxs: UnsafeMutablePointer<Float>,
    length: Int, stride: Int, logarithmic: Bool
) {
    if logarithmic {
        var total: Float = 0
        for j in 0..<length { total += dys[j * stride] }
        for j in 0..<length { dxs[j * stride] = dys[j * stride] - expf(ys[j * stride]) * total }
    } else {
        var dot: Float = 0
        for j in 0..<length { dot += dys[j * stride] * ys[j * stride] }
        for j in 0..<length { dxs[j * stride] = ys[j * stride] * (dys[j * stride] - dot) }
    }
}

extension Reference {
    /// Softmax (or log-softmax) along `axis` in Float64.
    public static func softmax(_ x: ReferenceTensor, axis: Int, logarithmic: Bool = false) -> ReferenceTensor {
        let resolved = axis < 0 ? axis + x.shape.count : axis
        let layout = SoftmaxAxisLayout(shape: x.shape, axis: resolved)
        var out = x
        for lane in 0..<layout.laneCount {
            let start = layout.laneStart(lane)
            let indices = (0..<layout.length).map { start + $0 * layout.inner }
            let maximum = indices.map { x.data[$0] }.max() ?? 0
            let logSum = maximum + Foundation.log(indices.reduce(0) { $0 + Foundation.exp(x.data[$1] - maximum) })
            for i in indices { out.data[i] = logarithmic ? x.data[i] - logSum : Foundation.exp(x.data[i] - logSum) }
        }
        return out
    }
}
