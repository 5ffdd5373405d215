// Layer normalisation over the last axis (BERT).
// Shapes: x [..., C], weight [C], bias [C] -> y [..., C].
// Forward per row: μ = mean(x), σ⁻¹ = 1/√(var(x) + eps) (biased variance), x̂ = (x − μ)·σ⁻¹,
// y = x̂·weight + bias. Saves μ and σ⁻¹ per row.
// Backward per row, with g = dy·weight: dx = σ⁻¹·(g − mean(g) − x̂·mean(g·x̂));
// dweight = Σ_rows dy·x̂, dbias = Σ_rows dy (per-chunk partials summed in chunk order).
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Foundation

extension Tensor {
    /// Layer normalisation over the last axis with affine `weight` and `bias` (both `[C]`).
    public func layerNorm(weight: Tensor, bias: Tensor, eps: Float) throws -> Tensor {
        let op = "layerNorm"
        let channels = try layerNormChannels(op: op, weight: weight, bias: bias, eps: eps)
        let rows = channels == 0 ? 0 : count / channels
        let out = Tensor.uninitialized(shape)
        let means = TensorStorage(uninitializedCount: rows), inverseDeviations = TensorStorage(uninitializedCount: rows)
        let x = storage.pointer, y = out.storage.pointer, w = weight.storage.pointer, b = bias.storage.pointer
        let mu = means.pointer, rstd = inverseDeviations.pointer
        Parallel.forEachChunk(rows, minChunk: max(1, 8192 / max(channels, 1))) { range in
            for row in range {
                (mu[row], rstd[row]) = Tensor.layerNormRow(x + row * channels, into: y + row * channels, weight: w, bias: b,
                                                           channels: channels, eps: eps)
            }
        }

        let savedInput = storage, savedWeight = weight.storage
        return out.recordOp(op, inputs: [self, weight, bias]) { gradOut in
            let gradIn = Tensor.uninitialized(gradOut.shape)
            let dy = gradOut.storage.pointer, xx = savedInput.pointer, ww = savedWeight.pointer, dx = gradIn.storage.pointer
            // Pointers into the saved statistics, taken here so the closure keeps their storage alive.
            let mu = means.pointer, rstd = inverseDeviations.pointer
            let chunkCount = RowKernels.rowChunkCount(rows: rows, work: rows * channels)
            // Per chunk: [dweight partial | dbias partial], each [C].
            let partials = TensorStorage(count: chunkCount * 2 * channels, repeating: 0)
            let scratch = TensorStorage(uninitializedCount: chunkCount * 2 * channels)
            _ = RowKernels.forEachRowChunk(rows: rows, work: rows * channels) { chunk, rowRange in
                let dWeight = partials.pointer + chunk * 2 * channels, dBias = dWeight + channels
                let g = scratch.pointer + chunk * 2 * channels, normalized = g + channels
                for row in rowRange {
                    let xs = xx + row * channels, dys = dy + row * channels, dxs = dx + row * channels
                    let mean = mu[row], inverse = rstd[row]
                    for j in 0..<channels {
                        normalized[j] = (xs[j] - mean) * inverse
                        g[j] = dys[j] * ww[j]
                        dWeight[j] += dys[j] * normalized[j]
                        dBias[j] += dys[j]
                    }
                    let meanG = RowKernels.sum(g, count: channels) / Float(channels)
                    let meanGX = RowKernels.dot(g, normalized, count: channels) / Float(channels)
                    for j in 0..<channels { dxs[j] = inverse * (g[j] - meanG - normalized[j] * meanGX) }
                }
            }
            let gradWeight = Tensor.uninitialized([channels]), gradBias = Tensor.uninitialized([channels])
            let dw = gradWeight.storage.pointer, db = gradBias.storage.pointer
            for j in 0..<channels {
                var sumW: Float = 0, sumB: Float = 0
                for chunk in 0..<chunkCount {
                    sumW += partials.pointer[chunk * 2 * channels + j]
                    sumB += partials.pointer[chunk * 2 * channels + channels + j]
                }
                dw[j] = sumW
                db[j] = sumB
            }
            return [gradIn, gradWeight, gradBias]
        }
    }
}

extension Tensor {
    /// `(self + residual).layerNorm(weight:bias:eps:)`: BERT's add & norm. With nothing to record
    /// (inference) the sum is never stored: each row is added, normalised and written in one pass
    /// over the two inputs (the separate add read two tensors and wrote a third, 3 % of a MiniLM-L6
    /// batch-1 forward). With a graph it records the add and the LayerNorm.
    public func layerNorm(adding residual: Tensor, weight: Tensor, bias: Tensor, eps: Float) throws -> Tensor {
        let op = "layerNorm(adding:)"
        guard residual.shape == shape else {
            throw TensorError.shapeMismatch(op: op, expected: "a residual of the input's shape \(shape)", got: residual.shape)
        }
        if Tensor.needsGraph([self, residual, weight, bias]) || !AddNormFusion.isEnabled {
            return try (self + residual).layerNorm(weight: weight, bias: bias, eps: eps)
        }
        let channels = try layerNormChannels(op: op, weight: weight, bias: bias, eps: eps)
        let rows = channels == 0 ? 0 : count / channels
        let out = Tensor.uninitialized(shape)
        let x = storage.pointer, r = residual.storage.pointer, y = out.storage.pointer
        let w = weight.storage.pointer, b = bias.storage.pointer
        Parallel.forEachChunk(rows, minChunk: max(1, 8192 / max(channels, 1))) { range in
            for row in range {
                let xs = x + row * channels, rs = r + row * channels, ys = y + row * channels
                for j in 0..<channels { ys[j] = xs[j] + rs[j] }  // the sum, normalised in place below
                _ = Tensor.layerNormRow(ys, into: ys, weight: w, bias: b, channels: channels, eps: eps)
            }
        }
        return out
    }

    /// One row of the forward: `ys = (xs − μ)·σ⁻¹·w + b` (in place when `xs` is `ys`); returns μ and σ⁻¹.
    @inline(__always)
    fileprivate static func layerNormRow(
        _ xs: UnsafeMutablePointer<Float>, into ys: UnsafeMutablePointer<Float>, weight w: UnsafeMutablePointer<Float>,
        bias b: UnsafeMutablePointer<Float>, channels: Int, eps: Float
    ) -> (mean: Float, inverse: Float) {
        let mean = RowKernels.sum(xs, count: channels) / Float(channels)
        let variance = RowKernels.sumOfSquares(xs, count: channels, center: mean) / Float(channels)
        let inverse = 1 / (variance + eps).squareRoot()
        for j in 0..<channels { ys[j] = (xs[j] - mean) * inverse * w[j] + b[j] }
        return (mean, inverse)
    }

    /// The channel count C of a LayerNorm over the last axis, after checking the weight, bias and eps.
    private func layerNormChannels(op: String, weight: Tensor, bias: Tensor, eps: Float) throws -> Int {
        guard rank >= 1, let channels = shape.last else {
            throw TensorError.invalidShape(op: op, shape: shape, reason: "needs at least one axis to normalise over")
        }
        guard weight.shape == [channels] else {
            throw TensorError.shapeMismatch(op: op, expected: "weight of shape [\(channels)]", got: weight.shape)
        }
        guard bias.shape == [channels] else {
            throw TensorError.shapeMismatch(op: op, expected: "bias of shape [\(channels)]", got: bias.shape)
        }
        guard eps >= 0, eps.isFinite else {
            throw TensorError.invalidArgument(op: op, reason: "eps must be a finite number ≥ 0, got \(eps)")
        }
        return channels
    }
}

/// Whether `layerNorm(adding:)` runs as one pass in inference.
public enum AddNormFusion {
    /// On by default; `sift bench inference` turns it off for a task to measure what it gives.
    @TaskLocal public static var isEnabled = true
}

extension Reference {
    /// Layer normalisation over the last axis in Float64.
    public static func layerNorm(
        _ x: ReferenceTensor, weight: ReferenceTensor, bias: ReferenceTensor, eps: Double
    ) -> ReferenceTensor {
        let channels = x.shape.last ?? 1
        var out = x
        for row in 0..<(x.count / max(channels, 1)) {
            let values = x.data[(row * channels)..<((row + 1) * channels)]
            let mean = values.reduce(0, +) / Double(channels)
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(channels)
            let inverse = 1 / (variance + eps).squareRoot()
            for j in 0..<channels {
                out.data[row * channels + j] = (x.data[row * channels + j] - mean) * inverse * weight.data[j] + bias.data[j]
            }
        }
        return out
    }
}
