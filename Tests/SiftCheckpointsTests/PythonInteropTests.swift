// Files for scripts/check_safetensors_interop.py, which loads what Sift wrote with Python's
// `safetensors`. Written only when SIFT_INTEROP_DIR is set (the check needs a Python venv).
import Foundation
import Testing
import SiftTensor
import SiftTestSupport
@testable import SiftCheckpoints

@Suite("safetensors interop files")
struct PythonInteropTests {
    /// Value i of every interop tensor: (i mod 97) · 0.3 − 7 + i · 1e-3 (the Python check uses the same formula in f64, rounded to f32).
    static func values(_ count: Int) -> [Float] {
        (0..<count).map { index -> Float in
            let position = Double(index)
            let cycle: Double = Double(index % 97) * 0.3
            return Float(cycle - 7 + position * 1e-3)
        }
    }

    @Test("write f32 and bf16 files for the Python check")
    func writeInteropFiles() throws {
        guard let directory = ProcessInfo.processInfo.environment["SIFT_INTEROP_DIR"] else {
            print("SKIP: SIFT_INTEROP_DIR not set; run scripts/check_safetensors_interop.py to check Python interop")
            return
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let tensors: [String: Tensor] = [
            "model.layers.0.self_attn.q_proj.weight": try Tensor(shape: [16, 8], values: Self.values(128)),
            "model.norm.weight": try Tensor(shape: [8], values: Self.values(8)),
            "classifier.bias": try Tensor(shape: [3], values: Self.values(3)),
            "scalar": Tensor.scalar(0.5),
        ]
        try SafetensorsWriter.write(tensors, to: directory + "/f32.safetensors", dtype: .f32)
        try SafetensorsWriter.write(tensors, to: directory + "/bf16.safetensors", dtype: .bf16)
        try SafetensorsWriter.write(tensors, to: directory + "/f16.safetensors", dtype: .f16)
        #expect(try SafetensorsFile(path: directory + "/f32.safetensors").tensorNames.count == 4)

        // Fixture models re-written by Sift (tiny-bert f32, tiny-qwen3 bf16), for transformers to load.
        for (model, dtype) in [("tiny-bert", DType.f32), ("tiny-qwen3", DType.bf16)] {
            let source = Fixtures.fixture("models/" + model)
            guard FileManager.default.fileExists(atPath: source.path) else {
                print("SKIP: fixture \(source.path) not present")
                continue
            }
            let checkpoint = try SafetensorsCheckpoint(path: source.path)
            var tensors: [String: Tensor] = [:]
            for name in checkpoint.tensorNames { tensors[name] = try checkpoint.tensor(name) }
            let target = directory + "/" + model
            try SafetensorsWriter.writeCheckpoint(tensors, toDirectory: target, dtype: dtype)
            let config = try Data(contentsOf: source.appendingPathComponent("config.json"))
            try config.write(to: URL(fileURLWithPath: target + "/config.json"))
            if dtype == .bf16 {
                // bf16 → f32 → bf16 is lossless: the data bytes must be identical.
                let original = try SafetensorsFile(path: source.appendingPathComponent("model.safetensors").path)
                let rewritten = try SafetensorsFile(path: target + "/model.safetensors")
                for name in original.tensorNames {
                    let a = try original.withRawBytes(of: name) { Array($0) }
                    let b = try rewritten.withRawBytes(of: name) { Array($0) }
                    #expect(a == b, "\(name)")
                }
            }
        }
    }
}
