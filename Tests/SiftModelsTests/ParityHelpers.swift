// Helpers for comparing model outputs with the PyTorch fixtures.
import Foundation
import SiftCheckpoints
import SiftModels
import SiftTensor
import SiftTestSupport
import Testing

/// The fixture folder of a model (`../shared/fixtures/models/NAME`).
func modelFixture(_ name: String) -> URL { Fixtures.fixture("models/\(name)") }

/// `reference.safetensors` of a model fixture.
func referenceFile(_ name: String) throws -> SafetensorsFile {
    try SafetensorsFile(url: modelFixture(name).appendingPathComponent("reference.safetensors"))
}

/// max |a − b| and whether every element satisfies |a − b| ≤ atol + rtol·|b|.
func compare(_ a: [Float], _ b: [Float], atol: Float, rtol: Float) -> (maxAbs: Float, ok: Bool) {
    guard a.count == b.count else { return (.infinity, false) }
    var maxAbs: Float = 0, ok = true
    for (x, y) in zip(a, b) {
        let d = abs(x - y)
        maxAbs = max(maxAbs, d)
        if !(d <= atol + rtol * abs(y)) { ok = false }
    }
    return (maxAbs, ok)
}

/// Expects `actual` close to `expected`, reporting the largest difference.
func expectClose(_ actual: [Float], _ expected: [Float], atol: Float, rtol: Float, _ what: String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    let result = compare(actual, expected, atol: atol, rtol: rtol)
    print("parity \(what): max |diff| \(result.maxAbs)")
    #expect(actual.count == expected.count, "\(what): \(actual.count) values vs \(expected.count)", sourceLocation: sourceLocation)
    #expect(result.ok, "\(what): max |diff| \(result.maxAbs) exceeds atol \(atol) + rtol \(rtol)", sourceLocation: sourceLocation)
}

/// Rows `[i]` of a row-major `[N, D]` array.
func rows(_ values: [Float], width: Int, _ indices: [Int]) -> [Float] {
    indices.flatMap { values[($0 * width)..<(($0 + 1) * width)] }
}
