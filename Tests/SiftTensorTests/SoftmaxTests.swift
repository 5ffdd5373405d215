import Testing
@testable import SiftTensor

@Suite("Softmax")
struct SoftmaxTests {
    static let cases: [([Int], Int)] = [([1], -1), ([3], 0), ([7], -1), ([3, 65], -1), ([65, 3], 0), ([2, 7, 3], 1), ([2, 3, 5], -1)]

    @Test("softmax matches reference and gradient", arguments: cases)
    func softmax(shape: [Int], axis: Int) throws {
        try checkOp(
            "softmax", inputs: [randomReference(shape, seed: 1, scale: 3)], fast: { try $0[0].softmax(axis: axis) },
            reference: { Reference.softmax($0[0], axis: axis) })
    }

    @Test("log-softmax matches reference and gradient", arguments: cases)
    func logSoftmax(shape: [Int], axis: Int) throws {
        try checkOp(
            "logSoftmax", inputs: [randomReference(shape, seed: 2, scale: 3)], fast: { try $0[0].logSoftmax(axis: axis) },
            reference: { Reference.softmax($0[0], axis: axis, logarithmic: true) })
    }

    @Test("softmax is stable for huge logits")
    func stability() throws {
        let x = try Tensor(shape: [1, 3], values: [1000, 1000, -1000])
        let y = try x.softmax().scalars
        #expect(y[0] == 0.5 && y[1] == 0.5 && y[2] == 0)
        let logY = try x.logSoftmax().scalars
        #expect(logY.allSatisfy { $0.isFinite })
    }

    @Test("softmax rejects a bad axis or a scalar")
    func errors() throws {
        #expect(throws: TensorError.self) { try Tensor.zeros([2, 3]).softmax(axis: 2) }
        #expect(throws: TensorError.self) { try Tensor.scalar(1).softmax() }
    }
}
