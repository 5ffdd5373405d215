// Fully connected layer in the Hugging Face `nn.Linear` layout: y = x · Wᵀ + b.
// Shapes: x [..., in], weight [out, in], bias [out] (optional) -> y [..., out]
// Forward: one GEMM over all rows (R = product of x's leading dims) with the weight read
// transposed in place (or, in inference-only processes on oneDNN, from a copy kept in oneDNN's
// blocked layout: see `WeightCopyCache`). On oneDNN the bias is the GEMM's bias input and an activation requested by
// an inference caller (no graph) runs as the GEMM's post-op, so neither takes a pass of its own;
// on BLAS the bias is written into y first and the GEMM accumulates onto it (beta = 1).
// Backward: dx [R, in] = dy · W; dW [out, in] = dyᵀ · x; db [out] = column sums of dy.
// bf16 mode (MatmulPrecision): x, W and dy are rounded to bf16 for the three GEMMs, which
// accumulate and write f32 (oneDNN); the bias, dx, dW, db stay f32. The row count R of the forward
// and dx products is padded to a multiple of 32 (zero rows in the bf16 copies, scratch rows past the
// end of y and dx): oneDNN 2.6's AMX kernels are 3–10× slower for some other R on two threads
// (measured: 1416×576·576×1536 in 43 ms, 1408 rows in 4 ms).

extension Tensor {
    /// `self · weightᵀ + bias` over the last dimension (the model layer's hottest op), optionally
    /// followed by an activation (fused into the GEMM when nothing records a graph).
    ///
    /// - Parameters:
    ///   - weight: `[out, in]`, as stored by Hugging Face checkpoints.
    ///   - bias: `[out]`, or `nil`.
    ///   - activation: applied to the result, or `nil`.
    public func linear(weight: Tensor, bias: Tensor? = nil, activation: FusedActivation? = nil) throws -> Tensor {
        let op = "linear"
        guard weight.rank == 2 else {
            throw TensorError.invalidShape(op: op, shape: weight.shape,
                                           reason: "the weight must be 2-D [out, in]\(weight.name.map { " (\($0))" } ?? "")")
        }
        let outFeatures = weight.shape[0], inFeatures = weight.shape[1]
        guard rank >= 1, shape[rank - 1] == inFeatures else {
            throw TensorError.shapeMismatch(
                op: op, expected: "an input whose last dimension is \(inFeatures) (weight\(weight.name.map { " \($0)" } ?? "") is \(weight.shape))",
                got: shape)
        }
        if let bias, bias.shape != [outFeatures] {
            throw TensorError.shapeMismatch(
                op: op, expected: "a bias of shape [\(outFeatures)]\(bias.name.map { " (\($0))" } ?? "")", got: bias.shape)
        }
        let inputs = bias.map { [self, weight, $0] } ?? [self, weight]
        let recording = Tensor.needsGraph(inputs)
        if let activation, recording {  // backward needs the pre-activation: two recorded ops
            return activation.apply(try linear(weight: weight, bias: bias))
        }
        let epilogue = activation?.epilogue ?? .none
        let rowCount = shape.dropLast().reduce(1, *)
        let bf16 = MatmulPrecision.effective(MatmulPrecision.current) == .bf16 && rowCount > 0 && inFeatures > 0 && outFeatures > 0
        let paddedRows = bf16 ? (rowCount + 31) & ~31 : rowCount
        let out = Tensor.uninitialized(Array(shape.dropLast()) + [outFeatures], capacity: paddedRows * outFeatures)
        let y = out.storage.pointer
        let biasPointer = bias.map { UnsafePointer($0.storage.pointer) }
        // bf16 operands: this input's copy (kept for dW when recording) and the weight's (cached
        // across calls in inference-only processes, see WeightCopyCache).
        var bf16Input: BF16Buffer? = nil, bf16Weight: BF16Buffer? = nil
        var done = false  // the product, bias and epilogue are in y
        if bf16 {
            let x16 = BF16Buffer(rounding: storage.pointer, count: count, paddedCount: paddedRows * inFeatures)
            let w16 = WeightCopyCache.bf16Copy(of: weight.storage, frozen: !weight.requiresGrad)
            if OneDNN.bf16gemm(
                transposeA: false, transposeB: true, m: paddedRows, n: outFeatures, k: inFeatures,
                a: x16.pointer, lda: inFeatures, b: w16.pointer, ldb: inFeatures,
                beta: 0, c: y, ldc: outFeatures, bias: biasPointer, epilogue: epilogue) {
                bf16Input = x16
                bf16Weight = w16
                done = true
            }
        }
        if !done, GEMMBackend.f32 == .oneDNN, rowCount * outFeatures * inFeatures >= GEMMBackend.oneDNNMinimumWork {
            if WeightCopyCache.keepsPackedCopies {
                done = OneDNN.linearPacked(
                    m: rowCount, n: outFeatures, k: inFeatures, a: storage.pointer, weight: weight.storage,
                    c: y, bias: biasPointer, epilogue: epilogue)
            }
            if !done {
                done = OneDNN.sgemm(
                    transposeA: false, transposeB: true, m: rowCount, n: outFeatures, k: inFeatures,
                    a: storage.pointer, lda: inFeatures, b: weight.storage.pointer, ldb: inFeatures,
                    beta: 0, c: y, ldc: outFeatures, bias: biasPointer, epilogue: epilogue)
            }
        }
        if !done {
            if let bias {
                let b = bias.storage.pointer
                Parallel.forEachChunk(rowCount, minChunk: max(1, (1 << 16) / max(outFeatures, 1))) { range in
                    for row in range { (y + row * outFeatures).update(from: b, count: outFeatures) }
                }
            }
            MatmulLayout.gemm(
                batch: 1, transposeA: false, transposeB: true, m: rowCount, n: outFeatures, k: inFeatures,
                a: storage.pointer, strideA: 0, b: weight.storage.pointer, strideB: 0, c: y, strideC: 0,
                beta: bias == nil ? 0 : 1)
            if let activation { return activation.apply(out) }
        }

        guard recording else { return out }  // inference: no closure, nothing saved
        let input = self
        return out.recordOp(op, inputs: inputs) { gradOut in
            let dy = gradOut.storage.pointer
            // In bf16 mode the output gradient is rounded once and feeds both products.
            let dy16 = bf16Weight == nil ? nil : BF16Buffer(rounding: dy, count: gradOut.count, paddedCount: paddedRows * outFeatures)
            var grads: [Tensor?] = []
            if input.requiresGrad {
                let dx = Tensor.uninitialized(input.shape, capacity: paddedRows * inFeatures)
                if let dy16, let bf16Weight, OneDNN.bf16gemm(
                    transposeA: false, transposeB: false, m: paddedRows, n: inFeatures, k: outFeatures,
                    a: dy16.pointer, lda: outFeatures, b: bf16Weight.pointer, ldb: inFeatures,
                    beta: 0, c: dx.storage.pointer, ldc: inFeatures) {
                } else {
                    MatmulLayout.gemm(
                        batch: 1, transposeA: false, transposeB: false, m: rowCount, n: inFeatures, k: outFeatures,
                        a: dy, strideA: 0, b: weight.storage.pointer, strideB: 0, c: dx.storage.pointer, strideC: 0)
                }
                grads.append(dx)
            } else {
                grads.append(nil)
            }
            if weight.requiresGrad {
                let dW = Tensor.uninitialized(weight.shape)
                if let dy16, let bf16Input, OneDNN.bf16gemm(
                    transposeA: true, transposeB: false, m: outFeatures, n: inFeatures, k: rowCount,
                    a: dy16.pointer, lda: outFeatures, b: bf16Input.pointer, ldb: inFeatures,
                    beta: 0, c: dW.storage.pointer, ldc: inFeatures) {
                } else {
                    MatmulLayout.gemm(
                        batch: 1, transposeA: true, transposeB: false, m: outFeatures, n: inFeatures, k: rowCount,
                        a: dy, strideA: 0, b: input.storage.pointer, strideB: 0, c: dW.storage.pointer, strideC: 0)
                }
                // The optimizer is about to change this weight: drop kept bf16 copies of it.
                weight.storage.markMutated()
                grads.append(dW)
            } else {
                grads.append(nil)
            }
            if let bias {
                grads.append(bias.requiresGrad ? Tensor.columnSums(dy, rows: rowCount, columns: outFeatures) : nil)
            }
            return grads
        }
    }
}

/// An activation `Tensor.linear` can apply to its output: inside the GEMM on oneDNN when no graph
/// is recorded (inference), else as its own op.
public enum FusedActivation: Sendable {
    /// GELU, erf form (`Tensor.gelu`).
    case geluErf
    /// GELU, tanh approximation (`Tensor.geluTanh`).
    case geluTanh

    var epilogue: OneDNN.Epilogue {
        switch self {
        case .geluErf: .geluErf
        case .geluTanh: .geluTanh
        }
    }

    /// The activation as a separate op.
    public func apply(_ x: Tensor) -> Tensor {
        switch self {
        case .geluErf: x.gelu()
        case .geluTanh: x.geluTanh()
        }
    }
}

extension Reference {
    /// x · Wᵀ + b in Float64 (x [..., in], W [out, in], b [out]).
    public static func linear(_ x: ReferenceTensor, weight: ReferenceTensor, bias: ReferenceTensor?) -> ReferenceTensor {
        let inFeatures = weight.shape[1], outFeatures = weight.shape[0]
        let rows = x.shape.dropLast().reduce(1, *)
        var data = [Double](repeating: 0, count: rows * outFeatures)
        for r in 0..<rows {
            for o in 0..<outFeatures {
                var total = bias?.data[o] ?? 0
                for i in 0..<inFeatures { total += x.data[r * inFeatures + i] * weight.data[o * inFeatures + i] }
                data[r * outFeatures + o] = total
            }
        }
        return ReferenceTensor(shape: Array(x.shape.dropLast()) + [outFeatures], data: data)
    }
}
