import Testing
@testable import SiftTensor

@Suite("Cross-entropy")
struct CrossEntropyTests {
    @Test("cross-entropy matches reference and gradient", arguments: [(1, 1), (3, 7), (7, 3), (65, 5), (4, 65)])
    func matchesReference(rows: Int, classes: Int) throws {
        let targets = (0..<rows).map { ($0 * 7 + 1) % classes }
        try checkOp(
            "crossEntropy", inputs: [randomReference([rows, classes], seed: UInt64(rows), scale: 3)],
            fast: { try Tensor.crossEntropy(logits: $0[0], targets: targets) },
            reference: { Reference.crossEntropy($0[0], targets: targets) })
    }

    @Test("ignored targets are left out of the mean and get zero gradient")
    func ignoreIndex() throws {
        let targets = [2, -100, 0, -100, 1]
        try checkOp(
            "crossEntropy(ignore)", inputs: [randomReference([5, 3], seed: 4, scale: 2)],
            fast: { try Tensor.crossEntropy(logits: $0[0], targets: targets) },
            reference: { Reference.crossEntropy($0[0], targets: targets) })
        let logits = randomReference([5, 3], seed: 4, scale: 2).tensor(requiresGrad: true)
        try Tensor.crossEntropy(logits: logits, targets: targets).backward()
        let grad = try #require(logits.grad).scalars
        #expect(grad[3..<6].allSatisfy { $0 == 0 } && grad[9..<12].allSatisfy { $0 == 0 })
        // A custom ignore index works the same way.
        let custom = try Tensor.crossEntropy(logits: logits.detached(), targets: [2, 7, 0, 7, 1], ignoreIndex: 7).item
        let standard = try Tensor.crossEntropy(logits: logits.detached(), targets: targets).item
        #expect(custom == standard)
    }

    @Test("an all-ignored batch gives loss 0 and a zero gradient, not NaN")
    func allIgnored() throws {
        let logits = randomReference([3, 4], seed: 2).tensor(requiresGrad: true)
        let loss = try Tensor.crossEntropy(logits: logits, targets: [-100, -100, -100])
        #expect(loss.item == 0)
        try loss.backward()
        #expect(try #require(logits.grad).scalars.allSatisfy { $0 == 0 })
    }

    @Test("cross-entropy rejects out-of-range targets and bad shapes")
    func errors() throws {
        let logits = try Tensor.zeros([2, 3])
        #expect(throws: TensorError.indexOutOfRange(op: "crossEntropy", index: 3, bound: 3)) {
            try Tensor.crossEntropy(logits: logits, targets: [0, 3])
        }
        #expect(throws: TensorError.self) { try Tensor.crossEntropy(logits: logits, targets: [0, -1]) }
        #expect(throws: TensorError.self) { try Tensor.crossEntropy(logits: logits, targets: [0]) }
        #expect(throws: TensorError.self) { try Tensor.crossEntropy(logits: try Tensor.zeros([6]), targets: [0]) }
    }
}
