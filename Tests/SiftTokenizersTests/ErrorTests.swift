// Bad files and bad input give clear thrown errors that name the file, line or key.
import Foundation
import SiftTestSupport
import Testing
@testable import SiftTokenizers

@Suite("Errors")
struct ErrorTests {
    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sift-tok-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    private func message(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test("missing paths and empty directories")
    func missing() throws {
        let text = message { _ = try Tokenizer.load(from: URL(fileURLWithPath: "/nonexistent/tok")) }
        #expect(text.contains("/nonexistent/tok") && text.contains("not found"))
        let empty = try temporaryDirectory()
        #expect(message { _ = try Tokenizer.load(from: empty) }.contains("no tokenizer.json"))
    }

    @Test("malformed and truncated tokenizer.json")
    func malformedJSON() throws {
        let directory = try temporaryDirectory()
        let file = directory.appendingPathComponent("tokenizer.json")
        try Data("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}".utf8).write(to: file)
        #expect(message { _ = try Tokenizer.load(from: file) }.contains("malformed JSON in \(file.path)"))
        try Data("{\"model\": {\"type\": \"Unigram\", \"vocab\": {}}}".utf8).write(to: file)
        #expect(message { _ = try Tokenizer.load(from: file) }.contains("Unigram"))
        try Data("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1}, \"merges\": [\"a b\"]}}".utf8).write(to: file)
        #expect(message { _ = try Tokenizer.load(from: file) }.contains("\"ab\", which is not in the vocabulary"))
        try Data("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": -4}, \"merges\": []}}".utf8).write(to: file)
        #expect(message { _ = try Tokenizer.load(from: file) }.contains("non-negative integer id"))
        // A real file cut in half.
        let full = try Data(contentsOf: Fixtures.sharedFile("tokenizers/bert-base-uncased/tokenizer.json"))
        try full.prefix(full.count / 2).write(to: file)
        #expect(message { _ = try Tokenizer.load(from: file) }.contains("malformed JSON"))
    }

    @Test("malformed merges.txt names the line")
    func malformedMerges() throws {
        let directory = try temporaryDirectory()
        try Data("{\"a\": 0, \"b\": 1, \"ab\": 2}".utf8).write(to: directory.appendingPathComponent("vocab.json"))
        try Data("#version: 0.2\na b\nabc\n".utf8).write(to: directory.appendingPathComponent("merges.txt"))
        let text = message { _ = try Tokenizer.load(from: directory) }
        #expect(text.contains("merges.txt, line 3"))
        try Data("#version: 0.2\na b\n".utf8).write(to: directory.appendingPathComponent("merges.txt"))
        let tokenizer = try Tokenizer.load(from: directory)
        #expect(tokenizer.encode("ab ba", addSpecialTokens: false).ids == [2, 1, 0])
    }

    @Test("inconsistent arrays")
    func arrays() {
        #expect(message { _ = try Tokenizer(byteLevelBPE: ByteLevelBPEDescription(tokens: [], merges: [], pattern: .gpt2)) }.contains("empty"))
        #expect(message { _ = try Tokenizer(byteLevelBPE: ByteLevelBPEDescription(tokens: ["a"], merges: ["a"], pattern: .gpt2)) }.contains("merge 0"))
        #expect(message { _ = try Tokenizer(byteLevelBPE: ByteLevelBPEDescription(tokens: ["a"], merges: [], tokenTypes: [1, 1], pattern: .gpt2)) }.contains("2 token types"))
        #expect(message { _ = try Tokenizer(byteLevelBPE: ByteLevelBPEDescription(tokens: ["a"], merges: [], pattern: .gpt2, eosTokenId: 9)) }.contains("eos token id 9"))
    }

    @Test("JSON reader: errors carry byte offsets; escapes and BOM survive")
    func jsonReader() throws {
        #expect(try JSONValue.parse("\"\u{FEFF}x\\u00e9\\ud83d\\ude00\"") == .string("\u{FEFF}xé😀"))
        #expect(try JSONValue.parse(" [\"a\", \"b\"] ") == .array([.string("a"), .string("b")]))
        #expect(try JSONValue.parse("\"\\ud800\"") == .string("\u{FFFD}"))
        for bad in ["", "[", "\"abc", "[1,]", "{\"a\" 1}", "tru", "\"\\x\"", "1 2", String(repeating: "[", count: 10_000)] {
            #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(bad) }
        }
        let error = try #require(throws: JSONValue.ParseError.self) { try JSONValue.parse("[1, 2, }") }
        #expect(error.offset == 7)
    }
}
