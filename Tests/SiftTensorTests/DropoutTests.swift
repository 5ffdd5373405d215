import Testing
@testable import SiftTensor

@Suite("Dropout")
struct DropoutTests {
    @Test("same seed gives the same mask; another seed a different one")
    func reproducible() throws {
        let x = try Tensor.full([1000], value: 1)
        var a = SeededGenerator(seed: 5), b = SeededGenerator(seed: 5), c = SeededGenerator(seed: 6)
        let ya = try x.dropout(probability: 0.3, generator: &a, training: true).scalars
        let yb = try x.dropout(probability: 0.3, generator: &b, training: true).scalars
        let yc = try x.dropout(probability: 0.3, generator: &c, training: true).scalars
        #expect(ya == yb)
        #expect(ya != yc)
        #expect(a == b)  // both generators advanced the same way
    }

    @Test("kept values are scaled by 1/(1−p), about p are dropped, and the mean is preserved", arguments: [0.1, 0.25, 0.5])
    func scaling(probability: Float) throws {
        let n = 100_000
        let x = try Tensor.full([n], value: 1)
        var rng = SeededGenerator(seed: 77)
        let y = try x.dropout(probability: probability, generator: &rng, training: true).scalars
        let scale = 1 / (1 - probability)
        #expect(y.allSatisfy { $0 == 0 || $0 == scale })
        let dropped = Double(y.filter { $0 == 0 }.count) / Double(n)
        // Binomial standard deviation is ≤ 0.0016 here; 5σ margin.
        #expect(abs(dropped - Double(probability)) < 0.008)
        let mean = y.reduce(0.0) { $0 + Double($1) } / Double(n)
        #expect(abs(mean - 1) < 0.02)
    }

    @Test("backward applies the same mask and scale")
    func backwardUsesMask() throws {
        var rng = SeededGenerator(seed: 3)
        let x = try rng.normal([7, 65], requiresGrad: true)
        let y = try x.dropout(probability: 0.4, generator: &rng, training: true)
        let gradOut = try rng.normal([7, 65])
        try y.backward(gradient: gradOut)
        let grad = try #require(x.grad).scalars, xs = x.scalars, ys = y.scalars, g = gradOut.scalars
        let probability: Float = 0.4
        let scale = 1 / (1 - probability)
        var kept = 0
        for i in 0..<xs.count {
            let isKept = ys[i] != 0
            if isKept { kept += 1 }
            #expect(ys[i] == (isKept ? xs[i] * scale : 0))
            #expect(grad[i] == (isKept ? g[i] * scale : 0))
        }
        #expect(kept > 0 && kept < xs.count)
    }

    @Test("p = 0 and evaluation mode are the identity and draw nothing")
    func identity() throws {
        var rng = SeededGenerator(seed: 1)
        let before = rng
        let x = try rng.normal([3, 7])
        let afterNormal = rng
        #expect(try x.dropout(probability: 0, generator: &rng, training: true).scalars == x.scalars)
        #expect(try x.dropout(probability: 0.5, generator: &rng, training: false).scalars == x.scalars)
        #expect(rng == afterNormal && rng != before)
    }

    @Test("p = 1 drops everything; p outside [0, 1] throws")
    func edges() throws {
        var rng = SeededGenerator(seed: 1)
        let x = try Tensor.full([5], value: 2)
        #expect(try x.dropout(probability: 1, generator: &rng, training: true).scalars == [0, 0, 0, 0, 0])
        #expect(throws: TensorError.self) { try x.dropout(probability: -0.1, generator: &rng, training: true) }
        #expect(throws: TensorError.self) { try x.dropout(probability: 1.5, generator: &rng, training: true) }
        #expect(throws: TensorError.self) { try x.dropout(probability: .nan, generator: &rng, training: true) }
    }
}
