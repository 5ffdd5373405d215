// Rotary position embedding, the non-interleaved "rotate_half" form of Hugging Face Llama/Qwen3.
// Shapes: x [B, T, H, D] (D even), positions [B·T] (one position per token, so left padding and
// KV-cache offsets work) -> y [B, T, H, D].
// With h = D/2 and, for i < h, inv_freq[i] = 1 / theta^((2i)/D) and angle = position · inv_freq[i]:
//   y[i]     = x[i]·cos(angle) − x[i+h]·sin(angle)
//   y[i + h] = x[i+h]·cos(angle) + x[i]·sin(angle)
// Every step is rounded to f32 the way transformers computes it (inv_freq, angle, cos/sin all f32).
// Backward is the rotation by −angle: dx[i] = dy[i]·cos + dy[i+h]·sin, dx[i+h] = dy[i+h]·cos − dy[i]·sin.
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Foundation

/// Rotary-embedding frequency tables.
public enum RotaryEmbedding {
    /// `inv_freq` of transformers' default RoPE, rounded as it does in f32:
    /// `1 / theta ** (arange(0, D, 2).float() / D)`.
    public static func inverseFrequencies(headDimension: Int, theta: Float) -> [Float] {
        (0..<(headDimension / 2)).map { i in
            let exponent = Float(2 * i) / Float(headDimension)
            return 1 / powf(theta, exponent)
        }
    }
}

extension Tensor {
    /// Applies rotary position embedding to `x` `[B, T, H, D]` with one position per token
    /// (`positions` flat `[B·T]`) and base `theta`.
    public func rope(positions: [Int], theta: Float) throws -> Tensor {
        let op = "rope"
        guard rank == 4 else {
            throw TensorError.shapeMismatch(op: op, expected: "x of rank 4 [batch, time, heads, headDimension]", got: shape)
        }
        let batch = shape[0], time = shape[1], heads = shape[2], dimension = shape[3]
        guard dimension % 2 == 0 else {
            throw TensorError.invalidArgument(op: op, reason: "the head dimension must be even, got \(dimension) in shape \(shape)")
        }
        guard positions.count == batch * time else {
            throw TensorError.invalidArgument(
                op: op, reason: "\(positions.count) positions were given but x \(shape) has \(batch * time) tokens")
        }
        guard theta > 0, theta.isFinite else {
            throw TensorError.invalidArgument(op: op, reason: "theta must be a finite number > 0, got \(theta)")
        }
        let half = dimension / 2, tokens = batch * time
        let inverseFrequencies = RotaryEmbedding.inverseFrequencies(headDimension: dimension, theta: theta)

        // cos/sin per token and frequency, [B·T, D/2] each (shared by every head, kept for backward).
        let cosines = TensorStorage(uninitializedCount: tokens * half), sines = TensorStorage(uninitializedCount: tokens * half)
        let cosTable = cosines.pointer, sinTable = sines.pointer
        for token in 0..<tokens {
            let position = Float(positions[token])
            for i in 0..<half {
                let angle = position * inverseFrequencies[i]
                cosTable[token * half + i] = cosf(angle)
                sinTable[token * half + i] = sinf(angle)
            }
        }

        let out = Tensor.uninitialized(shape)
        let x = storage.pointer, y = out.storage.pointer
        Parallel.forEachChunk(tokens, minChunk: max(1, 8192 / max(heads * dimension, 1))) { range in
            for token in range {
                let c = cosTable + token * half, s = sinTable + token * half
                for head in 0..<heads {
                    let xs = x + (token * heads + head) * dimension, ys = y + (token * heads + head) * dimension
                    for i in 0..<half {
                        let first = xs[i], second = xs[i + half]
                        ys[i] = first * c[i] - second * s[i]
                        ys[i + half] = second * c[i] + first * s[i]
                    }
                }
            }
        }

        return out.recordOp(op, inputs: [self]) { gradOut in
            let gradIn = Tensor.uninitialized(gradOut.shape)
            let dy = gradOut.storage.pointer, dx = gradIn.storage.pointer
            let cosTable = cosines.pointer, sinTable = sines.pointer
            Parallel.forEachChunk(tokens, minChunk: max(1, 8192 / max(heads * dimension, 1))) { range in
                for token in range {
                    let c = cosTable + token * half, s = sinTable + token * half
                    for head in 0..<heads {
                        let dys = dy + (token * heads + head) * dimension, dxs = dx + (token * heads + head) * dimension
                        for i in 0..<half {
                            let first = dys[i], second = dys[i + half]
                            dxs[i] = first * c[i] + second * s[i]
                            dxs[i + half] = second * c[i] - first * s[i]
                        }
                    }
                }
            }
            return [gradIn]
        }
    }
}

extension Reference {
    /// Rotary embedding in Float64 (`inv_freq` and angles in Float64 too), x `[B, T, H, D]`.
    public static func rope(_ x: ReferenceTensor, positions: [Int], theta: Double) -> ReferenceTensor {
        let heads = x.shape[2], dimension = x.shape[3], half = dimension / 2
        var out = x
        for token in 0..<positions.count {
            for head in 0..<heads {
                let base = (token * heads + head) * dimension
                for i in 0..<half {
                    let angle = Double(positions[token]) / Foundation.pow(theta, Double(2 * i) / Double(dimension))
                    let first = x.data[base + i], second = x.data[base + i + half]
                    out.data[base + i] = first * Foundation.cos(angle) - second * Foundation.sin(angle)
                    out.data[base + i + half] = second * Foundation.cos(angle) + first * Foundation.sin(angle)
                }
            }
        }
        return out
    }
}
