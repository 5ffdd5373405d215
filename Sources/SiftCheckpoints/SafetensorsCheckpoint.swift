// A Hugging Face checkpoint in safetensors form: one `model.safetensors`, or shards listed by
// `model.safetensors.index.json` ({"metadata": {...}, "weight_map": {tensor name: shard file}}).
import Foundation
import SiftTensor

/// A safetensors checkpoint of one or more files, addressed by tensor name.
public final class SafetensorsCheckpoint: TensorSource, @unchecked Sendable {
    /// The opened files (one for an unsharded checkpoint), in shard-name order.
    public let files: [SafetensorsFile]
    /// Every tensor name, sorted.
    public let tensorNames: [String]
    /// Where the checkpoint was opened from (file, index or directory).
    public let location: String

    private let fileForTensor: [String: Int]

    /// Opens a checkpoint from a directory (its `model.safetensors.index.json`, else `model.safetensors`),
    /// a shard index (`….index.json`) or a single `.safetensors` file.
    public init(path: String) throws {
        location = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CheckpointError.cannotOpen(path: path, reason: "no such file or directory")
        }
        let indexPath: String?
        if isDirectory.boolValue {
            let directory = URL(fileURLWithPath: path)
            let index = directory.appendingPathComponent("model.safetensors.index.json").path
            let single = directory.appendingPathComponent("model.safetensors").path
            if FileManager.default.fileExists(atPath: index) {
                indexPath = index
            } else if FileManager.default.fileExists(atPath: single) {
                indexPath = nil
                let file = try SafetensorsFile(path: single)
                files = [file]
                tensorNames = file.tensorNames
                fileForTensor = Dictionary(uniqueKeysWithValues: file.tensorNames.map { ($0, 0) })
                return
            } else {
                throw CheckpointError.cannotOpen(
                    path: path, reason: "the directory has neither model.safetensors.index.json nor model.safetensors")
            }
        } else {
            indexPath = path.hasSuffix(".json") ? path : nil
        }
        guard let indexPath else {
            let file = try SafetensorsFile(path: path)
            files = [file]
            tensorNames = file.tensorNames
            fileForTensor = Dictionary(uniqueKeysWithValues: file.tensorNames.map { ($0, 0) })
            return
        }
        let (shardFiles, mapping) = try SafetensorsCheckpoint.openShards(indexPath: indexPath)
        files = shardFiles
        fileForTensor = mapping
        tensorNames = mapping.keys.sorted()
    }

    /// Opens a checkpoint from a URL (see ``init(path:)``).
    public convenience init(url: URL) throws { try self.init(path: url.path) }

    /// The file that holds `name`.
    public func file(holding name: String) throws -> SafetensorsFile {
        guard let position = fileForTensor[name] else {
            throw CheckpointError.tensorNotFound(name: name, path: location, available: tensorNames.count)
        }
        return files[position]
    }

    /// The header entry of `name` (dtype, shape, byte range) in its shard.
    public func entry(_ name: String) throws -> SafetensorsEntry { try file(holding: name).entry(name) }

    public func shape(of name: String) throws -> [Int] { try entry(name).shape }

    /// Reads a floating-point tensor as f32.
    public func tensor(_ name: String) throws -> Tensor { try file(holding: name).tensor(name) }

    public func loadTensor(_ name: String) throws -> Tensor { try tensor(name) }

    /// Reads an integer tensor as `[Int]`.
    public func integers(_ name: String) throws -> [Int] { try file(holding: name).integers(name) }

    private static func openShards(indexPath: String) throws -> ([SafetensorsFile], [String: Int]) {
        let indexFile = try MappedFile(path: indexPath)
        let json = try JSONParser.parse(indexFile.bytes, path: indexPath)
        guard case let .object(root) = json else {
            throw CheckpointError.malformedSafetensors(path: indexPath, reason: "the shard index is \(json.kindName), not a JSON object")
        }
        guard case let .object(weightMap)? = root["weight_map"] else {
            throw CheckpointError.malformedSafetensors(path: indexPath, reason: "the shard index has no \"weight_map\" object")
        }
        let directory = URL(fileURLWithPath: indexPath).deletingLastPathComponent()
        var shardPosition: [String: Int] = [:]
        var shards: [SafetensorsFile] = []
        var mapping: [String: Int] = [:]
        for shardName in Set(weightMap.keys.compactMap { weightMap[$0]?.stringValue }).sorted() {
            guard !shardName.contains("/"), shardName != "..", !shardName.isEmpty else {
                throw CheckpointError.malformedSafetensors(path: indexPath, reason: "shard name \"\(shardName)\" is not a plain file name")
            }
            shardPosition[shardName] = shards.count
            shards.append(try SafetensorsFile(path: directory.appendingPathComponent(shardName).path))
        }
        for name in weightMap.keys {
            guard let shardName = weightMap[name]?.stringValue, let position = shardPosition[shardName] else {
                throw CheckpointError.malformedSafetensors(path: indexPath, reason: "weight_map[\"\(name)\"] is not a shard file name")
            }
            guard shards[position].contains(name) else {
                throw CheckpointError.malformedSafetensors(
                    path: indexPath, reason: "weight_map says '\(name)' is in \(shardName), but that shard does not hold it")
            }
            mapping[name] = position
        }
        return (shards, mapping)
    }
}
