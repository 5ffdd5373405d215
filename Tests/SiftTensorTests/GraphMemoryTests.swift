// End-to-end autodiff through several ops, inference mode, and freeing of the saved activations.
import Testing
@testable import SiftTensor

@Suite("graph, inference mode and memory", .serialized)
struct GraphMemoryTests {
    /// Other suites run concurrently and touch the process-wide counters: a counter check passes
    /// if one of several attempts sees the expected delta. A real leak or a recorded node makes
    /// every attempt fail, so this cannot hide one.
    func holdsOnSomeAttempt(_ attempts: Int = 50, _ body: () throws -> Bool) rethrows -> Bool {
        for _ in 0..<attempts where try body() { return true }
        return false
    }

    @Test("a small MLP (linear → tanh → linear → sum) has finite-difference gradients end to end")
    func mlpGradients() throws {
        try checkOp(
            "MLP",
            inputs: [randomReference([4, 5], seed: 81), randomReference([7, 5], seed: 82, scale: 0.5),
                     randomReference([7], seed: 83), randomReference([3, 7], seed: 84, scale: 0.5),
                     randomReference([3], seed: 85)],
            fast: { try $0[0].linear(weight: $0[1], bias: $0[2]).tanh().linear(weight: $0[3], bias: $0[4]).sum() },
            reference: {
                Reference.sumAll(Reference.linear(
                    Reference.tanh(Reference.linear($0[0], weight: $0[1], bias: $0[2])), weight: $0[3], bias: $0[4]))
            })
    }

    @Test("a graph mixing every op family has finite-difference gradients")
    func mixedGraph() throws {
        // x [2, 3, 4] → permute → reshape → matmul with w → + bias row → slice → concat → mean(axis) → sum
        try checkOp(
            "mixed graph",
            inputs: [randomReference([2, 3, 4], seed: 86), randomReference([3, 5], seed: 87), randomReference([5], seed: 88)],
            fast: { t in
                let h = try t[0].permuted([0, 2, 1]).reshaped([8, 3]).matmul(t[1]) + t[2]
                let joined = try Tensor.concat([h.slice(axis: 0, range: 0..<3), h.squared()], axis: 0)
                return try (joined.mean(axis: 1) * joined.sum(axis: 1)).sum()
            },
            reference: { r in
                let h = Reference.add(Reference.matmul(Reference.reshape(Reference.permute(r[0], [0, 2, 1]), [8, 3]), r[1]), r[2])
                let joined = Reference.concat([Reference.slice(h, axis: 0, range: 0..<3), Reference.squared(h)], axis: 0)
                return Reference.sumAll(Reference.multiply(Reference.mean(joined, axis: 1), Reference.sum(joined, axis: 1)))
            })
    }

    @Test("linear and matmul in inference mode record nothing and allocate only their output")
    func inferenceMode() throws {
        let x = randomReference([6, 5], seed: 91).tensor(requiresGrad: true)
        let weight = randomReference([4, 5], seed: 92).tensor(requiresGrad: true)
        let bias = randomReference([4], seed: 93).tensor(requiresGrad: true)
        let y = try withNoGrad { try x.linear(weight: weight, bias: bias).matmul(weight) }
        #expect(y.gradFn == nil && !y.requiresGrad)
        #expect(throws: TensorError.self) { try y.backward() }
        let quiet = try holdsOnSomeAttempt {
            let nodes = GradMode.recordedNodeCount, allocations = StorageStatistics.allocationCount
            let z = try withNoGrad { try x.linear(weight: weight, bias: bias) }
            let w = try withNoGrad { try z.matmul(weight) }
            return GradMode.recordedNodeCount == nodes && StorageStatistics.allocationCount == allocations + 2
                && w.shape == [6, 5]
        }
        #expect(quiet, "inference-mode linear/matmul recorded graph nodes or allocated more than their outputs")
    }

    @Test("after backward the saved activations are freed: only the gradients stay")
    func backwardFreesActivations() throws {
        let x = randomReference([8, 5], seed: 94).tensor(requiresGrad: false)
        let w1 = randomReference([7, 5], seed: 95).tensor(requiresGrad: true)
        let b1 = randomReference([7], seed: 96).tensor(requiresGrad: true)
        let w2 = randomReference([3, 7], seed: 97).tensor(requiresGrad: true)

        // Deterministic check: the hidden activation's storage dies with the graph.
        weak var hiddenStorage: TensorStorage?
        do {
            let hidden = try x.linear(weight: w1, bias: b1).tanh()
            hiddenStorage = hidden.storage
            let loss = try hidden.matmul(w2, transposeOther: true).sum()
            try loss.backward()
        }
        #expect(hiddenStorage == nil, "the saved activation outlived backward()")
        for p in [w1, b1, w2] { p.zeroGrad() }

        // Counter check: live buffers return to the baseline plus exactly one gradient per parameter.
        let freed = try holdsOnSomeAttempt {
            for p in [w1, b1, w2] { p.zeroGrad() }
            let baseline = StorageStatistics.liveBufferCount
            do {
                let loss = try x.linear(weight: w1, bias: b1).tanh().matmul(w2, transposeOther: true).sum()
                try loss.backward()
            }
            return StorageStatistics.liveBufferCount == baseline + 3
        }
        #expect(freed, "live buffers after backward() are not baseline + 3 gradients")
        #expect(w1.grad?.shape == [7, 5] && b1.grad?.shape == [7] && w2.grad?.shape == [3, 7])
    }

    @Test("no op keeps its output alive: graphs are freed after backward, and when dropped without it",
          arguments: [true, false])
    func noRetainCycles(runBackward: Bool) throws {
        let x = randomReference([4, 6], seed: 98).tensor(requiresGrad: true)
        let w = randomReference([6, 6], seed: 99).tensor(requiresGrad: true)
        var intermediates: [WeakTensor] = []
        do {
            func keep(_ t: Tensor) -> Tensor { intermediates.append(WeakTensor(t)); return t }
            let a = keep(try x.matmul(w))
            let b = keep(try a.linear(weight: w, bias: x.slice(axis: 0, range: 0..<1).reshaped([6])))
            let c = keep(try (b + a) * (b - a.scaled(by: 0.5)) / a.squared().adding(1))
            let d = keep(try Tensor.concat([c.permuted([1, 0]), c.transposed(0, 1).exp().negated()], axis: 0))
            let e = keep(try d.sum(axis: 1).mean(axis: 0, keepDims: true) + d.mean() + d.squared().adding(1).sqrt().log().sum())
            #expect(e.gradFn != nil)
            if runBackward { try e.sum().backward() }
        }
        #expect(intermediates.count == 5)
        for (i, ref) in intermediates.enumerated() {
            #expect(ref.tensor == nil && ref.storage == nil, "intermediate \(i) outlived its graph (a backward closure retains its output?)")
        }
        #expect((x.grad != nil && w.grad != nil) == runBackward)
    }

    @Test("gradients handed to two leaves never share storage")
    func gradientsDoNotAlias() throws {
        let a = try Tensor(shape: [3], values: [1, 2, 3], requiresGrad: true)
        let b = try Tensor(shape: [3], values: [4, 5, 6], requiresGrad: true)
        try (a + b).sum().backward()
        let ga = try #require(a.grad), gb = try #require(b.grad)
        #expect(ga.storage !== gb.storage)
        try (a + b).sum().backward()  // accumulating into a.grad must not touch b.grad
        #expect(ga.scalars == [2, 2, 2] || a.grad?.scalars == [2, 2, 2])
        #expect(b.grad?.scalars == [2, 2, 2])
    }
}

/// A weak reference to a tensor and its storage, to observe when a graph is released.
final class WeakTensor {
    weak var tensor: Tensor?
    weak var storage: TensorStorage?
    init(_ tensor: Tensor) {
        self.tensor = tensor
        self.storage = tensor.storage
    }
}
