// RMS normalisation over the last axis (Qwen3 / Llama), computed in f32 as they do.
// Shapes: x [..., C], weight [C] -> y [..., C].
// Forward per row: r = 1/√(mean(x²) + eps), y = (x·r)·weight (the HF order: normalise, then scale).
// Backward per row, with x̂ = x·r and g = dy·weight: dx = r·(g − x̂·mean(g·x̂));
// dweight = Σ_rows dy·x̂ (per-chunk partials summed in chunk order).

extension Tensor {
    /// RMS normalisation over the last axis: `x · rsqrt(mean(x²) + eps) · weight` (`weight` is `[C]`).
    public func rmsNorm(weight: Tensor, eps: Float) throws -> Tensor {
        let op = "rmsNorm"
        guard rank >= 1, let channels = shape.last else {
            throw TensorError.invalidShape(op: op, shape: shape, reason: "needs at least one axis to normalise over")
        }
        guard weight.shape == [channels] else {
            throw TensorError.shapeMismatch(op: op, expected: "weight of shape [\(channels)]", got: weight.shape)
        }
        guard eps >= 0, eps.isFinite else {
            throw TensorError.invalidArgument(op: op, reason: "eps must be a finite number ≥ 0, got \(eps)")
        }
        let rows = channels == 0 ? 0 : count / channels
        let out = Tensor.uninitialized(shape)
        let inverseRoots = TensorStorage(uninitializedCount: rows)
        let x = storage.pointer, y = out.storage.pointer, w = weight.storage.pointer, r = inverseRoots.pointer
        Parallel.forEachChunk(rows, minChunk: max(1, 8192 / max(channels, 1))) { range in
            for row in range {
                let xs = x + row * channels, ys = y + row * channels
                let meanSquare = RowKernels.dot(xs, xs, count: channels) / Float(channels)
                let inverse = 1 / (meanSquare + eps).squareRoot()
                r[row] = inverse
                for j in 0..<channels { ys[j] = (xs[j] * inverse) * w[j] }
            }
        }

        let savedInput = storage, savedWeight = weight.storage
        return out.recordOp(op, inputs: [self, weight]) { gradOut in
            let gradIn = Tensor.uninitialized(gradOut.shape)
            let dy = gradOut.storage.pointer, xx = savedInput.pointer, ww = savedWeight.pointer, dx = gradIn.storage.pointer
            let r = inverseRoots.pointer  // taken here so the closure keeps the storage alive
            let chunkCount = RowKernels.rowChunkCount(rows: rows, work: rows * channels)
            let partials = TensorStorage(count: chunkCount * channels, repeating: 0)
            let scratch = TensorStorage(uninitializedCount: chunkCount * 2 * channels)
            _ = RowKernels.forEachRowChunk(rows: rows, work: rows * channels) { chunk, rowRange in
                let dWeight = partials.pointer + chunk * channels
                let g = scratch.pointer + chunk * 2 * channels, normalized = g + channels
                for row in rowRange {
                    let xs = xx + row * channels, dys = dy + row * channels, dxs = dx + row * channels
                    let inverse = r[row]
                    for j in 0..<channels {
                        normalized[j] = xs[j] * inverse
                        g[j] = dys[j] * ww[j]
                        dWeight[j] += dys[j] * normalized[j]
                    }
                    let meanGX = RowKernels.dot(g, normalized, count: channels) / Float(channels)
                    for j in 0..<channels { dxs[j] = inverse * (g[j] - normalized[j] * meanGX) }
                }
            }
            let gradWeight = Tensor.uninitialized([channels])
            let dw = gradWeight.storage.pointer
            for j in 0..<channels {
                var sum: Float = 0
                for chunk in 0..<chunkCount { sum += partials.pointer[chunk * channels + j] }
                dw[j] = sum
            }
            return [gradIn, gradWeight]
        }
    }
}

extension Reference {
    /// RMS normalisation over the last axis in Float64.
    public static func rmsNorm(_ x: ReferenceTensor, weight: ReferenceTensor, eps: Double) -> ReferenceTensor {
        let channels = x.shape.last ?? 1
        var out = x
        for row in 0..<(x.count / max(channels, 1)) {
            let values = x.data[(row * channels)..<((row + 1) * channels)]
            let inverse = 1 / (values.reduce(0) { $0 + $1 * $1 } / Double(channels) + eps).squareRoot()
            for j in 0..<channels { out.data[row * channels + j] = x.data[row * channels + j] * inverse * weight.data[j] }
        }
        return out
    }
}
