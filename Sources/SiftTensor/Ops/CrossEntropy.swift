// Softmax cross-entropy (fused log-softmax + negative log-likelihood), PyTorch/HF semantics.
// Shapes: logits [N, C], targets [N] -> loss [] (scalar).
// loss = Σ_{n: target ≠ ignoreIndex} (logΣexp(logits[n]) − logits[n, target[n]]) / count;
// when every target is ignored the loss is 0 with a zero gradient (not NaN).
// Backward: dlogits[n] = dloss · (softmax(logits[n]) − onehot(target[n])) / count, 0 on ignored rows.
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Foundation

extension Tensor {
    /// Mean cross-entropy of `logits` `[N, C]` against class `targets` `[N]`, skipping rows whose
    /// target is `ignoreIndex`. Throws for a target outside `0..<C` (other than `ignoreIndex`).
    public static func crossEntropy(logits: Tensor, targets: [Int], ignoreIndex: Int = -100) throws -> Tensor {
        let op = "crossEntropy"
        guard logits.rank == 2 else {
            throw TensorError.shapeMismatch(op: op, expected: "logits of rank 2 [rows, classes]", got: logits.shape)
        }
        let rows = logits.shape[0], classes = logits.shape[1]
        guard targets.count == rows else {
            throw TensorError.invalidArgument(op: op, reason: "\(targets.count) targets were given for \(rows) rows of logits")
        }
        for target in targets where target != ignoreIndex && (target < 0 || target >= classes) {
            throw TensorError.indexOutOfRange(op: op, index: target, bound: classes)
        }
        let counted = targets.reduce(0) { $0 + ($1 == ignoreIndex ? 0 : 1) }

        // Per-row log-sum-exp, kept for backward; the loss sum is accumulated in Float64.
        let logSums = TensorStorage(count: rows, repeating: 0)
        let x = logits.storage.pointer, lse = logSums.pointer
        Parallel.forEachChunk(rows, minChunk: max(1, 8192 / max(classes, 1))) { range in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(classes, 1))
            defer { scratch.deallocate() }
            for row in range where targets[row] != ignoreIndex {
                let xs = x + row * classes
                let maximum = VectorMath.maximum(xs, count: classes)
                lse[row] = maximum + logf(VectorMath.expShifted(xs, scratch, count: classes, shift: maximum))
            }
        }
        var total = 0.0
        for row in 0..<rows where targets[row] != ignoreIndex {
            total += Double(lse[row]) - Double(x[row * classes + targets[row]])
        }
        let out = Tensor.scalar(counted == 0 ? 0 : Float(total / Double(counted)))

        let savedLogits = logits.storage
        return out.recordOp(op, inputs: [logits]) { gradOut in
            let gradIn = try Tensor.zeros([rows, classes])
            guard counted > 0 else { return [gradIn] }
            let factor = gradOut.storage.pointer[0] / Float(counted)
            // Pointers taken here so the closure keeps the saved storages alive.
            let xx = savedLogits.pointer, dx = gradIn.storage.pointer, lse = logSums.pointer
            Parallel.forEachChunk(rows, minChunk: max(1, 8192 / max(classes, 1))) { range in
                for row in range where targets[row] != ignoreIndex {
                    let xs = xx + row * classes, dxs = dx + row * classes, logSum = lse[row]
                    _ = VectorMath.expShifted(xs, dxs, count: classes, shift: logSum)
                    for j in 0..<classes { dxs[j] *= factor }
                    dxs[targets[row]] -= factor
                }
            }
            return [gradIn]
        }
    }
}

extension Reference {
    /// Mean cross-entropy in Float64 (0 when every target is ignored).
    public static func crossEntropy(_ logits: ReferenceTensor, targets: [Int], ignoreIndex: Int = -100) -> ReferenceTensor {
        let classes = logits.shape[1]
        var total = 0.0, counted = 0
        for (row, target) in targets.enumerated() where target != ignoreIndex {
            let values = logits.data[(row * classes)..<((row + 1) * classes)]
            let maximum = values.max() ?? 0
            let logSum = maximum + Foundation.log(values.reduce(0) { $0 + Foundation.exp($1 - maximum) })
            total += logSum - logits.data[row * classes + target]
            counted += 1
        }
        return ReferenceTensor(shape: [], data: [counted == 0 ? 0 : total / Double(counted)])
    }
}
