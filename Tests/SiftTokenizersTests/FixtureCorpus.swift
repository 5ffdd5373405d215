// Reading the reference corpora in ../shared/fixtures/tokenizers (made with Hugging Face transformers/tokenizers).
import Foundation
import SiftTestSupport
@testable import SiftTokenizers

/// One reference row: a text and the ids Hugging Face produced for it.
struct ReferenceRow: Sendable {
    var index: Int
    var source: String
    var text: String
    var ids: [Int]
    var idsSpecial: [Int]
}

enum FixtureCorpus {
    /// Rows of `tokenizers/<name>.jsonl`.
    static func rows(_ name: String) throws -> [ReferenceRow] {
        let url = Fixtures.fixture("tokenizers/\(name).jsonl")
        let text = try String(contentsOf: url, encoding: .utf8)
        var rows: [ReferenceRow] = []
        for line in text.split(separator: "\n") where !line.isEmpty {
            // JSONValue, not JSONSerialization: the latter drops a leading U+FEFF from strings on Linux.
            guard let object = try JSONValue.parse(line).objectValue,
                  let index = object["i"]?.intValue, let source = object["source"]?.stringValue,
                  let text = object["text"]?.stringValue,
                  let ids = object["ids"]?.arrayValue?.compactMap(\.intValue),
                  let special = object["ids_special"]?.arrayValue?.compactMap(\.intValue) else {
                throw TokenizerError.malformedJSON(path: url.path, detail: "unexpected row shape")
            }
            rows.append(ReferenceRow(index: index, source: source, text: text, ids: ids, idsSpecial: special))
        }
        return rows
    }

    /// Compares a tokenizer with a corpus; returns a description of each mismatching row (empty: exact parity).
    static func mismatches(_ tokenizer: Tokenizer, corpus: String) throws -> (checked: Int, failures: [String]) {
        let rows = try rows(corpus)
        var failures: [String] = []
        for row in rows {
            let plain = tokenizer.encode(row.text, addSpecialTokens: false).ids
            let special = tokenizer.encode(row.text, addSpecialTokens: true).ids
            if plain != row.ids {
                failures.append("row \(row.index) \(row.source) ids: got \(plain.prefix(40)) expected \(row.ids.prefix(40)) text \(row.text.debugDescription.prefix(120))")
            }
            if special != row.idsSpecial {
                failures.append("row \(row.index) \(row.source) ids_special: got \(special.prefix(40)) expected \(row.idsSpecial.prefix(40))")
            }
        }
        return (rows.count, failures)
    }
}
