// Chat templates rendered in Swift for the template families Sift uses (Qwen3, SmolLM2/ChatML), byte-identical
// to what the Jinja templates produce for plain-text messages. The family is detected from the template text.
import Foundation

/// One chat message.
public struct ChatMessage: Sendable, Equatable {
    /// "system", "user", "assistant" or "tool".
    public var role: String
    /// The message text.
    public var content: String
    /// Qwen3: the assistant's thinking, if given separately (else taken from `<think>…</think>` in `content`).
    public var reasoningContent: String?

    /// A message with a role, its text and (Qwen3 assistant turns) optional separate reasoning.
    public init(role: String, content: String, reasoningContent: String? = nil) {
        self.role = role
        self.content = content
        self.reasoningContent = reasoningContent
    }
}

/// The chat template families this library renders.
public enum ChatTemplate: Sendable, Equatable {
    /// Qwen3 (ChatML with thinking; `enable_thinking=false` pre-fills an empty think block).
    case qwen3
    /// ChatML (`<|im_start|>role\n…<|im_end|>\n`), with a default system prompt when the first message is not one
    /// (SmolLM2: "You are a helpful AI assistant named SmolLM, trained by Hugging Face").
    case chatML(defaultSystemPrompt: String?)

    /// Detects the family of a Jinja template, or nil if it is none of the supported ones.
    public init?(detecting source: String) {
        guard source.contains("<|im_start|>") else { return nil }
        if source.contains("enable_thinking") || source.contains("reasoning_content") {
            self = .qwen3
            return
        }
        if source.contains("tools") || source.contains("tool_call") { return nil }
        self = .chatML(defaultSystemPrompt: Self.defaultSystemPrompt(in: source))
    }

    /// The system text a template inserts when the conversation has none (`<|im_start|>system\n…<|im_end|>`
    /// inside the template's literal text), if any.
    static func defaultSystemPrompt(in source: String) -> String? {
        for opener in ["<|im_start|>system\n", "<|im_start|>system\\n"] {
            guard let start = source.range(of: opener) else { continue }
            let rest = source[start.upperBound...]
            guard let end = rest.range(of: "<|im_end|>") else { continue }
            let text = String(rest[..<end.lowerBound])
            // A template that splices in the caller's system message has Jinja here, not literal text.
            if text.contains("{{") || text.contains("'") || text.contains("\"") || text.contains("+") { continue }
            return text.replacingOccurrences(of: "\\n", with: "\n")
        }
        return nil
    }

    /// Renders messages as the Jinja template would with `add_generation_prompt` and `enable_thinking`.
    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool, enableThinking: Bool = true) throws -> String {
        switch self {
        case .qwen3: return try Self.renderQwen3(messages, addGenerationPrompt: addGenerationPrompt, enableThinking: enableThinking)
        case .chatML(let system): return Self.renderChatML(messages, defaultSystemPrompt: system, addGenerationPrompt: addGenerationPrompt)
        }
    }

    private static func renderChatML(_ messages: [ChatMessage], defaultSystemPrompt: String?, addGenerationPrompt: Bool) -> String {
        var output = ""
        for (index, message) in messages.enumerated() {
            if index == 0 && message.role != "system", let defaultSystemPrompt {
                output += "<|im_start|>system\n" + defaultSystemPrompt + "<|im_end|>\n"
            }
            output += "<|im_start|>" + message.role + "\n" + message.content + "<|im_end|>\n"
        }
        if addGenerationPrompt { output += "<|im_start|>assistant\n" }
        return output
    }

    private static func renderQwen3(_ messages: [ChatMessage], addGenerationPrompt: Bool, enableThinking: Bool) throws -> String {
        var output = ""
        if let first = messages.first, first.role == "system" {
            output += "<|im_start|>system\n" + first.content + "<|im_end|>\n"
        }
        // The last user message that is not a tool response: thinking is kept only after it.
        var lastQueryIndex = messages.count - 1
        for index in stride(from: messages.count - 1, through: 0, by: -1) {
            let message = messages[index]
            if message.role == "user" && !(message.content.hasPrefix("<tool_response>") && message.content.hasSuffix("</tool_response>")) {
                lastQueryIndex = index
                break
            }
        }
        for (index, message) in messages.enumerated() {
            var content = message.content
            let isLast = index == messages.count - 1
            switch message.role {
            case "user":
                output += "<|im_start|>user\n" + content + "<|im_end|>\n"
            case "system":
                if index != 0 { output += "<|im_start|>system\n" + content + "<|im_end|>\n" }
            case "assistant":
                var reasoning = ""
                if let given = message.reasoningContent {
                    reasoning = given
                } else if content.contains("</think>") {
                    let beforeFirstClose = content.components(separatedBy: "</think>")[0]
                    let trimmed = beforeFirstClose.trimmingTrailing("\n")
                    reasoning = (trimmed.components(separatedBy: "<think>").last ?? "").trimmingLeading("\n")
                    content = (content.components(separatedBy: "</think>").last ?? "").trimmingLeading("\n")
                }
                if index > lastQueryIndex && (isLast || !reasoning.isEmpty) {
                    output += "<|im_start|>assistant\n<think>\n" + reasoning.trimmingLeading("\n").trimmingTrailing("\n")
                        + "\n</think>\n\n" + content.trimmingLeading("\n")
                } else {
                    output += "<|im_start|>assistant\n" + content
                }
                output += "<|im_end|>\n"
            case "tool":
                if index == 0 || messages[index - 1].role != "tool" { output += "<|im_start|>user" }
                output += "\n<tool_response>\n" + content + "\n</tool_response>"
                if isLast || messages[index + 1].role != "tool" { output += "<|im_end|>\n" }
            default:
                throw TokenizerError.chatTemplate(detail: "message \(index) has role \"\(message.role)\"; Qwen3's template knows system, user, assistant and tool")
            }
        }
        if addGenerationPrompt {
            output += "<|im_start|>assistant\n"
            if !enableThinking { output += "<think>\n\n</think>\n\n" }
        }
        return output
    }
}

extension String {
    /// Python's `str.lstrip(character)` for a single-scalar character (works on scalars, so "\r\n" is not one unit).
    fileprivate func trimmingLeading(_ character: Unicode.Scalar) -> String {
        String(String.UnicodeScalarView(unicodeScalars.drop(while: { $0 == character })))
    }

    /// Python's `str.rstrip(character)` for a single-scalar character.
    fileprivate func trimmingTrailing(_ character: Unicode.Scalar) -> String {
        var scalars = Substring(self).unicodeScalars
        while scalars.last == character { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}

extension Tokenizer {
    /// The chat template family detected from the tokenizer's template, if it has a supported one.
    public var chatTemplate: ChatTemplate? {
        chatTemplateSource.flatMap { ChatTemplate(detecting: $0) }
    }

    /// Renders a conversation with the tokenizer's chat template.
    public func applyChatTemplate(_ messages: [ChatMessage], addGenerationPrompt: Bool, enableThinking: Bool = true) throws -> String {
        guard let source = chatTemplateSource else {
            throw TokenizerError.chatTemplate(detail: "this tokenizer has no chat template (no chat_template in tokenizer_config.json, no chat_template.jinja)")
        }
        guard let template = ChatTemplate(detecting: source) else {
            throw TokenizerError.chatTemplate(detail: "the chat template is not one Sift renders (supported: Qwen3, ChatML/SmolLM2)")
        }
        return try template.render(messages, addGenerationPrompt: addGenerationPrompt, enableThinking: enableThinking)
    }
}
