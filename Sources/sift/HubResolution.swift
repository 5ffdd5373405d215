// Turning --model/--data/--train/--validation values into local paths: a path that exists is used
// as is; `org/name` (optionally `org/name:FILE` for models, `org/name:SPLIT` or
// `org/name:CONFIG:SPLIT` for datasets, or an `hf://` URL) is fetched through the Hugging Face
// Hub cache shared with Python.
import ArgumentParser
import Foundation
import SiftData

/// `--revision`: which Hub revision a model id means.
struct HubOptions: ParsableArguments {
    @Option(help: "Hub revision (branch, tag or commit hash) of a --model given as a Hugging Face Hub id (org/name).")
    var revision: String = "main"

    /// The local directory or file for a --model value (a path, or a Hub id fetched at --revision).
    func modelURL(_ value: String) throws -> URL {
        try resolveModelLocation(value, revision: revision)
    }
}

/// Which split a Hub dataset id means when the value names none.
enum DataRole {
    case train, validation, evaluation

    /// The splits to try, in order.
    var splits: [String] {
        switch self {
        case .train: ["train"]
        case .validation: ["validation", "test"]
        case .evaluation: ["test", "validation"]
        }
    }
}

/// Fetches Hub models and datasets for the CLI, with a progress bar for big files on stderr.
enum HubResolver {
    /// A client configured from the environment, drawing progress bars and notes on stderr.
    static func client() -> HubClient {
        var client = HubClient()
        let printer = DownloadProgressPrinter()
        client.onProgress = { printer.show($0) }
        client.onNote = { note("Note: " + $0) }
        return client
    }
}

/// The local model directory or file for a --model value.
func resolveModelLocation(_ value: String, revision: String) throws -> URL {
    if FileManager.default.fileExists(atPath: value) { return URL(fileURLWithPath: value) }
    guard let reference = HubReference(value), reference.explicitType != .dataset, reference.parts.count <= 1 else {
        return URL(fileURLWithPath: value)  // the loader reports the missing path
    }
    do {
        let repo = try HubRepository(id: reference.id, type: .model)
        let location = try HubResolver.client().modelLocation(repo, revision: revision, file: reference.parts.first)
        note("Hub model \(reference.id) (\(revision)): \(location.path)")
        return location
    } catch let error as HubError {
        throw CLIError("'\(value)' is not a local path, and as a Hugging Face Hub model id: \(error)")
    }
}

/// The local data files for a --data/--train/--validation value (several for a sharded Hub split).
func resolveDataFiles(_ value: String, role: DataRole, revision: String) throws -> [URL] {
    if FileManager.default.fileExists(atPath: value) { return [URL(fileURLWithPath: value)] }
    guard let reference = HubReference(value), reference.explicitType != .model else {
        throw CLIError("dataset file not found: \(value)")
    }
    do {
        let repo = try HubRepository(id: reference.id, type: .dataset)
        let config = reference.parts.count == 2 ? reference.parts[0] : nil
        let splits = reference.parts.last.map { [$0] } ?? role.splits
        let (split, files) = try HubResolver.client().datasetFiles(repo, revision: revision, config: config, splits: splits)
        note("Hub dataset \(reference.id) (\(revision)), split \(split): \(files.count) file\(files.count == 1 ? "" : "s")")
        return files
    } catch let error as HubError {
        throw CLIError("'\(value)' is not a local file, and as a Hugging Face Hub dataset id: \(error)")
    }
}

/// Draws one progress bar per file of at least 1 MiB (in KiB); smaller files download silently.
final class DownloadProgressPrinter: @unchecked Sendable {
    private let lock = NSLock()
    private var bars: [String: ProgressBar] = [:]

    func show(_ progress: HubDownloadProgress) {
        guard let total = progress.totalBytes, total >= 1 << 20 else { return }
        lock.lock()
        defer { lock.unlock() }
        let bar = bars[progress.file] ?? ProgressBar(total: total / 1024, label: "download \(progress.file)", unit: "KiB")
        bars[progress.file] = bar
        bar.update(progress.receivedBytes / 1024)
        if progress.finished {
            bar.finish()
            bars[progress.file] = nil
        }
    }
}
