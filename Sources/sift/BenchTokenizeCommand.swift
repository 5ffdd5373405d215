// `sift bench tokenize`: tokens per second of Sift's BERT WordPiece and Qwen BPE on AG News texts, 1 and 2
// threads, beside Hugging Face `tokenizers` (Rust) measured the same way by scripts/bench_tokenizers_hf.py.
import ArgumentParser
import Foundation
import SiftTokenizers

struct BenchTokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Tokens/s of BERT WordPiece and Qwen byte-level BPE on AG News (title + \" \" + description), no special tokens.",
        discussion: """
            With --hf-python (a Python that has `tokenizers` installed), scripts/bench_tokenizers_hf.py is run on the \
            same texts and the ratio Sift / Hugging Face is printed.
            """)

    @Option(help: "AG News CSV (\"class\",\"title\",\"description\").")
    var data = "../shared/data/agnews/train.csv"

    @Option(help: "Use at most this many rows (0: all).")
    var limit = 0

    @Option(help: "Comma-separated thread counts.")
    var threads = "1,2"

    @Option(help: "BERT tokenizer (directory or tokenizer.json).")
    var bert = "../shared/tokenizers/bert-base-uncased/tokenizer.json"

    @Option(help: "Qwen tokenizer (directory or tokenizer.json).")
    var qwen = "../shared/fixtures/tokenizers/qwen3-tokenizer/tokenizer.json"

    @Option(help: "Timed repetitions (the best is reported).")
    var repeats = 3

    @Option(name: .customLong("hf-python"), help: "Python with Hugging Face `tokenizers`, to measure the reference.")
    var hfPython: String?

    @Option(name: .customLong("hf-script"), help: "Path of the reference script.")
    var hfScript = "scripts/bench_tokenizers_hf.py"

    func run() throws {
        let threadCounts = threads.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !threadCounts.isEmpty, threadCounts.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("--threads must be a comma-separated list of positive integers, got \(threads)")
        }
        let texts = try AGNewsTexts.read(path: data, limit: limit)
        let characters = texts.reduce(0) { $0 + $1.unicodeScalars.count }
        print("texts: \(texts.count) from \(data) (\(characters) characters); best of \(repeats); machine shared with other jobs, timings are noisy")
        var reference: [String: Double] = [:]
        if let hfPython {
            reference = try runReference(python: hfPython, threadCounts: threadCounts)
        }
        print("tokenizer  threads  tokens        seconds   tokens/s     HF tokens/s  Sift/HF")
        for (name, path) in [("bert", bert), ("qwen", qwen)] {
            let tokenizer = try Tokenizer.load(from: URL(fileURLWithPath: path))
            let options = EncodeOptions(addSpecialTokens: false)
            _ = try tokenizer.encodeBatch(Array(texts.prefix(2000)), options: options, threads: 2)  // warm-up
            for threadCount in threadCounts {
                var best = Double.infinity
                var tokens = 0
                for _ in 0..<max(1, repeats) {
                    let start = DispatchTime.now().uptimeNanoseconds
                    let encodings = try tokenizer.encodeBatch(texts, options: options, threads: threadCount)
                    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                    tokens = encodings.reduce(0) { $0 + $1.count }
                    best = min(best, seconds)
                }
                let rate = Double(tokens) / best
                let hf = reference["\(name)/\(threadCount)"]
                let hfText = hf.map { String(format: "%11.0f", $0) } ?? "          -"
                let ratio = hf.map { String(format: "%6.2fx", rate / $0) } ?? "      -"
                print(String(format: "%-9@  %7d  %-12d  %7.3f  %11.0f", name as NSString, threadCount, tokens, best, rate)
                      + "  \(hfText)  \(ratio)")
            }
        }
        if hfPython == nil {
            print("reference: pass --hf-python PYTHON (with `tokenizers` installed) to run \(hfScript) on the same texts")
        }
    }

    /// Runs the Hugging Face script and reads its `{"tokenizer", "threads", "tokens_per_s"}` JSON lines.
    private func runReference(python: String, threadCounts: [Int]) throws -> [String: Double] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        var arguments = [hfScript, "--data", data, "--limit", String(limit), "--threads", threads,
                         "--repeats", String(repeats)]
        arguments += ["--bert", bert.hasSuffix(".json") ? bert : bert + "/tokenizer.json"]
        arguments += ["--qwen", qwen.hasSuffix(".json") ? qwen : qwen + "/tokenizer.json"]
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError("\(hfScript) failed with status \(process.terminationStatus)")
        }
        var results: [String: Double] = [:]
        for line in String(decoding: output, as: UTF8.self).split(separator: "\n") {
            guard let object = try? JSONValue.parse(line).objectValue,
                  let name = object["tokenizer"]?.stringValue, let threadCount = object["threads"]?.intValue,
                  case .number(let rate)? = object["tokens_per_s"] else { continue }
            results["\(name)/\(threadCount)"] = rate
        }
        return results
    }
}

/// Reads AG News CSV rows (`"class","title","description"`, quotes doubled inside fields) as title + " " + description.
enum AGNewsTexts {
    static func read(path: String, limit: Int) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read \(path); pass --data with the AG News train.csv")
        }
        let bytes = [UInt8](data)
        var texts: [String] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var index = 0
        var line = 1
        var inQuotes = false
        func endRecord() throws {
            guard fields.count == 3 else {
                throw ValidationError("\(path), line \(line): expected 3 fields (class, title, description), got \(fields.count)")
            }
            texts.append(fields[1] + " " + fields[2])
            fields.removeAll()
        }
        while index < bytes.count {
            let byte = bytes[index]
            if inQuotes {
                if byte == UInt8(ascii: "\"") {
                    if index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if byte == 10 { line += 1 }
                    field.append(byte)
                }
            } else if byte == UInt8(ascii: "\"") {
                inQuotes = true
            } else if byte == UInt8(ascii: ",") {
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
            } else if byte == 10 {
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
                try endRecord()
                line += 1
                if limit > 0 && texts.count >= limit { return texts }
            } else if byte != 13 {
                field.append(byte)
            }
            index += 1
        }
        if !field.isEmpty || !fields.isEmpty {
            fields.append(String(decoding: field, as: UTF8.self))
            try endRecord()
        }
        return texts
    }
}
