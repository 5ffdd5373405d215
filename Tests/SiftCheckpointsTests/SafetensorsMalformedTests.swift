// Broken safetensors files: each kind of damage gives a clear CheckpointError naming the problem,
// and truncation or random corruption anywhere never crashes or hangs.
import Foundation
import Testing
import SiftTensor
@testable import SiftCheckpoints

@Suite("safetensors malformed input")
struct SafetensorsMalformedTests {
    /// A file made of an 8-byte length, `header` and `data`.
    static func file(header: String, data: [UInt8] = [], lengthOverride: UInt64? = nil) -> [UInt8] {
        let headerBytes = Array(header.utf8)
        let length = lengthOverride ?? UInt64(headerBytes.count)
        return (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) } + headerBytes + data
    }

    /// Writes `bytes` and returns the error message of opening it (nil if it opened).
    static func openError(_ bytes: [UInt8]) throws -> String? {
        let directory = try TestFiles.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("broken.safetensors")
        try TestFiles.write(bytes, to: url)
        do {
            _ = try SafetensorsFile(path: url.path)
            return nil
        } catch let error as CheckpointError {
            return error.description
        }
    }

    static let eightBytes = [UInt8](repeating: 0, count: 8)

    @Test("each malformation gives an error that says what is wrong")
    func specificErrors() throws {
        let cases: [(String, [UInt8], String)] = [
            ("shorter than 8 bytes", [1, 2, 3], "8-byte header length"),
            ("header past the end", Self.file(header: "{}", lengthOverride: 1000), "claimed length 1000"),
            ("huge header length", Self.file(header: "{}", lengthOverride: UInt64.max), "truncated"),
            ("bad JSON", Self.file(header: "{\"a\": [1, 2"), "invalid JSON"),
            ("not an object", Self.file(header: "[1, 2]"), "not a JSON object"),
            ("missing dtype", Self.file(header: #"{"t":{"shape":[2],"data_offsets":[0,8]}}"#, data: Self.eightBytes), "missing \"dtype\""),
            ("missing shape", Self.file(header: #"{"t":{"dtype":"F32","data_offsets":[0,8]}}"#, data: Self.eightBytes), "missing \"shape\""),
            ("missing offsets", Self.file(header: #"{"t":{"dtype":"F32","shape":[2]}}"#, data: Self.eightBytes), "missing \"data_offsets\""),
            ("unknown dtype", Self.file(header: #"{"t":{"dtype":"F33","shape":[2],"data_offsets":[0,8]}}"#, data: Self.eightBytes), "unknown dtype \"F33\""),
            ("negative dim", Self.file(header: #"{"t":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, data: Self.eightBytes), "non-negative"),
            ("out of range", Self.file(header: #"{"t":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, data: Self.eightBytes), "past the data section"),
            ("reversed offsets", Self.file(header: #"{"t":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#, data: Self.eightBytes), "end before they begin"),
            ("byte-count mismatch", Self.file(header: #"{"t":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: Self.eightBytes), "needs 3 × 4 bytes"),
            ("dtype mismatch", Self.file(header: #"{"t":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}}"#, data: Self.eightBytes), "needs 2 × 8 bytes"),
            ("overlap", Self.file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: Self.eightBytes), "overlap"),
            ("metadata not strings", Self.file(header: #"{"__metadata__":{"format":1}}"#), "__metadata__"),
            ("duplicate key", Self.file(header: #"{"t":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"t":{}}"#), "duplicate key"),
            ("deep nesting", Self.file(header: String(repeating: "[", count: 100_000)), "nesting deeper"),
            ("overflowing shape", Self.file(header: #"{"t":{"dtype":"F32","shape":[4294967296,4294967296,4],"data_offsets":[0,8]}}"#, data: Self.eightBytes), "too many elements"),
            ("offset beyond Int", Self.file(header: #"{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,99999999999999999999999]}}"#, data: Self.eightBytes), "data_offsets"),
            ("invalid UTF-8 name", Self.file(header: "{\"\u{FF}\":1}").enumerated().map { $0.offset == 10 ? 0xFF : $0.element }, "invalid JSON"),
        ]
        for (label, bytes, fragment) in cases {
            let message = try Self.openError(bytes)
            #expect(message?.contains(fragment) == true, "\(label): got \(message ?? "no error")")
            #expect(message?.contains("broken.safetensors") == true, "\(label): the message names the file")
        }
    }

    @Test("a missing file or a directory gives cannotOpen")
    func missingFile() throws {
        #expect { try SafetensorsFile(path: "/nonexistent/model.safetensors") } throws: { error in
            "\(error)".contains("/nonexistent/model.safetensors")
        }
        #expect(throws: CheckpointError.self) { try SafetensorsFile(path: "/tmp") }
    }

    @Test("truncating a valid file anywhere throws; random corruption never crashes")
    func fuzzTruncationAndCorruption() throws {
        let directory = try TestFiles.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let valid = directory.appendingPathComponent("valid.safetensors")
        try SafetensorsWriter.write(try SafetensorsWriteTests.sampleTensors(), to: valid.path)
        let original = try TestFiles.bytes(of: valid.path)
        let broken = directory.appendingPathComponent("broken.safetensors")
        for length in 0..<original.count {
            try TestFiles.write(Array(original[0..<length]), to: broken)
            #expect(throwsCheckpointError { _ = try SafetensorsFile(path: broken.path) }, "truncated at \(length)")
        }
        var generator = SeededGenerator(seed: 7)
        let headerEnd = try SafetensorsFile(path: valid.path).dataStart
        for round in 0..<400 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                bytes[Int.random(in: 0..<headerEnd, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            try TestFiles.write(bytes, to: broken)
            // Either it is rejected with a CheckpointError or it still reads consistently.
            do {
                let file = try SafetensorsFile(path: broken.path)
                for name in file.tensorNames {
                    let entry = try file.entry(name)
                    if entry.dtype.isFloatingPoint { #expect(try file.tensor(name).count == entry.elementCount) }
                    else if entry.dtype.isInteger { _ = try file.integers(name) }
                }
            } catch let error as CheckpointError {
                #expect(!error.description.isEmpty, "round \(round)")
            }
        }
    }
}
