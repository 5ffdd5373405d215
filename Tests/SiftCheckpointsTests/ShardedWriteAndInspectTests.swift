// Sharded checkpoint writing (index + numbered shards) and the text summary of checkpoints.
import Foundation
import Testing
import SiftTensor
@testable import SiftCheckpoints

@Suite("sharded writing and inspection")
struct ShardedWriteAndInspectTests {
    @Test("writeCheckpoint shards by size and the result reopens as one checkpoint")
    func shardedRoundTrip() throws {
        let directory = try TestFiles.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tensors = try SafetensorsWriteTests.sampleTensors()
        // 3·5 + 7 + 1 + 8 + 0 values × 4 bytes: a 40-byte limit forces several shards.
        let written = try SafetensorsWriter.writeCheckpoint(tensors, toDirectory: directory.path, maxShardBytes: 40)
        #expect(written.last == "model.safetensors.index.json")
        #expect(written.count > 2)
        #expect(written.first?.hasPrefix("model-00001-of-0000") == true)
        let index = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: directory.appendingPathComponent("model.safetensors.index.json"))) as? [String: Any])
        let total = (index["metadata"] as? [String: Any])?["total_size"] as? Int
        #expect(total == tensors.values.reduce(0) { $0 + $1.count * 4 })
        #expect((index["weight_map"] as? [String: String])?.count == tensors.count)

        let checkpoint = try SafetensorsCheckpoint(path: directory.path)
        #expect(checkpoint.files.count == written.count - 1)
        #expect(Set(checkpoint.tensorNames) == Set(tensors.keys))
        for (name, tensor) in tensors { #expect(try checkpoint.tensor(name).scalars == tensor.scalars, "\(name)") }

        // Under the limit: a single model.safetensors, no index.
        let single = directory.appendingPathComponent("single")
        #expect(try SafetensorsWriter.writeCheckpoint(tensors, toDirectory: single.path, dtype: .bf16) == ["model.safetensors"])
        #expect(try SafetensorsCheckpoint(path: single.path).tensorNames.count == tensors.count)
        #expect(throws: CheckpointError.self) { try SafetensorsWriter.writeCheckpoint(tensors, toDirectory: single.path, maxShardBytes: 0) }
    }

    @Test("describe summarises GGUF and safetensors checkpoints")
    func describe() throws {
        let gguf = try TestFiles.resource("quant-blocks.gguf")
        #expect(try CheckpointInspector.format(of: gguf) == .gguf)
        let text = try CheckpointInspector.describe(path: gguf)
        #expect(text.hasPrefix("GGUF v3: 13 tensors"))
        #expect(text.contains("q.q4_k  Q4_K [3, 256]"))
        #expect(text.contains("test.strings = [4 × string]"))
        #expect(text.contains("test.u64 = 9223372036854775813"))

        let directory = try TestFiles.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("m.safetensors").path
        try SafetensorsWriter.write(try SafetensorsWriteTests.sampleTensors(), to: path, dtype: .bf16)
        #expect(try CheckpointInspector.format(of: path) == .safetensors)
        let summary = try CheckpointInspector.describe(path: path, maxTensors: 2)
        #expect(summary.hasPrefix("safetensors: 5 tensors in 1 file(s)"))
        #expect(summary.contains("a.bias  BF16 [7]"))
        #expect(summary.contains("… 3 more"))
        #expect(throws: CheckpointError.self) { try CheckpointInspector.describe(path: "/nonexistent") }
    }
}
