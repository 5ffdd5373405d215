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
        ensureNativeLibraryEnvironment()
        TensorStorage.tuneAllocator()
        await mainAsync()
    }

    /// Sets what the native libraries read when they load, before `main`, and re-executes the tool
    /// once when anything had to change (a user's own settings are kept; if the re-exec fails, only
    /// speed is affected):
    /// - `OMP_WAIT_POLICY` is left to the user (libgomp's default: a worker spins about 300k rounds
    ///   after each region, then sleeps). Sift's own loops run on the same OpenMP team as oneDNN
    ///   (`Parallel.usesOpenMP`), so a spinning worker picks up the next loop at once instead of
    ///   taking a core from another pool; forcing `passive` made every GEMM wake a sleeping worker.
    /// - `OPENBLAS_CORETYPE`: OpenBLAS falls back to its SSE3 kernels on CPUs it does not know
    ///   (Sapphire Rapids with Debian's 0.3.21); `BLAS.suggestedCoreType` names the right set.
    static func ensureNativeLibraryEnvironment() {
        #if os(Linux)
        var changed = false
        if getenv("OPENBLAS_CORETYPE") == nil, let coreType = BLAS.suggestedCoreType {
            setenv("OPENBLAS_CORETYPE", coreType, 1)
            changed = true
        }
        if changed { _ = execv("/proc/self/exe", CommandLine.unsafeArgv) }
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
