// Turning an example into the token ids of the prompt methods, through the model's chat template:
//   • the scoring prompt (user message + generation prompt; no-think adds the empty think block),
//   • the SFT sequence (prompt + answer + end of turn) with labels on the answer only (−100 on the
//     prompt and after the end-of-turn token, as LLaMA-Factory masks),
//   • the option continuations (one letter each).
// `cutoffLength` shortens the article only — never the question, the options or the answer.
import SiftTokenizers

/// An SFT training sequence and its answer-only labels.
public struct SFTExample: Sendable, Equatable {
    public var ids: [Int]
    /// Same length as `ids`; −100 where the position is not trained.
    public var labels: [Int]
    /// Index of the first answer token.
    public var answerStart: Int
}

/// Renders examples for option scoring, zero-shot generation and SFT.
public struct PromptFormatter: Sendable {
    public let tokenizer: Tokenizer
    public let template: PromptTemplate
    /// Whether the model has a thinking mode (Qwen3): the answer then starts with an empty think block.
    public let thinkingModel: Bool

    public init(tokenizer: Tokenizer, template: PromptTemplate, thinkingModel: Bool? = nil) {
        self.tokenizer = tokenizer
        self.template = template
        self.thinkingModel = thinkingModel ?? (tokenizer.id(forToken: "<think>") != nil && tokenizer.id(forToken: "</think>") != nil)
    }

    /// The user message (no-think unless `thinking`).
    func userMessage(text: String, thinking: Bool) -> String {
        template.render(text: text, thinking: thinking || !thinkingModel)
    }

    /// The text the assistant answers with for option `index`.
    public func answerText(option index: Int) -> String {
        (thinkingModel ? "<think>\n\n</think>\n\n" : "") + template.letters[index]
    }

    /// Chat-rendered prompt ending with the generation prompt. No-think (the study's default) ends
    /// after the empty think block, so the next token is the answer letter.
    public func promptText(text: String, thinking: Bool = false) throws -> String {
        try tokenizer.applyChatTemplate([ChatMessage(role: "user", content: userMessage(text: text, thinking: thinking))],
                                        addGenerationPrompt: true, enableThinking: thinking || !thinkingModel ? true : false)
    }

    /// Prompt ids, the article shortened so the prompt plus `reserve` answer tokens fit `cutoffLength`.
    public func promptIds(text: String, thinking: Bool = false, cutoffLength: Int? = nil, reserve: Int = 0) throws -> [Int] {
        try fitted(text: text, cutoffLength: cutoffLength, reserve: reserve) { article in
            tokenizer.encode(try promptText(text: article, thinking: thinking), addSpecialTokens: false).ids
        }
    }

    /// Token ids of each option's answer letter (scored after the no-think prompt).
    public func optionIds() -> [[Int]] {
        template.letters.map { tokenizer.encode($0, addSpecialTokens: false).ids }
    }

    /// The SFT sequence for `label`: prompt + answer + end-of-turn, labels on the answer tokens.
    public func sftExample(text: String, label: Int, cutoffLength: Int? = nil) throws -> SFTExample {
        guard label >= 0 && label < template.optionNames.count else {
            throw TrainError.invalidArgument("label \(label) has no option in the prompt template (\(template.optionNames.count) options)")
        }
        var result: SFTExample?
        _ = try fitted(text: text, cutoffLength: cutoffLength, reserve: 0) { article in
            let example = try sftSequence(article: article, label: label)
            result = example
            return example.ids
        }
        return result!
    }

    func sftSequence(article: String, label: Int) throws -> SFTExample {
        let user = ChatMessage(role: "user", content: userMessage(text: article, thinking: false))
        let assistant = ChatMessage(role: "assistant", content: answerText(option: label))
        // The prefix is everything up to the assistant's content ("…<|im_start|>assistant\n").
        let prefixText = try tokenizer.applyChatTemplate([user], addGenerationPrompt: true, enableThinking: true)
        let fullText = try tokenizer.applyChatTemplate([user, assistant], addGenerationPrompt: false, enableThinking: false)
        guard fullText.hasPrefix(prefixText) else {
            throw TrainError.invalidArgument("the chat template does not render the assistant turn after the generation prompt; SFT needs a template where it does")
        }
        let prefix = tokenizer.encode(prefixText, addSpecialTokens: false).ids
        let ids = tokenizer.encode(fullText, addSpecialTokens: false).ids
        guard ids.count > prefix.count, Array(ids[..<prefix.count]) == prefix else {
            throw TrainError.invalidArgument("the prompt's tokens are not a prefix of the full conversation's tokens")
        }
        // The answer runs to the first end-of-turn token after the prefix (inclusive).
        let endTokens = Set(["<|im_end|>", "<|eot_id|>", "<|endoftext|>", "</s>"].compactMap { tokenizer.id(forToken: $0) })
        var end = ids.count - 1
        if let found = ids[prefix.count...].firstIndex(where: { endTokens.contains($0) }) { end = found }
        var labels = [Int](repeating: -100, count: ids.count)
        for i in prefix.count...end { labels[i] = ids[i] }
        return SFTExample(ids: ids, labels: labels, answerStart: prefix.count)
    }

    /// Calls `render` with the article shortened (token by token from its end) until the result
    /// plus `reserve` fits in `cutoffLength`.
    func fitted(text: String, cutoffLength: Int?, reserve: Int, _ render: (String) throws -> [Int]) throws -> [Int] {
        var ids = try render(text)
        guard let cutoffLength, ids.count + reserve > cutoffLength else { return ids }
        let article = tokenizer.encode(text, addSpecialTokens: false).ids
        var keep = article.count - (ids.count + reserve - cutoffLength)
        for _ in 0..<8 {
            guard keep > 0 else { break }
            let shortened = tokenizer.decode(Array(article.prefix(keep)), skipSpecialTokens: false)
            ids = try render(shortened)
            let excess = ids.count + reserve - cutoffLength
            if excess <= 0 { return ids }
            keep -= max(excess, 1)
        }
        ids = try render("")
        guard ids.count + reserve <= cutoffLength else {
            throw TrainError.invalidArgument("--cutoff-len \(cutoffLength) is shorter than the prompt without any article (\(ids.count + reserve) tokens)")
        }
        return ids
    }
}
