// Reverse-mode automatic differentiation.
//
// Every op that sees an input requiring grad (while grad mode is on) records a `GradNode` on its
// output: the inputs and a closure that maps the output's gradient to the inputs' gradients. The
// closure captures exactly what backward needs (saved activations). `backward()` walks the nodes
// in reverse topological order, accumulates gradients, writes leaf gradients into `.grad`, and then
// drops every node so the saved activations are freed.
import Synchronization

/// Whether ops record the autodiff graph on the current thread/task.
public enum GradMode {
    @TaskLocal static var enabledValue = true

    /// `true` unless inside `withNoGrad` / `inferenceMode`.
    public static var isEnabled: Bool { enabledValue }

    static let recorded = Atomic<Int>(0)

    /// Number of graph nodes recorded in this process.
    public static var recordedNodeCount: Int { recorded.load(ordering: .relaxed) }

    /// Counts the nodes recorded in the current task only (bind with `GradMode.$recordCounter.withValue`),
    /// so a test is not disturbed by other tests recording in parallel.
    @TaskLocal public static var recordCounter: GraphRecordCounter?
}

/// A per-scope count of recorded graph nodes (see `GradMode.recordCounter`).
public final class GraphRecordCounter: @unchecked Sendable {
    /// Nodes recorded while this counter was bound.
    public var count = 0
    public init() {}
}

/// Runs `body` with graph recording off: ops allocate only their outputs and save nothing.
public func withNoGrad<T>(_ body: () throws -> T) rethrows -> T {
    try GradMode.$enabledValue.withValue(false, operation: body)
}

/// Runs `body` with graph recording on (e.g. a training step inside a no-grad region).
public func withGrad<T>(_ body: () throws -> T) rethrows -> T {
    try GradMode.$enabledValue.withValue(true, operation: body)
}

/// One recorded op: how to turn the output's gradient into its inputs' gradients.
public final class GradNode: @unchecked Sendable {
    /// The op's name, for debugging and error messages.
    public let op: String
    /// The op's tensor inputs, in the order `backward` returns their gradients.
    let inputs: [Tensor]
    /// Maps the output gradient to one gradient per input (`nil` where an input needs none).
    let backward: (Tensor) throws -> [Tensor?]

    init(op: String, inputs: [Tensor], backward: @escaping (Tensor) throws -> [Tensor?]) {
        self.op = op
        self.inputs = inputs
        self.backward = backward
    }
}

extension Tensor {
    /// Whether an op on `inputs` must record a node now.
    @inlinable
    public static func needsGraph(_ inputs: [Tensor]) -> Bool {
        GradMode.isEnabled && inputs.contains { $0.requiresGrad }
    }

    /// Records `op` as the producer of `self` if grad mode is on and an input requires grad.
    ///
    /// Op implementations call this after computing their output. `backward` receives the gradient
    /// of the output (same shape as `self`) and returns one gradient per input, each with that
    /// input's shape (or `nil`). It is only called during `backward()`; capture saved tensors in it.
    @discardableResult
    public func recordOp(
        _ op: String, inputs: [Tensor], backward: @escaping (Tensor) throws -> [Tensor?]
    ) -> Tensor {
        guard Tensor.needsGraph(inputs) else { return self }
        requiresGrad = true
        gradFn = GradNode(op: op, inputs: inputs, backward: backward)
        GradMode.recorded.add(1, ordering: .relaxed)
        GradMode.recordCounter?.count += 1
        return self
    }

    /// Back-propagates from this scalar: every leaf that requires grad gets `.grad += ∂self/∂leaf`.
    ///
    /// After it returns the graph is released (activations freed), so call it once per forward.
    /// - Parameter gradient: the seed gradient; defaults to 1 for a one-element tensor.
    public func backward(gradient: Tensor? = nil) throws {
        guard requiresGrad else {
            throw TensorError.backwardMisuse(
                "this tensor does not require grad: no parameter that requires grad took part in computing it, or it was computed inside withNoGrad")
        }
        let seed: Tensor
        if let gradient {
            guard gradient.shape == shape else {
                throw TensorError.shapeMismatch(op: "backward(gradient:)", expected: "\(shape)", got: gradient.shape)
            }
            seed = gradient.copy()  // op closures may keep or alias their incoming gradient
        } else {
            guard count == 1 else {
                throw TensorError.backwardMisuse("backward() without a gradient needs a one-element loss, got shape \(shape)")
            }
            seed = try Tensor.full(shape, value: 1)
        }

        // 1. Topological order of the recorded nodes reachable from self (iterative DFS, no recursion limit).
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Bool)] = [(self, false)]
        while let (tensor, expanded) = stack.popLast() {
            if expanded { order.append(tensor); continue }
            guard visited.insert(ObjectIdentifier(tensor)).inserted else { continue }
            stack.append((tensor, true))
            if let node = tensor.gradFn {
                for input in node.inputs where input.requiresGrad && !visited.contains(ObjectIdentifier(input)) {
                    stack.append((input, false))
                }
            }
        }

        // 2. Walk in reverse: pending gradients of intermediate tensors live only until consumed.
        var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seed]
        for tensor in order.reversed() {
            guard let outputGrad = pending.removeValue(forKey: ObjectIdentifier(tensor)) else { continue }
            guard let node = tensor.gradFn else {
                try tensor.accumulateGrad(outputGrad)  // a leaf
                continue
            }
            let inputGrads = try node.backward(outputGrad)
            for (input, inputGrad) in zip(node.inputs, inputGrads) {
                guard input.requiresGrad, let inputGrad else { continue }
                guard inputGrad.shape == input.shape else {
                    throw TensorError.shapeMismatch(
                        op: "backward of \(node.op)", expected: "gradient of shape \(input.shape)", got: inputGrad.shape)
                }
                let key = ObjectIdentifier(input)
                if let existing = pending[key] {
                    pending[key] = try existing.addingForGrad(inputGrad)
                } else {
                    pending[key] = inputGrad
                }
            }
        }

        // 3. Release the graph: saved activations are freed with the nodes.
        for tensor in order { tensor.gradFn = nil }
    }

    /// Adds `g` into `.grad` (allocating it on first use).
    public func accumulateGrad(_ g: Tensor) throws {
        guard g.shape == shape else {
            throw TensorError.shapeMismatch(op: "accumulateGrad(\(name ?? "tensor"))", expected: "\(shape)", got: g.shape)
        }
        if let grad {
            let n = count
            let dst = grad.storage.pointer, src = g.storage.pointer
            for i in 0..<n { dst[i] += src[i] }
        } else {
            grad = g.storage === storage ? g.copy() : g.detached()
        }
    }

    /// Sets `.grad` to nil (call between optimizer steps).
    public func zeroGrad() { grad = nil }

    /// Element-wise sum of two same-shape gradients into a new tensor (no graph).
    func addingForGrad(_ other: Tensor) throws -> Tensor {
        guard other.shape == shape else {
            throw TensorError.shapeMismatch(op: "gradient accumulation", expected: "\(shape)", got: other.shape)
        }
        let out = Tensor.uninitialized(shape)
        let a = storage.pointer, b = other.storage.pointer, o = out.storage.pointer
        for i in 0..<count { o[i] = a[i] + b[i] }
        return out
    }
}
