// Broken GGUF files: crafted headers (huge counts and lengths, bad types, bad offsets), truncation
// anywhere (a test file and the real SmolLM2 header region), and random corruption. Every case must
// throw a CheckpointError quickly, never crash, hang or allocate what the header claims.
import Foundation
import Testing
import SiftTensor
import SiftTestSupport
@testable import SiftCheckpoints

/// Builds GGUF bytes by hand.
struct GGUFBuilder {
    var bytes: [UInt8] = []
    mutating func u32(_ value: UInt32) { bytes += withUnsafeBytes(of: value.littleEndian, Array.init) }
    mutating func u64(_ value: UInt64) { bytes += withUnsafeBytes(of: value.littleEndian, Array.init) }
    mutating func string(_ text: String) { u64(UInt64(text.utf8.count)); bytes += Array(text.utf8) }
    mutating func header(version: UInt32 = 3, tensors: UInt64, keys: UInt64) {
        bytes += Array("GGUF".utf8)
        u32(version); u64(tensors); u64(keys)
    }
    mutating func tensorInfo(_ name: String, dims: [UInt64], type: UInt32, offset: UInt64) {
        string(name); u32(UInt32(dims.count)); dims.forEach { u64($0) }; u32(type); u64(offset)
    }
    mutating func padData(alignment: Int = 32, dataBytes: Int) {
        while bytes.count % alignment != 0 { bytes.append(0) }
        bytes += [UInt8](repeating: 0, count: dataBytes)
    }
}

@Suite("GGUF malformed input", .serialized)
struct GGUFMalformedTests {
    static func openError(_ bytes: [UInt8]) throws -> String? {
        let directory = try TestFiles.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("broken.gguf")
        try TestFiles.write(bytes, to: url)
        do {
            _ = try GGUFFile(path: url.path)
            return nil
        } catch let error as CheckpointError {
            return error.description
        }
    }

    @Test("crafted headers give errors that say what is wrong")
    func craftedHeaders() throws {
        var cases: [(String, [UInt8], String)] = []
        func add(_ label: String, _ fragment: String, _ build: (inout GGUFBuilder) -> Void) {
            var builder = GGUFBuilder()
            build(&builder)
            cases.append((label, builder.bytes, fragment))
        }
        add("bad magic", "magic") { $0.bytes = Array("GGML".utf8) + [3, 0, 0, 0] + [UInt8](repeating: 0, count: 16) }
        add("too short", "truncated") { $0.bytes = Array("GG".utf8) }
        add("version 1", "obsolete") { $0.header(version: 1, tensors: 0, keys: 0) }
        add("big-endian", "big-endian") { $0.header(version: 0x0300_0000, tensors: 0, keys: 0) }
        add("2^60 tensors", "claims 1152921504606846976 tensor infos") { $0.header(tensors: 1 << 60, keys: 0) }
        add("2^60 keys", "claims 1152921504606846976 metadata") { $0.header(tensors: 0, keys: 1 << 60) }
        add("2^64-1 keys", "claims") { $0.header(tensors: 0, keys: .max) }
        add("key of length 2^62", "claimed length 4611686018427387904") {
            $0.header(tensors: 0, keys: 1); $0.u64(1 << 62); $0.bytes += [UInt8](repeating: 0x41, count: 32)
        }
        add("string value of length 2^62", "claimed length") {
            $0.header(tensors: 0, keys: 1); $0.string("k"); $0.u32(8); $0.u64(1 << 62)
        }
        add("array of 2^62 u8", "elements in array 'k'") {
            $0.header(tensors: 0, keys: 1); $0.string("k"); $0.u32(9); $0.u32(0); $0.u64(1 << 62)
        }
        add("array of 2^61 strings", "elements in array 'k'") {
            $0.header(tensors: 0, keys: 1); $0.string("k"); $0.u32(9); $0.u32(8); $0.u64(1 << 61)
        }
        add("deeply nested arrays", "nest deeper") {
            $0.header(tensors: 0, keys: 1); $0.string("k"); $0.u32(9)
            for _ in 0..<50 { $0.u32(9); $0.u64(1) }
            $0.u32(0); $0.u64(1); $0.bytes.append(0)
        }
        add("unknown value type", "not a GGUF value type") { $0.header(tensors: 0, keys: 1); $0.string("k"); $0.u32(13) }
        add("bad bool", "not 0 or 1") { $0.header(tensors: 0, keys: 1); $0.string("k"); $0.u32(7); $0.bytes.append(2) }
        add("duplicate key", "appears twice") {
            $0.header(tensors: 0, keys: 2); $0.string("k"); $0.u32(4); $0.u32(1); $0.string("k"); $0.u32(4); $0.u32(2)
        }
        add("invalid UTF-8 key", "UTF-8") { $0.header(tensors: 0, keys: 1); $0.u64(2); $0.bytes += [0xC3, 0x28]; $0.u32(4); $0.u32(1) }
        add("alignment 0", "power of two") {
            $0.header(tensors: 0, keys: 1); $0.string("general.alignment"); $0.u32(4); $0.u32(0)
        }
        add("alignment 3", "power of two") {
            $0.header(tensors: 0, keys: 1); $0.string("general.alignment"); $0.u32(4); $0.u32(3)
        }
        add("5 dimensions", "5 dimensions") { $0.header(tensors: 1, keys: 0); $0.tensorInfo("t", dims: [1, 1, 1, 1, 1], type: 0, offset: 0); $0.padData(dataBytes: 4) }
        add("unknown ggml type", "unknown ggml type 99") { $0.header(tensors: 1, keys: 0); $0.tensorInfo("t", dims: [4], type: 99, offset: 0); $0.padData(dataBytes: 16) }
        add("unaligned offset", "not a multiple of the alignment") {
            $0.header(tensors: 1, keys: 0); $0.tensorInfo("t", dims: [4], type: 0, offset: 4); $0.padData(dataBytes: 64)
        }
        add("data past the end", "truncated") { $0.header(tensors: 1, keys: 0); $0.tensorInfo("t", dims: [64], type: 0, offset: 0); $0.padData(dataBytes: 16) }
        add("offset past the end", "past the end") { $0.header(tensors: 1, keys: 0); $0.tensorInfo("t", dims: [4], type: 0, offset: 1 << 40) }
        add("huge dimensions", "overflow") {
            $0.header(tensors: 1, keys: 0); $0.tensorInfo("t", dims: [1 << 40, 1 << 40], type: 0, offset: 0); $0.padData(dataBytes: 16)
        }
        add("row not a block multiple", "block size") { $0.header(tensors: 1, keys: 0); $0.tensorInfo("t", dims: [33], type: 8, offset: 0); $0.padData(dataBytes: 64) }
        add("overlapping tensors", "overlap") {
            $0.header(tensors: 2, keys: 0)
            $0.tensorInfo("a", dims: [16], type: 0, offset: 0); $0.tensorInfo("b", dims: [8], type: 0, offset: 32)
            $0.padData(dataBytes: 64)
        }
        add("duplicate tensor", "appears twice") {
            $0.header(tensors: 2, keys: 0)
            $0.tensorInfo("a", dims: [8], type: 0, offset: 0); $0.tensorInfo("a", dims: [8], type: 0, offset: 32)
            $0.padData(dataBytes: 64)
        }
        add("0 dimensions", "0 dimensions") { $0.header(tensors: 1, keys: 0); $0.tensorInfo("t", dims: [], type: 0, offset: 0); $0.padData(dataBytes: 32) }
        for (label, bytes, fragment) in cases {
            let message = try Self.openError(bytes)
            #expect(message?.contains(fragment) == true, "\(label): got \(message ?? "no error")")
        }
        // The well-formed variants of the hand-built files open.
        var good = GGUFBuilder()
        good.header(tensors: 2, keys: 1); good.string("general.alignment"); good.u32(4); good.u32(64)
        good.tensorInfo("a", dims: [16], type: 0, offset: 0); good.tensorInfo("b", dims: [32, 2], type: 8, offset: 64)
        good.padData(alignment: 64, dataBytes: 64 + 68)
        #expect(try Self.openError(good.bytes) == nil)
    }

    @Test("GGUF v2 files are read like v3")
    func versionTwo() throws {
        var bytes = try TestFiles.bytes(of: try TestFiles.resource("quant-blocks.gguf"))
        bytes[4] = 2
        let directory = try TestFiles.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("v2.gguf")
        try TestFiles.write(bytes, to: url)
        let file = try GGUFFile(path: url.path)
        #expect(file.version == 2)
        #expect(file.tensors.count == 13)
    }

    @Test("truncating the test file at every header length and throughout the data throws")
    func truncationEverywhere() throws {
        let path = try TestFiles.resource("quant-blocks.gguf")
        let original = try TestFiles.bytes(of: path)
        let complete = try GGUFFile(path: path)
        let dataOffset = complete.dataOffset
        // GGUFWriter pads the file after the last tensor; cutting only that padding leaves a valid file.
        let dataEnd = complete.tensors.map(\.fileOffsets.upperBound).max() ?? dataOffset
        let directory = try TestFiles.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("cut.gguf")
        // Every length inside the header; every 7th byte and the last one inside the data.
        let lengths = Array(0..<dataOffset) + Array(stride(from: dataOffset, to: dataEnd, by: 7)) + [dataEnd - 1]
        for length in lengths {
            try TestFiles.write(Array(original[0..<length]), to: url)
            #expect(throwsCheckpointError { _ = try GGUFFile(path: url.path) }, "length \(length)")
        }
        try TestFiles.write(Array(original[0..<dataEnd]), to: url)
        #expect(try GGUFFile(path: url.path).tensors.count == complete.tensors.count)
    }

    @Test("random corruption of the header never crashes")
    func randomCorruption() throws {
        let original = try TestFiles.bytes(of: try TestFiles.resource("quant-blocks.gguf"))
        let dataOffset = try GGUFFile(path: try TestFiles.resource("quant-blocks.gguf")).dataOffset
        let directory = try TestFiles.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("corrupt.gguf")
        var generator = SeededGenerator(seed: 2026)
        var rejected = 0
        for _ in 0..<300 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                let position = Int.random(in: 0..<dataOffset, using: &generator)
                // Random bytes, or 0xFF runs that turn counts and lengths into huge values.
                bytes[position] = Bool.random(using: &generator) ? UInt8.random(in: 0...255, using: &generator) : 0xFF
            }
            try TestFiles.write(bytes, to: url)
            do {
                let file = try GGUFFile(path: url.path)
                for info in file.tensors where info.type.canDequantize {
                    #expect(try file.dequantize(info.name).count == info.elementCount)
                }
            } catch is CheckpointError {
                rejected += 1
            }
        }
        #expect(rejected > 0)
    }

    @Test("the real SmolLM2 header region, truncated at many points, always throws")
    func truncatedRealHeader() throws {
        guard let path = Fixtures.smolLM2GGUF?.path else { return }
        let file = try GGUFFile(path: path)
        let headerLength = file.dataOffset
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let header = [UInt8](try handle.read(upToCount: headerLength) ?? Data())
        #expect(header.count == headerLength)
        let directory = try TestFiles.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("smollm2-head.gguf")
        var generator = SeededGenerator(seed: 99)
        var cuts = Array(0..<64) + [headerLength - 1, headerLength]
        cuts += (0..<120).map { _ in Int.random(in: 0..<headerLength, using: &generator) }
        for cut in cuts {
            try TestFiles.write(Array(header[0..<cut]), to: url)
            #expect(throwsCheckpointError { _ = try GGUFFile(path: url.path) }, "cut at \(cut)")
        }
    }
}
