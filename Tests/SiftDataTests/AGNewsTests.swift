import Foundation
import Testing
@testable import SiftData
import SiftTestSupport

/// The real AG News files against the fixtures made with Python's csv module.
@Suite(.serialized) struct AGNewsTests {
    @Test func rowCountsClassBalanceAndLoadSpeed() throws {
        try #require(FileManager.default.fileExists(atPath: agNewsTrainPath), "AG News data missing under ../shared/data")
        let clock = ContinuousClock()
        var train: TextDataset?
        let elapsed = try clock.measure { train = try DatasetLoader.loadAGNews(URL(fileURLWithPath: agNewsTrainPath)) }
        let trainSet = try #require(train)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        print("AG News train.csv: \(trainSet.count) rows in \(String(format: "%.3f", seconds)) s = \(Int(Double(trainSet.count) / seconds)) rows/s (shared, contended CPU)")
        #expect(trainSet.count == 47_486)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: agNewsTrainPath)))
        var records: CSVRecords?
        let parseTime = try clock.measure { records = try CSVParser.parse(bytes, source: agNewsTrainPath) }
        let parseSeconds = Double(parseTime.components.seconds) + Double(parseTime.components.attoseconds) * 1e-18
        print("AG News train.csv: CSV parsing alone \(String(format: "%.3f", parseSeconds)) s = \(Int(Double(bytes.count) / parseSeconds / 1e6)) MB/s")
        #expect(records?.records.count == 47_486)
        #expect(trainSet.labels.names == ["World", "Sports", "Business", "Sci/Tech"])
        let test = try DatasetLoader.loadAGNews(URL(fileURLWithPath: agNewsTestPath))
        #expect(test.count == 7_600)
        #expect(test.classCounts == [1_900, 1_900, 1_900, 1_900])
        // The headerless file loads the same through automatic header detection.
        let automatic = try DatasetLoader.load(
            URL(fileURLWithPath: agNewsTestPath),
            options: DatasetLoadOptions(columns: .agNews, labels: test.labels))
        #expect(automatic.examples == test.examples)
    }

    @Test func firstThousandPerClassMatchesTheTrainingFixtureRows() throws {
        let rowsURL = Fixtures.fixture("training/minilm-agnews/train_rows.json")
        try #require(FileManager.default.fileExists(atPath: rowsURL.path), "train_rows.json fixture missing")
        struct TrainRows: Decodable { let rows: [Int]; let labels: [Int] }
        let fixture = try JSONDecoder().decode(TrainRows.self, from: Data(contentsOf: rowsURL))
        let train = try DatasetLoader.loadAGNews(URL(fileURLWithPath: agNewsTrainPath))
        let subset = try train.limitedPerClass(1_000)
        #expect(subset.classCounts == [1_000, 1_000, 1_000, 1_000])
        #expect(Set(subset.examples.map(\.row)) == Set(fixture.rows))
        let labelByRow = Dictionary(uniqueKeysWithValues: subset.examples.map { ($0.row, $0.label) })
        #expect(zip(fixture.rows, fixture.labels).allSatisfy { labelByRow[$0] == $1 })
    }

    @Test func textsEqualTheTokenizerFixtureTexts() throws {
        let corpus = Fixtures.fixture("tokenizers/bert-uncased.jsonl")
        try #require(FileManager.default.fileExists(atPath: corpus.path), "tokenizer fixture missing")
        let train = try DatasetLoader.loadAGNews(URL(fileURLWithPath: agNewsTrainPath))
        var checked = 0
        for line in try String(contentsOf: corpus, encoding: .utf8).split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            guard let source = object["source"] as? String, source.hasPrefix("agnews-train:"),
                  let row = Int(source.dropFirst("agnews-train:".count)) else { continue }
            let text = try #require(object["text"] as? String)
            #expect(train.examples[row].row == row)
            #expect(train.examples[row].text == text, "row \(row)")
            checked += 1
        }
        #expect(checked == 120)
    }
}

/// More AG News rows named by other fixtures: the chat-prompt corpus (text and label) and the MiniLM batch.
@Suite(.serialized) struct AGNewsMoreFixtureRowsTests {
    @Test func chatCorpusRowsHaveTheSameTextAndLabel() throws {
        let corpus = Fixtures.fixture("tokenizers/chat/qwen3_chat.jsonl")
        try #require(FileManager.default.fileExists(atPath: corpus.path), "chat fixture missing")
        let train = try DatasetLoader.loadAGNews(URL(fileURLWithPath: agNewsTrainPath))
        struct Row: Decodable { let source: String; let news_article: String; let label: Int }
        var checked = 0
        for line in try String(contentsOf: corpus, encoding: .utf8).split(separator: "\n") {
            let row = try JSONDecoder().decode(Row.self, from: Data(line.utf8))
            let index = try #require(Int(row.source.dropFirst("agnews-train:".count)))
            #expect(train.examples[index].text == row.news_article, "row \(index)")
            #expect(train.examples[index].label == row.label, "row \(index)")
            checked += 1
        }
        #expect(checked == 20)
    }

    @Test func miniLMBatchTexts() throws {
        let metaURL = Fixtures.fixture("models/minilm-l6/meta.json")
        try #require(FileManager.default.fileExists(atPath: metaURL.path), "MiniLM fixture missing")
        struct Meta: Decodable { let sources: [String]; let texts: [String] }
        let meta = try JSONDecoder().decode(Meta.self, from: Data(contentsOf: metaURL))
        let train = try DatasetLoader.loadAGNews(URL(fileURLWithPath: agNewsTrainPath))
        #expect(meta.sources.count == 16 && meta.texts.count == 16)
        for (source, text) in zip(meta.sources, meta.texts) {
            let index = try #require(Int(source.dropFirst("agnews-train:".count)), "source \(source)")
            #expect(train.examples[index].text == text, "row \(index)")
        }
    }
}
