import Testing
@testable import SiftTensor

@Suite("element-wise arithmetic")
struct ElementwiseTests {
    /// Shape pairs covering every path: same shape, row-vector broadcast, scalar, general strided, odd sizes.
    static let shapePairs: [([Int], [Int])] = [
        ([7], [7]), ([1], [1]), ([65], [65]), ([2, 3, 5], [2, 3, 5]),
        ([4, 7], [7]), ([7], [4, 7]), ([2, 3, 65], [65]), ([300, 7], [7]),
        ([3, 5], [1]), ([1], [3, 5]), ([2, 3], []),
        ([3, 1, 5], [4, 1]), ([4, 1], [3, 1, 5]), ([2, 3, 1], [1, 3, 7]), ([3, 4], [3, 1]),
    ]

    static let operators: [String] = ["+", "-", "*", "/"]

    @Test("binary ops with broadcasting match the reference and finite differences", arguments: operators, shapePairs)
    func binary(op: String, shapes: ([Int], [Int])) throws {
        var a = randomReference(shapes.0, seed: 21)
        var b = randomReference(shapes.1, seed: 22)
        if op == "/" {  // keep the divisor away from zero so finite differences are well conditioned
            b = b.map { $0 < 0 ? $0 - 0.5 : $0 + 0.5 }
        }
        a = a.map { $0 }
        let fast: ([Tensor]) throws -> Tensor
        let reference: ([ReferenceTensor]) -> ReferenceTensor
        switch op {
        case "+": fast = { try $0[0] + $0[1] }; reference = { Reference.add($0[0], $0[1]) }
        case "-": fast = { try $0[0] - $0[1] }; reference = { Reference.subtract($0[0], $0[1]) }
        case "*": fast = { try $0[0] * $0[1] }; reference = { Reference.multiply($0[0], $0[1]) }
        default: fast = { try $0[0] / $0[1] }; reference = { Reference.divide($0[0], $0[1]) }
        }
        try checkOp("\(shapes.0) \(op) \(shapes.1)", inputs: [a, b], fast: fast, reference: reference)
    }

    @Test("large tensors (parallel chunks) match the reference")
    func largeParallel() throws {
        let a = randomReference([3, 40, 700], seed: 23), b = randomReference([40, 1], seed: 24)
        let row = randomReference([700], seed: 25)
        for (x, y) in [(a, b), (a, row), (a, a)] {
            let fast = try x.tensor() * y.tensor()
            #expect(maxRelativeError(fast.scalars.map(Double.init), Reference.multiply(x, y).data) < 1e-6)
        }
    }

    @Test("random broadcast-compatible shapes (rank 0–4, random size-1 axes) match the reference")
    func randomShapes() throws {
        var rng = SeededGenerator(seed: 27)
        for trial in 0..<60 {
            let rank = Int(rng.next() % 5)
            let full = (0..<rank).map { _ in 1 + Int(rng.next() % 4) }
            func variant() -> [Int] {
                let dropped = Int(rng.next() % UInt64(rank + 1))  // drop some leading axes
                return full.dropFirst(dropped).map { rng.nextUniform() < 0.35 ? 1 : $0 }
            }
            let shapeA = variant(), shapeB = variant()
            let a = randomReference(shapeA, seed: 100 + UInt64(trial))
            let b = randomReference(shapeB, seed: 200 + UInt64(trial)).map { $0 < 0 ? $0 - 0.5 : $0 + 0.5 }
            if trial % 4 == 0 {
                try checkOp("random \(shapeA) / \(shapeB)", inputs: [a, b], fast: { try $0[0] / $0[1] },
                            reference: { Reference.divide($0[0], $0[1]) })
                continue
            }
            let fast = try a.tensor() * b.tensor() - b.tensor()
            let expected = Reference.subtract(Reference.multiply(a, b), b)
            #expect(fast.shape == expected.shape, "\(shapeA) * \(shapeB): shape")
            #expect(maxRelativeError(fast.scalars.map(Double.init), expected.data) < 1e-5, "\(shapeA) * \(shapeB)")
        }
    }

    @Test("the same tensor on both sides accumulates both gradients")
    func sameInputTwice() throws {
        try checkOp("x * x + x", inputs: [randomReference([3, 5], seed: 26)],
                    fast: { try $0[0] * $0[0] + $0[0] },
                    reference: { Reference.add(Reference.multiply($0[0], $0[0]), $0[0]) })
    }

    @Test("incompatible shapes throw")
    func shapeErrors() throws {
        #expect(throws: TensorError.self) { try Tensor.zeros([2, 3]) + Tensor.zeros([3, 1]) }
        #expect(throws: TensorError.self) { try Tensor.zeros([4]) * Tensor.zeros([5]) }
        #expect(throws: TensorError.self) { try Tensor.zeros([2, 3, 4]) - Tensor.zeros([3, 3]) }
        #expect(try Tensor.broadcastShape([3, 1, 5], [4, 1]) == [3, 4, 5])
        #expect(try Tensor.broadcastShape([0, 2], [1]) == [0, 2])
        #expect(try (Tensor.zeros([0, 2]) + Tensor.zeros([2])).shape == [0, 2])
    }
}

@Suite("element-wise unary maps")
struct UnaryTests {
    static let shapes: [[Int]] = [[1], [3], [7], [2, 65], [5, 13]]

    @Test("adding, scaled, negated, squared, exp", arguments: shapes)
    func anyInput(shape: [Int]) throws {
        let x = [randomReference(shape, seed: 31)]
        try checkOp("adding", inputs: x, fast: { $0[0].adding(0.75) }, reference: { Reference.adding($0[0], 0.75) })
        try checkOp("scaled", inputs: x, fast: { $0[0].scaled(by: -1.5) }, reference: { Reference.scaled($0[0], by: -1.5) })
        try checkOp("negated", inputs: x, fast: { $0[0].negated() }, reference: { Reference.negated($0[0]) })
        try checkOp("squared", inputs: x, fast: { $0[0].squared() }, reference: { Reference.squared($0[0]) })
        try checkOp("exp", inputs: x, fast: { $0[0].exp() }, reference: { Reference.exp($0[0]) })
    }

    @Test("sqrt and log on positive inputs", arguments: shapes)
    func positiveInput(shape: [Int]) throws {
        let x = [randomReference(shape, seed: 32).map { abs($0) + 0.25 }]
        try checkOp("sqrt", inputs: x, fast: { $0[0].sqrt() }, reference: { Reference.sqrt($0[0]) })
        try checkOp("log", inputs: x, fast: { $0[0].log() }, reference: { Reference.log($0[0]) })
    }
}
