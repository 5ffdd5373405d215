// The tensor: an f32 array with a row-major shape, an optional gradient, and the op that made it.
//
// Tensors are reference types so that gradients accumulate into parameters in place and so that
// the autodiff graph can point at its inputs. Data is always contiguous row-major; `reshape`
// shares storage, every other shape op copies.

/// An n-dimensional f32 array that can take part in reverse-mode autodiff.
public final class Tensor: @unchecked Sendable, CustomStringConvertible {
    /// Dimensions, outermost first (row-major). A scalar has shape `[]`.
    public let shape: [Int]
    /// The elements (shared with tensors reshaped from this one).
    public let storage: TensorStorage
    /// Whether gradients flow to this tensor. Parameters set it; op outputs inherit it.
    public var requiresGrad: Bool
    /// The accumulated gradient after `backward()` (same shape), for tensors that require grad.
    public var grad: Tensor?
    /// The recorded op that produced this tensor, or `nil` for leaves and in inference mode.
    public internal(set) var gradFn: GradNode?
    /// An optional name (Hugging Face parameter name for weights), used in messages.
    public var name: String?

    /// Wraps existing storage. `shape` must describe exactly `storage.count` elements.
    public init(shape: [Int], storage: TensorStorage, requiresGrad: Bool = false, name: String? = nil) throws {
        try Tensor.validate(shape: shape, op: "Tensor(shape:storage:)")
        let expected = shape.reduce(1, *)
        guard expected == storage.count else {
            throw TensorError.invalidShape(
                op: "Tensor(shape:storage:)", shape: shape,
                reason: "it holds \(expected) elements but the storage has \(storage.count)")
        }
        self.shape = shape
        self.storage = storage
        self.requiresGrad = requiresGrad
        self.name = name
    }

    /// Internal unchecked initialiser for kernels that computed a valid shape themselves.
    @usableFromInline
    init(uncheckedShape shape: [Int], storage: TensorStorage, requiresGrad: Bool = false) {
        self.shape = shape
        self.storage = storage
        self.requiresGrad = requiresGrad
    }

    /// A tensor holding a copy of `values`.
    public convenience init(shape: [Int], values: [Float], requiresGrad: Bool = false, name: String? = nil) throws {
        try Tensor.validate(shape: shape, op: "Tensor(shape:values:)")
        let expected = shape.reduce(1, *)
        guard expected == values.count else {
            throw TensorError.invalidShape(
                op: "Tensor(shape:values:)", shape: shape,
                reason: "it holds \(expected) elements but \(values.count) values were given")
        }
        try self.init(shape: shape, storage: TensorStorage(values), requiresGrad: requiresGrad, name: name)
    }

    /// A tensor of `shape` filled with `value`.
    public static func full(_ shape: [Int], value: Float, requiresGrad: Bool = false) throws -> Tensor {
        try validate(shape: shape, op: "Tensor.full")
        let count = shape.reduce(1, *)
        return Tensor(uncheckedShape: shape, storage: TensorStorage(count: count, repeating: value), requiresGrad: requiresGrad)
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) throws -> Tensor {
        try full(shape, value: 0, requiresGrad: requiresGrad)
    }

    /// A scalar (shape `[]`).
    public static func scalar(_ value: Float) -> Tensor {
        Tensor(uncheckedShape: [], storage: TensorStorage([value]))
    }

    /// Uninitialised output of a kernel (every element must be written).
    @usableFromInline
    static func uninitialized(_ shape: [Int], capacity: Int = 0) -> Tensor {
        Tensor(uncheckedShape: shape, storage: TensorStorage(uninitializedCount: shape.reduce(1, *), capacity: capacity))
    }

    /// Number of elements.
    @inlinable public var count: Int { storage.count }
    /// Number of dimensions.
    @inlinable public var rank: Int { shape.count }
    /// The elements, row-major, copied into an array.
    public var scalars: [Float] { Array(storage.buffer) }
    /// The single element of a one-element tensor.
    public var item: Float {
        precondition(count == 1, "Tensor.item needs exactly one element, this tensor has shape \(shape)")
        return storage.pointer[0]
    }
    /// Whether this tensor was produced by a recorded op (not a leaf).
    public var isLeaf: Bool { gradFn == nil }

    /// A new leaf sharing this tensor's storage, cut off from the graph.
    public func detached() -> Tensor {
        Tensor(uncheckedShape: shape, storage: storage)
    }

    /// A deep copy (new storage), not connected to the graph.
    public func copy() -> Tensor {
        let out = Tensor.uninitialized(shape)
        out.storage.pointer.update(from: storage.pointer, count: count)
        return out
    }

    public var description: String {
        let preview = scalars.prefix(8).map { String(format: "%.5g", $0) }.joined(separator: ", ")
        return "Tensor(\(shape)\(name.map { " \($0)" } ?? ""): [\(preview)\(count > 8 ? ", …" : "")])"
    }

    static func validate(shape: [Int], op: String) throws {
        if let bad = shape.first(where: { $0 < 0 }) {
            throw TensorError.invalidShape(op: op, shape: shape, reason: "dimension \(bad) is negative")
        }
    }

    /// Normalises a possibly negative axis (`-1` = last) and checks it.
    public func normalizedAxis(_ axis: Int, op: String) throws -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        guard resolved >= 0 && resolved < max(rank, 1) else {
            throw TensorError.axisOutOfRange(op: op, axis: axis, rank: rank)
        }
        return resolved
    }
}

import Foundation  // String(format:) in `description`
