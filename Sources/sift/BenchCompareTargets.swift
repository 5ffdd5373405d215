// The two targets of `sift bench compare` that are not a plain model step — option scoring against
// transformers' per-option forwards, and tokenization's share of inference time — and the table.
import Foundation
import SiftData
import SiftModels
import SiftTensor
import SiftTrain

extension BenchCompareCommand {
    /// Prompt and option sizes of the study's multiple-choice prompt: ~160 prompt tokens, four answers
    /// `<think>\n\n</think>\n\n{letter}` of 6 tokens that differ in the last one.
    static let promptLength = 160, optionLength = 6

    /// transformers: each option scored by its own full forward (prompt + option), fp32, as a
    /// straightforward implementation does it. Run inline through the venv's Python.
    static let transformersOptionScript = """
        import sys, torch
        sys.path.insert(0, '.')
        import common
        from bench_torch import build_model
        threads, prompt_len, option_len, quick, results = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == '1', sys.argv[5]
        torch.set_num_threads(threads); torch.set_num_interop_threads(1)
        model, vocab = build_model('qwen3-0.6b-causal', 4, None)
        model.eval()
        g = torch.Generator().manual_seed(1)
        prompt = torch.randint(1000, vocab, (prompt_len,), generator=g)
        shared = torch.randint(1000, vocab, (option_len - 1,), generator=g)
        options = [torch.cat([shared, torch.tensor([32 + i])]) for i in range(4)]
        def score():
            with torch.inference_mode():
                for option in options:
                    ids = torch.cat([prompt, option]).unsqueeze(0)
                    logits = model(input_ids=ids, use_cache=False).logits[0, prompt_len - 1:-1].float()
                    torch.log_softmax(logits, -1).gather(1, option.unsqueeze(1)).mean().item()
        st = common.time_fn(score, warmup=1, target_s=5.0 if quick else 20.0, min_iters=3 if quick else 5, max_iters=3 if quick else 10)
        common.emit({'bench': 'transformers-option-scoring', 'model': 'qwen3-0.6b-causal', 'batch': 1, 'seq': prompt_len + option_len, **st}, results)
        """

    /// Option scoring per example (Qwen3-0.6B shape, random weights, 4 options on one prompt).
    func optionScoringRow() throws -> Row {
        note("measuring: option scoring, Qwen3-0.6B shape, 4 options of \(Self.optionLength) tokens after a \(Self.promptLength)-token prompt")
        let model = try DecoderForSequenceClassification.random(config: .qwen3_0_6B, labels: 4).model
        var generator = SeededGenerator(seed: 21)
        let vocab = 151643
        let prompt = (0..<Self.promptLength).map { _ in 1000 + Int(generator.next() % UInt64(vocab - 1000)) }
        let shared = (0..<(Self.optionLength - 1)).map { _ in 1000 + Int(generator.next() % UInt64(vocab - 1000)) }
        let options = (0..<4).map { shared + [32 + $0] }
        let best = try bestRate { _ in
            let (seconds, note) = try inferenceTime { _ = try model.scoreContinuations(prompt: prompt, continuations: options) }
            return (1 / seconds, note)
        }
        let sift = (rate: 1 / best.rate, mode: best.mode, fp32: best.fp32.map { 1 / $0 }, note: best.note)
        return row("option scoring (4 options, shared prompt), Qwen3-0.6B", unit: "s/example", sift: sift,
                   peer: "transformers, one forward per option",
                   peerResult: runPython(["-c", Self.transformersOptionScript, String(Parallel.threadCount), String(Self.promptLength),
                                          String(Self.optionLength), quick ? "1" : "0", resultsFile]),
                   key: "median_s", goal: 3.0, latency: true)
    }

    /// Times an inference-only body with weight copies kept (bf16, or packed fp32), as `sift predict` does.
    func inferenceTime(_ body: () throws -> Void) throws -> (Double, String?) {
        try WeightCopyCache.withEnabled(true) { try time(body) }
    }

    /// Tokenizing AG News texts as a share of tokenizing + classifying them (MiniLM-L6, batch 32).
    func tokenizationShareRow(_ model: SequenceClassifier) throws -> Row {
        note("measuring: tokenization share of end-to-end inference (MiniLM-L6, AG News test texts, batch 32)")
        let texts = try AGNewsTexts.read(path: "../shared/data/agnews/test.csv", limit: quick ? 64 : 256)
        let tokenizer = try ModelLoader.load(URL(fileURLWithPath: miniLMDirectory), task: .classification(labels: ["a", "b", "c", "d"])).tokenizer
        let options = TextEncodingOptions(maxLength: 128)
        var examples: [TokenizedExample] = []
        let (tokenizeSeconds, tokenizeNote) = try time {
            examples = try texts.map { TokenizedExample(ids: try tokenizer.encodeExample(text: $0, pair: nil, options: options).ids, label: 0) }
        }
        let best = try bestRate { _ in
            let (seconds, note) = try inferenceTime { _ = try Evaluator.logits(model, examples: examples, batchSize: 32, padId: 0) }
            return (1 / seconds, note)
        }
        let inferenceSeconds = 1 / best.rate
        let share = 100 * tokenizeSeconds / (tokenizeSeconds + inferenceSeconds)
        return Row(target: "tokenization share of inference (MiniLM-L6, \(texts.count) AG News texts)", unit: "%", sift: share,
                   siftMode: best.mode, siftFP32: best.fp32.map { 100 * tokenizeSeconds / (tokenizeSeconds + 1 / $0) },
                   peer: "—", peerValue: nil, ratio: nil, goal: "≤ 5 %", holds: share <= 5,
                   note: [tokenizeNote, best.note, String(format: "tokenize %.1f ms, classify %.1f ms", tokenizeSeconds * 1000, inferenceSeconds * 1000)]
                    .compactMap { $0 }.joined(separator: "; "))
    }

    /// One row as a single line (progress output).
    static func line(_ row: Row) -> String {
        table([row], threads: 0, quick: false).split(separator: "\n", omittingEmptySubsequences: false).dropFirst(4).prefix(2).joined(separator: " ")
    }

    /// The report: one line per target.
    static func table(_ rows: [Row], threads: Int, quick: Bool) -> String {
        func number(_ value: Double?, unit: String) -> String {
            guard let value else { return "—" }
            switch unit {
            case "ms": return String(format: "%.1f", value)
            case "%": return String(format: "%.2f", value)
            case "s/example": return String(format: "%.2f", value)
            default: return value >= 100 ? String(format: "%.0f", value) : String(format: "%.2f", value)
            }
        }
        func pad(_ text: String, _ width: Int) -> String {
            text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
        }
        var lines = ["sift bench compare — \(threads) threads\(quick ? ", --quick" : ""); Sift in this process, peers through Python in the same run",
                     "(ratio > 1 means Sift is ahead: Sift ÷ peer for rates, peer ÷ Sift for times)", ""]
        lines.append(pad("target", 64) + pad("unit", 10) + pad("sift", 16) + pad("sift fp32", 11) + pad("peer", 38)
                     + pad("peer value", 12) + pad("ratio", 8) + pad("goal", 9) + "holds")
        for row in rows {
            let sift = number(row.sift, unit: row.unit) + (row.siftMode.map { " (\($0))" } ?? "")
            let holds = row.holds.map { $0 ? "yes" : "NO" } ?? "—"
            lines.append(pad(row.target, 64) + pad(row.unit, 10) + pad(sift, 16) + pad(number(row.siftFP32, unit: row.unit), 11)
                         + pad(row.peer, 38) + pad(number(row.peerValue, unit: row.unit), 12)
                         + pad(row.ratio.map { String(format: "%.2f×", $0) } ?? "—", 8) + pad(row.goal, 9) + holds)
            if let note = row.note { lines.append("    note: \(note)") }
        }
        let judged = rows.compactMap(\.holds)
        lines.append("")
        lines.append("\(judged.filter { $0 }.count) of \(judged.count) measured targets hold; \(rows.count - judged.count) not measured")
        return lines.joined(separator: "\n")
    }
}
