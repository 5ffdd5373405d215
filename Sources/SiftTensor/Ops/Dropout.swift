// Inverted dropout: zeroes each element with probability p and scales the kept ones by 1/(1−p),
// so the expected value is unchanged; identity in evaluation or when p = 0.
// Shapes: x [any] -> y [same].
// The keep mask is drawn from the caller's seeded generator (one uniform per element, in order)
// and stored as bits; backward applies the same mask and scale to the gradient.

extension Tensor {
    /// Inverted dropout with drop probability `probability` in `[0, 1]`, drawing from `generator`.
    ///
    /// Returns `self` unchanged (and draws nothing) when `training` is false or `probability` is 0.
    public func dropout(probability: Float, generator: inout SeededGenerator, training: Bool) throws -> Tensor {
        let op = "dropout"
        guard probability >= 0, probability <= 1 else {
            throw TensorError.invalidArgument(op: op, reason: "the drop probability must be in [0, 1], got \(probability)")
        }
        if !training || probability == 0 { return self }
        let scale: Float = probability == 1 ? 0 : 1 / (1 - probability)
        let n = count
        var keepBits = [UInt64](repeating: 0, count: (n + 63) / 64)
        for i in 0..<n where generator.nextUniform() >= probability {
            keepBits[i >> 6] |= 1 << UInt64(i & 63)
        }
        let out = Tensor.uninitialized(shape)
        Tensor.applyMask(keepBits, scale: scale, source: storage.pointer, destination: out.storage.pointer, count: n)
        return out.recordOp(op, inputs: [self]) { gradOut in
            let gradIn = Tensor.uninitialized(gradOut.shape)
            Tensor.applyMask(keepBits, scale: scale, source: gradOut.storage.pointer, destination: gradIn.storage.pointer, count: n)
            return [gradIn]
        }
    }

    /// destination[i] = keep(i) ? source[i]·scale : 0.
    private static func applyMask(
        _ bits: [UInt64], scale: Float, source: UnsafeMutablePointer<Float>, destination: UnsafeMutablePointer<Float>, count: Int
    ) {
        bits.withUnsafeBufferPointer { words in
            guard let wordPointer = words.baseAddress else { return }
            // Chunks are whole 64-element words, so no two threads share a word.
            Parallel.forEachChunk(words.count, minChunk: 256) { wordRange in
                for w in wordRange {
                    let word = wordPointer[w]
                    let start = w * 64, end = Swift.min(start + 64, count)
                    for i in start..<end {
                        destination[i] = (word >> UInt64(i - start)) & 1 == 1 ? source[i] * scale : 0
                    }
                }
            }
        }
    }
}
