// `sift download`: fetch a model or dataset from the Hugging Face Hub into the cache Python shares.
import ArgumentParser
import Foundation
import SiftData

extension HubRepoType: ExpressibleByArgument {}

struct DownloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download",
        abstract: "Download a model or dataset from the Hugging Face Hub into the shared cache and print its local path.",
        discussion: """
            Files go to the huggingface_hub cache ($HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub) in \
            Python's layout, so Python reuses them and Sift reuses what Python downloaded. HF_TOKEN (or the token file of \
            `hf auth login`) is sent for private and gated repositories; HF_ENDPOINT points to a mirror; with \
            HF_HUB_OFFLINE=1 nothing is downloaded and the cached path is printed. A cut download resumes where it stopped.
            Models: the files Sift loads (config, safetensors, tokenizer) or the single .gguf file; ID:FILE picks one file. \
            Datasets: every data file, or one split with ID:SPLIT (or ID:CONFIG:SPLIT). --all fetches every file.
            Example: sift download fancyzhx/ag_news --repo-type dataset
            """)

    @Argument(help: "Hub id: org/name, org/name:FILE (models), org/name:SPLIT or org/name:CONFIG:SPLIT (datasets).")
    var id: String

    @Option(help: "model or dataset.")
    var repoType: HubRepoType = .model

    @Option(help: "Branch, tag or commit hash.")
    var revision: String = "main"

    @Flag(help: "Download every file of the repository, not only what Sift reads.")
    var all = false

    func run() throws {
        guard let reference = HubReference("hf://" + id) else {
            throw ValidationError("'\(id)' is not a Hub id: expected org/name, optionally followed by :FILE or :SPLIT")
        }
        let client = HubResolver.client()
        do {
            let repo = try HubRepository(id: reference.id, type: repoType)
            if all {
                let snapshot = try client.snapshot(repo, revision: revision)
                note("\(snapshot.files.count) files at commit \(snapshot.commit)")
                print(snapshot.folder.path)
                return
            }
            switch repoType {
            case .model:
                guard reference.parts.count <= 1 else { throw ValidationError("a model id takes at most one :FILE") }
                print(try client.modelLocation(repo, revision: revision, file: reference.parts.first).path)
            case .dataset:
                if let split = reference.parts.last {
                    let config = reference.parts.count == 2 ? reference.parts[0] : nil
                    for file in try client.datasetFiles(repo, revision: revision, config: config, splits: [split]).files { print(file.path) }
                } else {
                    let snapshot = try client.snapshot(repo, revision: revision) { path in
                        !HubDatasetLayout(files: [path]).configs.isEmpty
                    }
                    guard !snapshot.files.isEmpty else { throw HubError.noDataFiles(repo: repo, files: try client.listFiles(repo, revision: revision).files) }
                    for file in snapshot.files { print(snapshot.folder.appendingPathComponent(file).path) }
                }
            }
        } catch let error as HubError {
            throw CLIError(error.description)
        }
    }
}
