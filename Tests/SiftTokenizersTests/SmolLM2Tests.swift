// SmolLM2: the tokenizer built from the GGUF file's tokenizer arrays must match Hugging Face's GGUF conversion.
import Foundation
import SiftModels
import SiftTestSupport
import Testing
@testable import SiftTokenizers

@Suite("SmolLM2 from GGUF arrays", .serialized)
struct SmolLM2Tests {
    /// The tokenizer Sift builds from the GGUF file's `tokenizer.ggml.*` arrays (the production path).
    static func tokenizer() throws -> Tokenizer? {
        guard let url = Fixtures.smolLM2GGUF else { return nil }
        return try ModelLoader.tokenizer(fromGGUF: url)
    }

    @Test("ids match smollm2.jsonl")
    func parity() throws {
        guard let tokenizer = try Self.tokenizer() else { return }
        let (checked, failures) = try FixtureCorpus.mismatches(tokenizer, corpus: "smollm2")
        #expect(checked == 256)
        #expect(failures.isEmpty, "\(failures.count) mismatches, first: \(failures.prefix(5).joined(separator: "\n"))")
    }

    @Test("chat template: default system prompt, generation prompt, conversation")
    func chatTemplate() throws {
        guard let tokenizer = try Self.tokenizer() else { return }
        let system = "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
        #expect(tokenizer.chatTemplate == .chatML(defaultSystemPrompt: "You are a helpful AI assistant named SmolLM, trained by Hugging Face"))
        let prompt = try tokenizer.applyChatTemplate([ChatMessage(role: "user", content: "Hi")], addGenerationPrompt: true, enableThinking: false)
        #expect(prompt == system + "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
        let conversation = try tokenizer.applyChatTemplate(
            [ChatMessage(role: "user", content: "Hi"), ChatMessage(role: "assistant", content: "Hello!")], addGenerationPrompt: false)
        #expect(conversation == system + "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n")
        let withSystem = try tokenizer.applyChatTemplate(
            [ChatMessage(role: "system", content: "Be brief."), ChatMessage(role: "user", content: "Hi")], addGenerationPrompt: true)
        #expect(withSystem == "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
        // The rendered prompt's special tokens are matched as added tokens.
        let ids = tokenizer.encode(prompt, addSpecialTokens: false).ids
        #expect(ids.first == 1)
        #expect(ids.filter { $0 == 1 }.count == 3)
    }
}
