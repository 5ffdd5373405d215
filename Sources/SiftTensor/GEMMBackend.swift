// Which library multiplies f32 matrices in `linear` and `matmul` (attention tiles always use BLAS
// in the calling thread). bf16 products always go to oneDNN.
import Foundation

/// The f32 GEMM library for linear layers and matmuls.
public enum GEMMBackend: String, Sendable, CaseIterable {
    /// OpenBLAS (Linux) / Accelerate (macOS) through `BLAS.sgemm`.
    case blas
    /// oneDNN's f32 matmul (falls back to BLAS where oneDNN is missing or refuses a problem).
    case oneDNN = "onednn"

    nonisolated(unsafe) private static var selected: GEMMBackend = {
        if let name = ProcessInfo.processInfo.environment["SIFT_GEMM"], let choice = GEMMBackend(rawValue: name) { return choice }
        return .blas
    }()

    /// The f32 backend in use (default BLAS; `SIFT_GEMM=onednn|blas` or `setF32` change it).
    public static var f32: GEMMBackend { selected }

    /// Chooses the f32 backend (call before heavy work starts).
    public static func setF32(_ backend: GEMMBackend) { selected = backend }

    /// Products smaller than this (m·n·k) stay on BLAS: oneDNN's per-call overhead and OpenMP
    /// wake-up cost more than they save on tiny problems.
    static let oneDNNMinimumWork = 1 << 18
}
