// `sift bench engine` section: the GEMM backends side by side on one buffer set (OpenBLAS f32,
// oneDNN f32 with the weight as stored and from a packed copy, oneDNN bf16 incl. rounding the
// input), and one `linear` training step in fp32 and bf16 — interleaved, best of N, so the ratios
// hold on a busy machine. The 128-row shapes are BERT-base's at batch 1 (the latency target).
import Foundation
import SiftTensor

extension EngineBench {
    /// One text table comparing the GEMM backends and the linear step's precisions.
    static func backendSection(repeats: Int) throws -> String {
        guard OneDNN.isAvailable else { return "GEMM backends: oneDNN unavailable (\(OneDNN.unavailableReason ?? "?")), skipped" }
        var lines = ["GEMM backends (best of \(repeats), interleaved; GFLOP/s)",
                     "shape            openblas f32   onednn f32   f32 packed W   onednn bf16   bf16 incl. rounding A   linear fwd+bwd fp32 → bf16"]
        for (m, k, n) in [(128, 768, 768), (128, 768, 3072), (128, 3072, 768),
                          (2048, 768, 768), (2048, 768, 3072), (2048, 3072, 768), (1024, 1024, 3072)] {
            let a = try randomTensor([m, k], seed: 1), w = try randomTensor([n, k], seed: 2)
            let c = TensorStorage(uninitializedCount: m * n)
            let a16 = BF16Buffer(rounding: a.storage.pointer, count: m * k), w16 = BF16Buffer(rounding: w.storage.pointer, count: n * k)
            let scratch = BF16Buffer(uninitializedCount: m * k)
            let pa = a.storage.pointer, pw = w.storage.pointer, pc = c.pointer
            let x = try randomTensor([m, k], seed: 5, requiresGrad: true)
            let weight = try randomTensor([n, k], seed: 6, requiresGrad: true)
            let bias = try randomTensor([n], seed: 7, requiresGrad: true)
            let gradOut = try randomTensor([m, n], seed: 8)
            func step(_ precision: MatmulPrecision) throws {
                for p in [x, weight, bias] { p.zeroGrad() }
                try withMatmulPrecision(precision) { try x.linear(weight: weight, bias: bias).backward(gradient: gradOut) }
            }
            let times = try interleavedBest(repeats: repeats, [
                { BLAS.sgemm(transposeA: false, transposeB: true, m: m, n: n, k: k, alpha: 1, a: pa, lda: k, b: pw, ldb: k, beta: 0, c: pc, ldc: n) },
                { OneDNN.sgemm(transposeA: false, transposeB: true, m: m, n: n, k: k, a: pa, lda: k, b: pw, ldb: k, beta: 0, c: pc, ldc: n) },
                { OneDNN.bf16gemm(transposeA: false, transposeB: true, m: m, n: n, k: k, a: a16.pointer, lda: k, b: w16.pointer, ldb: k, beta: 0, c: pc, ldc: n) },
                {
                    BF16Buffer.round(pa, into: scratch.pointer, count: m * k)
                    OneDNN.bf16gemm(transposeA: false, transposeB: true, m: m, n: n, k: k, a: scratch.pointer, lda: k, b: w16.pointer, ldb: k, beta: 0, c: pc, ldc: n)
                },
                { BF16Buffer.round(pa, into: scratch.pointer, count: m * k) },
                { try step(.fp32) },
                { try step(.bf16) },
                { OneDNN.linearPacked(m: m, n: n, k: k, a: pa, weight: w.storage, c: pc) },
            ])
            let flops = 2.0 * Double(m * n * k)
            func rate(_ t: Double) -> String { String(format: "%8.0f", flops / t / 1e9) }
            lines.append("\(m)×\(k)×\(n)".padding(toLength: 17, withPad: " ", startingAt: 0)
                         + "\(rate(times[0]))     \(rate(times[1]))       \(rate(times[7]))     \(rate(times[2]))      \(rate(times[3]))"
                         + String(format: "                %6.1f ms → %6.1f ms (%.2f×)", times[5] * 1000, times[6] * 1000, times[5] / times[6]) + String(format: "   rounding A %.2f ms", times[4] * 1000))
        }
        return lines.joined(separator: "\n")
    }
}
