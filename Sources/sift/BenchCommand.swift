// `sift bench …`: benchmark commands. Each prints its result beside a reference measured in the same run.
import ArgumentParser

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks (build with -c release): each prints a ratio against a reference measured in the same run.",
        subcommands: [BenchEngineCommand.self, BenchModelsCommand.self, BenchTrainCommand.self, BenchTokenizeCommand.self, BenchServeCommand.self, BenchCompareCommand.self]
    )
}
