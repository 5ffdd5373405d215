// Writing safetensors: round trips (f32 exact, bf16/f16 rounded to nearest even), header layout
// (sorted names, __metadata__, 8-byte aligned data), atomic replacement, and sharded indexes.
import Foundation
import Testing
import SiftTensor
@testable import SiftCheckpoints

@Suite("safetensors writing")
struct SafetensorsWriteTests {
    static func sampleTensors() throws -> [String: Tensor] {
        var generator = SeededGenerator(seed: 42)
        func random(_ shape: [Int]) throws -> Tensor {
            let count = shape.reduce(1, *)
            return try Tensor(shape: shape, values: (0..<count).map { _ in Float.random(in: -3...3, using: &generator) })
        }
        return [
            "b.weight": try random([3, 5]),
            "a.bias": try random([7]),
            "z.scalar": Tensor.scalar(1.5),
            "ünï.codé": try random([2, 2, 2]),
            "empty": try Tensor(shape: [0, 4], values: []),
        ]
    }

    @Test("f32 round trip is exact and the header follows the format")
    func f32RoundTrip() throws {
        let directory = try TestFiles.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("model.safetensors").path
        let tensors = try Self.sampleTensors()
        try SafetensorsWriter.write(tensors, to: path)

        let file = try SafetensorsFile(path: path)
        #expect(file.metadata == ["format": "pt"])
        #expect(file.dataStart % 8 == 0)
        #expect(Set(file.tensorNames) == Set(tensors.keys))
        for (name, tensor) in tensors {
            let read = try file.tensor(name)
            #expect(read.shape == tensor.shape, "\(name)")
            #expect(read.scalars.map(\.bitPattern) == tensor.scalars.map(\.bitPattern), "\(name)")
            #expect(try file.entry(name).dtype == .f32)
        }
        // Header text: __metadata__ first, names in byte order, padding spaces, data packed in that order.
        let bytes = try TestFiles.bytes(of: path)
        let headerLength = Int(bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        let header = try #require(String(bytes: bytes[8..<(8 + headerLength)], encoding: .utf8))
        #expect(header.hasPrefix("{\"__metadata__\":{\"format\":\"pt\"},\"a.bias\":"))
        #expect((8 + headerLength) % 8 == 0)
        #expect(header.trimmingCharacters(in: .whitespaces).hasSuffix("}"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(header.utf8)) as? [String: Any])
        #expect(object.count == tensors.count + 1)
        var previousEnd = 0
        for name in tensors.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            let entry = try file.entry(name)
            #expect(entry.dataOffsets.lowerBound == previousEnd, "data is packed in name order")
            previousEnd = entry.dataOffsets.upperBound
        }
        #expect(8 + headerLength + previousEnd == bytes.count)
    }

    @Test("bf16 and f16 writes round to nearest even")
    func halfPrecisionRounding() throws {
        let directory = try TestFiles.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // bf16 keeps 7 mantissa bits: 1 + 2^-8 is halfway between 1 and 1 + 2^-7 (tie → even 1.0);
        // 1 + 3·2^-8 is halfway between 1 + 2^-7 and 1 + 2^-6 (tie → even 1 + 2^-6); 1 + 2^-8 + 2^-20 rounds up.
        let values: [Float] = [1 + 0x1p-8, 1 + 3 * 0x1p-8, 1 + 0x1p-8 + 0x1p-20, -2.5, 0, -0.0, .infinity, 3.0e38]
        let expectedBF16: [Float] = [1, 1 + 0x1p-6, 1 + 0x1p-7, -2.5, 0, -0.0, .infinity, 3.0e38]
        let tensor = try Tensor(shape: [2, 4], values: values)
        let path = directory.appendingPathComponent("bf16.safetensors").path
        try SafetensorsWriter.write(["w": tensor], to: path, dtype: .bf16)
        let file = try SafetensorsFile(path: path)
        #expect(try file.entry("w").dtype == .bf16)
        let read = try file.tensor("w").scalars
        #expect(read.map(\.bitPattern)[0..<6] == expectedBF16.map(\.bitPattern)[0..<6])
        #expect(read[6] == .infinity)
        // 3.0e38 is not a bf16 value: it must come back as the nearest one (bit pattern from HalfConversion).
        #expect(read[7] == HalfConversion.float(fromBF16: HalfConversion.bf16Bits(from: 3.0e38)))
        #expect(abs(read[7] - 3.0e38) / 3.0e38 < 0x1p-8)

        // f16: 1 + 2^-11 is a tie between 1 and 1 + 2^-10 → 1; 65520 overflows to inf (RNE).
        let halfValues: [Float] = [1 + 0x1p-11, 1 + 3 * 0x1p-11, 65520, 6.0e-8]
        let halfPath = directory.appendingPathComponent("f16.safetensors").path
        try SafetensorsWriter.write(["h": try Tensor(shape: [4], values: halfValues)], to: halfPath, dtype: .f16)
        let halfRead = try SafetensorsFile(path: halfPath).tensor("h").scalars
        #expect(halfRead[0] == 1)
        #expect(halfRead[1] == 1 + 0x1p-9)
        #expect(halfRead[2] == .infinity)
        #expect(halfRead[3] == 0x1p-24)  // the smallest f16 subnormal, 5.96e-8
    }

    @Test("writes replace atomically and leave no temporary file")
    func atomicReplacement() throws {
        let directory = try TestFiles.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("model.safetensors").path
        try SafetensorsWriter.write(["x": try Tensor(shape: [2], values: [1, 2])], to: path)
        try SafetensorsWriter.write(["y": try Tensor(shape: [3], values: [3, 4, 5])], to: path)
        #expect(try SafetensorsFile(path: path).tensorNames == ["y"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["model.safetensors"])
        // A failing write (duplicate names) leaves the old file and nothing else.
        let duplicate = try Tensor(shape: [1], values: [0])
        #expect(throws: CheckpointError.self) {
            try SafetensorsWriter.write([(name: "a", tensor: duplicate), (name: "a", tensor: duplicate)], to: path)
        }
        #expect(throws: CheckpointError.self) {
            try SafetensorsWriter.write(["x": duplicate], to: directory.appendingPathComponent("missing/dir.safetensors").path)
        }
        #expect { try SafetensorsWriter.write(["x": duplicate], to: directory.path + "/") } throws: { "\($0)".contains("directory") }
        #expect(try SafetensorsFile(path: path).tensorNames == ["y"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["model.safetensors"])
    }

    @Test("sharded checkpoints through model.safetensors.index.json")
    func shardedCheckpoint() throws {
        let directory = try TestFiles.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tensors = try Self.sampleTensors()
        let names = tensors.keys.sorted()
        let first = Dictionary(uniqueKeysWithValues: names.prefix(2).map { ($0, tensors[$0] ?? Tensor.scalar(0)) })
        let second = Dictionary(uniqueKeysWithValues: names.dropFirst(2).map { ($0, tensors[$0] ?? Tensor.scalar(0)) })
        try SafetensorsWriter.write(first, to: directory.appendingPathComponent("model-00001-of-00002.safetensors").path)
        try SafetensorsWriter.write(second, to: directory.appendingPathComponent("model-00002-of-00002.safetensors").path, dtype: .bf16)
        var map: [String: String] = [:]
        for name in first.keys { map[name] = "model-00001-of-00002.safetensors" }
        for name in second.keys { map[name] = "model-00002-of-00002.safetensors" }
        let index: [String: Any] = ["metadata": ["total_size": 0], "weight_map": map]
        let indexURL = directory.appendingPathComponent("model.safetensors.index.json")
        try JSONSerialization.data(withJSONObject: index).write(to: indexURL)

        let checkpoint = try SafetensorsCheckpoint(path: directory.path)
        #expect(checkpoint.files.count == 2)
        #expect(checkpoint.tensorNames == names)
        for name in first.keys { #expect(try checkpoint.tensor(name).scalars == tensors[name]?.scalars) }
        for name in second.keys { #expect(try checkpoint.entry(name).dtype == .bf16) }

        // An index pointing at a tensor its shard lacks is rejected with the names in the message.
        map["ghost.weight"] = "model-00001-of-00002.safetensors"
        try JSONSerialization.data(withJSONObject: ["weight_map": map]).write(to: indexURL)
        #expect {
            try SafetensorsCheckpoint(path: directory.path)
        } throws: { error in
            "\(error)".contains("ghost.weight")
        }
        try Data("{\"weight_map\": [}".utf8).write(to: indexURL)
        #expect(throws: CheckpointError.self) { try SafetensorsCheckpoint(path: indexURL.path) }
    }
}
