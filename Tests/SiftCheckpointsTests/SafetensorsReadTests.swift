// Reading the shared fixtures' safetensors files (f32, bf16, int64) and checking every tensor's
// values against checksums made by an independent numpy reader (scripts/gen_checkpoint_test_files.py).
import Foundation
import Testing
import SiftTensor
import SiftTestSupport
@testable import SiftCheckpoints

@Suite("safetensors reading", .serialized)
struct SafetensorsReadTests {
    static let files = ["tiny-bert/model.safetensors", "tiny-qwen3/model.safetensors", "minilm-l6/reference.safetensors"]

    @Test("every tensor of the shared fixtures has the reference dtype, shape and values", arguments: files)
    func fixtureTensorsMatchReference(relative: String) throws {
        let path = Fixtures.fixture("models/" + relative).path
        guard FileManager.default.fileExists(atPath: path) else {
            print("SKIP: fixture \(path) not present")
            return
        }
        let reference = try TestFiles.jsonResource("fixture-checksums.json")
        let files = try #require(reference["files"] as? [String: Any])
        let expected = try #require(files[relative] as? [String: [String: Any]])
        let file = try SafetensorsFile(path: path)
        #expect(file.tensorNames == expected.keys.sorted())
        for (name, info) in expected {
            let entry = try file.entry(name)
            #expect(entry.dtype.rawValue == info["dtype"] as? String, "\(name)")
            #expect(entry.shape == info["shape"] as? [Int], "\(name)")
            if entry.dtype == .i64 {
                let values = try file.integers(name)
                #expect(values.count == entry.elementCount)
                #expect(values.reduce(0, +) == info["int_sum"] as? Int, "\(name)")
                #expect(Array(values.prefix(8)) == info["first8"] as? [Int], "\(name)")
                #expect(throws: CheckpointError.self) { try file.tensor(name) }
            } else {
                let tensor = try file.tensor(name)
                #expect(tensor.shape == entry.shape)
                #expect(tensor.name == name)
                let checksum = try #require((info["checksum"] as? String).flatMap(UInt64.init))
                #expect(bitChecksum(tensor) == checksum, "\(name)")
                let firstBits = Array(tensor.scalars.prefix(4).map { Int($0.bitPattern) })
                #expect(firstBits == info["first4_bits"] as? [Int], "\(name)")
                #expect(throws: CheckpointError.self) { try file.integers(name) }
            }
        }
    }

    @Test("bf16 raw access keeps the stored bits")
    func rawBF16Access() throws {
        let path = Fixtures.fixture("models/tiny-qwen3/model.safetensors").path
        guard FileManager.default.fileExists(atPath: path) else {
            print("SKIP: fixture \(path) not present")
            return
        }
        let file = try SafetensorsFile(path: path)
        let name = "model.layers.0.input_layernorm.weight"
        let entry = try file.entry(name)
        #expect(entry.dtype == .bf16)
        #expect(entry.dtype.storageType == .bf16)
        #expect(entry.fileOffsets.count == entry.elementCount * 2)
        let widened = try file.tensor(name)
        let bits: [UInt16] = try file.withRawBytes(of: name) { raw in
            (0..<entry.elementCount).map { raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self) }
        }
        #expect(bits.map { HalfConversion.float(fromBF16: $0) } == widened.scalars)
    }

    @Test("metadata and the checkpoint opener (file, directory)")
    func metadataAndCheckpointOpening() throws {
        let directory = Fixtures.fixture("models/tiny-bert")
        guard FileManager.default.fileExists(atPath: directory.path) else {
            print("SKIP: fixture \(directory.path) not present")
            return
        }
        let file = try SafetensorsFile(path: directory.appendingPathComponent("model.safetensors").path)
        #expect(file.metadata["format"] == "pt")
        let checkpoint = try SafetensorsCheckpoint(path: directory.path)
        #expect(checkpoint.tensorNames == file.tensorNames)
        #expect(checkpoint.files.count == 1)
        let name = try #require(file.tensorNames.first)
        #expect(try checkpoint.tensor(name).scalars == file.tensor(name).scalars)
        #expect(throws: CheckpointError.self) { try checkpoint.tensor("no.such.tensor") }
    }

    @Test("real MiniLM-L6 directory: f32 weights and the int64 position_ids buffer")
    func realMiniLM() throws {
        guard let directory = Fixtures.miniLMDirectory else { return }
        let start = ContinuousClock.now
        let checkpoint = try SafetensorsCheckpoint(path: directory.path)
        var values = 0
        for name in checkpoint.tensorNames where try checkpoint.entry(name).dtype.isFloatingPoint {
            values += try checkpoint.tensor(name).count
        }
        print("MiniLM-L6 safetensors: read \(values) f32 values in \(ContinuousClock.now - start) (shared machine)")
        #expect(checkpoint.tensorNames.contains("embeddings.word_embeddings.weight"))
        #expect(try checkpoint.shape(of: "embeddings.word_embeddings.weight") == [30522, 384])
        if checkpoint.tensorNames.contains("embeddings.position_ids") {
            let positions = try checkpoint.integers("embeddings.position_ids")
            #expect(positions == Array(0..<positions.count))
        }
    }
}
