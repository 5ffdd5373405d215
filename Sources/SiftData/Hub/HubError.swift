// Errors of the Hub client and cache. Each message says which repository, revision and file,
// what went wrong, and what to do about it.

/// A problem reaching the Hub, finding a repository, revision or file, or using the cache.
public enum HubError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text is not a well-formed Hub id.
    case invalidRepoID(id: String, reason: String)
    /// A file path from the user or the server is not a safe relative path inside a repository.
    case invalidFilePath(path: String)
    /// The repository does not exist, or is private/gated and the token (if any) does not grant access.
    case repositoryNotFound(repo: HubRepository, status: Int, tokenSent: Bool, serverMessage: String?)
    /// The repository exists but access was refused (401/403: gated repository, token without access).
    case accessDenied(repo: HubRepository, status: Int, tokenSent: Bool, serverMessage: String?)
    /// The branch, tag or commit does not exist in the repository.
    case revisionNotFound(repo: HubRepository, revision: String)
    /// The file does not exist at that revision.
    case fileNotFound(repo: HubRepository, revision: String, path: String)
    /// Any other HTTP error status.
    case httpStatus(url: String, status: Int, serverMessage: String?)
    /// The connection failed (refused, timed out, DNS, TLS…).
    case network(url: String, reason: String)
    /// A response lacks a header every Hub endpoint sends (so the endpoint is probably not a Hub).
    case missingHeader(url: String, header: String)
    /// A response could not be understood.
    case malformedResponse(url: String, reason: String)
    /// Too many redirects.
    case tooManyRedirects(url: String)
    /// The downloaded file does not have the size the Hub announced.
    case sizeMismatch(path: String, expected: Int, actual: Int)
    /// The downloaded file's SHA-256 differs from the Hub's ETag.
    case checksumMismatch(path: String, expected: String, actual: String)
    /// Offline (`HF_HUB_OFFLINE=1`) and the cache lacks what was asked for.
    case notCachedOffline(repo: HubRepository, revision: String, what: String, cache: String)
    /// The Hub could not be reached and the cache lacks what was asked for.
    case notCachedUnreachable(repo: HubRepository, revision: String, what: String, cache: String, reason: String)
    /// Reading or writing the cache failed.
    case cacheIO(path: String, reason: String)
    /// A dataset repository has no data file Sift can read.
    case noDataFiles(repo: HubRepository, files: [String])
    /// The asked-for split (or config) is not among the dataset's files.
    case splitNotFound(repo: HubRepository, split: String, available: [String])
    /// Several dataset configs exist and none was chosen.
    case ambiguousConfig(repo: HubRepository, configs: [String])
    /// A model repository holds neither a Hugging Face checkpoint nor exactly one GGUF file.
    case noModelFiles(repo: HubRepository, files: [String])
    /// A model repository holds several GGUF files and none was chosen.
    case ambiguousGGUF(repo: HubRepository, files: [String])

    public var description: String {
        switch self {
        case let .invalidRepoID(id, reason):
            return "'\(id)' is not a valid Hugging Face Hub id: \(reason). Use 'org/name', e.g. 'google-bert/bert-base-uncased'."
        case let .invalidFilePath(path):
            return "'\(path)' is not a valid file path inside a Hub repository (it must be relative, without '..' or empty parts)."
        case let .repositoryNotFound(repo, status, tokenSent, message):
            return "Hub \(repo) not found (HTTP \(status))\(Self.detail(message)). Check the id and --repo-type; "
                + (tokenSent ? "if it is private or gated, check that HF_TOKEN grants access to it."
                    : "if it is private or gated, set HF_TOKEN to an access token (no token was sent).")
        case let .accessDenied(repo, status, tokenSent, message):
            return "access to Hub \(repo) was refused (HTTP \(status))\(Self.detail(message)). "
                + (tokenSent ? "The token in HF_TOKEN does not grant access: accept the repository's terms on the Hub, or use a token that does."
                    : "Set HF_TOKEN to an access token that grants access (no token was sent).")
        case let .revisionNotFound(repo, revision):
            return "revision '\(revision)' does not exist in Hub \(repo). Use a branch (e.g. main), a tag or a commit hash."
        case let .fileNotFound(repo, revision, path):
            return "'\(path)' does not exist in Hub \(repo) at revision '\(revision)'."
        case let .httpStatus(url, status, message):
            return "the Hub answered HTTP \(status) for \(url)\(Self.detail(message))."
                + (status >= 500 ? " The Hub may be down: try again later." : "")
        case let .network(url, reason):
            return "could not reach \(url): \(reason). Check the network and HF_ENDPOINT, or set HF_HUB_OFFLINE=1 to use only the cache."
        case let .missingHeader(url, header):
            return "the answer from \(url) lacks the '\(header)' header, so it does not come from a Hugging Face Hub. If HF_ENDPOINT is set, check that it points to a Hub."
        case let .malformedResponse(url, reason):
            return "could not understand the answer from \(url): \(reason)."
        case let .tooManyRedirects(url):
            return "too many redirects while fetching \(url)."
        case let .sizeMismatch(path, expected, actual):
            return "downloaded \(path) has \(actual) bytes but the Hub announced \(expected); the partial file was removed: run the command again."
        case let .checksumMismatch(path, expected, actual):
            return "downloaded \(path) has SHA-256 \(actual) but the Hub announced \(expected); the file was removed: run the command again."
        case let .notCachedOffline(repo, revision, what, cache):
            return "HF_HUB_OFFLINE is set and \(what) of Hub \(repo) at revision '\(revision)' is not in the cache \(cache). "
                + "Unset HF_HUB_OFFLINE (or set it to 0) to download it, or fetch it first where the Hub is reachable with "
                + "`sift download \(Self.downloadArguments(repo: repo, revision: revision))` and copy the cache folder here."
        case let .notCachedUnreachable(repo, revision, what, cache, reason):
            return "could not reach the Hub (\(reason)) and \(what) of Hub \(repo) at revision '\(revision)' is not in the cache \(cache). "
                + "Check the network and HF_ENDPOINT, or fetch it where the Hub is reachable with "
                + "`sift download \(Self.downloadArguments(repo: repo, revision: revision))` and copy the cache folder here."
        case let .cacheIO(path, reason):
            return "could not use the Hub cache at \(path): \(reason). Check permissions and free space, or point HF_HUB_CACHE elsewhere."
        case let .noDataFiles(repo, files):
            return "Hub \(repo) has no data file Sift can read (.parquet, .csv, .tsv, .jsonl, .json); its files: \(Self.list(files))."
        case let .splitNotFound(repo, split, available):
            return "Hub \(repo) has no split or config '\(split)'; available: \(Self.list(available)). Name one as ID:SPLIT (or ID:CONFIG:SPLIT)."
        case let .ambiguousConfig(repo, configs):
            return "Hub \(repo) has several configs (\(Self.list(configs))); name one as ID:CONFIG:SPLIT."
        case let .noModelFiles(repo, files):
            return "Hub \(repo) holds neither a Hugging Face checkpoint (config.json + *.safetensors) nor a .gguf file; its files: \(Self.list(files))."
        case let .ambiguousGGUF(repo, files):
            return "Hub \(repo) holds several GGUF files (\(Self.list(files))); pick one as ID:FILE, e.g. \(repo.id):\(files.first ?? "model.gguf")."
        }
    }

    private static func detail(_ message: String?) -> String {
        guard let message, !message.isEmpty else { return "" }
        return ": \(message)"
    }

    private static func list(_ items: [String]) -> String {
        guard !items.isEmpty else { return "none" }
        let shown = items.prefix(12).joined(separator: ", ")
        return items.count > 12 ? shown + ", … (\(items.count) in all)" : shown
    }

    /// `ID [--repo-type dataset] [--revision R]`: the `sift download` arguments that fetch this repository.
    private static func downloadArguments(repo: HubRepository, revision: String) -> String {
        var arguments = repo.id
        if repo.type == .dataset { arguments += " --repo-type dataset" }
        if revision != "main" { arguments += " --revision \(revision)" }
        return arguments
    }
}
