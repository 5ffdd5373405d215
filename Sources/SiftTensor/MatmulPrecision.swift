// Which number format the big matrix products (linear layers) multiply in.
//
// fp32 is the default and bit-for-bit the engine's original path. bf16 works like PyTorch's CPU
// autocast: the GEMM inputs (activations, weights, output gradients) are rounded to bfloat16, the
// products accumulate in f32 and come out in f32; weights, gradients, optimizer state and every
// other op (norms, softmax, attention, losses) stay f32. bf16 needs oneDNN (avx512_bf16 runs it at
// about twice the f32 rate); without it the engine falls back to fp32 and says so through
// `MatmulPrecision.effective`.

/// The precision of linear-layer GEMMs.
public enum MatmulPrecision: String, Sendable, CaseIterable, CustomStringConvertible {
    /// f32 inputs, f32 accumulation (the default).
    case fp32
    /// bf16 inputs (round-to-nearest-even), f32 accumulation and output; f32 master weights.
    case bf16

    nonisolated(unsafe) private static var processDefault: MatmulPrecision = .fp32
    @TaskLocal static var scoped: MatmulPrecision?

    /// The precision linear layers use now: a `withMatmulPrecision` scope if any, else the process
    /// default (set once at start-up with `setDefault`).
    public static var current: MatmulPrecision { scoped ?? processDefault }

    /// The precision actually used for `requested`: bf16 only where a bf16 GEMM exists.
    public static func effective(_ requested: MatmulPrecision) -> MatmulPrecision {
        requested == .bf16 && OneDNN.isAvailable ? .bf16 : .fp32
    }

    /// Sets the process-wide default. Call before heavy work starts (the CLI does, from `--precision`).
    public static func setDefault(_ precision: MatmulPrecision) { processDefault = precision }

    public var description: String { rawValue }
}

/// Runs `body` with linear-layer GEMMs in `precision` (for this task and the code it calls only).
public func withMatmulPrecision<T>(_ precision: MatmulPrecision, _ body: () throws -> T) rethrows -> T {
    try MatmulPrecision.$scoped.withValue(precision, operation: body)
}
