// The `sift` command line as a whole: every subcommand (walked from `Sift.configuration`, so new
// commands are covered without editing this file) renders its help and declares each flag name
// once — ArgumentParser only checks that in debug builds, and a clash silently shadows one of the
// two options in release builds — and typical command lines parse to the intended values.
import ArgumentParser
import Foundation
@testable import sift
import SiftData
import SiftTensor
import SiftTrain
import Testing

@Suite("Command line")
struct CommandLineTests {
    /// Every command below `root`, with its path of command names (root excluded).
    static func allCommands(_ root: ParsableCommand.Type = Sift.self, path: [String] = []) -> [(path: [String], type: ParsableCommand.Type)] {
        var result: [(path: [String], type: ParsableCommand.Type)] = []
        for sub in root.configuration.subcommands {
            let name = sub.configuration.commandName ?? String(describing: sub).lowercased()
            result.append((path + [name], sub))
            result += allCommands(sub, path: path + [name])
        }
        return result
    }

    @Test("the command tree has the core subcommands")
    func commandTree() {
        let paths = Set(Self.allCommands().map { $0.path.joined(separator: " ") })
        for expected in ["train", "eval", "predict", "tokenize", "bench", "bench train"] {
            #expect(paths.contains(expected), "sift \(expected) is registered")
        }
    }

    @Test("bench compare's goal column states the goal each row is checked against")
    func benchCompareGoalText() {
        #expect(BenchCompareCommand.goalText(1.2, timeRatio: false) == "≥ 1.2×")
        #expect(BenchCompareCommand.goalText(1, timeRatio: true) == "≤ peer")  // latency: beat the peer's time
        #expect(BenchCompareCommand.goalText(3, timeRatio: true) == "≥ 3.0×")  // option scoring: 3× the peer's speed
    }

    @Test("every subcommand's help renders and names the command")
    func helpRenders() {
        for (path, command) in Self.allCommands() {
            let help = Sift.helpMessage(for: command, columns: 100)
            #expect(help.contains("USAGE:"), "sift \(path.joined(separator: " ")) --help has a usage line")
            #expect(help.contains(path.joined(separator: " ")), "sift \(path.joined(separator: " ")) --help names the command")
            #expect(help.count > 60, "sift \(path.joined(separator: " ")) --help is not empty")
        }
    }

    /// The flag and option names of every command in ArgumentParser's JSON description of the tool.
    static func declaredNames(_ root: ParsableCommand.Type = Sift.self) throws -> [(command: String, names: [String])] {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(root._dumpHelp().utf8)) as? [String: Any])
        var result: [(command: String, names: [String])] = []
        func walk(_ command: [String: Any], path: [String]) {
            let name = command["commandName"] as? String ?? "?"
            let here = path + [name]
            var names: [String] = []
            for argument in command["arguments"] as? [[String: Any]] ?? [] {
                for entry in argument["names"] as? [[String: Any]] ?? [] {
                    guard let kind = entry["kind"] as? String, let value = entry["name"] as? String else { continue }
                    names.append(kind == "long" ? "--\(value)" : kind == "short" ? "-\(value)" : "-\(value) (long with one dash)")
                }
            }
            result.append((here.joined(separator: " "), names))
            for sub in command["subcommands"] as? [[String: Any]] ?? [] { walk(sub, path: here) }
        }
        walk(try #require(json["command"] as? [String: Any]), path: [])
        return result
    }

    @Test("no command declares a flag or option name twice (a clash silently shadows an option in release builds)")
    func noDuplicateNames() throws {
        let commands = try Self.declaredNames()
        let described = Set(commands.map(\.command))
        for (path, _) in Self.allCommands() {
            #expect(described.contains((["sift"] + path).joined(separator: " ")), "the JSON description covers sift \(path.joined(separator: " "))")
        }
        for (command, names) in commands {
            var seen = Set<String>()
            let duplicates = Set(names.filter { !seen.insert($0).inserted })
            #expect(duplicates.isEmpty, "\(command) declares \(duplicates.sorted().joined(separator: ", ")) more than once")
        }
        // The check itself works: `train` has many options, among them --seed exactly once, and a
        // command with a clash like session 1's (an option group redeclaring --seed) is caught.
        let train = try #require(commands.first { $0.command == "sift train" })
        #expect(train.names.filter { $0 == "--seed" }.count == 1)
        #expect(train.names.count > 30)
        let clash = try #require(try Self.declaredNames(ClashingCommand.self).first)
        #expect(clash.names.filter { $0 == "--seed" }.count == 2)
    }

    @Test("typical `sift train` lines parse to the intended values")
    func trainParses() throws {
        let base = ["train", "--model", "m", "--train", "t.csv", "--output", "runs/x"]
        let plain = try #require(try Sift.parseAsRoot(base) as? TrainCommand)
        #expect(plain.seed == 42)
        #expect(plain.encoding.maxLength == 128)
        #expect(plain.encoding.window == nil)
        #expect(plain.encoding.textEncoding().truncation == .head)

        let windowed = try #require(try Sift.parseAsRoot(base + [
            "--seed", "7", "--max-length", "64", "--truncation", "window", "--window-stride", "32", "--window-aggregate", "max",
            "--preset", "agnews", "--batch-size", "8", "--eval-every", "0.25",
        ]) as? TrainCommand)
        #expect(windowed.seed == 7)
        #expect(windowed.batchSize == 8)
        #expect(windowed.encoding.window == WindowOptions(stride: 32, aggregation: .max))
        #expect(windowed.encoding.textEncoding().maxLength == 64)
        #expect(windowed.columns.preset == .agnews)

        let headTail = try #require(try Sift.parseAsRoot(base + ["--truncation", "head+tail", "--head-tokens", "32"]) as? TrainCommand)
        #expect(headTail.encoding.textEncoding().truncation == .headAndTail(head: 32))
    }

    @Test("parsing a command line leaves the process's precision and weight-copy settings alone (run() applies them)")
    func parsingHasNoSideEffects() throws {
        let bf16 = MatmulPrecision.effective(.bf16) == .bf16
        if !bf16 { print("note: bf16 cannot run here (no oneDNN): the precision half of this check uses fp32 lines only") }
        let precision = bf16 ? "bf16" : "fp32"
        let predict = try #require(try Sift.parseAsRoot(["predict", "--model", "m", "--precision", precision]) as? PredictCommand)
        let train = try #require(try Sift.parseAsRoot(["train", "--model", "m", "--train", "t.csv", "--output", "o", "--precision", precision]) as? TrainCommand)
        let serve = try #require(try Sift.parseAsRoot(["serve", "--model", "m", "--precision", precision]) as? ServeCommand)
        let benchServe = try #require(
            try Sift.parseAsRoot(["bench", "serve", "--model", "m", "--precision", precision]) as? BenchServeCommand)
        #expect([predict.precisionOptions.precision, train.precisionOptions.precision, serve.precisionOptions.precision,
                  benchServe.precisionOptions.precision].allSatisfy { $0.rawValue == precision })
        // Only a command's run() sets these process-wide values, and no test runs one.
        #expect(!WeightCopyCache.isEnabled, "parsing predict must not turn on kept weight copies for the whole process")
        #expect(MatmulPrecision.current == .fp32, "parsing --precision \(precision) must not change the process default")
    }

    @Test("typical `sift eval` and `sift predict` lines parse; window flags reach the encoding options")
    func evalAndPredictParse() throws {
        let eval = try #require(try Sift.parseAsRoot([
            "eval", "--model", "m", "--data", "d.csv", "--truncation", "window", "--max-length", "256", "--batch-size", "16",
        ]) as? EvalCommand)
        #expect(eval.encoding.window == WindowOptions(stride: nil, aggregation: .mean))
        #expect(eval.batchSize == 16)
        let predict = try #require(try Sift.parseAsRoot([
            "predict", "--model", "m", "--truncation", "window", "--window-aggregate", "max",
        ]) as? PredictCommand)
        #expect(predict.encoding.window?.aggregation == .max)
        #expect(try Sift.parseAsRoot(["version"]) is VersionCommand)
    }

    @Test("bad lines are rejected with an error, not accepted or crashed on")
    func badLinesRejected() {
        let base = ["train", "--model", "m", "--train", "t.csv", "--output", "o"]
        for line in [
            base + ["--truncation", "middle"],
            base + ["--window-stride", "16"],  // without --truncation window
            base + ["--truncation", "window", "--window-stride", "0"],
            base + ["--truncation", "window", "--window-stride", "128"],  // not below --max-length
            base + ["--window-aggregate", "median"],
            base + ["--max-length", "2"],
            ["train", "--model", "m"],  // missing --train and --output
            ["no-such-command"],
        ] {
            #expect(throws: (any Error).self, "sift \(line.joined(separator: " ")) is rejected") { try Sift.parseAsRoot(line) }
        }
    }
}

/// Options that redeclare `--seed`, as the prompt options once did.
private struct SeedOptions: ParsableArguments {
    @Option(help: "Sampling seed.") var seed: UInt64 = 0
}

/// A command with a duplicate `--seed`, to show that the duplicate check can fail (never parsed:
/// debug builds of ArgumentParser would stop on it).
private struct ClashingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "clash")
    @Option(help: "Training seed.") var seed: UInt64 = 42
    @OptionGroup var sampling: SeedOptions
}
