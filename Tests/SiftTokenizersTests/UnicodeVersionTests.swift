// Scalars whose treatment depends on the Unicode version: Hugging Face `tokenizers` 0.23 uses Unicode 8.0
// categories in BERT, 9.0 normalization tables and 16.0 regex classes. Expected ids were produced with
// `tokenizers` 0.23.3 (`Tokenizer.from_file`, `add_special_tokens=False`) on the same tokenizer files.
import Foundation
import SiftTestSupport
import Testing
@testable import SiftTokenizers

@Suite("Unicode versions", .serialized)
struct UnicodeVersionTests {
    @Test("BERT: unassigned kept, newer punctuation and format characters are word characters")
    func bert() throws {
        let bert = try Tokenizer.load(from: Fixtures.sharedFile("tokenizers/bert-base-uncased/tokenizer.json"))
        let cases: [(String, [Int])] = [
            ("a \u{0378} b", [1037, 100, 1038]),      // unassigned: not removed, becomes [UNK]
            ("x\u{2E43}y z", [100, 1062]),            // Po since Unicode 9.0: not split off
            ("\u{166D} q", [100, 1053]),              // Po in Unicode 8.0 (So now): split off
            ("\u{0890} ok", [100, 7929]),             // Cf since Unicode 14.0: kept
            ("go\u{13430} on", [100, 2006]),          // Cf since Unicode 12.0: kept
            ("\u{1885}x", [100]),                      // Mn since Unicode 9.0: not stripped
        ]
        for (text, expected) in cases {
            #expect(bert.encode(text, addSpecialTokens: false).ids == expected, "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }

    @Test("Qwen: marks newer than Unicode 9.0 are not reordered, letters newer than 16.0 are not letters")
    func qwen() throws {
        let qwen = try Tokenizer.load(from: Fixtures.sharedFile("tokenizers/qwen3"))
        let cases: [(String, [Int])] = [
            ("m\u{08D3}\u{093C}", [76, 156, 96, 241, 5502, 120]),
            ("k\u{323B0}+k", [74, 172, 110, 236, 108, 10, 74]),
            ("a\u{0316}\u{0301} e\u{0301}", [1953, 136, 244, 3958]),
        ]
        for (text, expected) in cases {
            #expect(qwen.encode(text, addSpecialTokens: false).ids == expected, "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }
}
