// Slow, obviously-correct Float64 versions of the ops, used by the tests to check the fast
// kernels (forward) and, through central finite differences, their backward passes.

/// A plain Float64 row-major array with a shape: the data type of the reference implementations.
public struct ReferenceTensor: Sendable, Equatable {
    public var shape: [Int]
    public var data: [Double]

    public init(shape: [Int], data: [Double]) {
        precondition(shape.reduce(1, *) == data.count, "ReferenceTensor: shape \(shape) does not hold \(data.count) values")
        self.shape = shape
        self.data = data
    }

    /// The Float64 copy of a tensor.
    public init(_ tensor: Tensor) {
        self.init(shape: tensor.shape, data: tensor.scalars.map(Double.init))
    }

    public var count: Int { data.count }

    /// Rounds to an f32 tensor.
    public func tensor(requiresGrad: Bool = false) -> Tensor {
        // Force-try is safe: the shape and count agree by construction.
        try! Tensor(shape: shape, values: data.map(Float.init), requiresGrad: requiresGrad)
    }

    /// Applies `f` to every element.
    public func map(_ f: (Double) -> Double) -> ReferenceTensor {
        ReferenceTensor(shape: shape, data: data.map(f))
    }
}

/// Namespace of the reference (slow, Float64) op implementations.
public enum Reference {}
