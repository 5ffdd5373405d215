// `--precision fp32|bf16` for every command that runs a model. The choice is applied while the
// arguments are validated, so a command only declares `@OptionGroup var precision: PrecisionOptions`
// (training, evaluation) or `InferencePrecisionOptions` (processes that never change weights).
import ArgumentParser
import SiftTensor

extension MatmulPrecision: ExpressibleByArgument {}

/// The precision of linear-layer GEMMs for a command that may train.
struct PrecisionOptions: ParsableArguments {
    @Option(help: "Linear-layer GEMM precision: fp32, or bf16 (bf16 inputs, f32 accumulation and master weights, like PyTorch autocast; needs oneDNN).")
    var precision: MatmulPrecision = .fp32

    mutating func validate() throws {
        try PrecisionOptions.apply(precision, keepWeightCopies: false)
    }

    /// Sets the process default; says so on stderr when bf16 cannot run here.
    static func apply(_ precision: MatmulPrecision, keepWeightCopies: Bool) throws {
        if precision == .bf16 && MatmulPrecision.effective(.bf16) != .bf16 {
            throw ValidationError("--precision bf16 needs oneDNN: \(OneDNN.unavailableReason ?? "unavailable"); use --precision fp32")
        }
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

    mutating func validate() throws {
        try PrecisionOptions.apply(precision, keepWeightCopies: true)
    }
}
