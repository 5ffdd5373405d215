// SmolLM2: the tokenizer built from the GGUF file's tokenizer arrays must match Hugging Face's GGUF conversion.
import Foundation
import SiftTestSupport
import Testing
@testable import SiftTokenizers

@Suite("SmolLM2 from GGUF arrays", .serialized)
struct SmolLM2Tests {
    static func tokenizer() throws -> Tokenizer? {
        guard let url = Fixtures.smolLM2GGUF else { return nil }
        let metadata = try GGUFMetadataReader.read(url)
        guard case .strings(let tokens) = metadata["tokenizer.ggml.tokens"],
              case .strings(let merges) = metadata["tokenizer.ggml.merges"],
              case .integers(let types) = metadata["tokenizer.ggml.token_type"],
              case .string(let pre) = metadata["tokenizer.ggml.pre"] else {
            Issue.record("the SmolLM2 GGUF lacks tokenizer arrays")
            return nil
        }
        func id(_ key: String) -> Int? {
            if case .integer(let value) = metadata[key] { return value }
            return nil
        }
        var template: String?
        if case .string(let text) = metadata["tokenizer.chat_template"] { template = text }
        let description = ByteLevelBPEDescription(
            tokens: tokens, merges: merges, tokenTypes: types.map { Int32($0) }, pattern: SplitPattern(ggufPre: pre),
            bosTokenId: id("tokenizer.ggml.bos_token_id"), eosTokenId: id("tokenizer.ggml.eos_token_id"),
            paddingTokenId: id("tokenizer.ggml.padding_token_id"), unknownTokenId: id("tokenizer.ggml.unknown_token_id"),
            addBOS: id("tokenizer.ggml.add_bos_token") == 1, chatTemplate: template)
        return try Tokenizer(byteLevelBPE: description)
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
