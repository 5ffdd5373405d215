// The `sift` command-line tool.
import ArgumentParser
import Foundation
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
        ensurePassiveOpenMP()
        TensorStorage.tuneAllocator()
        await mainAsync()
    }

    /// oneDNN's OpenMP threads spin after every call unless `OMP_WAIT_POLICY=passive`, taking a core away
    /// from Sift's own parallel loops (on MiniLM that cancelled the whole bf16 gain). The OpenMP runtime
    /// reads the variable when it is loaded, before `main`, so it is set here and the tool re-executes
    /// itself once. A user's own setting is kept; if the re-exec fails, only speed is affected.
    static func ensurePassiveOpenMP() {
        #if os(Linux)
        guard getenv("OMP_WAIT_POLICY") == nil else { return }
        setenv("OMP_WAIT_POLICY", "passive", 1)
        _ = execv("/proc/self/exe", CommandLine.unsafeArgv)
        #endif
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
