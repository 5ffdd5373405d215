// `sift bench compare`: every performance target of the project in one table — Sift measured in this
// process, PyTorch / ONNX Runtime / transformers measured by ../shared/bench/*.py (and a small inline
// script for option scoring) through a Python venv in the same run, so ratios hold on a busy machine.
//
// Sift's side uses its fastest mode (bf16 GEMMs when oneDNN is present; fp32 is shown beside it).
// Every Sift timing records how much CPU other processes took during it (from /proc/stat, as the
// Python harness does): the median of the uncontended iterations is reported, or the best one when
// none was uncontended (then the row says so).
import ArgumentParser
import Foundation
import SiftModels
import SiftTensor
import SiftTokenizers
import SiftTrain

struct BenchCompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Sift against PyTorch, ONNX Runtime and transformers on every performance target, in one table.",
        discussion: """
            Needs a Python venv with torch, transformers and onnxruntime for the peers (--refenv, default $REFENV, \
            else ~/.venvs/refenv; ../shared/bench/setup-refenv.sh makes one). Missing peers are skipped with a reason. \
            Sections: train, infer, latency, qwen, options, tokenize. Full run: tens of minutes; --quick: a few.
            """)

    @Option(help: "Python environment with torch + transformers + onnxruntime (default: $REFENV, else ~/.venvs/refenv).")
    var refenv: String?
    @Option(help: "Sections to run (comma-separated): train, infer, latency, qwen, options, tokenize.")
    var only: String = "train,infer,latency,qwen,options,tokenize"
    @Option(help: "Directory for the exported ONNX graphs (made once, reused).")
    var onnxDir: String = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/sift-bench/onnx").path
    @Option(help: "Sift precisions to measure (the fastest one is compared): fp32, bf16.")
    var precisions: String = "fp32,bf16"
    @Flag(help: "Fewer iterations on both sides (noisier, a few minutes).")
    var quick = false
    @Option(help: "Timed iterations of each measurement on Sift's side (default: 7, 3 with --quick); more give steadier medians on a noisy machine.")
    var siftIterations: Int?
    @Flag(help: "Print JSON instead of the table.")
    var json = false

    /// One target: Sift's number, the peer's, and whether the ratio meets the goal.
    struct Row: Codable {
        var target: String
        var unit: String
        var sift: Double?
        var siftMode: String?
        var siftFP32: Double?
        var peer: String
        var peerValue: Double?
        /// Sift ÷ peer for rates; peer ÷ Sift for latencies (so > 1 always means Sift is ahead).
        var ratio: Double?
        var goal: String
        var holds: Bool?
        var note: String?
    }

    var python: String {
        let base = refenv ?? ProcessInfo.processInfo.environment["REFENV"]
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".venvs/refenv").path
        return URL(fileURLWithPath: base).appendingPathComponent("bin/python").path
    }
    var benchDirectory: String {
        URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("../shared/bench").standardized.path
    }
    var miniLMDirectory: String { defaultMiniLMDirectory }
    var iterations: Int { siftIterations ?? (quick ? 3 : 7) }

    func wantedPrecisions() throws -> [MatmulPrecision] {
        try precisions.split(separator: ",").map { text in
            guard let value = MatmulPrecision(rawValue: String(text)) else { throw ValidationError("--precisions: unknown precision \(text) (fp32, bf16)") }
            return value
        }.filter { MatmulPrecision.effective($0) == $0 }
    }

    // MARK: Sift's side

    /// Times `body` (after `warmup` untimed runs) and returns the median of the uncontended runs.
    func time(_ body: () throws -> Void, warmup: Int = 1) throws -> (seconds: Double, note: String?) {
        for _ in 0..<warmup { try body() }
        var clean: [Double] = [], all: [Double] = []
        for _ in 0..<iterations {
            let before = MachineLoad.sample()
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            all.append(seconds)
            if MachineLoad.othersFraction(since: before, wall: seconds) < 0.05 { clean.append(seconds) }
        }
        if clean.isEmpty {
            return (all.min() ?? .nan, "busy machine: best of \(all.count), none uncontended")
        }
        return (clean.sorted()[clean.count / 2], clean.count < all.count ? "\(clean.count)/\(all.count) uncontended" : nil)
    }

    /// Runs `measure` in every precision; returns the best and the fp32 value (rates: higher is better).
    func bestRate(_ measure: (MatmulPrecision) throws -> (Double, String?)) throws -> (rate: Double, mode: String, fp32: Double?, note: String?) {
        var best: (Double, String, String?) = (0, "", nil)
        var fp32: Double? = nil
        for precision in try wantedPrecisions() {
            let (rate, note) = try withMatmulPrecision(precision) { try measure(precision) }
            if precision == .fp32 { fp32 = rate }
            if rate > best.0 { best = (rate, precision.rawValue, note) }
        }
        return (best.0, best.1, fp32, best.2)
    }

    /// Training sequences/s: zero grads, forward with dropout, cross-entropy, backward, AdamW.
    func trainingRate(_ model: SequenceClassifier, batch: Int, sequence: Int, vocab: Int) throws -> (Double, String?) {
        let tokens = try randomTokenBatch(batch: batch, sequence: sequence, vocab: vocab, seed: 11)
        let labels = (0..<batch).map { $0 % model.classCount }
        model.setRequiresGrad(true)
        let optimizer = AdamW(parameters: model.namedParameters(), config: AdamWConfig(learningRate: 2e-5, weightDecay: 0.01))
        var context = ForwardContext(training: true, seed: 3)
        let (seconds, note) = try time {
            optimizer.zeroGrad()
            let loss = try Tensor.crossEntropy(logits: model.classify(tokens, context: &context), targets: labels)
            try loss.backward()
            optimizer.step(learningRate: 2e-5)
        }
        optimizer.zeroGrad()  // the gradients (the model's size again) must not stay resident beside the peer's run
        return (Double(batch) / seconds, note)
    }

    /// Inference seconds per batch (no graph; weight copies kept, as `sift predict` does).
    func inferenceSeconds(_ model: SequenceClassifier, batch: Int, sequence: Int, vocab: Int) throws -> (Double, String?) {
        let tokens = try randomTokenBatch(batch: batch, sequence: sequence, vocab: vocab, seed: 12)
        return try inferenceTime {
            _ = try withNoGrad {
                var context = ForwardContext.inference
                return try model.classify(tokens, context: &context)
            }
        }
    }

    func loadMiniLM() throws -> SequenceClassifier? {
        guard FileManager.default.fileExists(atPath: miniLMDirectory) else { return nil }
        return try ModelLoader.load(URL(fileURLWithPath: miniLMDirectory), task: .classification(labels: ["a", "b", "c", "d"])).model.classifier
    }

    // MARK: The peers' side

    /// Runs a Python benchmark and returns its RESULT record, or the reason it did not run.
    func runPython(_ arguments: [String], environment extra: [String: String] = [:]) -> Result<[String: Any], PeerSkipped> {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            return .failure(PeerSkipped("no Python venv at \(python) (--refenv or $REFENV; ../shared/bench/setup-refenv.sh makes one)"))
        }
        // The peer runs beside this process: give back the pooled buffers of Sift's measurement
        // first (Qwen3-0.6B training: without this both sides together ran out of 23 GB).
        TensorBufferPool.drain()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: benchDirectory)
        process.environment = ProcessInfo.processInfo.environment.merging(extra.merging(["MINILM_DIR": miniLMDirectory]) { a, _ in a }) { $1 }
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch { return .failure(PeerSkipped("cannot start \(python): \(error)")) }
        // Drain stderr concurrently so a chatty script never blocks on a full pipe.
        let errorData = UncheckedBox(Data())
        let drained = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            errorData.value = errors.fileHandleForReading.readDataToEndOfFile()
            drained.signal()
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        drained.wait()
        guard let line = text.split(separator: "\n").last(where: { $0.hasPrefix("RESULT ") }),
              let record = try? JSONSerialization.jsonObject(with: Data(line.dropFirst(7).utf8)) as? [String: Any] else {
            let tail = String(decoding: errorData.value.suffix(300), as: UTF8.self).replacingOccurrences(of: "\n", with: " ")
            return .failure(PeerSkipped("\(arguments.first.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "script") gave no result (exit \(process.terminationStatus)): \(tail)"))
        }
        if let error = record["error"] as? String { return .failure(PeerSkipped("peer failed: \(error)")) }
        return .success(record)
    }

    var timingArguments: [String] {
        quick ? ["--warmup", "1", "--min-iters", "3", "--max-iters", "3", "--target-s", "5"]
              : ["--warmup", "2", "--min-iters", "5", "--max-iters", "20", "--target-s", "20"]
    }
    var resultsFile: String { NSTemporaryDirectory() + "sift-bench-compare-\(getpid()).jsonl" }

    func torch(model: String, mode: String, batch: Int, sequence: Int, precision: String, fusedAdamW: Bool = false) -> Result<[String: Any], PeerSkipped> {
        var arguments = ["bench_torch.py", "--model", model, "--mode", mode, "--batch", String(batch), "--seq", String(sequence),
                         "--threads", String(Parallel.threadCount), "--precision", precision, "--results", resultsFile]
        if fusedAdamW { arguments += ["--optim-impl", "fused"] }
        return runPython(arguments + timingArguments)
    }

    /// ONNX Runtime on the graph-optimized export, exported into --onnx-dir on first use (the shared
    /// bench directory stays untouched).
    func onnxRuntime(model: String, batch: Int, sequence: Int) -> Result<[String: Any], PeerSkipped> {
        let optimized = URL(fileURLWithPath: onnxDir).appendingPathComponent("\(model).opt.onnx").path
        let redirect = "import sys, bench_onnx; bench_onnx.ONNX_DIR = sys.argv.pop(1); sys.argv[0] = 'bench_onnx.py'; bench_onnx.main()"
        if !FileManager.default.fileExists(atPath: optimized) {
            try? FileManager.default.createDirectory(atPath: onnxDir, withIntermediateDirectories: true)
            if case .failure(let reason) = runPython(["-c", redirect, onnxDir, "export", "--model", model, "--results", resultsFile]) {
                return .failure(PeerSkipped("ONNX export of \(model) failed: \(reason.reason)"))
            }
        }
        let ortTiming = quick ? ["--warmup", "2", "--min-iters", "5", "--max-iters", "10", "--target-s", "5"]
                              : ["--warmup", "3", "--min-iters", "5", "--max-iters", "50", "--target-s", "20"]
        return runPython(["-c", redirect, onnxDir, "run", "--model", model, "--variant", "optimized", "--batch", String(batch),
                          "--seq", String(sequence), "--threads", String(Parallel.threadCount), "--results", resultsFile] + ortTiming)
    }

    // MARK: Rows

    /// The goal column: "≥ 3.0×" for a ratio goal; "≤ peer" for a time that only has to beat the
    /// peer's (a goal of 1 on a time ratio, peer ÷ Sift).
    static func goalText(_ goal: Double, timeRatio: Bool) -> String {
        timeRatio && goal == 1 ? "≤ peer" : String(format: "≥ %.1f×", goal)
    }

    func row(_ target: String, unit: String, sift: (rate: Double, mode: String, fp32: Double?, note: String?)?,
             peer: String, peerResult: Result<[String: Any], PeerSkipped>, key: String, goal: Double,
             latency: Bool = false, transform: (Double) -> Double = { $0 }) -> Row {
        var row = Row(target: target, unit: unit, sift: sift?.rate, siftMode: sift?.mode, siftFP32: sift?.fp32, peer: peer,
                      goal: Self.goalText(goal, timeRatio: latency), note: sift?.note)
        switch peerResult {
        case .success(let record):
            if let value = record[key] as? Double {
                row.peerValue = transform(value)
                if let sift = sift?.rate, sift > 0, let peerValue = row.peerValue {
                    row.ratio = latency ? peerValue / sift : sift / peerValue
                    row.holds = row.ratio! >= goal
                }
                if let contended = record["contended"] as? Bool, contended {
                    row.note = [row.note, "peer contended"].compactMap { $0 }.joined(separator: "; ")
                }
            }
        case .failure(let reason):
            row.note = [row.note, "peer skipped: \(reason.reason)"].compactMap { $0 }.joined(separator: "; ")
        }
        return row
    }

    func validate() throws {
        _ = try wantedPrecisions()
        if let siftIterations, siftIterations < 1 { throw ValidationError("--sift-iterations must be at least 1, got \(siftIterations)") }
        let known: Set<String> = ["train", "infer", "latency", "qwen", "options", "tokenize"]
        for section in only.split(separator: ",") where !known.contains(String(section)) {
            throw ValidationError("--only: unknown section \(section) (choose from \(known.sorted().joined(separator: ", ")))")
        }
    }

    func run() throws {
        let sections = Set(only.split(separator: ",").map(String.init))
        if MatmulPrecision.effective(.bf16) != .bf16 { note("bf16 unavailable (\(OneDNN.unavailableReason ?? "?")): Sift runs fp32 only") }
        // Rows are also printed (stderr) as soon as they are measured, so an interrupted run keeps them.
        var rows: [Row] = [] {
            didSet { if let last = rows.last, rows.count > oldValue.count { note("result: " + BenchCompareCommand.line(last)) } }
        }
        let miniLM = try loadMiniLM()
        if miniLM == nil { note("SKIP MiniLM-L6 rows: \(miniLMDirectory) not found (run ../shared/scripts/get-models)") }
        let encoders: [(name: String, torchName: String, make: () throws -> SequenceClassifier?)] = [
            ("MiniLM-L6", "minilm-l6", { try loadMiniLM() }),
            ("BERT-base", "bert-base", { try BertForSequenceClassification.random(config: .bertBase, labels: 4) }),
        ]
        if sections.contains("train") {
            for encoder in encoders {
                guard let model = try encoder.make() else { continue }
                note("measuring: training \(encoder.name) 16×128 (Sift, then PyTorch fp32 and bf16-autocast + fused AdamW)")
                let sift = try bestRate { _ in try trainingRate(model, batch: 16, sequence: 128, vocab: 30522) }
                let target = "training \(encoder.name) 16×128"
                rows.append(row(target, unit: "seq/s", sift: sift, peer: "PyTorch bf16-autocast + fused AdamW",
                                peerResult: torch(model: encoder.torchName, mode: "train", batch: 16, sequence: 128, precision: "bf16-autocast", fusedAdamW: true),
                                key: "seq_per_s", goal: 1.0))
                rows.append(row(target, unit: "seq/s", sift: sift, peer: "PyTorch fp32",
                                peerResult: torch(model: encoder.torchName, mode: "train", batch: 16, sequence: 128, precision: "fp32"),
                                key: "seq_per_s", goal: 1.5))
            }
        }
        if sections.contains("infer") {
            for encoder in encoders {
                guard let model = try encoder.make() else { continue }
                note("measuring: inference \(encoder.name) 32×128")
                let sift = try bestRate { _ in
                    let (seconds, note) = try inferenceSeconds(model, batch: 32, sequence: 128, vocab: 30522)
                    return (32 / seconds, note)
                }
                let target = "inference \(encoder.name) 32×128"
                rows.append(row(target, unit: "seq/s", sift: sift, peer: "ONNX Runtime fp32 (optimized graph)",
                                peerResult: onnxRuntime(model: encoder.torchName, batch: 32, sequence: 128), key: "seq_per_s", goal: 1.2))
                rows.append(row(target, unit: "seq/s", sift: sift, peer: "PyTorch bf16-autocast",
                                peerResult: torch(model: encoder.torchName, mode: "infer", batch: 32, sequence: 128, precision: "bf16-autocast"),
                                key: "seq_per_s", goal: 1.0))
            }
        }
        if sections.contains("latency") {
            for encoder in encoders {
                guard let model = try encoder.make() else { continue }
                note("measuring: batch-1 latency \(encoder.name) ×128")
                // Latency in ms; bestRate maximises, so it compares 1/latency and converts back.
                let best = try bestRate { _ in
                    let (seconds, note) = try inferenceSeconds(model, batch: 1, sequence: 128, vocab: 30522)
                    return (1 / seconds, note)
                }
                let sift = (rate: 1000 / best.rate, mode: best.mode, fp32: best.fp32.map { 1000 / $0 }, note: best.note)
                rows.append(row("batch-1 latency \(encoder.name) ×128", unit: "ms", sift: sift, peer: "ONNX Runtime fp32 (optimized graph)",
                                peerResult: onnxRuntime(model: encoder.torchName, batch: 1, sequence: 128), key: "median_s", goal: 1.0,
                                latency: true, transform: { $0 * 1000 }))
            }
        }
        if sections.contains("qwen") {
            let model = try DecoderForSequenceClassification.random(config: .qwen3_0_6B, labels: 4)
            note("measuring: Qwen3-0.6B head inference 8×128 and training step 4×128")
            let inference = try bestRate { _ in
                let (seconds, note) = try inferenceSeconds(model, batch: 8, sequence: 128, vocab: 151643)
                return (8 / seconds, note)
            }
            rows.append(row("Qwen3-0.6B head inference 8×128", unit: "seq/s", sift: inference, peer: "PyTorch bf16-autocast",
                            peerResult: torch(model: "qwen3-0.6b-cls", mode: "infer", batch: 8, sequence: 128, precision: "bf16-autocast"),
                            key: "seq_per_s", goal: 1.0))
            let training = try bestRate { _ in try trainingRate(model, batch: 4, sequence: 128, vocab: 151643) }
            rows.append(row("Qwen3-0.6B head training step 4×128", unit: "seq/s", sift: training, peer: "PyTorch fp32",
                            peerResult: torch(model: "qwen3-0.6b-cls", mode: "train", batch: 4, sequence: 128, precision: "fp32"),
                            key: "seq_per_s", goal: 1.3))
        }
        if sections.contains("options") {
            rows.append(try optionScoringRow())
        }
        if sections.contains("tokenize"), let miniLM {
            rows.append(try tokenizationShareRow(miniLM))
        }
        try? FileManager.default.removeItem(atPath: resultsFile)
        if json {
            try printJSON(rows, pretty: true)
        } else {
            print(BenchCompareCommand.table(rows, threads: Parallel.threadCount, quick: quick))
        }
    }
}

/// Why a peer's measurement is missing.
struct PeerSkipped: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// A mutable box handed to one background reader (accesses ordered by a semaphore).
final class UncheckedBox<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}

/// CPU time used by the whole machine and by this process, to tell when others competed for it.
enum MachineLoad {
    struct Sample {
        let machineBusySeconds: Double
        let ownSeconds: Double
    }

    static func sample() -> Sample {
        var busy = 0.0
        if let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
           let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) {
            let fields = line.split(separator: " ").dropFirst().compactMap { Double($0) }
            if fields.count >= 5 {
                let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
                // user nice system idle iowait irq softirq steal: busy = all − idle − iowait.
                busy = (fields.prefix(8).reduce(0, +) - fields[3] - fields[4]) / ticksPerSecond
            }
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let own = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return Sample(machineBusySeconds: busy, ownSeconds: own)
    }

    /// Share of the machine's CPU capacity that other processes used since `before` (0 when unknown).
    static func othersFraction(since before: Sample, wall: Double) -> Double {
        let now = sample()
        guard before.machineBusySeconds > 0, wall > 0 else { return 0 }
        let others = (now.machineBusySeconds - before.machineBusySeconds) - (now.ownSeconds - before.ownSeconds)
        return max(0, others) / (wall * Double(ProcessInfo.processInfo.activeProcessorCount))
    }
}
