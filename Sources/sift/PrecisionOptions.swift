// `--precision fp32|bf16` for every command that runs a model: a command declares
// `@OptionGroup var precisionOptions: PrecisionOptions` (training, evaluation) or
// `InferencePrecisionOptions` (processes that never change weights) and calls `apply()` first thing in
// `run()`. Validation only checks (parsing a command line — tests do — must not change the process's
// precision or weight-copy setting); `apply()` sets the process defaults.
import ArgumentParser
import SiftTensor

extension MatmulPrecision: ExpressibleByArgument {}

/// The precision of linear-layer GEMMs for a command that may train.
struct PrecisionOptions: ParsableArguments {
    @Option(help: "Linear-layer GEMM precision: fp32, or bf16 (bf16 inputs, f32 accumulation and master weights, like PyTorch autocast; needs oneDNN).")
    var precision: MatmulPrecision = .fp32

    func validate() throws {
        try PrecisionOptions.check(precision)
    }

    /// Sets the process's GEMM precision; weights may change, so no derived copies are kept.
    func apply() {
        PrecisionOptions.apply(precision, keepWeightCopies: false)
    }

    /// Throws when `precision` cannot run here (bf16 without oneDNN).
    static func check(_ precision: MatmulPrecision) throws {
        if precision == .bf16 && MatmulPrecision.effective(.bf16) != .bf16 {
            throw ValidationError("--precision bf16 needs oneDNN: \(OneDNN.unavailableReason ?? "unavailable"); use --precision fp32")
        }
    }

    /// Sets the process defaults: the GEMM precision and whether weights keep derived copies.
    static func apply(_ precision: MatmulPrecision, keepWeightCopies: Bool) {
        MatmulPrecision.setDefault(precision)
        WeightCopyCache.setEnabled(keepWeightCopies)
    }
}

/// The precision of linear-layer GEMMs for a command that only runs inference: each weight is
/// converted once (rounded to bf16, or packed into oneDNN's layout in fp32) and kept (weights
/// never change in such a process).
struct InferencePrecisionOptions: ParsableArguments {
    @Option(help: "Linear-layer GEMM precision: fp32, or bf16 (bf16 inputs, f32 accumulation; weights rounded to bf16 once; needs oneDNN).")
    var precision: MatmulPrecision = .fp32

    func validate() throws {
        try PrecisionOptions.check(precision)
    }

    /// Sets the process's GEMM precision and keeps each weight's converted copy between calls.
    func apply() {
        PrecisionOptions.apply(precision, keepWeightCopies: true)
    }
}
