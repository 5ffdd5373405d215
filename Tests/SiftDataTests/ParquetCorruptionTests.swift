// Truncated and corrupted Parquet files must give a ParquetError, never a crash, a hang or another
// kind of error. Every committed test file is cut at many points and has random bytes overwritten.
import Foundation
import Testing
@testable import SiftData

@Suite("Parquet corrupt input", .serialized)
struct ParquetCorruptionTests {
    /// A small deterministic generator (SplitMix64) so failures reproduce.
    struct SplitMix64 {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    }

    enum Outcome { case read, parquetError, otherError(any Error) }

    /// Opens the bytes and reads every column.
    static func readEverything(_ bytes: [UInt8]) -> Outcome {
        do {
            let file = try ParquetFile(bytes: bytes, name: "fuzz")
            for column in file.columnNames {
                let values = try file.readColumn(column)
                guard values.count == file.numRows else {
                    return .otherError(ParquetDecodingFailure("column \(column) has \(values.count) of \(file.numRows) rows"))
                }
            }
            _ = try? file.classLabelNames(column: file.columnNames.first ?? "")
            return .read
        } catch is ParquetError {
            return .parquetError
        } catch {
            return .otherError(error)
        }
    }

    @Test("every truncation is an error", arguments: try ParquetFixtures.allFileNames())
    func truncations(name: String) throws {
        let bytes = try ParquetFixtures.bytes(name)
        var cuts = Set(stride(from: 0, to: bytes.count, by: max(1, bytes.count / 150)))
        cuts.formUnion(max(0, bytes.count - 80)..<bytes.count)  // every cut inside the footer's tail
        for cut in cuts.sorted() {
            switch Self.readEverything(Array(bytes[0..<cut])) {
            case .parquetError: continue
            case .read: Issue.record("\(name) cut to \(cut) of \(bytes.count) bytes was read without an error")
            case .otherError(let error): Issue.record("\(name) cut to \(cut) bytes: not a ParquetError: \(error)")
            }
        }
    }

    @Test("random byte corruption never crashes", arguments: try ParquetFixtures.allFileNames())
    func corruptions(name: String) throws {
        let bytes = try ParquetFixtures.bytes(name)
        var random = SplitMix64(state: UInt64(bytes.count) &* 2_654_435_761)
        var errors = 0
        // SIFT_PARQUET_FUZZ_TRIALS raises the count for a longer local run.
        let trials = ProcessInfo.processInfo.environment["SIFT_PARQUET_FUZZ_TRIALS"].flatMap { Int($0) } ?? 400
        for trial in 0..<trials {
            var damaged = bytes
            let edits = 1 + random.below(4)
            // Half the trials hit the footer (the last 20%), where the Thrift metadata lives.
            let footerOnly = trial % 2 == 0
            for _ in 0..<edits {
                let low = footerOnly ? bytes.count * 4 / 5 : 0
                let offset = low + random.below(bytes.count - low)
                damaged[offset] = UInt8(truncatingIfNeeded: random.next())
            }
            switch Self.readEverything(damaged) {
            case .read: continue
            case .parquetError: errors += 1
            case .otherError(let error): Issue.record("\(name) trial \(trial): not a ParquetError: \(error)")
            }
        }
        print("Parquet fuzz \(name): \(errors) of \(trials) corrupted copies rejected with a ParquetError, the rest read")
    }

    @Test func everyFooterByteSetToThriftEdgeValuesGivesOnlyParquetErrors() throws {
        // Each byte of the footer set to values that are stop bytes, every wire type, long list headers
        // and varint continuations: the decoder must fail cleanly or read on, never crash or escape.
        let bytes = try ParquetFixtures.bytes("hf_classlabel.parquet")
        let footerLength = Int(bytes[bytes.count - 8]) | Int(bytes[bytes.count - 7]) << 8
            | Int(bytes[bytes.count - 6]) << 16 | Int(bytes[bytes.count - 5]) << 24
        let footerStart = bytes.count - 8 - footerLength
        for offset in footerStart..<(bytes.count - 8) {
            for value: UInt8 in [0x00, 0x0F, 0x19, 0x1C, 0x1B, 0xF9, 0xFF, 0x80] {
                var damaged = bytes
                damaged[offset] = value
                if case .otherError(let error) = Self.readEverything(damaged) {
                    Issue.record("footer byte \(offset) = \(value): not a ParquetError: \(error)")
                }
            }
        }
    }
}
