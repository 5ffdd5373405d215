// Which library multiplies f32 matrices in `linear` and `matmul` (attention tiles always use BLAS
// in the calling thread). bf16 products always go to oneDNN.
//
// oneDNN is the default where it is installed: it JIT-compiles for the CPU it runs on, so it is
// never left on a generic kernel the way a BLAS build that predates the CPU can be. Measured with
// `sift bench engine` (GEMM backends, 2 threads, BERT/Qwen shapes): 1.05–1.25× OpenBLAS on Zen 4,
// 3–5× on Sapphire Rapids (where Debian's OpenBLAS 0.3.21 falls back to SSE3 kernels).
import Foundation

/// The f32 GEMM library for linear layers and matmuls.
public enum GEMMBackend: String, Sendable, CaseIterable {
    /// OpenBLAS (Linux) / Accelerate (macOS) through `BLAS.sgemm`.
    case blas
    /// oneDNN's f32 matmul (falls back to BLAS where oneDNN is missing or refuses a problem).
    case oneDNN = "onednn"

    nonisolated(unsafe) private static var selected: GEMMBackend = {
        if let name = ProcessInfo.processInfo.environment["SIFT_GEMM"], let choice = GEMMBackend(rawValue: name) { return choice }
        return OneDNN.isAvailable ? .oneDNN : .blas
    }()

    @TaskLocal static var scoped: GEMMBackend?

    /// The f32 backend in use (default oneDNN when available, else BLAS; `SIFT_GEMM=onednn|blas`, `setF32` or a
    /// `withF32Backend` scope change it).
    public static var f32: GEMMBackend { scoped ?? selected }

    /// Runs `body` with f32 GEMMs on `backend` (for this task and the code it calls only).
    public static func withF32Backend<T>(_ backend: GEMMBackend, _ body: () throws -> T) rethrows -> T {
        try $scoped.withValue(backend, operation: body)
    }

    /// Chooses the f32 backend (call before heavy work starts).
    public static func setF32(_ backend: GEMMBackend) { selected = backend }

    /// Products smaller than this (m·n·k) stay on BLAS: oneDNN's per-call overhead and OpenMP
    /// wake-up cost more than they save on tiny problems.
    static let oneDNNMinimumWork = 1 << 18
}
