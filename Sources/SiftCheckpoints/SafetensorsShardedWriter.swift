// Writing a sharded Hugging Face checkpoint: model-0000k-of-0000n.safetensors files plus
// model.safetensors.index.json ({"metadata": {"total_size": N}, "weight_map": {name: file}}),
// the layout transformers' save_pretrained produces for large models.
import Foundation
import SiftTensor

extension SafetensorsWriter {
    /// Writes `tensors` into `directory` as one `model.safetensors` if they fit in `maxShardBytes`,
    /// else as numbered shards and an index. Returns the file names written.
    ///
    /// Tensors are assigned to shards in name order; a tensor larger than `maxShardBytes` gets a shard
    /// of its own. Each file is written atomically; the index is written last.
    @discardableResult
    public static func writeCheckpoint(
        _ tensors: [String: Tensor], toDirectory directory: String, dtype: DType = .f32,
        maxShardBytes: Int = 5_000_000_000, metadata: [String: String] = ["format": "pt"]
    ) throws -> [String] {
        guard maxShardBytes > 0 else {
            throw CheckpointError.invalidArgument("writeCheckpoint: maxShardBytes must be positive, got \(maxShardBytes)")
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let names = tensors.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var shards: [[String]] = []
        var current: [String] = []
        var currentBytes = 0
        var totalBytes = 0
        for name in names {
            let bytes = (tensors[name]?.count ?? 0) * dtype.byteSize
            totalBytes += bytes
            if !current.isEmpty && currentBytes + bytes > maxShardBytes {
                shards.append(current)
                current = []
                currentBytes = 0
            }
            current.append(name)
            currentBytes += bytes
        }
        if !current.isEmpty || shards.isEmpty { shards.append(current) }

        let base = URL(fileURLWithPath: directory)
        func subset(_ names: [String]) -> [(name: String, tensor: Tensor)] {
            names.compactMap { name in tensors[name].map { (name: name, tensor: $0) } }
        }
        if shards.count == 1 {
            try write(subset(shards[0]), to: base.appendingPathComponent("model.safetensors").path, dtype: dtype, metadata: metadata)
            return ["model.safetensors"]
        }
        func padded(_ value: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, 5 - text.count)) + text
        }
        var fileNames: [String] = []
        var weightMap: [(String, String)] = []
        for (position, shard) in shards.enumerated() {
            let fileName = "model-\(padded(position + 1))-of-\(padded(shards.count)).safetensors"
            try write(subset(shard), to: base.appendingPathComponent(fileName).path, dtype: dtype, metadata: metadata)
            fileNames.append(fileName)
            weightMap += shard.map { ($0, fileName) }
        }
        let mapText = weightMap.map { "    " + JSONWriter.quoted($0.0) + ": " + JSONWriter.quoted($0.1) }.joined(separator: ",\n")
        let index = "{\n  \"metadata\": {\n    \"total_size\": \(totalBytes)\n  },\n  \"weight_map\": {\n\(mapText)\n  }\n}\n"
        let indexName = "model.safetensors.index.json"
        try AtomicFileWriter.write(to: base.appendingPathComponent(indexName).path) { sink in
            try sink.write(Array(index.utf8))
        }
        return fileNames + [indexName]
    }
}
