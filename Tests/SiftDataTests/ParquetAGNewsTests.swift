// The committed zstd Parquet of AG News test rows 0..<300 (Hub layout: text = title + " " + description,
// label = class − 1) must give exactly the rows of ../shared/data/agnews/test.csv.
import Foundation
import SiftTestSupport
import Testing
@testable import SiftData

@Suite("Parquet AG News")
struct ParquetAGNewsTests {
    /// Splits RFC 4180 CSV (quoted fields, "" escapes, LF or CRLF line ends) into records.
    static func parseCSV(_ text: String, limit: Int) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field: [Unicode.Scalar] = []
        var inQuotes = false
        var scalars = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = scalars.next()
        func finishField() {
            var string = ""
            string.unicodeScalars.append(contentsOf: field)
            record.append(string)
            field.removeAll(keepingCapacity: true)
        }
        while let scalar = pending, records.count < limit {
            pending = scalars.next()
            if inQuotes {
                if scalar == "\"" {
                    if pending == "\"" {
                        field.append("\"")
                        pending = scalars.next()
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.append(scalar)
                }
            } else if scalar == "\"" {
                inQuotes = true
            } else if scalar == "," {
                finishField()
            } else if scalar == "\n" || scalar == "\r" {
                if scalar == "\r" && pending == "\n" { pending = scalars.next() }
                finishField()
                records.append(record)
                record = []
            } else {
                field.append(scalar)
            }
        }
        if records.count < limit && (!field.isEmpty || !record.isEmpty) {
            finishField()
            records.append(record)
        }
        return records
    }

    @Test func first300TestRowsMatchTheCSV() throws {
        let csvURL = Fixtures.sharedFile("data/agnews/test.csv")
        guard FileManager.default.fileExists(atPath: csvURL.path) else {
            print("SKIP: \(csvURL.path) not found; the AG News Parquet comparison needs ../shared/data")
            return
        }
        let records = Self.parseCSV(try String(contentsOf: csvURL, encoding: .utf8), limit: 300)
        #expect(records.count == 300)
        #expect(records.allSatisfy { $0.count == 3 })
        let texts = records.map { $0[1] + " " + $0[2] }
        let labels = try records.map { try #require(Int64($0[0])) - 1 }

        let url = try ParquetFixtures.url("agnews_test_300_zstd.parquet")
        let (file, textColumn, labelColumn, seconds) = try Self.bestOfFive(url)

        #expect(file.numRows == 300)
        #expect(file.rowGroupCount >= 2)
        #expect(file.columnNames == ["text", "label"])
        #expect(textColumn == .strings(texts))
        #expect(labelColumn == .int64(labels))
        print("Parquet AG News: 300 rows (open + read both columns, best of 5) in \(Int(seconds * 1e6)) µs, "
            + "\(Int(300 / max(seconds, 1e-9))) rows/s (shared 2-core machine)")
    }

    /// Opens `url` and reads `text` and `label` five times; returns the last result and the fastest time.
    static func bestOfFive(_ url: URL) throws -> (ParquetFile, ParquetColumn, ParquetColumn, Double) {
        var best = Double.infinity
        var result: (ParquetFile, ParquetColumn, ParquetColumn)?
        for _ in 0..<5 {
            let start = ContinuousClock.now
            let file = try ParquetFile(url: url)
            let texts = try file.readColumn("text")
            let labels = try file.readColumn("label")
            let elapsed = ContinuousClock.now - start
            best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
            result = (file, texts, labels)
        }
        let (file, texts, labels) = try #require(result)
        return (file, texts, labels, best)
    }

    /// Timing on all 7,600 rows when the generator's `--agnews-full` output is present (not committed).
    @Test func fullTestSetTiming() throws {
        let url = URL(fileURLWithPath: ProcessInfo.processInfo.environment["SIFT_AGNEWS_PARQUET"]
            ?? "/tmp/agnews_test_full.parquet")
        guard FileManager.default.fileExists(atPath: url.path) else {
            print("SKIP: \(url.path) not found; write it with scripts/make_parquet_fixtures.py --agnews-full")
            return
        }
        let (file, texts, labels, seconds) = try Self.bestOfFive(url)
        #expect(file.numRows == 7600)
        #expect(texts.count == 7600 && labels.count == 7600)
        let csvURL = Fixtures.sharedFile("data/agnews/test.csv")
        if FileManager.default.fileExists(atPath: csvURL.path) {
            let records = Self.parseCSV(try String(contentsOf: csvURL, encoding: .utf8), limit: 7600)
            #expect(texts == .strings(records.map { $0[1] + " " + $0[2] }))
            #expect(labels == .int64(records.map { (Int64($0[0]) ?? 0) - 1 }))
        }
        print("Parquet AG News: 7600 rows (best of 5) in \(String(format: "%.1f", seconds * 1000)) ms, "
            + "\(Int(7600 / max(seconds, 1e-9))) rows/s (shared 2-core machine)")
    }
}
