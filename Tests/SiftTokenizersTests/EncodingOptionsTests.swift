// Pairs, truncation, padding, offsets and batches. Expected ids were produced with Hugging Face `tokenizers`
// 0.23 (`Tokenizer.from_file(...)`, `enable_truncation`/`enable_padding`) on the same tokenizer files.
import Foundation
import SiftTestSupport
import Testing
@testable import SiftTokenizers

@Suite("Encoding options", .serialized)
struct EncodingOptionsTests {
    static let bert = Result { try Tokenizer.load(from: Fixtures.sharedFile("tokenizers/bert-base-uncased/tokenizer.json")) }
    static let qwen = Result { try Tokenizer.load(from: Fixtures.fixture("tokenizers/qwen3-tokenizer/tokenizer.json")) }
    let first = "The quick brown fox jumps over the lazy dog near the riverbank."
    let second = "Stocks rallied on Wednesday after the central bank held rates."

    private func pair(_ strategy: TruncationOptions.Strategy, _ direction: TruncationOptions.Direction, _ maxLength: Int) throws -> Encoding {
        try Self.bert.get().encode(first, pair: second, options: EncodeOptions(
            truncation: TruncationOptions(maxLength: maxLength, strategy: strategy, direction: direction)))
    }

    @Test("pair truncation strategies and directions")
    func pairTruncation() throws {
        let longestRight = try pair(.longestFirst, .right, 16)
        #expect(longestRight.ids == [101, 1996, 4248, 2829, 4419, 14523, 2058, 1996, 102, 15768, 24356, 2006, 9317, 2044, 1996, 102])
        #expect(longestRight.typeIds == [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1])
        #expect(try pair(.longestFirst, .left, 16).ids == [101, 13971, 3899, 2379, 1996, 2314, 9299, 1012, 102, 1996, 2430, 2924, 2218, 6165, 1012, 102])
        let onlyFirst = try pair(.onlyFirst, .right, 16)
        #expect(onlyFirst.ids == [101, 1996, 4248, 102, 15768, 24356, 2006, 9317, 2044, 1996, 2430, 2924, 2218, 6165, 1012, 102])
        #expect(onlyFirst.typeIds == [0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1])
        #expect(try pair(.onlyFirst, .left, 16).ids == [101, 9299, 1012, 102, 15768, 24356, 2006, 9317, 2044, 1996, 2430, 2924, 2218, 6165, 1012, 102])
        #expect(try pair(.onlySecond, .right, 20).ids == [101, 1996, 4248, 2829, 4419, 14523, 2058, 1996, 13971, 3899, 2379, 1996, 2314, 9299, 1012, 102, 15768, 24356, 2006, 102])
        // Hugging Face: "Sequence to truncate too short to respect the provided max_length".
        #expect(throws: TokenizerError.self) { try pair(.onlySecond, .right, 16) }
        let short = try Self.bert.get().encode("short", pair: second, options: EncodeOptions(truncation: TruncationOptions(maxLength: 12)))
        #expect(short.ids == [101, 2460, 102, 15768, 24356, 2006, 9317, 2044, 1996, 2430, 2924, 102])
    }

    @Test("single truncation, special tokens off, too small a max length")
    func singleTruncation() throws {
        let bert = try Self.bert.get()
        #expect(try bert.encode(first, options: EncodeOptions(truncation: TruncationOptions(maxLength: 7))).ids
                == [101, 1996, 4248, 2829, 4419, 14523, 102])
        #expect(try Self.qwen.get().encode(first, options: EncodeOptions(addSpecialTokens: false,
                truncation: TruncationOptions(maxLength: 5, direction: .left))).ids == [3143, 279, 14796, 17033, 13])
        #expect(throws: TokenizerError.self) {
            try bert.encode(first, options: EncodeOptions(truncation: TruncationOptions(maxLength: 1)))
        }
        // Without special tokens, a pair is the two sequences with type ids 0 and 1.
        let plain = try bert.encode("a", pair: "b", options: EncodeOptions(addSpecialTokens: false))
        #expect(plain.ids == [1037, 1038])
        #expect(plain.typeIds == [0, 1])
    }

    @Test("batch padding left to the longest, fixed length, attention masks")
    func padding() throws {
        let bert = try Self.bert.get()
        let batch = try bert.encodeBatch(["short text", "a much longer text with more words"],
                                         options: EncodeOptions(padding: PaddingOptions(direction: .left)))
        #expect(batch.map(\.ids) == [[0, 0, 0, 0, 0, 101, 2460, 3793, 102], [101, 1037, 2172, 2936, 3793, 2007, 2062, 2616, 102]])
        #expect(batch.map(\.attentionMask) == [[0, 0, 0, 0, 0, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1, 1, 1]])
        let fixed = try bert.encode("short text", options: EncodeOptions(padding: PaddingOptions(length: .fixed(6))))
        #expect(fixed.ids == [101, 2460, 3793, 102, 0, 0])
        #expect(fixed.attentionMask == [1, 1, 1, 1, 0, 0])
        #expect(fixed.specialTokensMask == [1, 0, 0, 1, 1, 1])
        // Qwen's pad token comes from its configuration (<|endoftext|>).
        let qwen = try Self.qwen.get()
        #expect(qwen.padTokenId == 151643)
        let padded = try qwen.encodeBatch(["a", "a b c"], options: EncodeOptions(padding: PaddingOptions()))
        #expect(padded[0].ids == [64, 151643, 151643])
    }

    @Test("offsets are scalar ranges of the original text")
    func offsets() throws {
        let bert = try Self.bert.get().encode("Héllo, wörld! 北京 ok")
        #expect(bert.ids == [101, 7592, 1010, 2088, 999, 1781, 1755, 7929, 102])
        #expect(bert.offsets == [0..<0, 0..<5, 5..<6, 7..<12, 12..<13, 14..<15, 15..<16, 17..<19, 0..<0])
        let qwen = try Self.qwen.get().encode("Héllo, wörld! 北京 ok", addSpecialTokens: false)
        #expect(qwen.offsets == [0..<1, 1..<3, 3..<5, 5..<6, 6..<8, 8..<10, 10..<12, 12..<13, 13..<15, 14..<15, 15..<16, 16..<19])
    }

    @Test("parallel batches equal one-by-one encoding")
    func batchEqualsSingle() throws {
        let rows = try FixtureCorpus.rows("qwen3")
        let texts = rows.map(\.text)
        for tokenizer in [try Self.bert.get(), try Self.qwen.get()] {
            let single = texts.map { tokenizer.encode($0) }
            #expect(try tokenizer.encodeBatch(texts, threads: 2) == single)
            #expect(try tokenizer.encodeBatch(texts, threads: 1) == single)
            let pairs = zip(texts, texts.reversed()).map { ($0, $1) }
            let pairSingle = try pairs.map { try tokenizer.encode($0.0, pair: $0.1, options: EncodeOptions()) }
            #expect(try tokenizer.encodeBatch(pairs: pairs, threads: 2) == pairSingle)
        }
    }

    @Test("decoding: byte-level round trip, WordPiece joins pieces, special tokens skipped")
    func decoding() throws {
        let qwen = try Self.qwen.get()
        for row in try FixtureCorpus.rows("qwen3") {
            let ids = qwen.encode(row.text, addSpecialTokens: false).ids
            #expect(qwen.decode(ids) == row.text.precomposedStringWithCanonicalMapping)
        }
        #expect(qwen.decode([151644, 9707, 1879, 151645], skipSpecialTokens: true) == "Hello world")
        let bert = try Self.bert.get()
        let ids = bert.encode("Unbelievable, isn't it? Yes.").ids
        #expect(bert.decode(ids, skipSpecialTokens: true) == "unbelievable, isn't it? yes.")
        #expect(bert.decode(ids).hasPrefix("[CLS] unbelievable"))
        #expect(bert.token(forId: 101) == "[CLS]" && bert.id(forToken: "[SEP]") == 102)
    }
}
