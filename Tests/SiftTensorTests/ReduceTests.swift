import Testing
@testable import SiftTensor

@Suite("reductions")
struct ReduceTests {
    static let cases: [([Int], Int)] = [
        ([7], 0), ([1], 0), ([3, 5], 0), ([3, 5], 1), ([3, 5], -1), ([2, 3, 65], 1), ([2, 3, 65], 2),
        ([65, 3], 0), ([2, 1, 7], 1), ([4, 3, 2, 5], -3),
        ([300, 7], 0), ([2, 259, 3], 1), ([40, 3, 5], 1),  // row-block partials; per-slab threads
    ]

    @Test("sum and mean along an axis, with and without keepDims", arguments: cases, [false, true])
    func alongAxis(_ c: ([Int], Int), keepDims: Bool) throws {
        let (shape, axis) = c
        let resolved = axis < 0 ? axis + shape.count : axis
        let x = [randomReference(shape, seed: 41)]
        try checkOp("sum(axis: \(axis)) of \(shape)", inputs: x,
                    fast: { try $0[0].sum(axis: axis, keepDims: keepDims) },
                    reference: { Reference.sum($0[0], axis: resolved, keepDims: keepDims) })
        try checkOp("mean(axis: \(axis)) of \(shape)", inputs: x,
                    fast: { try $0[0].mean(axis: axis, keepDims: keepDims) },
                    reference: { Reference.mean($0[0], axis: resolved, keepDims: keepDims) })
    }

    @Test("sum and mean of everything", arguments: [[1], [7], [3, 5], [2, 3, 65], []])
    func all(shape: [Int]) throws {
        let x = [randomReference(shape, seed: 42)]
        try checkOp("sum() of \(shape)", inputs: x, fast: { $0[0].sum() }, reference: { Reference.sumAll($0[0]) })
        try checkOp("mean() of \(shape)", inputs: x, fast: { $0[0].mean() }, reference: { Reference.meanAll($0[0]) })
    }

    @Test("large reductions (parallel, SIMD) match the reference")
    func large() throws {
        let r = randomReference([37, 1000], seed: 43)
        let x = r.tensor()
        #expect(maxRelativeError(x.sum().scalars.map(Double.init), Reference.sumAll(r).data) < 1e-5)
        for axis in 0..<2 {
            let fast = try x.sum(axis: axis)
            #expect(maxRelativeError(fast.scalars.map(Double.init), Reference.sum(r, axis: axis).data) < 1e-5)
        }
    }

    @Test("parallel reductions are bit-identical run to run")
    func deterministic() throws {
        let x = randomReference([1000, 300], seed: 44).tensor()
        let first = [x.sum(), try x.sum(axis: 0), try x.sum(axis: 1), try x.reshaped([4, 250, 300]).mean(axis: 1)]
        for _ in 0..<3 {
            let again = [x.sum(), try x.sum(axis: 0), try x.sum(axis: 1), try x.reshaped([4, 250, 300]).mean(axis: 1)]
            for (a, b) in zip(first, again) {
                #expect(a.scalars.map(\.bitPattern) == b.scalars.map(\.bitPattern))
            }
        }
    }

    @Test("bad axes throw")
    func axisErrors() throws {
        let x = try Tensor.zeros([2, 3])
        #expect(throws: TensorError.self) { try x.sum(axis: 2) }
        #expect(throws: TensorError.self) { try x.mean(axis: -3) }
        #expect(throws: TensorError.self) { try Tensor.scalar(1).sum(axis: 0) }
        #expect(x.sum().shape == [])
        #expect(try Tensor.zeros([0]).mean().item.isNaN)
    }
}
