// Parquet files as datasets: AG News from Parquet equals AG News from CSV, and a Hub-style file's
// ClassLabel names become the label set.
import Foundation
import SiftTestSupport
import Testing
@testable import SiftData

@Suite("Parquet datasets")
struct ParquetDatasetTests {
    @Test("AG News read from Parquet (text, label columns; zstd, 3 row groups) equals the same rows read from the CSV")
    func agNewsParquetEqualsCSV() throws {
        let labels = try LabelSet(names: ["World", "Sports", "Business", "Sci/Tech"])
        let parquet = try DatasetLoader.load(ParquetFixtures.url("agnews_test_300_zstd.parquet"),
                                             options: DatasetLoadOptions(columns: .standard, labels: labels))
        let csv = try DatasetLoader.loadAGNews(Fixtures.sharedFile("data/agnews/test.csv"))
        #expect(parquet.count == 300)
        #expect(parquet.examples.map(\.text) == csv.examples.prefix(300).map(\.text))
        #expect(parquet.examples.map(\.label) == csv.examples.prefix(300).map(\.label))
    }

    @Test("a datasets-written file's ClassLabel names become the label set")
    func classLabelNames() throws {
        let dataset = try DatasetLoader.load(ParquetFixtures.url("hf_classlabel.parquet"))
        #expect(dataset.labels.names == ["World", "Sports", "Business", "Sci/Tech"])
        #expect(dataset.count == 6)
        #expect(throws: (any Error).self) {
            try DatasetWriter.write(dataset, to: URL(fileURLWithPath: "/tmp/x.parquet"), format: .parquet)
        }
    }
}
