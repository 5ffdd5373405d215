// Test helpers: compare a fast op with its Float64 reference, and its autodiff gradient with a
// central finite difference of the reference (in Float64).
import Testing
@testable import SiftTensor

/// Maximum relative error between two arrays: max|a−b| / max(max|b|, floor).
func maxRelativeError(_ a: [Double], _ b: [Double], floor: Double = 1e-6) -> Double {
    precondition(a.count == b.count, "arrays differ in length: \(a.count) vs \(b.count)")
    var maxDiff = 0.0, maxRef = 0.0
    for (x, y) in zip(a, b) {
        maxDiff = max(maxDiff, abs(x - y))
        maxRef = max(maxRef, abs(y))
    }
    return maxDiff / max(maxRef, floor)
}

/// Checks forward and backward of an op.
///
/// - `fast`: builds the output from f32 tensors (with autodiff).
/// - `reference`: the same function in Float64.
/// - `inputs`: the Float64 inputs; the ones at `differentiable` indices get gradient-checked.
/// The scalar loss is Σ output ⊙ w with fixed random weights w, so every output element matters.
func checkOp(
    _ name: String,
    inputs: [ReferenceTensor],
    differentiable: [Int]? = nil,
    forwardTolerance: Double = 1e-5,
    gradientTolerance: Double = 1e-3,
    step: Double = 1e-3,
    seed: UInt64 = 7,
    fast: ([Tensor]) throws -> Tensor,
    reference: ([ReferenceTensor]) -> ReferenceTensor,
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let checked = differentiable ?? Array(inputs.indices)
    // 1. Forward: fast f32 vs reference f64.
    let tensors = inputs.enumerated().map { i, r in r.tensor(requiresGrad: checked.contains(i)) }
    let output = try fast(tensors)
    let expected = reference(inputs)
    #expect(output.shape == expected.shape, "\(name): output shape", sourceLocation: sourceLocation)
    let forwardError = maxRelativeError(output.scalars.map(Double.init), expected.data)
    #expect(forwardError < forwardTolerance, "\(name): forward relative error \(forwardError)", sourceLocation: sourceLocation)

    // 2. Backward: autodiff of L = Σ y ⊙ w.
    var rng = SeededGenerator(seed: seed)
    let weights = (0..<expected.count).map { _ in rng.nextNormal() }
    let weightTensor = ReferenceTensor(shape: expected.shape, data: weights).tensor()
    try output.backward(gradient: weightTensor)

    // 3. Central finite differences of the Float64 reference.
    func loss(_ xs: [ReferenceTensor]) -> Double {
        zip(reference(xs).data, weights).reduce(0) { $0 + $1.0 * $1.1 }
    }
    for index in checked {
        guard let grad = tensors[index].grad else {
            Issue.record("\(name): input \(index) got no gradient", sourceLocation: sourceLocation)
            continue
        }
        var numeric = [Double](repeating: 0, count: inputs[index].count)
        var perturbed = inputs
        for j in 0..<inputs[index].count {
            let original = inputs[index].data[j]
            perturbed[index].data[j] = original + step
            let plus = loss(perturbed)
            perturbed[index].data[j] = original - step
            let minus = loss(perturbed)
            perturbed[index].data[j] = original
            numeric[j] = (plus - minus) / (2 * step)
        }
        let gradientError = maxRelativeError(grad.scalars.map(Double.init), numeric)
        #expect(gradientError < gradientTolerance, "\(name): gradient of input \(index), relative error \(gradientError)", sourceLocation: sourceLocation)
    }
}

/// A random Float64 reference tensor, N(0, scale²).
func randomReference(_ shape: [Int], seed: UInt64, scale: Double = 1) -> ReferenceTensor {
    var rng = SeededGenerator(seed: seed)
    return ReferenceTensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in scale * rng.nextNormal() })
}
