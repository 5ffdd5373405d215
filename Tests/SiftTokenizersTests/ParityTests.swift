// Exact id parity with Hugging Face on the shared corpora, for every way of loading each tokenizer.
import Foundation
import SiftTestSupport
import Testing
@testable import SiftTokenizers

@Suite("Hugging Face parity", .serialized)
struct ParityTests {
    private func expectParity(_ tokenizer: Tokenizer, corpus: String) throws {
        let (checked, failures) = try FixtureCorpus.mismatches(tokenizer, corpus: corpus)
        #expect(checked == 256)
        #expect(failures.isEmpty, "\(failures.count) mismatches, first: \(failures.prefix(5).joined(separator: "\n"))")
    }

    @Test("bert-base-uncased from tokenizer.json")
    func bertUncasedJSON() throws {
        let tokenizer = try Tokenizer.load(from: Fixtures.sharedFile("tokenizers/bert-base-uncased/tokenizer.json"))
        #expect(tokenizer.kind == .wordPiece)
        try expectParity(tokenizer, corpus: "bert-uncased")
    }

    @Test("bert-base-uncased from vocab.txt + tokenizer_config.json")
    func bertUncasedVocab() throws {
        let tokenizer = try Tokenizer(bertDirectory: Fixtures.sharedFile("tokenizers/bert-base-uncased"))
        try expectParity(tokenizer, corpus: "bert-uncased")
    }

    @Test("bert-base-chinese from vocab.txt + tokenizer_config.json")
    func bertChineseVocab() throws {
        let tokenizer = try Tokenizer.load(from: Fixtures.sharedFile("tokenizers/bert-base-chinese"))
        try expectParity(tokenizer, corpus: "bert-chinese")
    }

    @Test("bert-base-chinese from tokenizer.json")
    func bertChineseJSON() throws {
        let tokenizer = try Tokenizer.load(from: Fixtures.fixture("tokenizers/bert-chinese-tokenizer"))
        try expectParity(tokenizer, corpus: "bert-chinese")
    }

    @Test("Qwen3 from vocab.json + merges.txt + tokenizer_config.json")
    func qwen3Classic() throws {
        let tokenizer = try Tokenizer.load(from: Fixtures.sharedFile("tokenizers/qwen3"))
        #expect(tokenizer.kind == .byteLevelBPE)
        #expect(tokenizer.encode("Hello world", addSpecialTokens: false).ids == [9707, 1879])
        try expectParity(tokenizer, corpus: "qwen3")
    }

    @Test("Qwen3 from tokenizer.json")
    func qwen3JSON() throws {
        let tokenizer = try Tokenizer.load(from: Fixtures.fixture("tokenizers/qwen3-tokenizer/tokenizer.json"))
        try expectParity(tokenizer, corpus: "qwen3")
    }

    @Test("Qwen3 built from in-memory arrays (the GGUF path)")
    func qwen3Arrays() throws {
        let directory = Fixtures.sharedFile("tokenizers/qwen3")
        let vocabulary = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("vocab.json"))) as? [String: Int] ?? [:]
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("tokenizer_config.json"))) as? [String: Any] ?? [:]
        let added = config["added_tokens_decoder"] as? [String: [String: Any]] ?? [:]
        let size = max(vocabulary.values.max() ?? 0, added.keys.compactMap { Int($0) }.max() ?? 0) + 1
        var tokens = [String](repeating: "", count: size)
        var types = [Int32](repeating: 1, count: size)
        for (token, id) in vocabulary { tokens[id] = token }
        for (key, entry) in added {
            guard let id = Int(key), let content = entry["content"] as? String else { continue }
            tokens[id] = content
            types[id] = (entry["special"] as? Bool ?? false) ? 3 : 4
        }
        let mergesText = try String(contentsOf: directory.appendingPathComponent("merges.txt"), encoding: .utf8)
        let merges = mergesText.split(separator: "\n").filter { !$0.hasPrefix("#version") }.map(String.init)
        let description = ByteLevelBPEDescription(
            tokens: tokens, merges: merges, tokenTypes: types, pattern: SplitPattern(ggufPre: "qwen2"), normalizeNFC: true,
            eosTokenId: 151645, paddingTokenId: 151643)
        let tokenizer = try Tokenizer(byteLevelBPE: description)
        #expect(tokenizer.padTokenId == 151643)
        try expectParity(tokenizer, corpus: "qwen3")
    }
}
