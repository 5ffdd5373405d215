// `sift bench engine`: the engine's GEMM-based ops against raw BLAS on the same buffers, same run.
//
// For the GEMM shapes of BERT-base and Qwen3-0.6B layers it times, interleaved and best-of-N,
// raw `BLAS.sgemm` on preallocated buffers against `Tensor.matmul` / `Tensor.linear` in inference
// mode (which also allocate their output), then one training step of `linear` (forward + backward)
// against the three raw GEMMs it needs.
import ArgumentParser
import Foundation
import SiftTensor

struct BenchEngineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Time the engine's matmul/linear against raw BLAS sgemm on BERT-base and Qwen3-0.6B GEMM shapes.",
        discussion: """
            Every row is measured interleaved with its reference in the same run (best of --repeats), so the
            ratio engine/raw holds even on a busy machine; absolute GFLOP/s depend on the load. Goal: ≥ 0.90.
            """
    )

    @Option(help: "Timed repetitions of each measurement; the fastest is reported (default: 5).")
    var repeats: Int = 5

    @Option(help: "Threads for BLAS and the engine's kernels (default: SIFT_NUM_THREADS, else every active core).")
    var threads: Int?

    @Option(help: "GEMM shapes to time as M×K×N (or MxKxN), comma-separated, e.g. 4096x768x3072 (default: the four BERT-base and Qwen3-0.6B shapes).")
    var shapes: String?

    @Flag(help: "Skip the linear forward+backward measurement (default: included).")
    var skipTraining = false

    @Flag(help: "Skip the memory-bound element-wise measurements (default: included).")
    var skipElementwise = false

    @Flag(help: "Print the results as JSON instead of a table (default: table).")
    var json = false

    /// M×K×N of the GEMMs in a BERT-base layer (4096 tokens: batch 32 × 128) and a Qwen3-0.6B layer.
    static let gemmShapes: [(m: Int, k: Int, n: Int, model: String)] = [
        (4096, 768, 768, "BERT-base attention projection"),
        (4096, 768, 3072, "BERT-base FFN up"),
        (4096, 3072, 768, "BERT-base FFN down"),
        (1024, 1024, 3072, "Qwen3-0.6B MLP gate/up"),
    ]

    /// The shapes selected by `--shapes`, or the defaults.
    func selectedShapes() throws -> [(m: Int, k: Int, n: Int, model: String)] {
        guard let shapes else { return Self.gemmShapes }
        return try shapes.split(separator: ",").map { item in
            let parts = item.split(whereSeparator: { $0 == "x" || $0 == "×" }).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 3, let m = parts[0], let k = parts[1], let n = parts[2], m > 0, k > 0, n > 0 else {
                throw ValidationError("--shapes: '\(item)' is not M×K×N with three positive integers (e.g. 4096x768x3072).")
            }
            return (m, k, n, Self.gemmShapes.first { $0.m == m && $0.k == k && $0.n == n }?.model ?? "custom")
        }
    }

    func validate() throws {
        _ = try selectedShapes()
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1 (got \(repeats)).") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1 (got \(threads)).") }
    }

    func run() throws {
        if let threads { Parallel.setThreadCount(threads) }
        var rows: [EngineBenchRow] = []
        for shape in try selectedShapes() {
            rows += try EngineBench.gemmRows(m: shape.m, k: shape.k, n: shape.n, model: shape.model, repeats: repeats)
        }
        if !skipTraining {
            rows.append(try EngineBench.linearTrainingStep(m: 4096, k: 768, n: 3072, repeats: repeats))
        }
        let memoryRows = skipElementwise ? [] : try EngineBench.memoryBoundRows(repeats: repeats)
        let nnKernelSections = try EngineBench.nnKernelSections(repeats: repeats) + [EngineBench.backendSection(repeats: repeats)]

        if json {
            let report = EngineBenchReport(threads: Parallel.threadCount, repeats: repeats, rows: rows,
                                           memoryBound: memoryRows, nnKernels: nnKernelSections)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(EngineBench.table(rows, threads: Parallel.threadCount, repeats: repeats))
            if !memoryRows.isEmpty { print("\n" + EngineBench.memoryTable(memoryRows)) }
            for section in nnKernelSections { print("\n" + section) }
        }
    }
}

/// One comparison: an engine path and the reference it should match, timed in the same run.
struct EngineBenchRow: Codable {
    /// What the engine ran (e.g. `linear (x·Wᵀ)`).
    var operation: String
    /// M×K×N.
    var shape: String
    /// Which model layer the shape comes from.
    var model: String
    /// What the reference ran (e.g. `sgemm NT`).
    var reference: String
    /// Floating-point operations per call (2·M·K·N per GEMM).
    var flops: Double
    /// Best time of the reference, seconds.
    var referenceSeconds: Double
    /// Best time of the engine, seconds.
    var engineSeconds: Double

    /// Reference throughput, GFLOP/s.
    var referenceGFLOPS: Double
    /// Engine throughput, GFLOP/s.
    var engineGFLOPS: Double
    /// Engine throughput over reference throughput (1 = no overhead).
    var ratio: Double

    init(operation: String, shape: String, model: String, reference: String, flops: Double,
         referenceSeconds: Double, engineSeconds: Double) {
        self.operation = operation; self.shape = shape; self.model = model; self.reference = reference
        self.flops = flops; self.referenceSeconds = referenceSeconds; self.engineSeconds = engineSeconds
        referenceGFLOPS = flops / referenceSeconds / 1e9
        engineGFLOPS = flops / engineSeconds / 1e9
        ratio = referenceSeconds / engineSeconds
    }
}

/// A memory-bound op (GB/s) against the same loop writing into a preallocated buffer: the
/// difference is what producing a fresh output tensor costs (allocation and first-touch page faults).
struct MemoryBenchRow: Codable {
    var operation: String
    var shape: String
    /// Bytes read and written per call.
    var bytes: Double
    var referenceSeconds: Double
    var engineSeconds: Double
    var referenceGBps: Double
    var engineGBps: Double
    /// Engine throughput over reference throughput.
    var ratio: Double

    init(operation: String, shape: [Int], bytes: Double, referenceSeconds: Double, engineSeconds: Double) {
        self.operation = operation
        self.shape = shape.map(String.init).joined(separator: "×")
        self.bytes = bytes; self.referenceSeconds = referenceSeconds; self.engineSeconds = engineSeconds
        referenceGBps = bytes / referenceSeconds / 1e9
        engineGBps = bytes / engineSeconds / 1e9
        ratio = referenceSeconds / engineSeconds
    }
}

/// The JSON document of `sift bench engine --json`.
struct EngineBenchReport: Codable {
    var threads: Int
    var repeats: Int
    var rows: [EngineBenchRow]
    /// Memory-bound element-wise ops against the same loop on preallocated buffers.
    var memoryBound: [MemoryBenchRow]
    /// Text tables of the NN kernels (attention, LayerNorm, RMSNorm…), when present.
    var nnKernels: [String]
}

/// The measurements behind `sift bench engine`.
enum EngineBench {
    /// A buffer of `count` uniform values in [−0.5, 0.5), wrapped as a tensor (raw BLAS reads the same memory).
    static func randomTensor(_ shape: [Int], seed: UInt64, requiresGrad: Bool = false) throws -> Tensor {
        var rng = SeededGenerator(seed: seed)
        let count = shape.reduce(1, *)
        let storage = TensorStorage(uninitializedCount: count)
        for i in 0..<count { storage.pointer[i] = rng.nextUniform() - 0.5 }
        return try Tensor(shape: shape, storage: storage, requiresGrad: requiresGrad)
    }

    /// Seconds taken by `body`.
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Runs every closure once to warm up, then `repeats` interleaved rounds; returns each one's best time.
    static func interleavedBest(repeats: Int, _ bodies: [() throws -> Void]) throws -> [Double] {
        for body in bodies { try body() }
        var best = [Double](repeating: .infinity, count: bodies.count)
        for _ in 0..<repeats {
            for (i, body) in bodies.enumerated() { best[i] = min(best[i], try seconds(body)) }
        }
        return best
    }

    /// matmul vs sgemm NN, and linear (with and without bias) vs sgemm NT, for one M×K×N.
    static func gemmRows(m: Int, k: Int, n: Int, model: String, repeats: Int) throws -> [EngineBenchRow] {
        let a = try randomTensor([m, k], seed: 1)
        let b = try randomTensor([k, n], seed: 2)        // matmul's right operand [K, N]
        let weight = try randomTensor([n, k], seed: 3)   // linear's weight [N, K] (Hugging Face layout)
        let bias = try randomTensor([n], seed: 4)
        let c = TensorStorage(uninitializedCount: m * n)
        let pa = a.storage.pointer, pb = b.storage.pointer, pw = weight.storage.pointer, pc = c.pointer
        let times = try interleavedBest(repeats: repeats, [
            { BLAS.sgemm(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a: pa, lda: k, b: pb, ldb: n, beta: 0, c: pc, ldc: n) },
            { _ = try withNoGrad { try a.matmul(b) } },
            { BLAS.sgemm(transposeA: false, transposeB: true, m: m, n: n, k: k, alpha: 1, a: pa, lda: k, b: pw, ldb: k, beta: 0, c: pc, ldc: n) },
            { _ = try withNoGrad { try a.linear(weight: weight) } },
            { _ = try withNoGrad { try a.linear(weight: weight, bias: bias) } },
        ])
        let flops = 2.0 * Double(m) * Double(k) * Double(n)
        let shape = "\(m)×\(k)×\(n)"
        return [
            EngineBenchRow(operation: "matmul (x·B)", shape: shape, model: model, reference: "sgemm NN",
                           flops: flops, referenceSeconds: times[0], engineSeconds: times[1]),
            EngineBenchRow(operation: "linear (x·Wᵀ)", shape: shape, model: model, reference: "sgemm NT",
                           flops: flops, referenceSeconds: times[2], engineSeconds: times[3]),
            EngineBenchRow(operation: "linear (x·Wᵀ + b)", shape: shape, model: model, reference: "sgemm NT",
                           flops: flops, referenceSeconds: times[2], engineSeconds: times[4]),
        ]
    }

    /// One training step of `linear` with bias (forward, then backward to x, W and b) against the
    /// three raw GEMMs it needs (y = x·Wᵀ, dx = dy·W, dW = dyᵀ·x).
    static func linearTrainingStep(m: Int, k: Int, n: Int, repeats: Int) throws -> EngineBenchRow {
        let x = try randomTensor([m, k], seed: 5, requiresGrad: true)
        let weight = try randomTensor([n, k], seed: 6, requiresGrad: true)
        let bias = try randomTensor([n], seed: 7, requiresGrad: true)
        let gradOut = try randomTensor([m, n], seed: 8)
        let y = TensorStorage(uninitializedCount: m * n)
        let dx = TensorStorage(uninitializedCount: m * k), dW = TensorStorage(uninitializedCount: n * k)
        let px = x.storage.pointer, pw = weight.storage.pointer, pdy = gradOut.storage.pointer
        let times = try interleavedBest(repeats: repeats, [
            {
                BLAS.sgemm(transposeA: false, transposeB: true, m: m, n: n, k: k, alpha: 1, a: px, lda: k, b: pw, ldb: k, beta: 0, c: y.pointer, ldc: n)
                BLAS.sgemm(transposeA: false, transposeB: false, m: m, n: k, k: n, alpha: 1, a: pdy, lda: n, b: pw, ldb: k, beta: 0, c: dx.pointer, ldc: k)
                BLAS.sgemm(transposeA: true, transposeB: false, m: n, n: k, k: m, alpha: 1, a: pdy, lda: n, b: px, ldb: k, beta: 0, c: dW.pointer, ldc: k)
            },
            {
                for p in [x, weight, bias] { p.zeroGrad() }
                try x.linear(weight: weight, bias: bias).backward(gradient: gradOut)
            },
        ])
        return EngineBenchRow(
            operation: "linear forward+backward (x, W, b)", shape: "\(m)×\(k)×\(n)", model: "BERT-base FFN up",
            reference: "3 × sgemm (NT, NN, TN)", flops: 3 * 2.0 * Double(m) * Double(k) * Double(n),
            referenceSeconds: times[0], engineSeconds: times[1])
    }

    /// Element-wise add (same shape and bias-row broadcast) and copy at a BERT FFN activation size
    /// (50 MB, above glibc's 32 MiB mmap threshold) and an attention-projection size (12.6 MB, below).
    static func memoryBoundRows(repeats: Int) throws -> [MemoryBenchRow] {
        var rows: [MemoryBenchRow] = []
        for shape in [[4096, 3072], [4096, 768]] {
            let columns = shape[1], count = shape[0] * shape[1]
            let a = try randomTensor(shape, seed: 9), b = try randomTensor(shape, seed: 10), bias = try randomTensor([columns], seed: 11)
            let c = TensorStorage(uninitializedCount: count)
            let pa = a.storage.pointer, pb = b.storage.pointer, pbias = bias.storage.pointer, pc = c.pointer
            let times = try interleavedBest(repeats: repeats, [
                { Parallel.forEachChunk(count, minChunk: 1 << 15) { r in for i in r { pc[i] = pa[i] + pb[i] } } },
                { _ = try withNoGrad { try a + b } },
                {
                    Parallel.forEachChunk(shape[0], minChunk: max(1, (1 << 15) / columns)) { r in
                        for row in r { for j in 0..<columns { pc[row * columns + j] = pa[row * columns + j] + pbias[j] } }
                    }
                },
                { _ = try withNoGrad { try a + bias } },
                { Parallel.forEachChunk(count, minChunk: 1 << 15) { r in (pc + r.lowerBound).update(from: pa + r.lowerBound, count: r.count) } },
                { _ = a.copy() },
            ])
            let bytes = Double(count * 4)
            rows.append(MemoryBenchRow(operation: "x + y", shape: shape, bytes: 3 * bytes, referenceSeconds: times[0], engineSeconds: times[1]))
            rows.append(MemoryBenchRow(operation: "x + bias row", shape: shape, bytes: 2 * bytes, referenceSeconds: times[2], engineSeconds: times[3]))
            rows.append(MemoryBenchRow(operation: "copy", shape: shape, bytes: 2 * bytes, referenceSeconds: times[4], engineSeconds: times[5]))
        }
        return rows
    }

    /// The memory-bound table.
    static func memoryTable(_ rows: [MemoryBenchRow]) -> String {
        var lines = ["memory-bound ops: engine (fresh output tensor) vs the same loop into a preallocated buffer",
                     "shape           op              preallocated GB/s  engine GB/s  engine/preallocated"]
        for row in rows {
            lines.append(
                row.shape.padding(toLength: 16, withPad: " ", startingAt: 0)
                    + row.operation.padding(toLength: 16, withPad: " ", startingAt: 0)
                    + String(format: "%17.1f  %11.1f  %19.3f", row.referenceGBps, row.engineGBps, row.ratio))
        }
        return lines.joined(separator: "\n")
    }

    // NN-kernel timings (attention, LayerNorm, RMSNorm) are added by the NN-ops branch at merge:
    // return `[try engineKernelTimings(repeats: repeats)]` (its text table) from here.
    static func nnKernelSections(repeats: Int) throws -> [String] {
        [try engineKernelTimings(repeats: repeats)]
    }

    /// The human-readable table.
    static func table(_ rows: [EngineBenchRow], threads: Int, repeats: Int) -> String {
        func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
            let count = s.unicodeScalars.count
            guard count < width else { return s }
            let fill = String(repeating: " ", count: width - count)
            return right ? fill + s : s + fill
        }
        func number(_ v: Double, _ decimals: Int) -> String { String(format: "%.\(decimals)f", v) }
        var lines = [
            "sift bench engine — \(threads) thread(s), best of \(repeats); engine/raw = engine throughput ÷ raw BLAS throughput (goal ≥ 0.90)",
            pad("shape M×K×N", 16) + pad("engine op", 36) + pad("raw", 24) + pad("raw GFLOP/s", 13, right: true)
                + pad("engine GFLOP/s", 16, right: true) + pad("engine/raw", 12, right: true) + "  model layer",
        ]
        for row in rows {
            lines.append(
                pad(row.shape, 16) + pad(row.operation, 36) + pad(row.reference, 24)
                    + pad(number(row.referenceGFLOPS, 1), 13, right: true) + pad(number(row.engineGFLOPS, 1), 16, right: true)
                    + pad(number(row.ratio, 3), 12, right: true) + "  " + row.model)
        }
        if let step = rows.first(where: { $0.operation.hasPrefix("linear forward+backward") }) {
            lines.append("linear training step \(step.shape): engine \(number(step.engineSeconds * 1000, 1)) ms, raw GEMMs \(number(step.referenceSeconds * 1000, 1)) ms")
        }
        return lines.joined(separator: "\n")
    }
}
