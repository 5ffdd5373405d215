// Linear layers that read the same input, run as one GEMM in inference.
// Shapes: parts i = 1…n with weight [out_i, in] and bias [out_i]; x [..., in] -> y [..., Σ out_i],
// the parts' outputs side by side in part order (y[..., 0..<out_1] = part 1, and so on).
// Why: at batch 1 a BERT layer's query, key and value GEMMs have 128 rows each; one GEMM with
// N = 3·C instead of three with N = C saves two calls' fixed costs (thread wake-up, packing of the
// input) and runs the wider product faster per FLOP (measured 1.07–1.19× in the C harness).
import SiftTensor
import Synchronization

/// Whether inference fuses linear layers that share their input (see `FusedProjection`).
public enum ProjectionFusion {
    /// On by default; `sift bench inference` turns it off for a task to measure what it gives.
    @TaskLocal public static var isEnabled = true
}

/// Linear layers sharing their input, fused in inference-only processes (`WeightCopyCache` on):
/// their weights are stacked once into `[Σ out, in]` (and their biases into `[Σ out]`) and kept until
/// any part's weight or bias is replaced or written (its storage's `mutationCount`).
final class FusedProjection {
    private let parts: [Linear]
    /// The stacked weight and bias, with the storages and versions they were built from.
    private let kept = Mutex<Stacked?>(nil)

    private struct Stacked: @unchecked Sendable {
        let sources: [TensorStorage?]
        let versions: [Int]
        let weight: Tensor
        let bias: Tensor?
    }

    init(_ parts: [Linear]) {
        self.parts = parts
    }

    /// Whether a stacked copy is kept (it was built by an earlier call; tests check the fused path ran).
    var isStacked: Bool { kept.withLock { $0 != nil } }

    /// `[x·W₁ᵀ + b₁, x·W₂ᵀ + b₂, …]` as one `[..., Σ out]` tensor, or `nil` when this call should run
    /// the parts one by one: a graph is recorded (training), weight copies are not kept (the stacking
    /// copy would be paid on every call), or the parts cannot be stacked (an adapter attached, mixed
    /// bias and no bias, different input widths).
    func callAsFunction(_ x: Tensor) throws -> Tensor? {
        let parameters = parts.flatMap { [$0.weight] + ($0.bias.map { [$0] } ?? []) }
        guard ProjectionFusion.isEnabled, WeightCopyCache.isEnabled, !Tensor.needsGraph([x] + parameters),
              let stacked = try stackedWeights()
        else { return nil }
        return try x.linear(weight: stacked.weight, bias: stacked.bias)
    }

    private func stackedWeights() throws -> Stacked? {
        let hasBias = parts.first?.bias != nil
        guard let inFeatures = parts.first?.weight.shape.last,
              parts.allSatisfy({
                  $0.adapter == nil && ($0.bias != nil) == hasBias && $0.weight.rank == 2 && $0.weight.shape[1] == inFeatures
              })
        else { return nil }
        let sources = parts.flatMap { [$0.weight.storage, $0.bias?.storage] }
        let versions = sources.map { $0?.mutationCount ?? 0 }
        return try kept.withLock { kept in
            if let current = kept, current.versions == versions,
               zip(current.sources, sources).allSatisfy({ $0 === $1 }) {
                return current
            }
            let (weight, bias) = try withNoGrad {  // a copy, never part of a graph
                (try Tensor.concat(parts.map(\.weight), axis: 0),
                 hasBias ? try Tensor.concat(parts.compactMap(\.bias), axis: 0) : nil)
            }
            let fresh = Stacked(sources: sources, versions: versions, weight: weight, bias: bias)
            kept = fresh
            return fresh
        }
    }
}
