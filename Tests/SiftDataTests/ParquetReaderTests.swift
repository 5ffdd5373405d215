// The Parquet reader against files written by pyarrow (and Hugging Face `datasets`): every value of
// every column must equal what the generator wrote (expected.json), and each file must really have the
// structure it was written to exercise (codec, row groups, page version, dictionary, several pages).
import Foundation
import Testing
@testable import SiftData

@Suite("Parquet reader")
struct ParquetReaderTests {
    /// Files whose every column is readable; the list is checked against expected.json below.
    static let readableFiles = [
        "plain_none_v1.parquet", "dict_snappy_v1_pages.parquet", "dict_gzip_v2_pages.parquet",
        "plain_zstd_v2_pages.parquet", "plain_none_v2.parquet", "plain_snappy_v1.parquet", "dict_zstd_v1.parquet",
        "dict_fallback_gzip_v1.parquet", "empty.parquet", "hf_classlabel.parquet", "delta_zstd_v2_pages.parquet",
        "delta_snappy_v1.parquet", "lists_snappy_v1_pages.parquet", "lists_zstd_v2_pages.parquet",
    ]

    @Test func fileListMatchesTheManifest() throws {
        let manifest = try ParquetFixtures.manifest()
        let readable = manifest.files.filter { $0.unsupported == nil && $0.columns != nil }.map(\.file)
        #expect(Set(readable) == Set(Self.readableFiles))
    }

    @Test("every column equals what pyarrow wrote", arguments: readableFiles)
    func readsEveryValue(name: String) throws {
        let expected = try ParquetFixtures.manifest().file(name)
        let file = try ParquetFile(url: ParquetFixtures.url(name))
        #expect(file.numRows == expected.num_rows)
        #expect(file.rowGroupCount == expected.row_groups)
        let columns = try #require(expected.columns)
        #expect(file.columnNames == columns.map(\.name))
        for column in columns {
            let schema = try file.column(named: column.name)
            let expectedType: ParquetColumnType =
                switch column.type == "list" ? column.element ?? "" : column.type {
                case "string": .string
                case "int32": .int32
                case "int64": .int64
                case "double": .double
                case "float": .float
                case "binary": .binary
                default: .boolean
                }
            #expect(schema.type == expectedType, "\(name): column \(column.name)")
            #expect(schema.isRepeated == (column.type == "list"), "\(name): column \(column.name)")
            let actual = try file.readColumn(column.name)
            #expect(actual.count == expected.num_rows, "\(name): column \(column.name)")
            #expect(actual == column.column, "\(name): column \(column.name)")
        }
    }

    @Test("each file has the codec, pages and encodings it was written with", arguments: readableFiles)
    func fileStructure(name: String) throws {
        let expected = try ParquetFixtures.manifest().file(name)
        let file = try ParquetFile(url: ParquetFixtures.url(name))
        for group in file.rowGroups {
            for chunk in group.columns {
                let code = try #require(chunk.metadata?.codecCode)
                let codec = try #require(ParquetCompressionCodec(rawValue: code))
                #expect(expected.codecs.contains(codec.description), "\(name): codec \(codec)")
            }
        }
        let dataPageType: ParquetPageType = expected.data_page_version == 2 ? .dataPageV2 : .dataPage
        var sawSeveralPagesInOneChunk = false
        for column in file.columnNames {
            let chunks = try file.pageSummaries(column: column)
            #expect(chunks.count == expected.row_groups)
            for (groupIndex, pages) in chunks.enumerated() {
                let dataPages = pages.filter { $0.type != .dictionaryPage }
                #expect(dataPages.allSatisfy { $0.type == dataPageType }, "\(name) \(column): \(pages)")
                #expect(dataPages.allSatisfy { expected.encodings.contains($0.encoding) }, "\(name) \(column)")
                if try !file.column(named: column).isRepeated {
                    #expect(
                        dataPages.reduce(0) { $0 + $1.numValues } == Int(file.rowGroups[groupIndex].numRows),
                        "\(name) \(column): data pages must hold the row group's rows")
                }
                if !expected.dictionary {
                    #expect(!pages.contains { $0.type == .dictionaryPage }, "\(name) \(column)")
                } else if column == "name" && file.numRows > 0 {
                    #expect(pages.first?.type == .dictionaryPage, "\(name) \(column)")
                }
                if dataPages.count > 1 { sawSeveralPagesInOneChunk = true }
            }
        }
        if name.contains("_pages") {
            #expect(sawSeveralPagesInOneChunk, "\(name) was written with small pages")
        }
        for (column, encoding) in expected.column_encodings ?? [:] {
            let pages = try file.pageSummaries(column: column).flatMap { $0 }
            #expect(!pages.isEmpty && pages.allSatisfy { $0.encoding == encoding }, "\(name) \(column): \(pages)")
        }
        if name.hasPrefix("dict_fallback") {
            let pages = try file.pageSummaries(column: "name").flatMap { $0 }
            #expect(pages.contains { $0.encoding == "RLE_DICTIONARY" || $0.encoding == "PLAIN_DICTIONARY" })
            #expect(pages.contains { $0.type == .dataPage && $0.encoding == "PLAIN" })
        }
    }

    @Test func rowsMatchColumns() throws {
        let name = "dict_snappy_v1_pages.parquet"
        let expected = try ParquetFixtures.manifest().file(name)
        let rows = try ParquetFile(url: ParquetFixtures.url(name)).rows()
        #expect(rows.count == expected.num_rows)
        for column in try #require(expected.columns) {
            for (index, row) in rows.enumerated() {
                #expect(row[column.name] == column.column[index], "row \(index), column \(column.name)")
            }
        }
        let selected = try ParquetFile(url: ParquetFixtures.url(name)).rows(columns: ["small"])
        #expect(selected.allSatisfy { $0.keys.sorted() == ["small"] })
    }

    @Test func huggingFaceClassLabels() throws {
        let name = "hf_classlabel.parquet"
        let expected = try ParquetFixtures.manifest().file(name)
        let file = try ParquetFile(url: ParquetFixtures.url(name))
        let labels = try #require(expected.class_labels?["label"])
        #expect(try file.classLabelNames(column: "label") == labels)
        #expect(try file.classLabelNames(column: "text") == nil)
        #expect(throws: ParquetError.self) { try file.classLabelNames(column: "labels") }
        let plain = try ParquetFile(url: ParquetFixtures.url("plain_none_v1.parquet"))
        #expect(try plain.classLabelNames(column: "small") == nil)
    }

    @Test("unsupported codecs and encodings are named", arguments: [
        "unsupported_lz4.parquet", "unsupported_encoding.parquet", "unsupported_nested_list.parquet",
    ])
    func unsupportedFeatures(name: String) throws {
        let expected = try ParquetFixtures.manifest().file(name)
        let unsupported = try #require(expected.unsupported)
        let file = try ParquetFile(url: ParquetFixtures.url(name))
        do {
            _ = try file.readColumn(unsupported.column)
            Issue.record("\(name): reading \(unsupported.column) should fail")
        } catch let error as ParquetError {
            guard case .unsupported = error else {
                Issue.record("\(name): expected an unsupported-feature error, got \(error)")
                return
            }
            #expect(error.description.contains(unsupported.feature), "\(error)")
        }
        if name == "unsupported_encoding.parquet" {
            let ids = try #require(expected.columns?.first { $0.name == "id" })
            #expect(try file.readColumn("id") == ids.column)
        }
    }

    @Test func unknownColumnListsTheColumns() throws {
        let file = try ParquetFile(url: ParquetFixtures.url("hf_classlabel.parquet"))
        do {
            _ = try file.readColumn("labels")
            Issue.record("reading a missing column should fail")
        } catch let error as ParquetError {
            #expect(error == .unknownColumn(path: file.path, name: "labels", available: ["text", "label"]))
            #expect(error.description.contains("text, label"))
        }
    }

    @Test func brokenFilesGiveClearErrors() throws {
        let missing = URL(fileURLWithPath: "/nonexistent/sift/data.parquet")
        #expect {
            _ = try ParquetFile(url: missing)
        } throws: { error in
            guard case .cannotRead = error as? ParquetError else { return false }
            return true
        }
        let csv = Array("\"3\",\"title\",\"text\"\n".utf8)
        #expect(throws: ParquetError.notParquet(path: "csv", detail: "it starts with bytes [22 33 22 2C] instead of \"PAR1\"")) {
            _ = try ParquetFile(bytes: csv, name: "csv")
        }
        #expect { _ = try ParquetFile(bytes: [], name: "empty") } throws: { error in
            guard case .notParquet = error as? ParquetError else { return false }
            return true
        }
        let good = try ParquetFixtures.bytes("plain_none_v1.parquet")
        #expect { _ = try ParquetFile(bytes: Array(good.dropLast()), name: "cut") } throws: { error in
            guard case .truncated = error as? ParquetError else { return false }
            return true
        }
        var longFooter = good
        longFooter[good.count - 5] = 0x7F  // the footer length's high byte
        #expect { _ = try ParquetFile(bytes: longFooter, name: "long footer") } throws: { error in
            guard case .truncated = error as? ParquetError else { return false }
            return (error as? ParquetError)?.description.contains("footer claims") == true
        }
    }

    @Test("a damaged compressed page is reported as a decompression failure", arguments: [
        ("plain_zstd_v2_pages.parquet", [UInt8]([0x28, 0xB5, 0x2F, 0xFD])),  // Zstandard frame magic
        ("dict_fallback_gzip_v1.parquet", [UInt8]([0x1F, 0x8B, 0x08])),  // gzip member header
    ])
    func damagedCompressedPage(name: String, magic: [UInt8]) throws {
        var bytes = try ParquetFixtures.bytes(name)
        let start = try #require(
            (0...(bytes.count - magic.count)).first { Array(bytes[$0..<($0 + magic.count)]) == magic },
            "\(name) has no \(magic) signature")
        bytes[start] ^= 0xFF
        let file = try ParquetFile(bytes: bytes, name: name)
        #expect {
            for column in file.columnNames { _ = try file.readColumn(column) }
        } throws: { error in
            guard case .decompressionFailed = error as? ParquetError else { return false }
            return true
        }
    }

    /// The example of the Parquet encodings specification: 0…7 bit-packed with bit width 3 is
    /// 10001000 11000110 11111010; then a repeated-value run of five 5s.
    @Test func hybridDecoderFollowsTheSpecificationExample() throws {
        let encoded: [UInt8] = [0x03, 0b1000_1000, 0b1100_0110, 0b1111_1010, 5 << 1, 0x05]
        let decoded = try encoded.withUnsafeBytes { bytes in
            var decoder = try ParquetHybridDecoder(bytes: bytes, start: 0, end: bytes.count, bitWidth: 3)
            return try [UInt32](unsafeUninitializedCapacity: 13) { buffer, initialized in
                try decoder.decode(count: 13, into: buffer.baseAddress!)
                initialized = 13
            }
        }
        #expect(decoded == [0, 1, 2, 3, 4, 5, 6, 7, 5, 5, 5, 5, 5])
        #expect(throws: ParquetDecodingFailure.self) {
            try encoded.withUnsafeBytes { bytes in
                var decoder = try ParquetHybridDecoder(bytes: bytes, start: 0, end: bytes.count, bitWidth: 3)
                var sink = [UInt32](repeating: 0, count: 14)
                try sink.withUnsafeMutableBufferPointer { try decoder.decode(count: 14, into: $0.baseAddress!) }
            }
        }
    }
}

@Suite("Parquet list assembly")
struct ParquetListAssemblyTests {
    /// Entries of an optional list of optional strings (R = 2, max definition 3): a null list, an empty
    /// list, a list with a null element, and longer lists.
    static let repetition: [UInt32] = [0, 0, 0, 1, 1, 0, 0, 1, 1, 1]
    static let definition: [UInt32] = [0, 1, 3, 2, 3, 3, 3, 3, 2, 3]
    static let values = ["a", "b", "c", "d", "e", "f"]

    static func assemble(splitAt cut: Int) throws -> [[String?]?] {
        var assembler = ParquetListAssembler<String>(maxDefinitionLevel: 3, repeatedDefinitionLevel: 2)
        var rows: [[String?]?] = []
        var valueIndex = 0
        for range in [0..<cut, cut..<repetition.count] where !range.isEmpty {
            let present = range.filter { definition[$0] == 3 }.count
            let page = ParquetDecodedPage(
                count: range.count, repetitionLevels: Array(repetition[range]), definitionLevels: Array(definition[range]),
                values: Array(values[valueIndex..<(valueIndex + present)]))
            valueIndex += present
            try assembler.add(page, to: &rows)
        }
        assembler.finish(into: &rows)
        return rows
    }

    @Test func rowsContinuingOnTheNextPageAssembleTheSame() throws {
        let whole = try Self.assemble(splitAt: Self.repetition.count)
        #expect(whole.count == Self.repetition.filter { $0 == 0 }.count)
        #expect(whole.first == .some(nil))
        #expect(whole[1] == [])
        for cut in 0...Self.repetition.count {
            #expect(try Self.assemble(splitAt: cut) == whole, "split at \(cut)")
        }
    }

    @Test func continuationWithoutARowIsAnError() {
        var assembler = ParquetListAssembler<String>(maxDefinitionLevel: 3, repeatedDefinitionLevel: 2)
        var rows: [[String?]?] = []
        let page = ParquetDecodedPage(count: 1, repetitionLevels: [1], definitionLevels: [3], values: ["x"])
        #expect(throws: ParquetDecodingFailure.self) { try assembler.add(page, to: &rows) }
    }
}
