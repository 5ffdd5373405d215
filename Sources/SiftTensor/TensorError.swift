// Typed errors of the tensor engine. Every message says what was wrong and what to do.

/// An error raised by a tensor operation: a shape, an index or an argument that does not fit.
public enum TensorError: Error, CustomStringConvertible, Equatable {
    /// Two shapes that must agree do not.
    case shapeMismatch(op: String, expected: String, got: [Int])
    /// A shape with a negative dimension, or an element count that does not match the data.
    case invalidShape(op: String, shape: [Int], reason: String)
    /// An axis out of range for the tensor's rank.
    case axisOutOfRange(op: String, axis: Int, rank: Int)
    /// An index (token id, row) out of range.
    case indexOutOfRange(op: String, index: Int, bound: Int)
    /// Any other invalid argument.
    case invalidArgument(op: String, reason: String)
    /// `backward()` was called on something it cannot start from.
    case backwardMisuse(String)

    public var description: String {
        switch self {
        case let .shapeMismatch(op, expected, got):
            return "\(op): shape mismatch: expected \(expected), got \(got). Check the shapes of the inputs you pass."
        case let .invalidShape(op, shape, reason):
            return "\(op): invalid shape \(shape): \(reason)."
        case let .axisOutOfRange(op, axis, rank):
            return "\(op): axis \(axis) is out of range for a tensor of rank \(rank) (use -\(rank)..<\(rank))."
        case let .indexOutOfRange(op, index, bound):
            return "\(op): index \(index) is out of range 0..<\(bound) (is the vocabulary or the table too small?)."
        case let .invalidArgument(op, reason):
            return "\(op): \(reason)."
        case let .backwardMisuse(reason):
            return "backward(): \(reason)."
        }
    }
}
