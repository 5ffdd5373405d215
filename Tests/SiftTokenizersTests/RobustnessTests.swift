// No crash, no hang, exact round trips on hostile input, and near-linear time on megabyte inputs.
import Foundation
import SiftTestSupport
import Testing
@testable import SiftTokenizers

/// A small deterministic generator (SplitMix64) so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Robustness", .serialized)
struct RobustnessTests {
    /// Scalar ranges that stress tokenizers: ASCII, Latin-1, combining marks, controls, C1, around the surrogate
    /// gap, private use, CJK, Hangul, emoji and modifiers, exotic spaces, apostrophes and digits.
    static let ranges: [ClosedRange<UInt32>] = [
        0x20...0x7E, 0x20...0x7E, 0x00...0x1F, 0x7F...0x9F, 0xA0...0x24F, 0x300...0x36F, 0x483...0x489,
        0xD7F0...0xD7FF, 0xE000...0xE0FF, 0xF8F0...0xF8FF, 0xFE00...0xFE0F, 0xFEFF...0xFEFF, 0xFFF0...0xFFFD,
        0x4E00...0x4FFF, 0xAC00...0xAD00, 0x1100...0x11FF, 0x1F300...0x1F6FF, 0x1F3FB...0x1F3FF, 0x200B...0x200D,
        0x2000...0x202F, 0x3000...0x3000, 0x27...0x27, 0x30...0x39, 0x660...0x669, 0xF0000...0xF00FF, 0x10FFF0...0x10FFFF,
    ]

    static func randomText(length: Int, generator: inout SplitMix64) -> String {
        var view = String.UnicodeScalarView()
        for _ in 0..<length {
            let range = ranges[Int(generator.next() % UInt64(ranges.count))]
            let value = range.lowerBound + UInt32(generator.next() % UInt64(range.count))
            view.append(Unicode.Scalar(value) ?? "?")
        }
        return String(view)
    }

    /// Qwen3 without NFC, from arrays: byte-level BPE must then round-trip every string exactly.
    static let rawQwen = Result { () throws -> Tokenizer in
        let directory = Fixtures.sharedFile("tokenizers/qwen3")
        let vocabulary = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("vocab.json"))) as? [String: Int] ?? [:]
        var tokens = [String](repeating: "", count: vocabulary.count)
        for (token, id) in vocabulary { tokens[id] = token }
        tokens += ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
        var types = [Int32](repeating: 1, count: tokens.count)
        types[tokens.count - 3..<tokens.count] = [3, 3, 3]
        let mergesText = try String(contentsOf: directory.appendingPathComponent("merges.txt"), encoding: .utf8)
        let merges = mergesText.split(separator: "\n").filter { !$0.hasPrefix("#version") }.map(String.init)
        return try Tokenizer(byteLevelBPE: ByteLevelBPEDescription(tokens: tokens, merges: merges, tokenTypes: types, pattern: .qwen2))
    }
    static let qwen = Result { try Tokenizer.load(from: Fixtures.sharedFile("tokenizers/qwen3")) }
    static let bert = Result { try Tokenizer.load(from: Fixtures.sharedFile("tokenizers/bert-base-uncased")) }

    @Test("random text: exact byte-level round trip, NFC round trip, valid BERT ids")
    func randomRoundTrips() throws {
        var generator = SplitMix64(state: 42)
        let raw = try Self.rawQwen.get()
        let qwen = try Self.qwen.get()
        let bert = try Self.bert.get()
        for trial in 0..<300 {
            let length = trial < 250 ? Int(generator.next() % 60) : Int(generator.next() % 5000)
            var text = Self.randomText(length: length, generator: &generator)
            if trial % 7 == 0 { text += "<|im_start|>" + text + "'S 'll" }
            let rawIds = raw.encode(text, addSpecialTokens: false).ids
            #expect(raw.decode(rawIds) == text, "trial \(trial)")
            let qwenIds = qwen.encode(text, addSpecialTokens: false).ids
            #expect(qwen.decode(qwenIds) == text.precomposedStringWithCanonicalMapping, "trial \(trial)")
            let bertEncoding = bert.encode(text)
            #expect(bertEncoding.ids.allSatisfy { $0 >= 0 && $0 < bert.vocabularySize })
            #expect(bertEncoding.offsets.allSatisfy { $0.upperBound <= text.unicodeScalars.count })
        }
    }

    private func seconds(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    @Test("megabyte inputs: one repeated scalar, one long word, random text; time grows near-linearly")
    func largeInputs() throws {
        let raw = try Self.rawQwen.get()
        let qwen = try Self.qwen.get()
        let bert = try Self.bert.get()
        var generator = SplitMix64(state: 7)
        let randomMegabyte = Self.randomText(length: 400_000, generator: &generator)  // ≈ 1 MB of UTF-8
        let inputs: [(String, String)] = [
            ("1 MB of 'a' (one word)", String(repeating: "a", count: 1 << 20)),
            ("1 MB of spaces", String(repeating: " ", count: 1 << 20)),
            ("1 MB word of mixed letters", String(repeating: "abcdefghij", count: 1 << 17)),
            ("1 MB of one emoji", String(repeating: "😀", count: 1 << 18)),
            ("≈1 MB random", randomMegabyte),
        ]
        for (name, text) in inputs {
            let tenth = String(String.UnicodeScalarView(text.unicodeScalars.prefix(text.unicodeScalars.count / 10)))
            for (label, tokenizer) in [("raw Qwen", raw), ("Qwen", qwen), ("BERT", bert)] {
                var ids: [Int] = []
                let small = seconds { _ = tokenizer.encode(tenth, addSpecialTokens: false) }
                let large = seconds { ids = tokenizer.encode(text, addSpecialTokens: false).ids }
                print("timing \(label), \(name): \(small) s for a tenth, \(large) s for all")
                // Under contention from other jobs timings are noisy: the bounds are loose but catch quadratic
                // behaviour (which would be 100× for 10× the input, and minutes in absolute time).
                #expect(large < 30, "\(label), \(name): \(large) s")
                #expect(large < max(0.25, small) * 40, "\(label), \(name): \(small) s for 1/10, \(large) s for all")
                if label == "raw Qwen" { #expect(tokenizer.decode(ids) == text, "\(name)") }
            }
        }
    }
}
