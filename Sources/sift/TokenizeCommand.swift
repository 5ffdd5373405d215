// `sift tokenize`: JSON Lines texts on stdin → one JSON array of token ids per line on stdout.
import ArgumentParser
import Foundation
import SiftModels
import SiftTokenizers

struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Tokenize JSON Lines from stdin: each line a JSON string (or, with --pair, a two-string array); prints one JSON array of ids per line.",
        discussion: """
            PATH is a tokenizer directory (tokenizer.json, or vocab.txt, or vocab.json + merges.txt, with \
            tokenizer_config.json) or a tokenizer.json file. Special tokens are added only with --special. \
            --chat wraps each text as one user message in the tokenizer's chat template with the generation \
            prompt (--no-think: Qwen3's enable_thinking=false). A malformed line stops with an error naming it.
            """)

    @Option(name: .customLong("tokenizer"), help: "Tokenizer directory or tokenizer.json file.")
    var tokenizerPath: String

    @Flag(help: "Add the tokenizer's special tokens ([CLS] … [SEP] for BERT).")
    var special = false

    @Flag(help: "Each line is a [first, second] pair of strings.")
    var pair = false

    @Flag(help: "Wrap each text as a user message in the chat template, with the generation prompt.")
    var chat = false

    @Flag(name: .customLong("no-think"), help: "With --chat: disable thinking (Qwen3 enable_thinking=false).")
    var noThink = false

    @Option(help: "Encoding threads.")
    var threads = 2

    func validate() throws {
        if chat && pair { throw ValidationError("--chat and --pair cannot be combined") }
        if noThink && !chat { throw ValidationError("--no-think only applies with --chat") }
        if threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        let tokenizer: Tokenizer
        do {
            tokenizer = tokenizerPath.lowercased().hasSuffix(".gguf")
                ? try ModelLoader.tokenizer(fromGGUF: URL(fileURLWithPath: tokenizerPath))
                : try Tokenizer.load(from: URL(fileURLWithPath: tokenizerPath))
        } catch {
            throw tokenizeFailure("error: \(error)", code: 2)
        }
        var lineNumber = 0
        var texts: [String] = []
        var pairs: [(String, String)] = []
        // Batches of lines are encoded in parallel; an interactive terminal gets an answer per line.
        let chunkSize = isatty(STDIN_FILENO) != 0 ? 1 : 512

        func flush() throws {
            let options = EncodeOptions(addSpecialTokens: special)
            let encodings = pair
                ? try tokenizer.encodeBatch(pairs: pairs, options: options, threads: threads)
                : try tokenizer.encodeBatch(texts, options: options, threads: threads)
            var output = ""
            for encoding in encodings {
                output += "["
                output += encoding.ids.map(String.init).joined(separator: ",")
                output += "]\n"
            }
            FileHandle.standardOutput.write(Data(output.utf8))
            texts.removeAll(keepingCapacity: true)
            pairs.removeAll(keepingCapacity: true)
        }

        while let line = readLine(strippingNewline: true) {
            lineNumber += 1
            let value: JSONValue
            do {
                value = try JSONValue.parse(line)
            } catch {
                try flush()  // lines before the bad one are still answered
                throw tokenizeFailure("error: stdin line \(lineNumber): \(error)", code: 1)
            }
            if pair {
                guard let items = value.arrayValue, items.count == 2, let first = items[0].stringValue, let second = items[1].stringValue else {
                    try flush()
                    throw tokenizeFailure("error: stdin line \(lineNumber): expected a JSON array of two strings, got \(line.prefix(80))", code: 1)
                }
                pairs.append((first, second))
            } else {
                guard var text = value.stringValue else {
                    try flush()
                    throw tokenizeFailure("error: stdin line \(lineNumber): expected a JSON string, got \(line.prefix(80))", code: 1)
                }
                if chat {
                    do {
                        text = try tokenizer.applyChatTemplate(
                            [ChatMessage(role: "user", content: text)], addGenerationPrompt: true, enableThinking: !noThink)
                    } catch {
                        throw tokenizeFailure("error: \(error)", code: 2)
                    }
                }
                texts.append(text)
            }
            if texts.count + pairs.count >= chunkSize { try flush() }
        }
        if !texts.isEmpty || !pairs.isEmpty { try flush() }
    }
}

/// Prints `text` to stderr and returns the exit code to throw.
private func tokenizeFailure(_ text: String, code: Int32) -> Error {
    FileHandle.standardError.write(Data((text + "\n").utf8))
    return ExitCode(code)
}
