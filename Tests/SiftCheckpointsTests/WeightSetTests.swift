// Strict weight loading: missing, unexpected and mis-shaped tensors are all listed in one error.
import Foundation
import Testing
import SiftTensor
import SiftTestSupport
@testable import SiftCheckpoints

@Suite("WeightSet strict loading")
struct WeightSetTests {
    @Test("all problems are reported at once, by name")
    func reportsEverything() throws {
        let path = Fixtures.fixture("models/tiny-bert/model.safetensors").path
        guard FileManager.default.fileExists(atPath: path) else {
            print("SKIP: \(path) not present")
            return
        }
        let file = try SafetensorsFile(path: path)
        var expected = try file.tensorNames.map { (name: $0, shape: try file.shape(of: $0)) }
        let dropped = expected.removeLast()  // in the file, not expected → unexpected
        expected[0].shape = expected[0].shape + [1]  // mis-shaped
        expected.append((name: "bert.extra.weight", shape: [2]))  // expected, not in the file → missing
        do {
            _ = try WeightSet.load(from: file, expecting: expected, sourceName: path)
            Issue.record("the load should have failed")
        } catch let CheckpointError.weightMismatch(report) {
            #expect(report.missing == ["bert.extra.weight"])
            #expect(report.unexpected == [dropped.name])
            #expect(report.misshaped.map(\.name) == [expected[0].name])
            let message = CheckpointError.weightMismatch(report).description
            #expect(message.contains("bert.extra.weight") && message.contains(dropped.name) && message.contains(expected[0].name))
        }
        // The ignore and optional lists make the same checkpoint load.
        expected[0].shape.removeLast()
        let loaded = try WeightSet.load(from: file, expecting: expected, ignoring: [dropped.name], optional: ["bert.extra.weight"])
        #expect(loaded.tensors.count == expected.count - 1)
        #expect(try loaded.tensor(expected[0].name).scalars == file.tensor(expected[0].name).scalars)
        #expect(throws: CheckpointError.self) { try loaded.tensor(dropped.name) }
        #expect(throws: CheckpointError.self) {
            try WeightSet.load(from: file, expecting: [(name: "a", shape: [1]), (name: "a", shape: [1])])
        }
    }

    @Test("MiniLM-L6: the unused position_ids buffer passes through the ignore list")
    func miniLMPositionIDs() throws {
        guard let directory = Fixtures.miniLMDirectory else { return }
        let checkpoint = try SafetensorsCheckpoint(path: directory.path)
        let buffers: Set<String> = ["embeddings.position_ids"]
        let expected = try checkpoint.tensorNames.filter { !buffers.contains($0) }.map { (name: $0, shape: try checkpoint.shape(of: $0)) }
        let weights = try WeightSet.load(from: checkpoint, expecting: expected, ignoring: buffers)
        #expect(weights.tensors.count == expected.count)
        #expect(weights["embeddings.position_ids"] == nil)
        if checkpoint.tensorNames.contains("embeddings.position_ids") {
            #expect(throws: CheckpointError.self) { try WeightSet.load(from: checkpoint, expecting: expected) }
        }
    }
}
