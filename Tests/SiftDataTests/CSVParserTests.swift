import Testing
@testable import SiftData

@Suite struct CSVParserTests {
    private func parse(_ text: String, delimiter: UInt8 = UInt8(ascii: ","), quote: UInt8? = UInt8(ascii: "\"")) throws -> CSVRecords {
        try CSVParser.parse(Array(text.utf8), source: "test.csv", delimiter: delimiter, quote: quote)
    }

    @Test func quotedFieldsWithDoubledQuotesCommasAndNewlines() throws {
        let parsed = try parse("a,\"b, with comma\",\"say \"\"hi\"\"\"\n1,\"two\nlines\",3\n")
        #expect(parsed.records == [["a", "b, with comma", "say \"hi\""], ["1", "two\nlines", "3"]])
        #expect(parsed.lines == [1, 2])
    }

    @Test func lineEndingsCRLFAndLoneCRAndMissingFinalNewline() throws {
        let parsed = try parse("a,b\r\nc,d\re,f\n\"g\r\nh\",i")
        #expect(parsed.records == [["a", "b"], ["c", "d"], ["e", "f"], ["g\r\nh", "i"]])
        #expect(parsed.lines == [1, 2, 3, 4])
    }

    @Test func blankLinesAreSkippedAndLinesStillCounted() throws {
        let parsed = try parse("a,b\n\n\r\nc,d\n")
        #expect(parsed.records == [["a", "b"], ["c", "d"]])
        #expect(parsed.lines == [1, 4])
    }

    @Test func emptyFieldsAndTrailingDelimiter() throws {
        let parsed = try parse(",x,\n\"\",,\"\"\n")
        #expect(parsed.records == [["", "x", ""], ["", "", ""]])
    }

    @Test func byteOrderMarkIsDropped() throws {
        let parsed = try CSVParser.parse([0xEF, 0xBB, 0xBF] + Array("h1,h2\n1,2\n".utf8), source: "bom.csv")
        #expect(parsed.records.first == ["h1", "h2"])
    }

    @Test func quoteInsideUnquotedFieldIsLiteral() throws {
        let parsed = try parse("5 \"inch\" screen,1\n")
        #expect(parsed.records == [["5 \"inch\" screen", "1"]])
    }

    @Test func nonASCIIAndBackslashesAreKeptVerbatim() throws {
        let parsed = try parse("\"café #39;s \\\\ ünïcødé 中文\",\"a\\b\"\n")
        #expect(parsed.records == [["café #39;s \\\\ ünïcødé 中文", "a\\b"]])
    }

    @Test func tabSeparatedWithoutQuoting() throws {
        let parsed = try parse("\"quoted\"\tplain\n1\t2\n", delimiter: UInt8(ascii: "\t"), quote: nil)
        #expect(parsed.records == [["\"quoted\"", "plain"], ["1", "2"]])
    }

    @Test func unterminatedQuoteNamesTheLineWhereItOpens() throws {
        #expect(throws: DatasetError.unterminatedQuote(path: "test.csv", line: 3)) {
            try parse("a,b\nc,d\ne,\"never closed\nf,g\n")
        }
    }

    @Test func characterAfterClosingQuoteIsAnError() throws {
        #expect(throws: DatasetError.unexpectedCharacterAfterQuote(path: "test.csv", line: 2, character: "'x'")) {
            try parse("a,b\n\"ok\"x,c\n")
        }
    }

    @Test func wrongFieldCountNamesLineAndCounts() throws {
        let error = #expect(throws: DatasetError.self) { try parse("a,b,c\n1,2,3\n\"x\ny\",2\n") }
        #expect(error == .wrongFieldCount(path: "test.csv", line: 3, expected: 3, found: 2))
        #expect(error?.description.contains("line 3") == true)
    }

    @Test func invalidUTF8NamesTheLine() throws {
        let bytes = Array("a,b\nc,d\n".utf8) + [0x66, 0xFF, 0x2C, 0x67, 0x0A]
        #expect(throws: DatasetError.invalidUTF8(path: "bad.csv", location: .line(3))) {
            try CSVParser.parse(bytes, source: "bad.csv")
        }
    }

    @Test func truncatedFilesNeverCrash() throws {
        let text = "label,text\n1,\"a \"\"quoted\"\"\ntext, here\"\r\n2,plain\n"
        let bytes = Array(text.utf8)
        for cut in 0...bytes.count {
            // Every prefix either parses or throws a DatasetError; it must not trap or hang.
            do { _ = try CSVParser.parse(Array(bytes[0..<cut]), source: "cut.csv") } catch is DatasetError {}
        }
    }
}
