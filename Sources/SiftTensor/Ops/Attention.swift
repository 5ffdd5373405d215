// Scaled dot-product attention with padding masks, causal masking, grouped-query heads, and a
// flash-attention style backward that never materialises the B×H×T×S score tensor.
// Shapes: query [B, T, H, D], key [B, S, Hkv, D], value [B, S, Hkv, D] (H % Hkv == 0; query head h
// reads kv head h / (H/Hkv)), keyMask [B·S] (1 = real token, 0 = padding) -> y [B, T, H, D].
// Causal: query t may attend key s only when s ≤ t + (S − T) (a query block appended after a KV
// cache of S − T keys). A query row with no allowed key outputs zeros.
//
// Forward, per (batch, head) (one per thread), query tiles of `tileRows` rows, scratch [tile, S]:
//   1. scores = scale · q · kᵀ (a GEMM on the tile)
//   2. mask: padded keys and keys in the causal future get −∞
//   3. softmax per row: p = exp(score − max) / Σ; logsumexp = max + log Σ is saved per row;
//      with attention dropout (training), p' = p ⊙ m / (1 − r), the keep mask m regenerated from
//      (seed, row (b·H + h)·T + t, key s) by a counter-based hash, never stored
//   4. y = p' · v (a GEMM on the tile), written straight into [B, T, H, D]
// Saved for backward: the output and the logsumexp [B, H, T] only.
// Backward, per (batch, kv head) on one thread (so dK/dV sums never race and stay deterministic),
// for every query head of the group and every query tile:
//   5. recompute scores (1–2) and p = exp(score − logsumexp)
//   6. dP = dy · vᵀ (then dP ⊙ m / (1 − r) with dropout);  δ_t = Σ_d dy_t·y_t;  dS = p ⊙ (dP − δ)
//      (δ_t = Σ_s p_ts·dP_ts holds with dropout too, since y already carries the mask)
//   7. dV += p'ᵀ · dy;  dQ = scale · dS · k;  dK += scale · dSᵀ · q
// The tile products run on `BLAS.sgemm` or on `TileKernels` (Swift SIMD), see `AttentionKernel`.
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import CSiftKernels
import Foundation

/// Which implementation multiplies the attention tiles (all agree to f32 rounding).
public enum AttentionKernel: String, Sendable, CaseIterable {
    /// `BLAS.sgemm` on tiles small enough (m·n·k ≤ 2¹⁸ where S·D allows) that OpenBLAS runs each
    /// product in the calling thread, with one (batch, head) per thread of ours. The default: as
    /// fast as `blasThreaded` at BERT sizes and much steadier when the cores are shared.
    case blas
    /// `BLAS.sgemm` on full 128-row tiles, (batch, head) items one after another on the calling
    /// thread, BLAS spreading each product over its own threads.
    case blasThreaded = "blas-threaded"
    /// Swift SIMD tile products, one (batch, head) per thread; no BLAS at all.
    case simd

    /// The kernel `Tensor.attention` uses when none is given (compare them with `sift bench engine`).
    public static let automatic: AttentionKernel = .blas
}

/// Dropout on the attention probabilities (transformers' `attention_probs_dropout_prob` in training):
/// each probability is zeroed with `probability` and the kept ones scaled by 1/(1 − probability).
/// The mask is a counter-based hash of (`seed`, row, key), so forward and backward regenerate it and
/// it does not depend on tiles, kernels or threads.
public struct AttentionDropout: Sendable, Equatable {
    /// Drop probability in [0, 1].
    public let probability: Float
    /// Seed of this call's mask (draw a fresh one per call, e.g. `ForwardContext.attentionDropout`).
    public let seed: UInt64

    /// The kernel's keep threshold and the kept values' factor, worked out once (apply runs per row).
    private let threshold24: UInt32, keepScale: Float

    public init(probability: Float, seed: UInt64) {
        self.probability = probability
        self.seed = seed
        // An invalid probability is rejected by `attention` before any row is applied.
        let valid = probability >= 0 && probability <= 1
        threshold24 = valid ? Tensor.dropoutThreshold(probability) : 0
        keepScale = valid ? Tensor.dropoutScale(probability) : 1
    }

    /// Applies the mask of probability row `rowIndex` = (b·H + h)·T + t to its first `count` keys, in place.
    @inline(__always)
    func apply(_ row: UnsafeMutablePointer<Float>, count: Int, rowIndex: Int) {
        sift_dropout_row(row, count, seed, UInt64(rowIndex), threshold24, keepScale)
    }
}

/// Below this m·n·k OpenBLAS multiplies in the calling thread (65536 × GEMM_MULTITHREAD_THRESHOLD 4).
private let singleThreadedProductLimit = 1 << 18

/// Sizes and strides of one attention call, shared by the forward and backward kernels.
private struct AttentionGeometry {
    let batch: Int, queryLength: Int, keyLength: Int, heads: Int, keyHeads: Int, headDimension: Int
    let scale: Float
    let causal: Bool
    let kernel: AttentionKernel
    /// Dropout on the probabilities (training), or `nil`.
    let dropout: AttentionDropout?
    /// Row strides of the forward's query and key/value inputs: `H·D` and `Hkv·D` for dense
    /// tensors, `(H + 2·Hkv)·D` when they are the column blocks of one fused projection's output.
    /// The output, the gradients and backward's inputs are always dense.
    let queryInputStride: Int, keyInputStride: Int

    init(batch: Int, queryLength: Int, keyLength: Int, heads: Int, keyHeads: Int, headDimension: Int, scale: Float,
         causal: Bool, kernel: AttentionKernel, dropout: AttentionDropout?, queryInputStride: Int? = nil, keyInputStride: Int? = nil) {
        (self.batch, self.queryLength, self.keyLength) = (batch, queryLength, keyLength)
        (self.heads, self.keyHeads, self.headDimension) = (heads, keyHeads, headDimension)
        (self.scale, self.causal, self.kernel) = (scale, causal, kernel)
        self.dropout = dropout.flatMap { $0.probability > 0 ? $0 : nil }
        self.queryInputStride = queryInputStride ?? heads * headDimension
        self.keyInputStride = keyInputStride ?? keyHeads * headDimension
    }

    var groupSize: Int { heads / keyHeads }
    var queryRowStride: Int { heads * headDimension }
    var keyRowStride: Int { keyHeads * headDimension }
    /// Offset of (b, t = 0, h, 0) in a [B, T, H, D] tensor.
    func queryOffset(batch b: Int, head h: Int) -> Int { (b * queryLength * heads + h) * headDimension }
    /// Offset of (b, s = 0, kvh, 0) in a [B, S, Hkv, D] tensor.
    func keyOffset(batch b: Int, keyHead kvh: Int) -> Int { (b * keyLength * keyHeads + kvh) * headDimension }
    /// Index of probability row (b, h, t): the dropout mask's row stream.
    func probabilityRow(batch b: Int, head h: Int, row t: Int) -> Int { (b * heads + h) * queryLength + t }
    /// Offset of query (b, t = 0, h) in the forward's query input.
    func queryInputOffset(batch b: Int, head h: Int) -> Int { b * queryLength * queryInputStride + h * headDimension }
    /// Offset of key/value (b, s = 0, kvh) in the forward's key and value inputs.
    func keyInputOffset(batch b: Int, keyHead kvh: Int) -> Int { b * keyLength * keyInputStride + kvh * headDimension }
    /// Query rows processed together; bounds the per-thread scratch to `tileRows × S` floats. Causal
    /// attention uses short tiles so each tile only multiplies the keys its last row can see
    /// (about half the products of a full square).
    var tileRows: Int {
        var rows = causal ? 32 : 128
        if kernel == .blas {  // keep every product under OpenBLAS's threading threshold when possible
            rows = Swift.min(rows, Swift.max(8, singleThreadedProductLimit / Swift.max(keyLength * headDimension, 1)))
        }
        return Swift.min(rows, Swift.max(queryLength, 1))
    }
    /// One past the last key query row `t` may see (may be ≤ 0: no key at all).
    func keyLimit(row t: Int) -> Int {
        causal ? Swift.min(keyLength, t + keyLength - queryLength + 1) : keyLength
    }
}

extension Tensor {
    /// Scaled dot-product attention: `softmax(q·kᵀ·scale + mask) · v` per head.
    ///
    /// - Parameters:
    ///   - query: `[B, T, H, D]`.
    ///   - key, value: `[B, S, Hkv, D]` with `H % Hkv == 0` (grouped-query attention).
    ///   - keyMask: flat `[B·S]`, 1 for a real key, 0 for padding (`nil`: every key is real).
    ///   - causal: query `t` sees key `s` only when `s ≤ t + S − T`.
    ///   - scale: score scale, `1/√D` by default.
    ///   - kernel: how tiles are multiplied (results agree to rounding; see `AttentionKernel`).
    ///   - dropout: dropout on the probabilities (training), or `nil`.
    /// - Returns: `[B, T, H, D]`; rows with no visible key are zeros.
    public static func attention(
        query: Tensor, key: Tensor, value: Tensor, keyMask: [Int]? = nil, causal: Bool = false, scale: Float? = nil,
        kernel: AttentionKernel = .automatic, dropout: AttentionDropout? = nil
    ) throws -> Tensor {
        let op = "attention"
        guard query.rank == 4 else {
            throw TensorError.shapeMismatch(op: op, expected: "query of rank 4 [batch, time, heads, headDimension]", got: query.shape)
        }
        let batch = query.shape[0], queryLength = query.shape[1], heads = query.shape[2], headDimension = query.shape[3]
        guard key.rank == 4, key.shape[0] == batch, key.shape[3] == headDimension else {
            throw TensorError.shapeMismatch(
                op: op, expected: "key [\(batch), keyLength, keyHeads, \(headDimension)] matching the query \(query.shape)", got: key.shape)
        }
        guard value.shape == key.shape else {
            throw TensorError.shapeMismatch(op: op, expected: "value with the key's shape \(key.shape)", got: value.shape)
        }
        let keyLength = key.shape[1], keyHeads = key.shape[2]
        guard keyHeads > 0 || heads == 0, keyHeads == 0 || heads % keyHeads == 0 else {
            throw TensorError.invalidArgument(
                op: op, reason: "the query's \(heads) heads must be a multiple of the key's \(keyHeads) heads (grouped-query attention)")
        }
        let maskBias = try additiveMask(keyMask, batch: batch, keyLength: keyLength, op: op)
        let resolvedScale = try resolvedAttentionScale(scale, headDimension: headDimension, op: op)
        try checkDropout(dropout, op: op)
        let geometry = AttentionGeometry(
            batch: batch, queryLength: queryLength, keyLength: keyLength, heads: heads, keyHeads: keyHeads,
            headDimension: headDimension, scale: resolvedScale, causal: causal, kernel: kernel, dropout: dropout)
        let out = Tensor.uninitialized(query.shape)
        let logSumExp = TensorStorage(uninitializedCount: batch * heads * queryLength)
        if heads > 0 {
            maskBias.withUnsafeBufferPointer { bias in
                attentionForward(
                    geometry, query: query.storage.pointer, key: key.storage.pointer, value: value.storage.pointer,
                    maskBias: keyMask == nil ? nil : bias.baseAddress, out: out.storage.pointer, logSumExp: logSumExp.pointer)
            }
        }

        let savedOutput = out.storage
        return out.recordOp(op, inputs: [query, key, value]) { gradOut in
            let gradQuery = Tensor.uninitialized(query.shape)
            let gradKey = try Tensor.zeros(key.shape), gradValue = try Tensor.zeros(value.shape)
            if heads > 0 {
                maskBias.withUnsafeBufferPointer { bias in
                    attentionBackward(
                        geometry, query: query.storage.pointer, key: key.storage.pointer, value: value.storage.pointer,
                        maskBias: keyMask == nil ? nil : bias.baseAddress, out: savedOutput.pointer, logSumExp: logSumExp.pointer,
                        gradOut: gradOut.storage.pointer, gradQuery: gradQuery.storage.pointer,
                        gradKey: gradKey.storage.pointer, gradValue: gradValue.storage.pointer)
                }
            } else {
                gradQuery.storage.pointer.initialize(repeating: 0, count: gradQuery.count)
            }
            return [gradQuery, gradKey, gradValue]
        }
    }
}

extension Tensor {
    /// Self-attention over the output of one fused Q/K/V projection, reading its three column blocks
    /// in place (no split copies): each row of `qkv` holds the query heads, then the key heads, then
    /// the value heads, as a linear layer with the three weights stacked `[Wq; Wk; Wv]` writes them.
    ///
    /// - Parameters:
    ///   - qkv: `[B, T, (H + 2·Hkv)·D]`.
    ///   - heads: query heads `H`; `keyHeads`: `Hkv` (`nil`: `H`), with `H % Hkv == 0`.
    ///   - keyMask, causal, scale, kernel, dropout: as in `attention(query:key:value:…)` (here S = T).
    /// - Returns: `[B, T, H, D]`, equal to `attention(query:key:value:…)` on the three blocks. When a
    ///   graph is recorded the blocks are sliced (differentiable copies) and that function runs.
    public static func attention(
        fusedQKV qkv: Tensor, heads: Int, keyHeads: Int? = nil, keyMask: [Int]? = nil, causal: Bool = false,
        scale: Float? = nil, kernel: AttentionKernel = .automatic, dropout: AttentionDropout? = nil
    ) throws -> Tensor {
        let op = "attention(fusedQKV:)"
        let keyHeads = keyHeads ?? heads
        guard heads > 0, keyHeads > 0, heads % keyHeads == 0 else {
            throw TensorError.invalidArgument(
                op: op, reason: "need heads > 0 and keyHeads > 0 with heads a multiple of keyHeads, got \(heads) and \(keyHeads)")
        }
        let blocks = heads + 2 * keyHeads
        guard qkv.rank == 3, qkv.shape[2] % blocks == 0 else {
            throw TensorError.shapeMismatch(
                op: op, expected: "[batch, time, (\(heads) + 2·\(keyHeads)) · headDimension]", got: qkv.shape)
        }
        let batch = qkv.shape[0], length = qkv.shape[1], headDimension = qkv.shape[2] / blocks
        if Tensor.needsGraph([qkv]) {
            let queryWidth = heads * headDimension, keyWidth = keyHeads * headDimension
            let query = try qkv.slice(axis: 2, range: 0..<queryWidth).reshaped([batch, length, heads, headDimension])
            let key = try qkv.slice(axis: 2, range: queryWidth..<(queryWidth + keyWidth))
                .reshaped([batch, length, keyHeads, headDimension])
            let value = try qkv.slice(axis: 2, range: (queryWidth + keyWidth)..<qkv.shape[2])
                .reshaped([batch, length, keyHeads, headDimension])
            return try attention(
                query: query, key: key, value: value, keyMask: keyMask, causal: causal, scale: scale, kernel: kernel, dropout: dropout)
        }
        let maskBias = try additiveMask(keyMask, batch: batch, keyLength: length, op: op)
        try checkDropout(dropout, op: op)
        let geometry = AttentionGeometry(
            batch: batch, queryLength: length, keyLength: length, heads: heads, keyHeads: keyHeads,
            headDimension: headDimension, scale: try resolvedAttentionScale(scale, headDimension: headDimension, op: op),
            causal: causal, kernel: kernel, dropout: dropout, queryInputStride: qkv.shape[2], keyInputStride: qkv.shape[2])
        let out = Tensor.uninitialized([batch, length, heads, headDimension])
        let logSumExp = TensorStorage(uninitializedCount: batch * heads * length)
        let base = UnsafePointer(qkv.storage.pointer)
        maskBias.withUnsafeBufferPointer { bias in
            attentionForward(
                geometry, query: base, key: base + heads * headDimension, value: base + (heads + keyHeads) * headDimension,
                maskBias: keyMask == nil ? nil : bias.baseAddress, out: out.storage.pointer, logSumExp: logSumExp.pointer)
        }
        return out
    }

    /// The additive mask per key, 0 for real keys and −∞ for padding, after checking `keyMask`.
    /// (Without a mask the array is empty and its base address, which may be non-nil, must not be used.)
    private static func additiveMask(_ keyMask: [Int]?, batch: Int, keyLength: Int, op: String) throws -> [Float] {
        guard let keyMask else { return [] }
        guard keyMask.count == batch * keyLength else {
            throw TensorError.invalidArgument(
                op: op, reason: "the key mask has \(keyMask.count) entries but batch × keyLength is \(batch * keyLength)")
        }
        if let bad = keyMask.firstIndex(where: { $0 != 0 && $0 != 1 }) {
            throw TensorError.invalidArgument(
                op: op, reason: "key mask entry \(bad) is \(keyMask[bad]); use 1 for real tokens and 0 for padding")
        }
        return keyMask.map { $0 == 1 ? Float(0) : -Float.infinity }
    }

    /// Throws unless the dropout probability is in [0, 1].
    private static func checkDropout(_ dropout: AttentionDropout?, op: String) throws {
        guard let dropout, !(dropout.probability >= 0 && dropout.probability <= 1) else { return }
        throw TensorError.invalidArgument(
            op: op, reason: "the attention dropout probability must be in [0, 1], got \(dropout.probability)")
    }

    /// `scale`, or `1/√D` when `nil`; throws unless finite.
    private static func resolvedAttentionScale(_ scale: Float?, headDimension: Int, op: String) throws -> Float {
        let resolved = scale ?? 1 / Float(headDimension).squareRoot()
        guard resolved.isFinite else {
            throw TensorError.invalidArgument(op: op, reason: "the scale must be finite, got \(resolved)")
        }
        return resolved
    }
}

/// One tile product with the geometry's kernel (same contract as `BLAS.sgemm`).
@inline(__always)
private func tileProduct(
    _ g: AttentionGeometry, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    switch g.kernel {
    case .simd:
        TileKernels.gemm(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
            b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    case .blas, .blasThreaded:
        BLAS.sgemm(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
            b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
}

/// Runs `body` over `0..<count` work items: in parallel chunks on our threads, except for the
/// threaded-BLAS kernel, which runs them in one chunk on the calling thread (BLAS parallelises
/// each product itself).
@inline(__always)
private func forEachItem(_ g: AttentionGeometry, count: Int, work: Int, _ body: (Range<Int>) -> Void) {
    switch g.kernel {
    case .simd, .blas: Parallel.forEachChunk(count, minChunk: Swift.max(1, (1 << 16) / Swift.max(work, 1)), body)
    case .blasThreaded: if count > 0 { body(0..<count) }
    }
}

/// Runs `body` over the rows of one tile: split over our threads for the threaded-BLAS kernel (our
/// threads are idle between its products), on the current thread otherwise (already one item per thread).
@inline(__always)
private func forEachRow(_ g: AttentionGeometry, rows: Int, keyEnd: Int, _ body: (Range<Int>) -> Void) {
    switch g.kernel {
    case .simd, .blas: if rows > 0 { body(0..<rows) }
    case .blasThreaded: Parallel.forEachChunk(rows, minChunk: Swift.max(1, 4096 / Swift.max(keyEnd, 1)), body)
    }
}

/// Steps 1–2: scores[r, s] = scale · q_{t0+r} · k_s for s < keyEnd, then −∞ where masked.
@inline(__always)
private func maskedScores(
    _ g: AttentionGeometry, queryTile q: UnsafePointer<Float>, keys k: UnsafePointer<Float>, rows: Int, firstRow: Int,
    keyEnd: Int, maskBias: UnsafePointer<Float>?, scores: UnsafeMutablePointer<Float>
) {
    tileProduct(
        g, transposeA: false, transposeB: true, m: rows, n: keyEnd, k: g.headDimension, alpha: g.scale,
        a: q, lda: g.queryInputStride, b: k, ldb: g.keyInputStride, beta: 0, c: scores, ldc: keyEnd)
    forEachRow(g, rows: rows, keyEnd: keyEnd) { rowRange in
        for r in rowRange {
            let limit = Swift.max(0, g.keyLimit(row: firstRow + r))
            if maskBias != nil || limit < keyEnd {
                sift_attention_mask_row(scores + r * keyEnd, maskBias, keyEnd, limit)
            }
        }
    }
}

/// Step 3 on one row of masked scores: replaces it with its softmax and returns its logsumexp;
/// a row with no visible key becomes zeros and returns +∞ (so exp(score − ∞) = 0 in backward).
@inline(__always)
private func softmaxInPlace(_ row: UnsafeMutablePointer<Float>, count: Int) -> Float {
    let maximum = VectorMath.maximum(row, count: count)
    if maximum == -.infinity {
        row.update(repeating: 0, count: count)
        return .infinity
    }
    let sum = VectorMath.expShifted(row, row, count: count, shift: maximum)
    sift_scale(row, 1 / sum, count)
    return maximum + logf(sum)
}

/// Forward over every (batch, head), in parallel.
private func attentionForward(
    _ g: AttentionGeometry, query: UnsafePointer<Float>, key: UnsafePointer<Float>, value: UnsafePointer<Float>,
    maskBias: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>, logSumExp: UnsafeMutablePointer<Float>
) {
    let tile = g.tileRows
    let work = g.queryLength * g.keyLength * g.headDimension
    forEachItem(g, count: g.batch * g.heads, work: work) { items in
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(tile * g.keyLength, 1))
        defer { scratch.deallocate() }
        for item in items {
            let b = item / g.heads, h = item % g.heads, kvh = h / g.groupSize
            let qBase = query + g.queryInputOffset(batch: b, head: h), oBase = out + g.queryOffset(batch: b, head: h)
            let kBase = key + g.keyInputOffset(batch: b, keyHead: kvh), vBase = value + g.keyInputOffset(batch: b, keyHead: kvh)
            let bias = maskBias.map { $0 + b * g.keyLength }
            let lse = logSumExp + item * g.queryLength
            var t0 = 0
            while t0 < g.queryLength {
                let rows = Swift.min(tile, g.queryLength - t0)
                let keyEnd = Swift.max(0, g.keyLimit(row: t0 + rows - 1))
                // 1.–2. scores and masks
                if keyEnd > 0 {
                    maskedScores(
                        g, queryTile: qBase + t0 * g.queryInputStride, keys: kBase, rows: rows, firstRow: t0,
                        keyEnd: keyEnd, maskBias: bias, scores: scratch)
                }
                // 3. softmax per row (rows with no visible key become zeros), then dropout
                forEachRow(g, rows: rows, keyEnd: keyEnd) { rowRange in
                    for r in rowRange {
                        lse[t0 + r] = softmaxInPlace(scratch + r * keyEnd, count: keyEnd)
                        g.dropout?.apply(scratch + r * keyEnd, count: keyEnd, rowIndex: g.probabilityRow(batch: b, head: h, row: t0 + r))
                    }
                }
                // 4. y = p' · v
                tileProduct(
                    g, transposeA: false, transposeB: false, m: rows, n: g.headDimension, k: keyEnd, alpha: 1,
                    a: scratch, lda: Swift.max(keyEnd, 1), b: vBase, ldb: g.keyInputStride, beta: 0,
                    c: oBase + t0 * g.queryRowStride, ldc: g.queryRowStride)
                t0 += rows
            }
        }
    }
}

/// Backward over every (batch, kv head), in parallel; each item owns its dK/dV slices.
private func attentionBackward(
    _ g: AttentionGeometry, query: UnsafePointer<Float>, key: UnsafePointer<Float>, value: UnsafePointer<Float>,
    maskBias: UnsafePointer<Float>?, out: UnsafePointer<Float>, logSumExp: UnsafePointer<Float>,
    gradOut: UnsafePointer<Float>, gradQuery: UnsafeMutablePointer<Float>,
    gradKey: UnsafeMutablePointer<Float>, gradValue: UnsafeMutablePointer<Float>
) {
    let tile = g.tileRows
    let work = g.groupSize * g.queryLength * g.keyLength * g.headDimension
    forEachItem(g, count: g.batch * g.keyHeads, work: work) { items in
        let probabilities = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(tile * g.keyLength, 1))
        let gradScores = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(tile * g.keyLength, 1))
        defer { probabilities.deallocate(); gradScores.deallocate() }
        for item in items {
            let b = item / g.keyHeads, kvh = item % g.keyHeads
            let kBase = key + g.keyOffset(batch: b, keyHead: kvh), vBase = value + g.keyOffset(batch: b, keyHead: kvh)
            let dkBase = gradKey + g.keyOffset(batch: b, keyHead: kvh), dvBase = gradValue + g.keyOffset(batch: b, keyHead: kvh)
            let bias = maskBias.map { $0 + b * g.keyLength }
            for h in (kvh * g.groupSize)..<((kvh + 1) * g.groupSize) {
                let offset = g.queryOffset(batch: b, head: h)
                let qBase = query + offset, oBase = out + offset, doBase = gradOut + offset, dqBase = gradQuery + offset
                let lse = logSumExp + (b * g.heads + h) * g.queryLength
                var t0 = 0
                while t0 < g.queryLength {
                    let rows = Swift.min(tile, g.queryLength - t0)
                    let keyEnd = Swift.max(0, g.keyLimit(row: t0 + rows - 1))
                    let qTile = qBase + t0 * g.queryRowStride, doTile = doBase + t0 * g.queryRowStride
                    let dqTile = dqBase + t0 * g.queryRowStride
                    guard keyEnd > 0 else {
                        for r in 0..<rows { (dqTile + r * g.queryRowStride).initialize(repeating: 0, count: g.headDimension) }
                        t0 += rows
                        continue
                    }
                    // 5. recompute p = exp(scale · q·kᵀ + mask − logsumexp)
                    maskedScores(
                        g, queryTile: qTile, keys: kBase, rows: rows, firstRow: t0, keyEnd: keyEnd,
                        maskBias: bias, scores: probabilities)
                    forEachRow(g, rows: rows, keyEnd: keyEnd) { rowRange in
                        for r in rowRange {
                            let row = probabilities + r * keyEnd
                            _ = VectorMath.expShifted(row, row, count: keyEnd, shift: lse[t0 + r])
                        }
                    }
                    // 6. dP = dy · vᵀ (⊙ the dropout mask), then dS = p ⊙ (dP − δ) with δ_t = dy_t · y_t;
                    //    with dropout, p becomes p' for step 7 once dS is made
                    tileProduct(
                        g, transposeA: false, transposeB: true, m: rows, n: keyEnd, k: g.headDimension, alpha: 1,
                        a: doTile, lda: g.queryRowStride, b: vBase, ldb: g.keyRowStride, beta: 0,
                        c: gradScores, ldc: keyEnd)
                    forEachRow(g, rows: rows, keyEnd: keyEnd) { rowRange in
                        for r in rowRange {
                            let t = t0 + r
                            let delta = RowKernels.dot(
                                doBase + t * g.queryRowStride, oBase + t * g.queryRowStride, count: g.headDimension)
                            let probabilityRow = g.probabilityRow(batch: b, head: h, row: t)
                            g.dropout?.apply(gradScores + r * keyEnd, count: keyEnd, rowIndex: probabilityRow)
                            sift_softmax_backward_row(probabilities + r * keyEnd, gradScores + r * keyEnd, keyEnd, delta)
                            g.dropout?.apply(probabilities + r * keyEnd, count: keyEnd, rowIndex: probabilityRow)
                        }
                    }
                    // 7. dV += p'ᵀ · dy;  dQ = scale · dS · k;  dK += scale · dSᵀ · q
                    tileProduct(
                        g, transposeA: true, transposeB: false, m: keyEnd, n: g.headDimension, k: rows, alpha: 1,
                        a: probabilities, lda: keyEnd, b: doTile, ldb: g.queryRowStride, beta: 1,
                        c: dvBase, ldc: g.keyRowStride)
                    tileProduct(
                        g, transposeA: false, transposeB: false, m: rows, n: g.headDimension, k: keyEnd, alpha: g.scale,
                        a: gradScores, lda: keyEnd, b: kBase, ldb: g.keyRowStride, beta: 0,
                        c: dqTile, ldc: g.queryRowStride)
                    tileProduct(
                        g, transposeA: true, transposeB: false, m: keyEnd, n: g.headDimension, k: rows, alpha: g.scale,
                        a: gradScores, lda: keyEnd, b: qTile, ldb: g.queryRowStride, beta: 1,
                        c: dkBase, ldc: g.keyRowStride)
                    t0 += rows
                }
            }
        }
    }
}

extension Reference {
    /// Attention in Float64, materialising every score (slow, for tests); `keep` multiplies each
    /// probability (a dropout mask with its 1/(1 − p) scale).
    public static func attention(
        query: ReferenceTensor, key: ReferenceTensor, value: ReferenceTensor,
        keyMask: [Int]? = nil, causal: Bool = false, scale: Double? = nil,
        keep: ((_ batch: Int, _ head: Int, _ row: Int, _ key: Int) -> Double)? = nil
    ) -> ReferenceTensor {
        let batch = query.shape[0], queryLength = query.shape[1], heads = query.shape[2], dimension = query.shape[3]
        let keyLength = key.shape[1], keyHeads = key.shape[2], group = heads / keyHeads
        let resolvedScale = scale ?? 1 / Double(dimension).squareRoot()
        var out = ReferenceTensor(shape: query.shape, data: [Double](repeating: 0, count: query.count))
        for b in 0..<batch {
            for h in 0..<heads {
                let kvh = h / group
                for t in 0..<queryLength {
                    let qStart = ((b * queryLength + t) * heads + h) * dimension
                    var visible: [(Int, Double)] = []
                    for s in 0..<keyLength {
                        if let keyMask, keyMask[b * keyLength + s] == 0 { continue }
                        if causal && s > t + keyLength - queryLength { continue }
                        let kStart = ((b * keyLength + s) * keyHeads + kvh) * dimension
                        var score = 0.0
                        for d in 0..<dimension { score += query.data[qStart + d] * key.data[kStart + d] }
                        visible.append((s, score * resolvedScale))
                    }
                    guard let maximum = visible.map(\.1).max() else { continue }
                    let total = visible.reduce(0) { $0 + Foundation.exp($1.1 - maximum) }
                    for (s, score) in visible {
                        let p = Foundation.exp(score - maximum) / total * (keep?(b, h, t, s) ?? 1)
                        let vStart = ((b * keyLength + s) * keyHeads + kvh) * dimension
                        for d in 0..<dimension { out.data[qStart + d] += p * value.data[vStart + d] }
                    }
                }
            }
        }
        return out
    }
}
