// Qwen3 chat template: prompt and SFT renderings (text and ids) must equal transformers' apply_chat_template.
import Foundation
import SiftTestSupport
import Testing
@testable import SiftTokenizers

@Suite("Qwen3 chat template", .serialized)
struct ChatTemplateTests {
    struct Row {
        var messages: [ChatMessage]
        var promptText: String
        var promptIds: [Int]
        var sftText: String
        var sftIds: [Int]
    }

    static func rows() throws -> [Row] {
        let text = try String(contentsOf: Fixtures.fixture("tokenizers/chat/qwen3_chat.jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            let object = try #require(try JSONValue.parse(line).objectValue)
            let messages = try #require(object["messages"]?.arrayValue).map { message in
                let fields = try #require(message.objectValue)
                return ChatMessage(role: try #require(fields["role"]?.stringValue), content: try #require(fields["content"]?.stringValue))
            }
            return Row(
                messages: messages,
                promptText: try #require(object["prompt_text"]?.stringValue),
                promptIds: try #require(object["prompt_ids"]?.arrayValue).compactMap(\.intValue),
                sftText: try #require(object["sft_text"]?.stringValue),
                sftIds: try #require(object["sft_ids"]?.arrayValue).compactMap(\.intValue))
        }
    }

    @Test("prompt and SFT renderings, from tokenizer_config.json and from chat_template.jinja")
    func renderings() throws {
        let rows = try Self.rows()
        #expect(rows.count == 20)
        for location in [Fixtures.sharedFile("tokenizers/qwen3"), Fixtures.fixture("tokenizers/qwen3-tokenizer")] {
            let tokenizer = try Tokenizer.load(from: location)
            #expect(tokenizer.chatTemplate == .qwen3)
            for row in rows {
                let prompt = try tokenizer.applyChatTemplate(Array(row.messages.prefix(1)), addGenerationPrompt: true, enableThinking: false)
                #expect(prompt == row.promptText)
                #expect(tokenizer.encode(prompt, addSpecialTokens: false).ids == row.promptIds)
                let sft = try tokenizer.applyChatTemplate(row.messages, addGenerationPrompt: false, enableThinking: false)
                #expect(sft == row.sftText)
                #expect(tokenizer.encode(sft, addSpecialTokens: false).ids == row.sftIds)
            }
        }
    }

    // Expected strings below were rendered from shared/tokenizers/qwen3's template with jinja2 3.1
    // (trim_blocks and lstrip_blocks, as transformers renders).
    @Test("thinking on, history with reasoning, system and tool messages")
    func otherCases() throws {
        let template = ChatTemplate.qwen3
        let user = ChatMessage(role: "user", content: "Hi")
        #expect(try template.render([user], addGenerationPrompt: true, enableThinking: true)
                == "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
        // An assistant turn before the last user query loses its thinking; the last one keeps it.
        let messages = [
            ChatMessage(role: "system", content: "S"),
            user,
            ChatMessage(role: "assistant", content: "<think>\nold\n</think>\n\nA1"),
            ChatMessage(role: "user", content: "Q2"),
            ChatMessage(role: "assistant", content: "<think>\nnew\n</think>\n\nA2"),
        ]
        let expected = "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nA1<|im_end|>\n"
            + "<|im_start|>user\nQ2<|im_end|>\n<|im_start|>assistant\n<think>\nnew\n</think>\n\nA2<|im_end|>\n"
        #expect(try template.render(messages, addGenerationPrompt: false) == expected)
        let tools = [user, ChatMessage(role: "tool", content: "r1"), ChatMessage(role: "tool", content: "r2")]
        #expect(try template.render(tools, addGenerationPrompt: false)
                == "<|im_start|>user\nHi<|im_end|>\n<|im_start|>user\n<tool_response>\nr1\n</tool_response>\n<tool_response>\nr2\n</tool_response><|im_end|>\n")
        #expect(throws: TokenizerError.self) { try template.render([ChatMessage(role: "robot", content: "x")], addGenerationPrompt: false) }
    }
}
