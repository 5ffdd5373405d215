// Shared helpers of the checkpoint tests: resource paths, checksums, temporary files, a seeded RNG.
import Foundation
import SiftTensor
@testable import SiftCheckpoints

enum TestFiles {
    /// A file under Tests/SiftCheckpointsTests/Resources (made by scripts/gen_checkpoint_test_files.py).
    static func resource(_ name: String) throws -> String {
        let base = (name as NSString).deletingPathExtension
        let ext = (name as NSString).pathExtension
        guard let url = Bundle.module.url(forResource: base, withExtension: ext, subdirectory: "Resources") else {
            throw CheckpointError.cannotOpen(path: name, reason: "test resource missing from the bundle")
        }
        return url.path
    }

    /// A JSON resource parsed with Foundation (an independent parser from the one under test).
    static func jsonResource(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: try resource(name)))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    /// A fresh temporary directory, removed by the caller via `defer`.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sift-ckpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func write(_ bytes: [UInt8], to url: URL) throws {
        try Data(bytes).write(to: url)
    }

    static func bytes(of path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

/// The checksum the generator script stores: Σ bits(v[i]) · (2654435761·i + 1) mod 2^64.
func bitChecksum(_ tensor: Tensor) -> UInt64 {
    var sum: UInt64 = 0
    let pointer = tensor.storage.pointer
    for index in 0..<tensor.count {
        sum &+= UInt64(pointer[index].bitPattern) &* (UInt64(index) &* 2_654_435_761 &+ 1)
    }
    return sum
}

/// SplitMix64: a tiny deterministic generator so fuzz cases are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Runs `body` and reports whether it threw a CheckpointError (anything else, e.g. a crash, fails the run).
func throwsCheckpointError(_ body: () throws -> Void) -> Bool {
    do {
        try body()
        return false
    } catch is CheckpointError {
        return true
    } catch {
        return false
    }
}
