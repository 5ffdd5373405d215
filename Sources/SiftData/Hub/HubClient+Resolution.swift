// From a Hub id to local files: the files a model needs, or a dataset split's data files.
import Foundation

extension HubClient {
    /// Fetches (or finds in the cache) what Sift needs to load a model: the checkpoint directory
    /// (`snapshots/<commit>/`, holding config, safetensors and tokenizer files), or the GGUF file.
    /// `file` picks one file of the repository (`ID:FILE`), e.g. one GGUF quantization.
    public func modelLocation(_ repo: HubRepository, revision: String = "main", file: String? = nil) throws -> URL {
        let listing = try listFiles(repo, revision: revision)
        let choice: HubModelFiles
        do {
            choice = try HubModelFiles(repositoryFiles: listing.files, requested: file, repo: repo)
        } catch let error as HubError where listing.fromCache {
            throw notCached(repo, revision: revision, what: file.map { "'\($0)'" } ?? "a loadable model", after: error)
        }
        var local: [URL] = []
        for path in choice.files { local.append(try downloadFile(path, from: repo, revision: listing.commit)) }
        if let gguf = choice.ggufFile, let index = choice.files.firstIndex(of: gguf) { return local[index] }
        return cache.snapshotFolder(commit: listing.commit, in: repo)
    }

    /// Fetches (or finds in the cache) the data files of a dataset split: the first of `splits` the
    /// repository has (aliases allowed: dev → validation), in `config` (or the only/default config).
    /// Returns the split's name and its local files in order.
    public func datasetFiles(_ repo: HubRepository, revision: String = "main", config: String? = nil,
                             splits: [String]) throws -> (split: String, files: [URL]) {
        let listing = try listFiles(repo, revision: revision)
        let layout = HubDatasetLayout(files: listing.files)
        guard !layout.configs.isEmpty else {
            if listing.fromCache { throw notCached(repo, revision: revision, what: "a data file", after: nil) }
            throw HubError.noDataFiles(repo: repo, files: listing.files)
        }
        let split: String, paths: [String]
        do {
            (split, paths) = try layout.files(config: config, splits: splits, repo: repo)
        } catch let error as HubError where listing.fromCache {
            throw notCached(repo, revision: revision, what: "split \(splits.joined(separator: " or "))", after: error)
        }
        let files = try paths.map { try downloadFile($0, from: repo, revision: listing.commit) }
        return (split, files)
    }

    /// The cache (used because the Hub is off or unreachable) lacks part of a repository.
    private func notCached(_ repo: HubRepository, revision: String, what: String, after error: HubError?) -> HubError {
        let detail = error.map { " (\($0))" } ?? ""
        if configuration.offline {
            return .notCachedOffline(repo: repo, revision: revision, what: what + detail, cache: cache.root.path)
        }
        return .notCachedUnreachable(repo: repo, revision: revision, what: what + detail, cache: cache.root.path,
                                     reason: "only the cached files could be listed")
    }
}
