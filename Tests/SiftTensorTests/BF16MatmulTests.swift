// bf16 mixed precision: rounding to bf16, oneDNN's bf16 and f32 GEMMs against Float64 references,
// `linear` in bf16 mode (forward and gradients), and the kept bf16 weight copies.
import Testing
@testable import SiftTensor

@Suite("bf16 GEMM and mixed-precision linear", .serialized)
struct BF16MatmulTests {
    /// Whether oneDNN runs here; prints why the test is skipped when not.
    func oneDNNPresent(_ test: String) -> Bool {
        if OneDNN.isAvailable { return true }
        print("SKIP \(test): \(OneDNN.unavailableReason ?? "oneDNN unavailable")")
        return false
    }

    /// The reference tensor with every element rounded to bf16 (what the GEMM actually multiplies).
    func roundedToBF16(_ r: ReferenceTensor) -> ReferenceTensor {
        ReferenceTensor(shape: r.shape, data: r.data.map { Double(HalfConversion.float(fromBF16: HalfConversion.bf16Bits(from: Float($0)))) })
    }

    @Test("rounding to bf16 matches the scalar round-to-nearest-even conversion (ties, NaN, infinities, odd lengths)")
    func rounding() {
        var rng = SeededGenerator(seed: 5)
        for count in [1, 15, 16, 17, 1000, (1 << 20) + 33] {
            var values = (0..<count).map { _ in (rng.nextNormal() * 1000).isFinite ? Float(rng.nextNormal()) * 100 : 0 }
            if count >= 16 {
                values[0] = .nan; values[1] = -.infinity; values[2] = .infinity
                values[3] = Float(bitPattern: 0x3F80_8000)  // tie, even below → rounds down
                values[4] = Float(bitPattern: 0x3F81_8000)  // tie, odd below → rounds up
                values[5] = Float(bitPattern: 0x7F7F_FFFF)  // largest float → rounds to inf
                values[6] = -0.0
            }
            let buffer = values.withUnsafeBufferPointer { BF16Buffer(rounding: $0.baseAddress!, count: count) }
            var mismatches = 0
            for i in 0..<count where buffer.pointer[i] != HalfConversion.bf16Bits(from: values[i]) {
                // A quiet NaN stays NaN; the exact payload is not specified.
                if values[i].isNaN && HalfConversion.float(fromBF16: buffer.pointer[i]).isNaN { continue }
                mismatches += 1
            }
            #expect(mismatches == 0, "\(mismatches) of \(count) values rounded differently")
        }
    }

    @Test("oneDNN bf16 GEMM: f32 accumulation of the bf16-rounded inputs, every transpose, odd sizes, beta")
    func bf16GEMM() throws {
        guard oneDNNPresent("bf16 GEMM") else { return }
        for (m, k, n) in [(1, 1, 1), (3, 7, 5), (65, 33, 17), (128, 96, 64)] {
            for transposeA in [false, true] {
                for transposeB in [false, true] {
                    for beta: Float in [0, 1] {
                        let a = randomReference(transposeA ? [k, m] : [m, k], seed: UInt64(m + k))
                        let b = randomReference(transposeB ? [n, k] : [k, n], seed: UInt64(k + n + 1))
                        let initial = randomReference([m, n], seed: 9)
                        let a16 = a.data.map { HalfConversion.bf16Bits(from: Float($0)) }
                        let b16 = b.data.map { HalfConversion.bf16Bits(from: Float($0)) }
                        var c = initial.data.map(Float.init)
                        let ran = a16.withUnsafeBufferPointer { pa in
                            b16.withUnsafeBufferPointer { pb in
                                c.withUnsafeMutableBufferPointer { pc in
                                    OneDNN.bf16gemm(
                                        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                        a: pa.baseAddress!, lda: transposeA ? m : k, b: pb.baseAddress!, ldb: transposeB ? k : n,
                                        beta: beta, c: pc.baseAddress!, ldc: n)
                                }
                            }
                        }
                        #expect(ran)
                        var exact = Reference.matmul(roundedToBF16(a), roundedToBF16(b), transposeA: transposeA, transposeB: transposeB).data
                        if beta == 1 { exact = zip(exact, initial.data).map { $0 + $1 } }
                        let error = maxRelativeError(c.map(Double.init), exact)
                        #expect(error < 1e-5, "\(m)×\(k)×\(n) tA \(transposeA) tB \(transposeB) beta \(beta): relative error \(error)")
                        // And against the unrounded inputs: bf16's 8-bit mantissa bounds the error.
                        var unrounded = Reference.matmul(a, b, transposeA: transposeA, transposeB: transposeB).data
                        if beta == 1 { unrounded = zip(unrounded, initial.data).map { $0 + $1 } }
                        let bf16Error = maxRelativeError(c.map(Double.init), unrounded)
                        #expect(bf16Error < 2e-2, "\(m)×\(k)×\(n) vs unrounded inputs: relative error \(bf16Error)")
                    }
                }
            }
        }
    }

    @Test("oneDNN f32 GEMM matches the Float64 reference (every transpose, beta 0 and 1)")
    func f32GEMM() throws {
        guard oneDNNPresent("f32 GEMM") else { return }
        for (m, k, n) in [(1, 1, 1), (7, 65, 3), (130, 70, 90)] {
            for transposeA in [false, true] {
                for transposeB in [false, true] {
                    for beta: Float in [0, 1] {
                        let a = randomReference(transposeA ? [k, m] : [m, k], seed: 31)
                        let b = randomReference(transposeB ? [n, k] : [k, n], seed: 32)
                        let initial = randomReference([m, n], seed: 33)
                        let fa = a.data.map(Float.init), fb = b.data.map(Float.init)
                        var c = initial.data.map(Float.init)
                        let ran = c.withUnsafeMutableBufferPointer { pc in
                            OneDNN.sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                         a: fa, lda: transposeA ? m : k, b: fb, ldb: transposeB ? k : n,
                                         beta: beta, c: pc.baseAddress!, ldc: n)
                        }
                        #expect(ran)
                        var exact = Reference.matmul(a, b, transposeA: transposeA, transposeB: transposeB).data
                        if beta == 1 { exact = zip(exact, initial.data).map { $0 + $1 } }
                        let error = maxRelativeError(c.map(Double.init), exact)
                        #expect(error < 1e-5, "\(m)×\(k)×\(n) tA \(transposeA) tB \(transposeB) beta \(beta): relative error \(error)")
                    }
                }
            }
        }
    }

    static let shapes: [(input: [Int], outFeatures: Int)] = [([1], 1), ([3], 7), ([4, 5], 3), ([2, 3, 7], 65), ([65, 3], 1), ([300, 3], 5)]

    @Test("linear in bf16 mode: forward and the three gradients within bf16 tolerances", arguments: shapes)
    func linearBF16(_ c: (input: [Int], outFeatures: Int)) throws {
        guard oneDNNPresent("linear bf16") else { return }
        let inFeatures = c.input.last!
        try withMatmulPrecision(.bf16) {
            try checkOp(
                "bf16 linear x\(c.input) W[\(c.outFeatures), \(inFeatures)] + b",
                inputs: [randomReference(c.input, seed: 13), randomReference([c.outFeatures, inFeatures], seed: 14),
                         randomReference([c.outFeatures], seed: 15)],
                forwardTolerance: 2e-2, gradientTolerance: 3e-2,
                fast: { try $0[0].linear(weight: $0[1], bias: $0[2]) },
                reference: { Reference.linear($0[0], weight: $0[1], bias: $0[2]) })
        }
    }

    @Test("linear in bf16 mode multiplies exactly the bf16-rounded operands (f32 accumulation)")
    func linearBF16Exactness() throws {
        guard oneDNNPresent("linear bf16 exactness") else { return }
        let x = randomReference([37, 70], seed: 21), w = randomReference([45, 70], seed: 22), b = randomReference([45], seed: 23)
        let y = try withMatmulPrecision(.bf16) { try withNoGrad { try x.tensor().linear(weight: w.tensor(), bias: b.tensor()) } }
        let exact = Reference.linear(roundedToBF16(x), weight: roundedToBF16(w), bias: b)
        #expect(maxRelativeError(y.scalars.map(Double.init), exact.data) < 1e-5)
        // The fp32 default is untouched by the bf16 scope.
        #expect(MatmulPrecision.current == .fp32)
        let y32 = try withNoGrad { try x.tensor().linear(weight: w.tensor(), bias: b.tensor()) }
        #expect(maxRelativeError(y32.scalars.map(Double.init), Reference.linear(x, weight: w, bias: b).data) < 1e-5)
    }

    @Test("linear with a fused activation (inference): equals linear then the activation, on every GEMM path",
          arguments: [FusedActivation.geluErf, .geluTanh])
    func fusedActivation(_ activation: FusedActivation) throws {
        // 70·45·70 ≥ 2¹⁸, so the f32 oneDNN path is taken too; 37 rows exercise the bf16 row padding.
        let x = randomReference([37, 70], seed: 31), w = randomReference([450, 70], seed: 32), b = randomReference([450], seed: 33)
        func unfused(_ reference: ReferenceTensor, _ weight: ReferenceTensor) -> [Double] {
            let linear = Reference.linear(reference, weight: weight, bias: b)
            switch activation {
            case .geluErf: return Reference.gelu(linear).data
            case .geluTanh: return Reference.geluTanh(linear).data
            }
        }
        for backend in GEMMBackend.allCases {
            let y = try GEMMBackend.withF32Backend(backend) {
                try withNoGrad { try x.tensor().linear(weight: w.tensor(), bias: b.tensor(), activation: activation) }
            }
            #expect(y.shape == [37, 450])
            #expect(maxRelativeError(y.scalars.map(Double.init), unfused(x, w)) < 1e-4, "\(backend) f32 fused \(activation)")
        }
        if oneDNNPresent("fused activation bf16") {
            let y = try withMatmulPrecision(.bf16) {
                try withNoGrad { try x.tensor().linear(weight: w.tensor(), bias: b.tensor(), activation: activation) }
            }
            #expect(maxRelativeError(y.scalars.map(Double.init), unfused(roundedToBF16(x), roundedToBF16(w))) < 1e-4)
        }
        // With a graph the activation is its own op, so gradients flow through both.
        let tx = x.tensor(requiresGrad: true)
        let y = try tx.linear(weight: w.tensor(), bias: b.tensor(), activation: activation)
        try y.sum().backward()
        #expect(tx.grad != nil)
        #expect(maxRelativeError(y.scalars.map(Double.init), unfused(x, w)) < 1e-4)
    }

    @Test("kept bf16 weight copies are reused and rebuilt after the weight is marked mutated")
    func weightCache() throws {
        guard oneDNNPresent("weight cache") else { return }
        try WeightCopyCache.withEnabled(true) {
            let x = randomReference([4, 6], seed: 41).tensor()
            let weight = randomReference([3, 6], seed: 42).tensor()
            try withMatmulPrecision(.bf16) {
                let first = try withNoGrad { try x.linear(weight: weight) }.scalars
                let kept = try #require(weight.storage.bf16Copy.withLock { $0?.buffer })
                _ = try withNoGrad { try x.linear(weight: weight) }
                #expect(weight.storage.bf16Copy.withLock { $0?.buffer } === kept, "the second call rounded the weight again")
                // Change the weight in place (as an optimizer does) and declare it.
                for i in 0..<weight.count { weight.storage.pointer[i] *= 2 }
                weight.storage.markMutated()
                let second = try withNoGrad { try x.linear(weight: weight) }.scalars
                #expect(weight.storage.bf16Copy.withLock { $0?.buffer } !== kept)
                for (a, b) in zip(first, second) { #expect(abs(b - 2 * a) <= 1e-5 * max(1, abs(b))) }
            }
            // Backward marks every weight it computes a gradient for.
            let trainable = randomReference([3, 6], seed: 43).tensor(requiresGrad: true)
            let before = trainable.storage.mutationCount
            try withMatmulPrecision(.bf16) { try x.linear(weight: trainable).sum().backward() }
            #expect(trainable.storage.mutationCount > before)
        }
    }

    @Test("oneDNN as the f32 backend of linear and matmul: reference forward, gradients equal to the BLAS path")
    func oneDNNBackend() throws {
        guard oneDNNPresent("oneDNN f32 backend") else { return }
        // Large enough (m·n·k ≥ 2¹⁸) to take the oneDNN path.
        let x = randomReference([70, 64], seed: 51), w = randomReference([66, 64], seed: 52), b = randomReference([66], seed: 53)
        let a = randomReference([2, 70, 64], seed: 54), c = randomReference([2, 64, 66], seed: 55)
        func run(_ backend: GEMMBackend) throws -> (linear: [Float], matmul: [Float], grads: [[Float]]) {
            try GEMMBackend.withF32Backend(backend) {
                let tx = x.tensor(requiresGrad: true), tw = w.tensor(requiresGrad: true), tb = b.tensor(requiresGrad: true)
                let ta = a.tensor(requiresGrad: true), tc = c.tensor(requiresGrad: true)
                let y = try tx.linear(weight: tw, bias: tb), z = try ta.matmul(tc)
                try (y.squared().sum() + z.squared().sum()).backward()
                let grads = try [tx, tw, tb, ta, tc].map { try #require($0.grad).scalars }
                return (y.scalars, z.scalars, grads)
            }
        }
        let viaOneDNN = try run(.oneDNN), viaBLAS = try run(.blas)
        #expect(maxRelativeError(viaOneDNN.linear.map(Double.init), Reference.linear(x, weight: w, bias: b).data) < 1e-5)
        #expect(maxRelativeError(viaOneDNN.matmul.map(Double.init), Reference.matmul(a, c).data) < 1e-5)
        for (g1, g2) in zip(viaOneDNN.grads, viaBLAS.grads) {
            #expect(maxRelativeError(g1.map(Double.init), g2.map(Double.init)) < 1e-5)
        }
    }
}
