import Testing
@testable import SiftTensor

/// Inputs of one attention check.
struct AttentionCase: Sendable, CustomTestStringConvertible {
    let batch: Int, queryLength: Int, keyLength: Int, heads: Int, keyHeads: Int, dimension: Int
    let masked: Bool, causal: Bool
    var testDescription: String {
        "B\(batch) T\(queryLength) S\(keyLength) H\(heads)/\(keyHeads) D\(dimension)\(masked ? " masked" : "")\(causal ? " causal" : "")"
    }
    /// Right padding that leaves at least one real key in every row except a fully padded last row when B > 2.
    var keyMask: [Int]? {
        guard masked else { return nil }
        return (0..<(batch * keyLength)).map { index in
            let b = index / keyLength, s = index % keyLength
            if batch > 2 && b == batch - 1 { return 0 }
            return s < keyLength - (b % 3) ? 1 : 0
        }
    }
}

@Suite("Attention", .serialized)
struct AttentionTests {
    static let cases: [AttentionCase] = [
        AttentionCase(batch: 1, queryLength: 1, keyLength: 1, heads: 1, keyHeads: 1, dimension: 1, masked: false, causal: false),
        AttentionCase(batch: 2, queryLength: 3, keyLength: 3, heads: 2, keyHeads: 1, dimension: 4, masked: true, causal: false),
        AttentionCase(batch: 2, queryLength: 7, keyLength: 7, heads: 3, keyHeads: 3, dimension: 3, masked: true, causal: true),
        AttentionCase(batch: 1, queryLength: 2, keyLength: 5, heads: 4, keyHeads: 2, dimension: 8, masked: false, causal: true),
        AttentionCase(batch: 3, queryLength: 3, keyLength: 4, heads: 2, keyHeads: 2, dimension: 5, masked: true, causal: true),
        AttentionCase(batch: 1, queryLength: 65, keyLength: 65, heads: 1, keyHeads: 1, dimension: 2, masked: false, causal: true),
        AttentionCase(batch: 1, queryLength: 3, keyLength: 65, heads: 2, keyHeads: 1, dimension: 3, masked: true, causal: false),
    ]

    @Test("attention matches reference; gradients of q, k, v match finite differences", arguments: cases, AttentionKernel.allCases)
    func matchesReference(c: AttentionCase, kernel: AttentionKernel) throws {
        let mask = c.keyMask
        try checkOp(
            "attention \(c.testDescription) \(kernel)",
            inputs: [
                randomReference([c.batch, c.queryLength, c.heads, c.dimension], seed: 1, scale: 1.5),
                randomReference([c.batch, c.keyLength, c.keyHeads, c.dimension], seed: 2, scale: 1.5),
                randomReference([c.batch, c.keyLength, c.keyHeads, c.dimension], seed: 3),
            ],
            fast: { try Tensor.attention(query: $0[0], key: $0[1], value: $0[2], keyMask: mask, causal: c.causal, kernel: kernel) },
            reference: { Reference.attention(query: $0[0], key: $0[1], value: $0[2], keyMask: mask, causal: c.causal) })
    }

    @Test("a query tile boundary (T > 128) and a custom scale match the reference", arguments: AttentionKernel.allCases)
    func largeTile(kernel: AttentionKernel) throws {
        let mask = (0..<(2 * 131)).map { $0 % 131 < 120 || $0 < 131 ? 1 : 0 }
        let q = randomReference([2, 131, 1, 4], seed: 4), k = randomReference([2, 131, 1, 4], seed: 5)
        let v = randomReference([2, 131, 1, 4], seed: 6)
        let fast = try Tensor.attention(query: q.tensor(), key: k.tensor(), value: v.tensor(), keyMask: mask, causal: true, scale: 0.3, kernel: kernel)
        let expected = Reference.attention(query: q, key: k, value: v, keyMask: mask, causal: true, scale: 0.3)
        #expect(maxRelativeError(fast.scalars.map(Double.init), expected.data) < 1e-5)
    }

    @Test("every attention kernel gives the same outputs and gradients on a GQA block")
    func kernelsAgree() throws {
        var rng = SeededGenerator(seed: 61)
        let q = try rng.normal([2, 40, 4, 32]), k = try rng.normal([2, 40, 2, 32]), v = try rng.normal([2, 40, 2, 32])
        let mask = (0..<80).map { $0 % 40 < 33 || $0 < 40 ? 1 : 0 }
        let gradOut = try rng.normal([2, 40, 4, 32])
        var results: [[[Float]]] = []
        for kernel in AttentionKernel.allCases {
            let inputs = [q, k, v].map { Tensor(uncheckedShape: $0.shape, storage: $0.storage, requiresGrad: true) }
            let y = try Tensor.attention(query: inputs[0], key: inputs[1], value: inputs[2], keyMask: mask, causal: true, kernel: kernel)
            try y.backward(gradient: gradOut)
            results.append([y.scalars] + (try inputs.map { try #require($0.grad).scalars }))
        }
        #expect(results.count == AttentionKernel.allCases.count)
        for other in results.dropFirst() {
            for (a, b) in zip(results[0], other) {
                #expect(maxRelativeError(a.map(Double.init), b.map(Double.init)) < 1e-5)
            }
        }
    }

    @Test("values and keys at padded positions never change outputs at real positions")
    func paddingInvariance() throws {
        let batch = 2, length = 6, heads = 2, dimension = 8
        let mask = [1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1]  // right padding, then left padding
        var rng = SeededGenerator(seed: 12)
        let q = try rng.normal([batch, length, heads, dimension])
        let k = try rng.normal([batch, length, heads, dimension]), v = try rng.normal([batch, length, heads, dimension])
        let base = try Tensor.attention(query: q, key: k, value: v, keyMask: mask).scalars
        // Overwrite the padded keys and values with large garbage.
        var kValues = k.scalars, vValues = v.scalars
        for (index, real) in mask.enumerated() where real == 0 {
            for j in 0..<(heads * dimension) {
                kValues[index * heads * dimension + j] = Float(rng.nextNormal() * 1000)
                vValues[index * heads * dimension + j] = Float(rng.nextNormal() * 1000)
            }
        }
        let changed = try Tensor.attention(
            query: q, key: try Tensor(shape: k.shape, values: kValues), value: try Tensor(shape: v.shape, values: vValues),
            keyMask: mask, causal: false).scalars
        for (index, real) in mask.enumerated() where real == 1 {
            let range = (index * heads * dimension)..<((index + 1) * heads * dimension)
            #expect(Array(base[range]) == Array(changed[range]))
        }
    }

    @Test("grouped-query attention equals attention with repeated kv heads, gradients included")
    func groupedQueryEqualsRepeat() throws {
        let batch = 2, time = 5, heads = 6, keyHeads = 2, dimension = 4, group = heads / keyHeads
        var rng = SeededGenerator(seed: 31)
        let q = try rng.normal([batch, time, heads, dimension])
        let k = try rng.normal([batch, time, keyHeads, dimension], requiresGrad: true)
        let v = try rng.normal([batch, time, keyHeads, dimension], requiresGrad: true)
        func repeated(_ x: Tensor) throws -> Tensor {
            let values = x.scalars
            var out: [Float] = []
            for token in 0..<(batch * time) {
                for h in 0..<heads {
                    let start = (token * keyHeads + h / group) * dimension
                    out.append(contentsOf: values[start..<(start + dimension)])
                }
            }
            return try Tensor(shape: [batch, time, heads, dimension], values: out, requiresGrad: true)
        }
        let kFull = try repeated(k), vFull = try repeated(v)
        let mask = [1, 1, 1, 0, 0, 1, 1, 1, 1, 1]
        let grouped = try Tensor.attention(query: q, key: k, value: v, keyMask: mask, causal: true)
        let full = try Tensor.attention(query: q, key: kFull, value: vFull, keyMask: mask, causal: true)
        #expect(maxRelativeError(grouped.scalars.map(Double.init), full.scalars.map(Double.init)) < 1e-6)
        let gradOut = try rng.normal(grouped.shape)
        try grouped.backward(gradient: gradOut)
        try full.backward(gradient: gradOut)
        // The gradient of a shared kv head is the sum over the query heads of its group.
        for (small, large) in [(k, kFull), (v, vFull)] {
            let g = try #require(small.grad).scalars, gFull = try #require(large.grad).scalars
            var summed = [Double](repeating: 0, count: g.count)
            for token in 0..<(batch * time) {
                for h in 0..<heads {
                    for d in 0..<dimension {
                        summed[(token * keyHeads + h / group) * dimension + d] += Double(gFull[(token * heads + h) * dimension + d])
                    }
                }
            }
            #expect(maxRelativeError(g.map(Double.init), summed) < 1e-5)
        }
    }

    @Test("a causal query block after a KV cache equals the last rows of full causal attention")
    func causalWithCache() throws {
        let time = 9, cached = 6, heads = 2, dimension = 8
        var rng = SeededGenerator(seed: 41)
        let q = try rng.normal([1, time, heads, dimension])
        let k = try rng.normal([1, time, heads, dimension]), v = try rng.normal([1, time, heads, dimension])
        let full = try Tensor.attention(query: q, key: k, value: v, causal: true).scalars
        let tail = try Tensor(shape: [1, time - cached, heads, dimension], values: Array(q.scalars[(cached * heads * dimension)...]))
        let appended = try Tensor.attention(query: tail, key: k, value: v, causal: true).scalars
        let expected = Array(full[(cached * heads * dimension)...]).map(Double.init)
        #expect(maxRelativeError(appended.map(Double.init), expected) < 1e-6)
    }

    @Test("a row whose keys are all masked outputs zeros and gets zero, finite gradients")
    func allMaskedRow() throws {
        var rng = SeededGenerator(seed: 51)
        let q = try rng.normal([2, 3, 1, 4], requiresGrad: true)
        let k = try rng.normal([2, 3, 1, 4], requiresGrad: true), v = try rng.normal([2, 3, 1, 4], requiresGrad: true)
        let mask = [1, 1, 0, 0, 0, 0]
        let y = try Tensor.attention(query: q, key: k, value: v, keyMask: mask)
        let values = y.scalars
        #expect(values[12...].allSatisfy { $0 == 0 })
        #expect(values.allSatisfy { $0.isFinite })
        try y.backward(gradient: try rng.normal(y.shape))
        for tensor in [q, k, v] {
            let g = try #require(tensor.grad).scalars
            #expect(g.allSatisfy { $0.isFinite })
            #expect(g[12...].allSatisfy { $0 == 0 })
        }
        // Causal with more queries than keys: the first query sees no key.
        let early = try Tensor.attention(
            query: try rng.normal([1, 3, 1, 4]), key: try rng.normal([1, 2, 1, 4]), value: try rng.normal([1, 2, 1, 4]), causal: true)
        #expect(early.scalars[0..<4].allSatisfy { $0 == 0 })
    }

    @Test("attention rejects mismatched shapes, heads and masks")
    func errors() throws {
        let q = try Tensor.zeros([1, 2, 4, 8]), k = try Tensor.zeros([1, 3, 2, 8])
        #expect(throws: TensorError.self) { try Tensor.attention(query: q, key: k, value: try Tensor.zeros([1, 3, 2, 4])) }
        #expect(throws: TensorError.self) { try Tensor.attention(query: q, key: try Tensor.zeros([1, 3, 3, 8]), value: try Tensor.zeros([1, 3, 3, 8])) }
        #expect(throws: TensorError.self) { try Tensor.attention(query: q, key: try Tensor.zeros([1, 3, 2, 4]), value: try Tensor.zeros([1, 3, 2, 4])) }
        #expect(throws: TensorError.self) { try Tensor.attention(query: q, key: k, value: k, keyMask: [1, 1]) }
        #expect(throws: TensorError.self) { try Tensor.attention(query: q, key: k, value: k, keyMask: [1, 2, 1]) }
        #expect(throws: TensorError.self) { try Tensor.attention(query: try Tensor.zeros([2, 4, 8]), key: k, value: k) }
    }

    /// The query, key and value blocks of a fused projection's output `[B, T, (H + 2·Hkv)·D]` (reference side).
    static func splitFused(_ qkv: ReferenceTensor, heads: Int, keyHeads: Int) -> [ReferenceTensor] {
        let (b, t) = (qkv.shape[0], qkv.shape[1]), d = qkv.shape[2] / (heads + 2 * keyHeads)
        let bounds = [0, heads * d, (heads + keyHeads) * d, qkv.shape[2]]
        return (0..<3).map { part in
            let block = Reference.slice(qkv, axis: 2, range: bounds[part]..<bounds[part + 1])
            return ReferenceTensor(shape: [b, t, part == 0 ? heads : keyHeads, d], data: block.data)
        }
    }

    @Test("fused Q/K/V attention reads the three blocks in place: the reference's output, gradients by finite differences",
          arguments: cases.filter { $0.queryLength == $0.keyLength }, AttentionKernel.allCases)
    func fusedProjectionLayout(c: AttentionCase, kernel: AttentionKernel) throws {
        let mask = c.keyMask
        let width = (c.heads + 2 * c.keyHeads) * c.dimension
        let qkv = randomReference([c.batch, c.queryLength, width], seed: 21, scale: 1.5)
        // Inference path (no graph): strided reads, checked against the reference and against the split call.
        let inPlace = try Tensor.attention(fusedQKV: qkv.tensor(), heads: c.heads, keyHeads: c.keyHeads, keyMask: mask, causal: c.causal, kernel: kernel)
        let parts = Self.splitFused(qkv, heads: c.heads, keyHeads: c.keyHeads)
        let expected = Reference.attention(query: parts[0], key: parts[1], value: parts[2], keyMask: mask, causal: c.causal)
        #expect(inPlace.shape == [c.batch, c.queryLength, c.heads, c.dimension])
        #expect(maxRelativeError(inPlace.scalars.map(Double.init), expected.data) < 1e-5)
        let split = try Tensor.attention(query: parts[0].tensor(), key: parts[1].tensor(), value: parts[2].tensor(),
                                         keyMask: mask, causal: c.causal, kernel: kernel)
        #expect(maxRelativeError(inPlace.scalars.map(Double.init), split.scalars.map(Double.init)) < 1e-6)
        // Training path (graph recorded): gradients of the fused tensor.
        try checkOp(
            "fused attention \(c.testDescription) \(kernel)", inputs: [qkv],
            fast: { try Tensor.attention(fusedQKV: $0[0], heads: c.heads, keyHeads: c.keyHeads, keyMask: mask, causal: c.causal, kernel: kernel) },
            reference: {
                let parts = Self.splitFused($0[0], heads: c.heads, keyHeads: c.keyHeads)
                return Reference.attention(query: parts[0], key: parts[1], value: parts[2], keyMask: mask, causal: c.causal)
            })
    }

    @Test("fused Q/K/V attention rejects widths and head counts that do not divide")
    func fusedErrors() throws {
        #expect(throws: TensorError.self) { try Tensor.attention(fusedQKV: try Tensor.zeros([1, 2, 25]), heads: 2) }
        #expect(throws: TensorError.self) { try Tensor.attention(fusedQKV: try Tensor.zeros([1, 2, 24]), heads: 3, keyHeads: 2) }
        #expect(throws: TensorError.self) { try Tensor.attention(fusedQKV: try Tensor.zeros([1, 2, 24]), heads: 0) }
        #expect(throws: TensorError.self) { try Tensor.attention(fusedQKV: try Tensor.zeros([2, 24]), heads: 2) }
        #expect(throws: TensorError.self) { try Tensor.attention(fusedQKV: try Tensor.zeros([1, 2, 24]), heads: 2, keyMask: [1]) }
    }
}
