// The weights of a model by Hugging Face parameter name, loaded strictly: a checkpoint must hold
// exactly the expected tensors with the expected shapes, or loading fails listing every problem.
import SiftTensor

/// A name → f32 tensor map (a "state dict") checked against what a model expects.
public struct WeightSet: @unchecked Sendable {
    /// The tensors by name.
    public private(set) var tensors: [String: Tensor]

    /// Wraps existing tensors.
    public init(_ tensors: [String: Tensor] = [:]) {
        self.tensors = tensors
    }

    /// Names, sorted.
    public var names: [String] { tensors.keys.sorted() }

    /// The tensor called `name`, or nil.
    public subscript(name: String) -> Tensor? {
        get { tensors[name] }
        set { tensors[name] = newValue }
    }

    /// The tensor called `name`; throws naming it if absent.
    public func tensor(_ name: String) throws -> Tensor {
        guard let tensor = tensors[name] else {
            throw CheckpointError.tensorNotFound(name: name, path: "the loaded weight set", available: tensors.count)
        }
        return tensor
    }

    /// Loads exactly the `expected` tensors from `source`.
    ///
    /// Names are checked before any data is read. Throws ``CheckpointError/weightMismatch(_:)`` listing
    /// every missing, unexpected and mis-shaped tensor at once.
    /// - Parameters:
    ///   - expected: the model's parameters, name and row-major shape.
    ///   - ignoring: checkpoint tensors that may be present and are skipped (e.g. `embeddings.position_ids`).
    ///   - optional: expected tensors that may be absent (e.g. `lm_head.weight` when tied to the embeddings).
    ///   - sourceName: how to name the source in messages.
    public static func load(
        from source: some TensorSource, expecting expected: [(name: String, shape: [Int])],
        ignoring: Set<String> = [], optional: Set<String> = [], sourceName: String = "checkpoint"
    ) throws -> WeightSet {
        let report = try mismatches(in: source, expecting: expected, ignoring: ignoring, optional: optional, sourceName: sourceName)
        guard report.isEmpty else { throw CheckpointError.weightMismatch(report) }
        let available = Set(source.tensorNames)
        var tensors: [String: Tensor] = [:]
        for (name, _) in expected where available.contains(name) {
            tensors[name] = try source.loadTensor(name)
        }
        return WeightSet(tensors)
    }

    /// Compares `source` with `expected` without reading tensor data.
    public static func mismatches(
        in source: some TensorSource, expecting expected: [(name: String, shape: [Int])],
        ignoring: Set<String> = [], optional: Set<String> = [], sourceName: String = "checkpoint"
    ) throws -> WeightMismatchReport {
        let available = Set(source.tensorNames)
        var expectedNames = Set<String>()
        var missing: [String] = []
        var misshaped: [WeightMismatchReport.ShapeMismatch] = []
        for (name, shape) in expected {
            guard expectedNames.insert(name).inserted else {
                throw CheckpointError.invalidArgument("WeightSet: the expected list names '\(name)' twice")
            }
            guard available.contains(name) else {
                if !optional.contains(name) { missing.append(name) }
                continue
            }
            let actual = try source.shape(of: name)
            if actual != shape { misshaped.append(.init(name: name, expected: shape, actual: actual)) }
        }
        let unexpected = available.subtracting(expectedNames).subtracting(ignoring).sorted()
        return WeightMismatchReport(source: sourceName, missing: missing.sorted(), unexpected: unexpected, misshaped: misshaped)
    }

    /// Checks tensors already in memory against `expected` (same rules as ``load(from:expecting:ignoring:optional:sourceName:)``).
    public func validate(expecting expected: [(name: String, shape: [Int])], ignoring: Set<String> = [], optional: Set<String> = []) throws {
        let report = try WeightSet.mismatches(in: self, expecting: expected, ignoring: ignoring, optional: optional, sourceName: "weight set")
        guard report.isEmpty else { throw CheckpointError.weightMismatch(report) }
    }
}

extension WeightSet: TensorSource {
    public var tensorNames: [String] { names }
    public func shape(of name: String) throws -> [Int] { try tensor(name).shape }
    public func loadTensor(_ name: String) throws -> Tensor { try tensor(name) }
}
