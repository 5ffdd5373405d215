// What is wrong when a checkpoint does not fit a model: every problem listed at once.

/// The tensors that are missing, unexpected or mis-shaped when matching a checkpoint to a model.
public struct WeightMismatchReport: Sendable, Equatable, CustomStringConvertible {
    /// A tensor whose shape differs from the model's.
    public struct ShapeMismatch: Sendable, Equatable {
        public let name: String
        public let expected: [Int]
        public let actual: [Int]
    }

    /// Where the weights came from (a path).
    public let source: String
    /// Names the model needs that the checkpoint lacks.
    public let missing: [String]
    /// Names in the checkpoint that the model does not use (and that were not explicitly ignored).
    public let unexpected: [String]
    /// Tensors present under the right name with the wrong shape.
    public let misshaped: [ShapeMismatch]

    /// Whether nothing is wrong.
    public var isEmpty: Bool { missing.isEmpty && unexpected.isEmpty && misshaped.isEmpty }

    public var description: String {
        var lines = ["the weights in '\(source)' do not match the model:"]
        func list(_ names: [String]) -> String {
            let shown = names.prefix(20).joined(separator: ", ")
            return names.count > 20 ? shown + ", … (\(names.count - 20) more)" : shown
        }
        if !missing.isEmpty { lines.append("  missing (\(missing.count)): \(list(missing))") }
        if !unexpected.isEmpty { lines.append("  unexpected (\(unexpected.count)): \(list(unexpected))") }
        for mismatch in misshaped.prefix(20) {
            lines.append("  wrong shape: \(mismatch.name) is \(mismatch.actual) in the checkpoint, the model expects \(mismatch.expected)")
        }
        if misshaped.count > 20 { lines.append("  … \(misshaped.count - 20) more wrong shapes") }
        lines.append("Check that the checkpoint is for this architecture and configuration (hidden size, layers, vocabulary); "
            + "unused buffers can be passed in the ignore list.")
        return lines.joined(separator: "\n")
    }
}
