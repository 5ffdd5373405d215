// The BERT model fixture's input batch (4 texts and 1 title/description pair, truncation to 128, padded to the
// longest) must be reproduced exactly: ids, attention mask and token type ids from models/tiny-bert.
import Foundation
import SiftTestSupport
import Testing
@testable import SiftTokenizers

@Suite("tiny-bert reference batch", .serialized)
struct TinyBertBatchTests {
    /// Reads an int64 tensor from a safetensors file.
    static func int64Tensor(_ url: URL, name: String) throws -> (shape: [Int], values: [Int]) {
        let data = try Data(contentsOf: url)
        try #require(data.count >= 8)
        let headerLength = Int(data.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }.littleEndian)
        try #require(data.count >= 8 + headerLength)
        let header = try #require(try JSONValue.parse(bytes: [UInt8](data[8..<(8 + headerLength)])).objectValue)
        let entry = try #require(header[name]?.objectValue)
        #expect(entry["dtype"]?.stringValue == "I64")
        let shape = try #require(entry["shape"]?.arrayValue).compactMap(\.intValue)
        let offsets = try #require(entry["data_offsets"]?.arrayValue).compactMap(\.intValue)
        try #require(offsets.count == 2)
        let start = 8 + headerLength + offsets[0]
        let count = (offsets[1] - offsets[0]) / 8
        let values = data.withUnsafeBytes { raw in
            (0..<count).map { Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: start + 8 * $0, as: Int64.self))) }
        }
        return (shape, values)
    }

    /// Fields of one AG News CSV line (`"class","title","description"`, quotes doubled inside fields).
    static func csvFields(_ line: Substring) -> [String] {
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        let bytes = Array(line.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if inQuotes {
                if byte == UInt8(ascii: "\"") {
                    if index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.append(byte)
                }
            } else if byte == UInt8(ascii: "\"") {
                inQuotes = true
            } else if byte == UInt8(ascii: ",") {
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll()
            } else {
                field.append(byte)
            }
            index += 1
        }
        fields.append(String(decoding: field, as: UTF8.self))
        return fields
    }

    @Test("input_ids, attention_mask and token_type_ids")
    func batch() throws {
        let folder = Fixtures.fixture("models/tiny-bert")
        let meta = try #require(try JSONValue.parse(bytes: [UInt8](Data(contentsOf: folder.appendingPathComponent("meta.json")))).objectValue)
        let sources = try #require(meta["batch_sources"]?.arrayValue).compactMap(\.stringValue)
        try #require(sources.count == 5)
        let csv = try String(contentsOf: Fixtures.sharedFile("data/agnews/train.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n", omittingEmptySubsequences: false)
        let rows = try sources.map { source -> [String] in
            let index = try #require(Int(source.split(separator: ":").last ?? ""))
            let fields = Self.csvFields(lines[index])
            try #require(fields.count == 3)
            return fields
        }
        let tokenizer = try Tokenizer.load(from: folder)
        let options = EncodeOptions(truncation: TruncationOptions(maxLength: 128))
        var encodings = try tokenizer.encodeBatch(rows.prefix(4).map { $0[1] + " " + $0[2] }, options: options)
        encodings.append(try tokenizer.encode(rows[4][1], pair: rows[4][2], options: options))
        let longest = encodings.map(\.count).max() ?? 0
        for index in encodings.indices { encodings[index].pad(to: longest, padId: 0, padTypeId: 0, direction: .right) }
        let reference = folder.appendingPathComponent("reference.safetensors")
        let ids = try Self.int64Tensor(reference, name: "input_ids")
        let mask = try Self.int64Tensor(reference, name: "attention_mask")
        let types = try Self.int64Tensor(reference, name: "token_type_ids")
        #expect(ids.shape == [5, longest])
        #expect(ids.values == encodings.flatMap(\.ids))
        #expect(mask.values == encodings.flatMap(\.attentionMask))
        #expect(types.values == encodings.flatMap(\.typeIds))
    }
}
