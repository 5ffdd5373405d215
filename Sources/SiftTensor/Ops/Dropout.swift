// Inverted dropout: zeroes each element with probability p and scales the kept ones by 1/(1−p),
// so the expected value is unchanged; identity in evaluation or when p = 0.
// Shapes: x [any] -> y [same].
// The keep mask comes from a counter-based hash of (seed, element index) (CSiftKernels' dropout.c),
// with one seed drawn from the caller's generator per call: any element range can be made on any
// thread, so the mask is generated in parallel and depends on the seed alone, not the thread count.
// It is stored as bits (16 elements a word); backward applies the same mask and scale.
import CSiftKernels

extension Tensor {
    /// Inverted dropout with drop probability `probability` in `[0, 1]`, drawing one seed from `generator`.
    ///
    /// Returns `self` unchanged (and draws nothing) when `training` is false or `probability` is 0.
    public func dropout(probability: Float, generator: inout SeededGenerator, training: Bool) throws -> Tensor {
        let op = "dropout"
        guard probability >= 0, probability <= 1 else {
            throw TensorError.invalidArgument(op: op, reason: "the drop probability must be in [0, 1], got \(probability)")
        }
        if !training || probability == 0 { return self }
        let scale = Tensor.dropoutScale(probability), threshold = Tensor.dropoutThreshold(probability)
        let seed = generator.next()
        let n = count
        let keepBits = TensorStorage.Words(count: (n + 15) / 16)
        let out = Tensor.uninitialized(shape)
        let source = storage.pointer, destination = out.storage.pointer, bits = keepBits.pointer
        Tensor.forEachBlockRange(n) { first, length in
            sift_dropout_forward(source + first, destination + first, bits + first / 16, first, length, seed, threshold, scale)
        }
        return out.recordOp(op, inputs: [self]) { gradOut in
            let gradIn = Tensor.uninitialized(gradOut.shape)
            let dy = gradOut.storage.pointer, dx = gradIn.storage.pointer
            Tensor.forEachBlockRange(n) { first, length in
                sift_dropout_apply(dy + first, dx + first, keepBits.pointer + first / 16, length, scale)
            }
            return [gradIn]
        }
    }

    /// The factor kept elements are multiplied by: 1/(1−p), or 0 when everything is dropped.
    static func dropoutScale(_ probability: Float) -> Float { probability == 1 ? 0 : 1 / (1 - probability) }

    /// The kernels' 24-bit threshold: an element is kept when its hash's top 24 bits (a uniform
    /// draw) are ≥ p·2²⁴.
    static func dropoutThreshold(_ probability: Float) -> UInt32 { UInt32((Double(probability) * Double(1 << 24)).rounded(.up)) }

    /// Splits 0..<count into parallel ranges that start at multiples of 16 (whole mask words).
    private static func forEachBlockRange(_ count: Int, _ body: (_ first: Int, _ length: Int) -> Void) {
        let blocks = (count + 15) / 16
        Parallel.forEachChunk(blocks, minChunk: 1024) { blockRange in
            let first = blockRange.lowerBound * 16
            body(first, Swift.min(blockRange.upperBound * 16, count) - first)
        }
    }
}

extension TensorStorage {
    /// A heap block of 16-bit words (dropout masks) freed with its owner.
    final class Words: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<UInt16>
        init(count: Int) {
            pointer = .allocate(capacity: Swift.max(count, 1))
            pointer.initialize(repeating: 0, count: Swift.max(count, 1))
        }
        deinit { pointer.deallocate() }
    }
}
