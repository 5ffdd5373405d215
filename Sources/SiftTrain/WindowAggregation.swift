// The differentiable op that turns window logits into document logits (sliding-window mode):
// the mean or the class-wise maximum over each document's windows. In training the loss is taken
// on its output, so gradients flow back through it into every window's forward pass.
import SiftData
import SiftTensor

extension Tensor {
    /// Aggregates the rows of `self` `[W, L]` (one row per window) into `[documentCount, L]`:
    /// row `d` is the mean, or the class-wise maximum, of the rows `w` with `documentOfRow[w] == d`.
    ///
    /// Backward: mean spreads each document's gradient equally over its windows (÷ window count);
    /// max sends it to the window that held the maximum of that class (the first one on ties).
    /// Throws when `self` is not rank 2, `documentOfRow` has the wrong length or an index out of
    /// range, or a document has no window.
    public func aggregatingWindows(documentOfRow: [Int], documentCount: Int, method: LogitAggregation) throws -> Tensor {
        let op = "aggregatingWindows"
        guard rank == 2 else {
            throw TensorError.shapeMismatch(op: op, expected: "window logits of rank 2 [windows, classes]", got: shape)
        }
        let windows = shape[0], classes = shape[1]
        guard documentOfRow.count == windows else {
            throw TensorError.invalidArgument(op: op, reason: "\(documentOfRow.count) document indices were given for \(windows) windows")
        }
        var windowCounts = [Int](repeating: 0, count: max(documentCount, 0))
        for document in documentOfRow {
            guard document >= 0, document < documentCount else {
                throw TensorError.indexOutOfRange(op: op, index: document, bound: documentCount)
            }
            windowCounts[document] += 1
        }
        if let empty = windowCounts.firstIndex(of: 0) {
            throw TensorError.invalidArgument(op: op, reason: "document \(empty) has no window; every document needs at least one")
        }
        let x = storage.pointer
        var result = [Float](repeating: method == .max ? -Float.infinity : 0, count: documentCount * classes)
        // For max: the window that supplied each (document, class) value, for the backward pass.
        var winners = [Int](repeating: -1, count: method == .max ? documentCount * classes : 0)
        result.withUnsafeMutableBufferPointer { y in
            for row in 0..<windows {
                let source = x + row * classes
                let target = documentOfRow[row] * classes
                switch method {
                case .mean:
                    for c in 0..<classes { y[target + c] += source[c] }
                case .max:
                    for c in 0..<classes where winners[target + c] < 0 || source[c] > y[target + c] {
                        y[target + c] = source[c]
                        winners[target + c] = row
                    }
                }
            }
            if method == .mean {
                for d in 0..<documentCount {
                    let scale = 1 / Float(windowCounts[d])
                    for c in 0..<classes { y[d * classes + c] *= scale }
                }
            }
        }
        let out = try Tensor(shape: [documentCount, classes], values: result)
        let inputShape = shape
        return out.recordOp(op, inputs: [self]) { gradOut in
            let gradIn = try Tensor.zeros(inputShape)
            let dy = gradOut.storage.pointer, dx = gradIn.storage.pointer
            switch method {
            case .mean:
                for row in 0..<windows {
                    let document = documentOfRow[row]
                    let scale = 1 / Float(windowCounts[document])
                    for c in 0..<classes { dx[row * classes + c] = dy[document * classes + c] * scale }
                }
            case .max:
                for (index, row) in winners.enumerated() {
                    dx[row * classes + index % classes] += dy[index]
                }
            }
            return [gradIn]
        }
    }
}
