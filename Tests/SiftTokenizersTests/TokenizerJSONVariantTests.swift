// Other tokenizer.json configurations (Llama-3 split regex with ignore_merges, GPT-2 ByteLevel with a prefix space,
// NFKC + Lowercase normalizers), built by editing Qwen3's tokenizer.json. Expected ids were produced by Hugging Face
// `tokenizers` 0.23.3 (`Tokenizer.from_file` on the same edited files, `add_special_tokens=False`).
import Foundation
import SiftTestSupport
import Testing
@testable import SiftTokenizers

@Suite("tokenizer.json variants", .serialized)
struct TokenizerJSONVariantTests {
    static let texts = [
        "Call 1234567 or 12 345 now", "THE DOG'S BALL'LL do", "  leading\n\n spaces \t\tand\r\n",
        "naïve Café ½ ² ﬁ Ⅷ", "<|im_start|>user\nhi<|im_end|>", "hello world helloworld",
    ]

    private func variant(_ edit: (String) throws -> String) throws -> Tokenizer {
        let source = try String(contentsOf: Fixtures.fixture("tokenizers/qwen3-tokenizer/tokenizer.json"), encoding: .utf8)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sift-tok-variant-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("tokenizer.json")
        try Data(try edit(source).utf8).write(to: file)
        return try Tokenizer.load(from: file)
    }

    private func replacing(_ text: String, _ target: String, _ replacement: String) throws -> String {
        try #require(text.contains(target), "the fixture no longer contains \(target)")
        return text.replacingOccurrences(of: target, with: replacement)
    }

    @Test("Llama-3 regex, ignore_merges, no normalizer")
    func llama3() throws {
        let tokenizer = try variant { source in
            var text = try replacing(source, #"\\p{L}+|\\p{N}|"#, #"\\p{L}+|\\p{N}{1,3}|"#)
            text = try replacing(text, #""ignore_merges": false"#, #""ignore_merges": true"#)
            return try replacing(text, "\"normalizer\": {\n    \"type\": \"NFC\"\n  }", "\"normalizer\": null")
        }
        let expected: [[Int]] = [
            [7220, 220, 16, 17, 18, 19, 20, 21, 22, 476, 220, 16, 17, 220, 18, 19, 20, 1431],
            [17229, 9319, 38, 13272, 83848, 6, 4086, 653],
            [220, 6388, 271, 12621, 7018, 52477, 319],
            [3376, 37572, 586, 65671, 220, 26062, 220, 29456, 32495, 70731, 220, 70467, 100],
            [151644, 872, 198, 6023, 151645],
            [14990, 1879, 305, 95292],
        ]
        for (text, ids) in zip(Self.texts, expected) {
            #expect(tokenizer.encode(text, addSpecialTokens: false).ids == ids, "\(text.debugDescription)")
        }
    }

    @Test("GPT-2 ByteLevel pre-tokenizer with add_prefix_space, NFKC + Lowercase")
    func gpt2Prefix() throws {
        let tokenizer = try variant { source in
            var text = try replacing(source, "\"normalizer\": {\n    \"type\": \"NFC\"\n  }",
                                     #""normalizer": {"type": "Sequence", "normalizers": [{"type": "NFKC"}, {"type": "Lowercase"}]}"#)
            let start = try #require(text.range(of: "\"pre_tokenizer\": "))
            let end = try #require(text.range(of: "\"post_processor\": "))
            text.replaceSubrange(start.lowerBound..<end.lowerBound,
                                 with: #""pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},"# + "\n  ")
            return text
        }
        let expected: [[Int]] = [
            [1618, 220, 16, 17, 18, 19, 20, 21, 22, 476, 220, 16, 17, 220, 18, 19, 20, 1431],
            [279, 5562, 594, 4935, 3278, 653],
            [220, 6388, 271, 12621, 7018, 197, 437, 319],
            [94880, 586, 51950, 220, 16, 144680, 17, 220, 17, 9136, 3275, 3808],
            [151644, 1196, 198, 6023, 151645],
            [23811, 1879, 305, 95292],
        ]
        for (text, ids) in zip(Self.texts, expected) {
            #expect(tokenizer.encode(text, addSpecialTokens: false).ids == ids, "\(text.debugDescription)")
        }
    }
}
