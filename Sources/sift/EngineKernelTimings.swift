// Timings of the engine's fused neural-network kernels, for `sift bench engine`: forward and
// backward milliseconds (fastest and median of `repeats` runs after one warm-up) at BERT-base-like
// sizes. On a shared machine the fastest run is the better estimate of the kernel's own cost.
import Foundation
import SiftTensor

/// Measures attention (B=16, T=128, 12 heads × 64, both tile kernels), LayerNorm and RMSNorm
/// (16×128×768), GELU and SwiGLU, and returns a text table of forward / backward times in ms
/// (fastest and median of `repeats` runs).
func engineKernelTimings(repeats: Int) throws -> String {
    let runs = max(1, repeats)
    var generator = SeededGenerator(seed: 2024)
    var lines = [
        "engine kernels (\(Parallel.threadCount) threads, \(runs) runs after a warm-up, ms: fastest / median)",
        "kernel                                        forward            backward",
    ]

    /// Times `forward` (which must return an output that requires grad) and its backward pass.
    func measure(_ name: String, _ forward: () throws -> Tensor) throws {
        var forwardTimes: [Double] = [], backwardTimes: [Double] = []
        let clock = ContinuousClock()
        for run in 0...runs {
            let start = clock.now
            let output = try forward()
            let middle = clock.now
            let seed = try Tensor.full(output.shape, value: 1)
            let backwardStart = clock.now
            try output.backward(gradient: seed)
            let end = clock.now
            if run > 0 {  // run 0 is the warm-up
                forwardTimes.append(milliseconds(middle - start))
                backwardTimes.append(milliseconds(end - backwardStart))
            }
        }
        let row = name.padding(toLength: 48, withPad: " ", startingAt: 0)
        lines.append(
            row
                + String(
                    format: "%8.2f / %-8.2f  %8.2f / %-8.2f", forwardTimes.min() ?? 0, median(forwardTimes),
                    backwardTimes.min() ?? 0, median(backwardTimes)))
    }

    /// Times an inference-only `body` (no graph, no backward).
    func measureForward(_ name: String, _ body: () throws -> Void) throws {
        var times: [Double] = []
        let clock = ContinuousClock()
        for run in 0...(runs * 10) {  // short calls: more runs
            let start = clock.now
            try body()
            if run > 0 { times.append(milliseconds(clock.now - start)) }
        }
        lines.append(name.padding(toLength: 48, withPad: " ", startingAt: 0)
                     + String(format: "%8.3f / %-8.3f         – (inference)", times.min() ?? 0, median(times)))
    }

    let query = try generator.normal([16, 128, 12, 64], requiresGrad: true)
    let key = try generator.normal([16, 128, 12, 64], requiresGrad: true)
    let value = try generator.normal([16, 128, 12, 64], requiresGrad: true)
    let keyMask = (0..<(16 * 128)).map { $0 % 128 < 100 + $0 / 128 ? 1 : 0 }  // right padding, like a batch
    for kernel in AttentionKernel.allCases {
        try measure("attention 16×128×12×64 padded [\(kernel.rawValue)]") {
            try Tensor.attention(query: query, key: key, value: value, keyMask: keyMask, kernel: kernel)
        }
        try measure("attention 16×128×12×64 causal [\(kernel.rawValue)]") {
            try Tensor.attention(query: query, key: key, value: value, causal: true, kernel: kernel)
        }
    }
    // Batch-1 inference (MiniLM-L6's heads): the latency case, where per-call costs dominate.
    let query1 = try generator.normal([1, 128, 12, 32]), key1 = try generator.normal([1, 128, 12, 32])
    let value1 = try generator.normal([1, 128, 12, 32])
    for kernel in AttentionKernel.allCases {
        try measureForward("attention 1×128×12×32 no grad [\(kernel.rawValue)]") {
            _ = try Tensor.attention(query: query1, key: key1, value: value1, kernel: kernel)
        }
    }
    // What BERT's attention_probs_dropout_prob adds in training: the mask hashed in the forward and
    // twice in backward (never stored), on the default kernel.
    var dropoutSeed: UInt64 = 0
    try measure("attention 16×128×12×64 padded, dropout 0.1") {
        dropoutSeed += 1
        return try Tensor.attention(
            query: query, key: key, value: value, keyMask: keyMask, dropout: AttentionDropout(probability: 0.1, seed: dropoutSeed))
    }
    let hidden = try generator.normal([16, 128, 768], requiresGrad: true)
    let weight = try generator.normal([768], mean: 1, std: 0.1, requiresGrad: true)
    let bias = try generator.normal([768], std: 0.1, requiresGrad: true)
    try measure("layerNorm 16×128×768") { try hidden.layerNorm(weight: weight, bias: bias, eps: 1e-12) }
    try measure("rmsNorm 16×128×768") { try hidden.rmsNorm(weight: weight, eps: 1e-6) }
    let intermediate = try generator.normal([16, 128, 3072], requiresGrad: true)
    try measure("gelu 16×128×3072") { intermediate.gelu() }
    try measure("swiglu 16×128×3072") { try Tensor.swiglu(gate: intermediate, up: intermediate) }
    return lines.joined(separator: "\n")
}

private func milliseconds(_ duration: Duration) -> Double {
    let parts = duration.components
    return Double(parts.seconds) * 1000 + Double(parts.attoseconds) * 1e-15
}
