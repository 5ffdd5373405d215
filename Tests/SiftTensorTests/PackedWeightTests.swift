// fp32 linear layers reading their weights from copies kept in oneDNN's blocked layout
// (`OneDNN.linearPacked`, on in inference-only processes through `WeightCopyCache`).
import Testing
@testable import SiftTensor

@Suite("packed f32 weights (oneDNN)", .serialized)
struct PackedWeightTests {
    /// x [R, 96] · W [80, 96]ᵀ: m·n·k ≥ 2¹⁸ for every R used, so oneDNN multiplies.
    let inFeatures = 96, outFeatures = 80

    @Test("linear from packed weights equals the plain oneDNN product and the Float64 reference, with bias and GELU, for several row counts")
    func matchesPlainProduct() throws {
        guard OneDNN.isAvailable else {
            print("SKIP packed weights: \(OneDNN.unavailableReason ?? "oneDNN unavailable")")
            return
        }
        let w = randomReference([outFeatures, inFeatures], seed: 61), b = randomReference([outFeatures], seed: 62)
        let weight = w.tensor(), bias = b.tensor()
        for rows in [40, 128, 333] {
            let x = randomReference([rows, inFeatures], seed: UInt64(rows))
            for activation in [nil, FusedActivation.geluErf] {
                let plain = try GEMMBackend.withF32Backend(.oneDNN) {
                    try withNoGrad { try x.tensor().linear(weight: weight, bias: bias, activation: activation) }
                }
                let packed = try GEMMBackend.withF32Backend(.oneDNN) {
                    try WeightCopyCache.withEnabled(true) {
                        try withNoGrad { try x.tensor().linear(weight: weight, bias: bias, activation: activation) }
                    }
                }
                #expect(weight.storage.packedCopy.withLock { $0 } != nil, "no packed copy was kept for \(rows) rows")
                var reference = Reference.linear(x, weight: w, bias: b)
                if activation != nil { reference = Reference.gelu(reference) }
                #expect(maxRelativeError(packed.scalars.map(Double.init), reference.data) < 1e-5, "\(rows) rows, \(String(describing: activation))")
                #expect(maxRelativeError(packed.scalars.map(Double.init), plain.scalars.map(Double.init)) < 1e-6)
            }
        }
    }

    @Test("a row-major B repacked for one product (dx = dy·W, wide dW = dyᵀ·x) equals the plain product and the Float64 reference")
    func repackedRowMajorB() throws {
        guard OneDNN.isAvailable else {
            print("SKIP repacked B: \(OneDNN.unavailableReason ?? "oneDNN unavailable")")
            return
        }
        // (transposeA, m, n, k): NN repacks at any width, TN only from repackMinimumColumns on.
        for (transposeA, m, n, k) in [(false, 96, 80, 72), (false, 200, 2100, 9), (true, 70, 2048, 12)] {
            let a = randomReference(transposeA ? [k, m] : [m, k], seed: UInt64(m)), b = randomReference([k, n], seed: UInt64(n))
            let expected = Reference.matmul(a, b, transposeA: transposeA)
            let lhs = a.tensor(), rhs = b.tensor()
            func product(repacking: Bool) -> [Float] {
                let c = TensorStorage(uninitializedCount: m * n)
                let ran = OneDNN.$repacksRowMajorB.withValue(repacking) {
                    OneDNN.sgemm(transposeA: transposeA, transposeB: false, m: m, n: n, k: k, a: lhs.storage.pointer,
                                 lda: transposeA ? m : k, b: rhs.storage.pointer, ldb: n, beta: 0, c: c.pointer, ldc: n)
                }
                #expect(ran)
                return Array(UnsafeBufferPointer(start: c.pointer, count: m * n))
            }
            let before = OneDNN.repackedProducts.load(ordering: .relaxed)
            let repacked = product(repacking: true)
            #expect(OneDNN.repackedProducts.load(ordering: .relaxed) > before, "\(m)×\(n)×\(k) transposeA \(transposeA) was not repacked")
            let plain = product(repacking: false)
            #expect(maxRelativeError(repacked.map(Double.init), expected.data) < 1e-5, "\(m)×\(n)×\(k) transposeA \(transposeA)")
            #expect(maxRelativeError(repacked.map(Double.init), plain.map(Double.init)) < 1e-5)
        }
    }

    @Test("a packed copy is reused, and rebuilt after its weight is marked mutated")
    func rebuiltAfterMutation() throws {
        guard OneDNN.isAvailable else {
            print("SKIP packed weights: \(OneDNN.unavailableReason ?? "oneDNN unavailable")")
            return
        }
        let x = randomReference([64, inFeatures], seed: 63).tensor()
        let weight = randomReference([outFeatures, inFeatures], seed: 64).tensor()
        try GEMMBackend.withF32Backend(.oneDNN) {
            try WeightCopyCache.withEnabled(true) {
                let first = try withNoGrad { try x.linear(weight: weight) }.scalars
                let kept = try #require(weight.storage.packedCopy.withLock { $0 })
                _ = try withNoGrad { try x.linear(weight: weight) }
                #expect(weight.storage.packedCopy.withLock { $0 } === kept, "the second call packed the weight again")
                // Change the weight in place (as an optimizer does) and declare it.
                for i in 0..<weight.count { weight.storage.pointer[i] *= 2 }
                weight.storage.markMutated()
                let second = try withNoGrad { try x.linear(weight: weight) }.scalars
                #expect(weight.storage.packedCopy.withLock { $0 } !== kept)
                for (a, b) in zip(first, second) { #expect(abs(b - 2 * a) <= 1e-5 * max(1, abs(b))) }
            }
        }
        // Without the cache nothing is packed. (Scoped off: parsing an inference command in another
        // suite of this process turns the process-wide setting on.)
        let fresh = randomReference([outFeatures, inFeatures], seed: 65).tensor()
        _ = try GEMMBackend.withF32Backend(.oneDNN) {
            try WeightCopyCache.withEnabled(false) { try withNoGrad { try x.linear(weight: fresh) } }
        }
        #expect(fresh.storage.packedCopy.withLock { $0 } == nil)
    }
}
