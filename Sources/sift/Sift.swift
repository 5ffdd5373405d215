// The `sift` command-line tool.
import ArgumentParser
import SiftTensor

/// Sift's version, printed by `sift version` and served by `/info`.
let siftVersion = "0.1.0"

@main
struct Sift: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sift",
        abstract: "Fine-tune, evaluate, compare and serve transformer text classifiers (BERT encoders, Qwen3/Llama decoders).",
        discussion: """
            Sift runs on its own tensor engine (OpenBLAS on Linux, Accelerate on macOS), with no Python at run time.
            Run `sift help <subcommand>` for the flags of each command.
            """,
        version: siftVersion,
        subcommands: [
            VersionCommand.self, TrainCommand.self, EvalCommand.self, PredictCommand.self, EmbedCommand.self,
            LogitsCommand.self, ScoreCommand.self, GenerateCommand.self, TokenizeCommand.self, BenchCommand.self, ServeCommand.self,
            DownloadCommand.self,
            CompareCommand.self,
            StudyCommand.self,
            MineCommand.self,
            DistillCommand.self,
        ]
    )
}

extension Sift {
    /// Tunes the allocator before anything else allocates, then runs the command.
    static func main() async {
        TensorStorage.tuneAllocator()
        await mainAsync()
    }

    static func mainAsync() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print Sift's version.")
    func run() {
        print("sift \(siftVersion)")
    }
}
