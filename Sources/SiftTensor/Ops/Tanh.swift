// tanh, element-wise.
// Shapes: x [any] -> y [same].
// Forward y = tanh(x); backward dx = dy · (1 − y²), using the saved output.
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

extension Tensor {
    /// Element-wise hyperbolic tangent (BERT's pooler activation).
    public func tanh() -> Tensor {
        let out = Tensor.uninitialized(shape)
        let x = storage.pointer, y = out.storage.pointer
        Parallel.forEachChunk(count, minChunk: 1 << 14) { range in
            for i in range { y[i] = tanhf(x[i]) }
        }
        // Capture the output's storage, never the output tensor itself (that would be a retain cycle).
        let savedOutput = out.storage
        return out.recordOp("tanh", inputs: [self]) { gradOut in
            let gradIn = Tensor.uninitialized(gradOut.shape)
            let dy = gradOut.storage.pointer, yy = savedOutput.pointer, dx = gradIn.storage.pointer
            Parallel.forEachChunk(gradOut.count, minChunk: 1 << 14) { range in
                for i in range { dx[i] = dy[i] * (1 - yy[i] * yy[i]) }
            }
            return [gradIn]
        }
    }
}

extension Reference {
    /// tanh in Float64.
    public static func tanh(_ x: ReferenceTensor) -> ReferenceTensor {
        x.map { Foundation.tanh($0) }
    }
}

import Foundation
