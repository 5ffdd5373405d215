// `sift embed`, `sift logits`, `sift score`, `sift generate`: model outputs for scripts and for
// checking Sift against other implementations. JSON Lines in (stdin or --input), JSON Lines out.
import ArgumentParser
import Foundation
import SiftModels
import SiftTensor
import SiftTokenizers
import SiftTrain

/// Reads JSON Lines from `--input` or stdin, calling `body` with each parsed line and its number.
func forEachJSONLine(_ input: String?, _ body: (Any, Int) throws -> Void) throws {
    let data: Data
    if let input {
        guard let contents = FileManager.default.contents(atPath: input) else { throw CLIError("cannot read --input \(input)") }
        data = contents
    } else {
        data = FileHandle.standardInput.readDataToEndOfFile()
    }
    for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { continue }
        guard let value = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8), options: [.fragmentsAllowed]) else {
            throw CLIError("line \(index + 1) is not valid JSON: \(trimmed.prefix(80))")
        }
        try body(value, index + 1)
    }
}

/// Prints one JSON object per line.
func printLine(_ object: Any) throws {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    print(String(decoding: data, as: UTF8.self))
}

struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed", abstract: "Sentence embeddings from an encoder: JSON strings in, arrays of floats out.")

    @Option(help: "Encoder model directory (BERT-family).")
    var model: String
    @OptionGroup(title: "Hugging Face Hub") var hub: HubOptions
    @Option(help: "Pooling: mean (over real tokens, as sentence-transformers) or cls (the first token).")
    var pooling: Pooling = .mean
    @Flag(help: "L2-normalise each embedding.")
    var normalize = false
    @Option(help: "Maximum tokens per text (longer texts are truncated).")
    var maxLength: Int = 512
    @Option(help: "Read JSON Lines from this file instead of stdin.")
    var input: String?

    enum Pooling: String, ExpressibleByArgument { case mean, cls }

    func run() throws {
        let bundle = try ModelLoader.load(try hub.modelURL(model), task: .base)
        guard case let .bert(encoder) = bundle.model else { throw CLIError("\(model) is not an encoder (model_type bert)") }
        try forEachJSONLine(input) { value, line in
            guard let text = value as? String else { throw CLIError("line \(line): expected a JSON string") }
            let ids = try bundle.tokenizer.encodeExample(text: text, pair: nil, options: TextEncodingOptions(maxLength: maxLength)).ids
            let vector = try withNoGrad {
                var context = ForwardContext.inference
                let batch = try TokenBatch(ids: ids, batchSize: 1, length: ids.count)
                let hidden = try encoder.hiddenStates(batch, context: &context)
                var pooled = pooling == .mean ? try hidden.maskedMean(mask: batch.attentionMask) : try hidden.pickRows([0])
                if normalize { pooled = try pooled.l2Normalized() }
                return pooled.scalars
            }
            try printLine(vector.map(Double.init))
        }
    }
}

struct LogitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logits", abstract: "Classification logits: {\"text\": …, \"text_pair\"?: …} lines in, arrays of logits out.")

    @Option(help: "Classifier checkpoint directory (or .gguf with a score head saved by Sift).")
    var model: String
    @OptionGroup(title: "Hugging Face Hub") var hub: HubOptions
    @Option(help: "Maximum tokens per text.")
    var maxLength: Int = 512
    @Option(help: "Read JSON Lines from this file instead of stdin.")
    var input: String?

    func run() throws {
        let (bundle, classifier) = try loadClassifier(model, revision: hub.revision)
        let pad = padId(for: bundle)
        try forEachJSONLine(input) { value, line in
            let text: String, pair: String?
            if let object = value as? [String: Any], let t = object["text"] as? String {
                text = t
                pair = object["text_pair"] as? String
            } else if let t = value as? String {
                text = t
                pair = nil
            } else {
                throw CLIError("line \(line): expected {\"text\": …} or a JSON string")
            }
            let (ids, types) = try bundle.tokenizer.encodeExample(text: text, pair: pair, options: TextEncodingOptions(maxLength: maxLength))
            let logits = try Evaluator.logits(classifier, examples: [.init(ids: ids, label: 0, tokenTypeIDs: pair == nil ? nil : types)],
                                              batchSize: 1, padId: pad)
            try printLine(logits.map(Double.init))
        }
    }
}

/// Chat wrapping shared by `score` and `generate`.
struct ChatOptions: ParsableArguments {
    @Flag(help: "Wrap the prompt as one user message in the model's chat template, with the generation prompt.")
    var chat = false
    @Flag(help: "With --chat: disable thinking (Qwen3 adds the empty <think></think> block).")
    var noThink = false

    func render(_ prompt: String, tokenizer: Tokenizer) throws -> String {
        guard chat else { return prompt }
        return try tokenizer.applyChatTemplate([ChatMessage(role: "user", content: prompt)], addGenerationPrompt: true, enableThinking: !noThink)
    }
}

struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Log-probabilities of continuations: {\"prompt\": …, \"continuations\": [ … ]} in, {\"logprobs\": [ … ], \"tokens\": [ … ]} out.",
        discussion: "The prompt and each continuation are tokenized separately without special tokens and concatenated (as lm-evaluation-harness does); the prompt is computed once and the continuations run together on its KV cache.")

    @Option(help: "Decoder model: a Hugging Face directory or a .gguf file.")
    var model: String
    @OptionGroup(title: "Hugging Face Hub") var hub: HubOptions
    @OptionGroup var adapter: AdapterOption
    @OptionGroup var chatOptions: ChatOptions
    @Option(help: "Read JSON Lines from this file instead of stdin.")
    var input: String?

    func run() throws {
        let bundle = try adapter.load(try hub.modelURL(model), task: .causalLM)
        guard case let .decoder(decoder) = bundle.model else { throw CLIError("\(model) is not a decoder") }
        try forEachJSONLine(input) { value, line in
            guard let object = value as? [String: Any], let prompt = object["prompt"] as? String,
                  let continuations = object["continuations"] as? [String], !continuations.isEmpty else {
                throw CLIError("line \(line): expected {\"prompt\": string, \"continuations\": [string, …]}")
            }
            let promptIds = bundle.tokenizer.encode(try chatOptions.render(prompt, tokenizer: bundle.tokenizer), addSpecialTokens: false).ids
            let ids = continuations.map { bundle.tokenizer.encode($0, addSpecialTokens: false).ids }
            if let empty = ids.firstIndex(where: \.isEmpty) { throw CLIError("line \(line): continuation \(empty) is empty") }
            let scores = try decoder.scoreContinuations(prompt: promptIds, continuations: ids)
            try printLine(["logprobs": scores.map(\.logprob), "tokens": ids.map(\.count)])
        }
    }
}

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate", abstract: "Generate text after a prompt with a decoder (KV cache).")

    @Option(help: "Decoder model: a Hugging Face directory or a .gguf file.")
    var model: String
    @OptionGroup(title: "Hugging Face Hub") var hub: HubOptions
    @OptionGroup var adapter: AdapterOption
    @Option(help: "The prompt text.")
    var prompt: String
    @OptionGroup var chatOptions: ChatOptions
    @Option(help: "Maximum number of new tokens.")
    var maxNewTokens: Int = 128
    @Flag(help: "Greedy decoding (argmax). Default: sampling with --temperature/--top-p/--top-k.")
    var greedy = false
    @Option(help: "Sampling temperature.")
    var temperature: Float = 0.7
    @Option(help: "Nucleus sampling: keep the most likely tokens up to this total probability.")
    var topP: Float = 0.8
    @Option(help: "Keep only the K most likely tokens (0 = no limit).")
    var topK: Int = 20
    @Option(help: "Sampling seed.")
    var seed: UInt64 = 0
    @Flag(help: "Print JSON ({\"text\", \"tokens\", \"stopped\"}) instead of the text.")
    var json = false

    func run() throws {
        let bundle = try adapter.load(try hub.modelURL(model), task: .causalLM)
        guard case let .decoder(decoder) = bundle.model else { throw CLIError("\(model) is not a decoder") }
        let ids = bundle.tokenizer.encode(try chatOptions.render(prompt, tokenizer: bundle.tokenizer), addSpecialTokens: false).ids
        guard !ids.isEmpty else { throw CLIError("the prompt is empty") }
        var stops = Set(decoder.config.eosTokenIds)
        if let eos = bundle.tokenizer.eosTokenId { stops.insert(eos) }
        for token in ["<|im_end|>", "<|endoftext|>", "<|eot_id|>"] { if let id = bundle.tokenizer.id(forToken: token) { stops.insert(id) } }
        let sampling = SamplingOptions(greedy: greedy, temperature: temperature, topP: topP, topK: topK, seed: seed)
        let result = try decoder.generate(prompts: [ids], maxNewTokens: maxNewTokens, stopTokens: stops, sampling: sampling)[0]
        let tokens = result.stopped ? Array(result.tokens.dropLast()) : result.tokens
        let text = bundle.tokenizer.decode(tokens, skipSpecialTokens: false)
        if json {
            try printLine(["text": text, "tokens": result.tokens, "stopped": result.stopped] as [String: Any])
        } else {
            print(text)
        }
    }
}
