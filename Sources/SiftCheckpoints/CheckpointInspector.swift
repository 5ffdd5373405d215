// A human-readable summary of a checkpoint (for a `sift inspect`-style command and for debugging).
import Foundation

/// Describes safetensors and GGUF checkpoints as text.
public enum CheckpointInspector {
    /// The format of `path`, decided from the file's first bytes (a directory is a safetensors checkpoint).
    public static func format(of path: String) throws -> CheckpointFormat {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CheckpointError.cannotOpen(path: path, reason: "no such file or directory")
        }
        if isDirectory.boolValue || path.hasSuffix(".json") { return .safetensors }
        let file = try MappedFile(path: path)
        if file.count >= 4, file.bytes.loadUnaligned(as: UInt32.self) == 0x4655_4747 { return .gguf }
        return .safetensors
    }

    /// A summary: format, metadata (long arrays abbreviated) and one line per tensor (name, type, shape).
    /// - Parameter maxTensors: how many tensor lines to print at most.
    public static func describe(path: String, maxTensors: Int = 50) throws -> String {
        var lines: [String] = []
        switch try format(of: path) {
        case .gguf:
            let file = try GGUFFile(path: path)
            lines.append("GGUF v\(file.version): \(file.tensors.count) tensors, \(file.metadata.keys.count) metadata keys, "
                + "alignment \(file.alignment), data at byte \(file.dataOffset) of \(file.fileSize)")
            for key in file.metadata.keys {
                if let value = file.metadata[key] { lines.append("  \(key) = \(value)") }
            }
            let counts = Dictionary(grouping: file.tensors, by: \.type.name).mapValues(\.count)
            lines.append("tensor types: " + counts.keys.sorted().map { "\($0) ×\(counts[$0] ?? 0)" }.joined(separator: ", "))
            for info in file.tensors.prefix(maxTensors) {
                let hfName = GGUFHuggingFaceWeights.huggingFaceName(for: info.name).map { " → \($0)" } ?? ""
                lines.append("  \(info.name)\(hfName)  \(info.type.name) \(info.shape)")
            }
            if file.tensors.count > maxTensors { lines.append("  … \(file.tensors.count - maxTensors) more") }
        case .safetensors:
            let checkpoint = try SafetensorsCheckpoint(path: path)
            let totalBytes = checkpoint.files.flatMap(\.entries).reduce(0) { $0 + $1.dataOffsets.count }
            lines.append("safetensors: \(checkpoint.tensorNames.count) tensors in \(checkpoint.files.count) file(s), \(totalBytes) data bytes")
            for file in checkpoint.files where !file.metadata.isEmpty {
                lines.append("  __metadata__ of \((file.path as NSString).lastPathComponent): "
                    + file.metadata.keys.sorted().map { "\($0)=\(file.metadata[$0] ?? "")" }.joined(separator: ", "))
            }
            for name in checkpoint.tensorNames.prefix(maxTensors) {
                let entry = try checkpoint.entry(name)
                lines.append("  \(name)  \(entry.dtype.rawValue) \(entry.shape)")
            }
            if checkpoint.tensorNames.count > maxTensors { lines.append("  … \(checkpoint.tensorNames.count - maxTensors) more") }
        }
        return lines.joined(separator: "\n")
    }
}
