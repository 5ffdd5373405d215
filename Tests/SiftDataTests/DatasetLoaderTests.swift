import Foundation
import Testing
@testable import SiftData

@Suite struct DatasetLoaderTests {
    @Test func csvWithHeaderByNames() throws {
        let url = try TemporaryFiles.write("text,label\n\"Hello, world\",pos\nbad day,neg\nok,pos\n", name: "reviews.csv")
        let dataset = try DatasetLoader.load(url)
        #expect(dataset.labels.names == ["neg", "pos"])  // sorted, as datasets' class_encode_column does
        #expect(dataset.examples.map(\.text) == ["Hello, world", "bad day", "ok"])
        #expect(dataset.labelIDs == [1, 0, 1])
        #expect(dataset.examples.map(\.row) == [0, 1, 2])
    }

    @Test func headerIsDetectedFromAnIntegerLabelColumn() throws {
        let url = try TemporaryFiles.write("label,sentence\n0,good movie\n1,awful\n", name: "by-index.csv")
        let options = DatasetLoadOptions(columns: ColumnMapping(text: .column(1), label: 0))
        let dataset = try DatasetLoader.load(url, options: options)
        #expect(dataset.examples.map(\.text) == ["good movie", "awful"])
        #expect(dataset.labels.names == ["LABEL_0", "LABEL_1"])
    }

    @Test func headerOverrideReadsTheFirstRowAsData() throws {
        let url = try TemporaryFiles.write("label,sentence\n0,good movie\n", name: "override.csv")
        let options = DatasetLoadOptions(
            columns: ColumnMapping(text: .column(1), label: 0, labelEncoding: .names), header: .absent)
        let dataset = try DatasetLoader.load(url, options: options)
        #expect(dataset.examples.map(\.text) == ["sentence", "good movie"])
        #expect(dataset.labels.names == ["0", "label"])
    }

    @Test func agNewsLayoutIsHeaderlessWithJoinedText() throws {
        let url = try TemporaryFiles.write(
            "\"3\",\"Wall St. Bears\",\"Reuters - Short-sellers #39;s \\band\"\n\"1\",\"T\",\"D\"\n", name: "ag.csv")
        let labels = try LabelSet(names: ["World", "Sports", "Business", "Sci/Tech"])
        let dataset = try DatasetLoader.load(url, options: DatasetLoadOptions(columns: .agNews, labels: labels))
        #expect(dataset.examples.map(\.text) == ["Wall St. Bears Reuters - Short-sellers #39;s \\band", "T D"])
        #expect(dataset.labelIDs == [2, 0])
    }

    @Test func missingColumnListsTheAvailableOnes() throws {
        let url = try TemporaryFiles.write("sentence,label\na,0\n", name: "missing.csv")
        #expect(throws: DatasetError.missingColumn(path: url.path, column: "text", available: ["sentence", "label"])) {
            try DatasetLoader.load(url)
        }
    }

    @Test func unknownLabelInAnEvaluationFileNamesFileLineAndLabel() throws {
        let train = try TemporaryFiles.write("text,label\na,World\nb,Sports\n", name: "train.csv")
        let labels = try DatasetLoader.load(train).labels
        let eval = try TemporaryFiles.write("text,label\n\"multi\nline\",Sports\nc,Weather\n", name: "eval.csv")
        let error = #expect(throws: DatasetError.self) {
            try DatasetLoader.load(eval, options: DatasetLoadOptions(labels: labels))
        }
        #expect(error == .unknownLabel(path: eval.path, location: .line(4), label: "Weather", known: ["Sports", "World"]))
        #expect(error?.description.contains("eval.csv: line 4: unknown label \"Weather\"") == true)
    }

    @Test func integerLabelsOutOfRangeForAFixedLabelSet() throws {
        let url = try TemporaryFiles.write("text,label\na,0\nb,7\n", name: "range.csv")
        let labels = try LabelSet(names: ["x", "y"])
        #expect(throws: DatasetError.unknownLabel(path: url.path, location: .line(3), label: "7", known: ["x", "y"])) {
            try DatasetLoader.load(url, options: DatasetLoadOptions(labels: labels))
        }
        let integers = DatasetLoadOptions(columns: ColumnMapping(text: .column("text"), label: "label",
                                                                 labelEncoding: .integers(offset: 0)), labels: labels)
        #expect(throws: DatasetError.labelOutOfRange(path: url.path, location: .line(3), label: "7", classCount: 2)) {
            try DatasetLoader.load(url, options: integers)
        }
    }

    @Test func negativeIntegerLabelsAreRejectedWithTheReason() throws {
        let url = try TemporaryFiles.write("text,label\na,0\nb,-1\n", name: "unlabelled.csv")
        let error = #expect(throws: DatasetError.self) { try DatasetLoader.load(url) }
        guard case .invalidLabel(_, let location, let label, _) = error else {
            Issue.record("expected invalidLabel, got \(String(describing: error))")
            return
        }
        #expect(location == .line(3) && label == "-1")
    }

    @Test func jsonLinesWithPairsAndNumericLabels() throws {
        let url = try TemporaryFiles.write("""
            {"premise": "A man eats.", "hypothesis": "Someone eats.", "label": 0}

            {"premise": "Ünïcode \\u00e9", "hypothesis": "x", "label": 2, "idx": 5}
            """, name: "nli.jsonl")
        let mapping = ColumnMapping(text: .column("premise"), textPair: .column("hypothesis"), label: "label")
        let dataset = try DatasetLoader.load(url, options: DatasetLoadOptions(columns: mapping))
        #expect(dataset.examples.map(\.text) == ["A man eats.", "Ünïcode é"])
        #expect(dataset.examples.map(\.textPair) == ["Someone eats.", "x"])
        #expect(dataset.labelIDs == [0, 2])
        #expect(dataset.labels.count == 3)
    }

    @Test func badJSONOnLineNIsReported() throws {
        let url = try TemporaryFiles.write("{\"text\": \"a\", \"label\": 1}\n{\"text\": \"b\", \"label\": }\n", name: "bad.jsonl")
        let error = #expect(throws: DatasetError.self) { try DatasetLoader.load(url) }
        guard case .malformedJSON(let path, let location, _) = error else {
            Issue.record("expected malformedJSON, got \(String(describing: error))")
            return
        }
        #expect(path == url.path)
        #expect(location == .line(2))
    }

    @Test func jsonLineThatIsNotAnObject() throws {
        let url = try TemporaryFiles.write("{\"text\": \"a\", \"label\": 1}\n[1, 2]\n", name: "array-line.jsonl")
        let error = #expect(throws: DatasetError.self) { try DatasetLoader.load(url) }
        guard case .malformedJSON(_, let location, _) = error else {
            Issue.record("expected malformedJSON, got \(String(describing: error))")
            return
        }
        #expect(location == .line(2))
    }

    @Test func nullTextAndNonStringTextAreErrors() throws {
        let nullText = try TemporaryFiles.write("{\"text\": null, \"label\": 1}\n", name: "null.jsonl")
        #expect(throws: DatasetError.missingValue(path: nullText.path, location: .line(1), column: "text")) {
            try DatasetLoader.load(nullText)
        }
        let numberText = try TemporaryFiles.write("{\"text\": \"ok\", \"label\": 1}\n{\"text\": 12, \"label\": 0}\n", name: "num.jsonl")
        #expect(throws: DatasetError.notText(path: numberText.path, location: .line(2), column: "text", value: "the integer 12")) {
            try DatasetLoader.load(numberText)
        }
    }

    @Test func jsonArrayOfObjectsAndObjectOfColumns() throws {
        let rows = try TemporaryFiles.write("[{\"text\": \"a\", \"label\": \"neg\"}, {\"text\": \"b\", \"label\": \"pos\"}]", name: "rows.json")
        let columns = try TemporaryFiles.write("{\"text\": [\"a\", \"b\"], \"label\": [\"neg\", \"pos\"]}", name: "cols.json")
        for url in [rows, columns] {
            let dataset = try DatasetLoader.load(url)
            #expect(dataset.examples.map(\.text) == ["a", "b"])
            #expect(dataset.labelIDs == [0, 1])
            #expect(dataset.labels.names == ["neg", "pos"])
        }
        let uneven = try TemporaryFiles.write("{\"text\": [\"a\", \"b\"], \"label\": [1]}", name: "uneven.json")
        let error = #expect(throws: DatasetError.self) { try DatasetLoader.load(uneven) }
        #expect(error?.description.contains("has 2 values") == true || error?.description.contains("has 1 values") == true)
        let scalar = try TemporaryFiles.write("42", name: "scalar.json")
        #expect(throws: DatasetError.self) { try DatasetLoader.load(scalar) }
    }

    @Test func booleanAndIntegerJSONValuesAreDistinguished() throws {
        let url = try TemporaryFiles.write("{\"text\": \"a\", \"label\": true}\n", name: "bool.jsonl")
        let table = try DatasetLoader.readTable(url)
        #expect(table.rows[0][table.columnNames!.firstIndex(of: "label")!] == .bool(true))
        let integers = try TemporaryFiles.write("{\"text\": \"a\", \"label\": 1, \"score\": 0.5}\n", name: "ints.jsonl")
        let numbers = try DatasetLoader.readTable(integers)
        #expect(numbers.columnNames == ["label", "score", "text"])
        #expect(numbers.rows[0] == [.integer(1), .number(0.5), .string("a")])
    }

    @Test func unknownExtensionAndMissingFile() throws {
        let url = try TemporaryFiles.write("x", name: "data.xyz")
        #expect(throws: DatasetError.unknownFormat(path: url.path)) { try DatasetLoader.load(url) }
        let missing = URL(fileURLWithPath: "/nonexistent/dir/train.csv")
        let error = #expect(throws: DatasetError.self) { try DatasetLoader.load(missing) }
        guard case .unreadableFile(let path, _) = error else {
            Issue.record("expected unreadableFile, got \(String(describing: error))")
            return
        }
        #expect(path == missing.path)
    }

    @Test func emptyFileIsAnError() throws {
        let url = try TemporaryFiles.write("\n\n", name: "empty.csv")
        #expect(throws: DatasetError.emptyDataset(path: url.path)) { try DatasetLoader.load(url) }
    }

    @Test func columnNameInHeaderlessFileExplainsWhatToDo() throws {
        let url = try TemporaryFiles.write("1,some text\n2,more\n", name: "noheader.csv")
        let options = DatasetLoadOptions(header: .absent)
        #expect(throws: DatasetError.columnNameWithoutHeader(path: url.path, column: "text", columnCount: 2)) {
            try DatasetLoader.load(url, options: options)
        }
    }
}

@Suite struct LabelSetTests {
    @Test func id2labelAndLabel2idUseStringKeysLikeConfigJSON() throws {
        let labels = try LabelSet(names: ["World", "Sports", "Business", "Sci/Tech"])
        #expect(labels.id2label == ["0": "World", "1": "Sports", "2": "Business", "3": "Sci/Tech"])
        #expect(labels.label2id == ["World": 0, "Sports": 1, "Business": 2, "Sci/Tech": 3])
        #expect(try LabelSet(id2label: labels.id2label) == labels)
        #expect(labels.id(of: "Business") == 2)
        #expect(labels.name(of: 3) == "Sci/Tech")
        #expect(labels.name(of: 4) == nil)
    }

    @Test func invalidLabelSetsAreRejected() throws {
        #expect(throws: DatasetError.self) { try LabelSet(names: ["a", "a"]) }
        #expect(throws: DatasetError.self) { try LabelSet(names: []) }
        #expect(throws: DatasetError.self) { try LabelSet(id2label: ["0": "a", "2": "b"]) }
        #expect(throws: DatasetError.self) { try LabelSet(id2label: ["zero": "a"]) }
    }

    @Test func codableRoundTripAsANameList() throws {
        let labels = try LabelSet(names: ["neg", "pos"])
        let data = try JSONEncoder().encode(labels)
        #expect(String(decoding: data, as: UTF8.self) == "[\"neg\",\"pos\"]")
        #expect(try JSONDecoder().decode(LabelSet.self, from: data) == labels)
        #expect(throws: (any Error).self) { try JSONDecoder().decode(LabelSet.self, from: Data("[\"a\",\"a\"]".utf8)) }
    }

    @Test func agNewsClassesFile() throws {
        try #require(FileManager.default.fileExists(atPath: agNewsClassesPath), "AG News classes.txt missing")
        let labels = try LabelSet(contentsOf: URL(fileURLWithPath: agNewsClassesPath))
        #expect(labels.names == ["World", "Sports", "Business", "Sci/Tech"])
    }
}

@Suite struct DatasetWriterTests {
    private func tricky() throws -> TextDataset {
        let texts = ["plain", "comma, inside", "say \"hi\"", "two\nlines", "crlf\r\nline", "tab\there", "#39;s \\ back\\slash",
                     "  padded  ", "", "café 中文 🎉", "a/b"]
        let labels = try LabelSet(names: ["zeta", "alpha", "Sci/Tech"])
        return TextDataset(
            examples: texts.enumerated().map { TextExample(text: $0.element, label: $0.offset % 3, row: $0.offset) },
            labels: labels, source: "memory")
    }

    @Test func everyWritableFormatRoundTrips() throws {
        let dataset = try tricky()
        for format in DatasetFormat.allCases where format != .parquet {  // Parquet is read-only
            let url = try TemporaryFiles.write("", name: "out.\(format.rawValue)")
            try DatasetWriter.write(dataset, to: url, format: format)
            let back = try DatasetLoader.load(url, options: DatasetLoadOptions(labels: dataset.labels))
            #expect(back.examples == dataset.examples, "format \(format)")
        }
    }

    @Test func pairsRoundTripThroughJSONLines() throws {
        var dataset = try tricky()
        dataset.examples[1].textPair = "second, \"text\""
        let url = try TemporaryFiles.write(try DatasetWriter.jsonLines(dataset), name: "pairs.jsonl")
        let mapping = ColumnMapping(text: .column("text"), textPair: .column("text_pair"), label: "label")
        let table = try DatasetLoader.readTable(url)
        #expect(table.columnNames == ["label", "text", "text_pair"])
        // Examples without a pair have no text_pair key; reading pairs then reports the missing value.
        #expect(throws: DatasetError.missingValue(path: url.path, location: .line(1), column: "text_pair")) {
            try DatasetLoader.load(url, options: DatasetLoadOptions(columns: mapping, labels: dataset.labels))
        }
        let csv = try TemporaryFiles.write(DatasetWriter.delimitedText(dataset), name: "pairs.csv")
        let back = try DatasetLoader.load(csv, options: DatasetLoadOptions(columns: mapping, labels: dataset.labels))
        #expect(back.examples[1].textPair == "second, \"text\"")
        #expect(back.examples[0].textPair == "")
    }
}

@Suite struct HeaderDetectionTests {
    private let byIndex = ColumnMapping(text: .column(0), label: 1)

    @Test func nameLikeFirstRowIsAHeader() {
        #expect(HeaderDetection.firstRecordIsHeader([["sentence", "label"], ["a fine film", "pos"], ["dull", "neg"]], mapping: byIndex))
    }

    @Test func integerColumnUnderANameIsAHeader() {
        #expect(HeaderDetection.firstRecordIsHeader([["review text", "label"], ["a fine film", "1"], ["dull", "0"]], mapping: byIndex))
    }

    @Test func dataLikeFirstRowsAreNotHeaders() {
        // AG News: the label column is an integer in the first row too.
        #expect(!HeaderDetection.firstRecordIsHeader([["3", "Wall St.", "Reuters - ..."], ["4", "Title", "Desc"]], mapping: byIndex))
        // A text with spaces is not a column name.
        #expect(!HeaderDetection.firstRecordIsHeader([["a fine film", "pos"], ["dull", "neg"]], mapping: byIndex))
        // A value that recurs in its column is data, not a name.
        #expect(!HeaderDetection.firstRecordIsHeader([["great", "pos"], ["awful", "neg"], ["fine", "pos"]], mapping: byIndex))
        // Empty or repeated fields cannot be a header.
        #expect(!HeaderDetection.firstRecordIsHeader([["text", ""], ["a", "b"]], mapping: byIndex))
        #expect(!HeaderDetection.firstRecordIsHeader([["x", "x"], ["a", "b"]], mapping: byIndex))
    }

    @Test func namedColumnsImplyAHeader() {
        #expect(HeaderDetection.firstRecordIsHeader([["3", "x"]], mapping: .standard))
    }
}
