// The Hub client: lists a repository's files at a revision, and downloads files into the
// huggingface_hub cache (or finds them there, offline or when the Hub cannot be reached).
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A repository's file list at a resolved commit.
public struct HubFileListing: Sendable, Equatable {
    /// The commit the revision resolved to.
    public let commit: String
    /// Every file path in the repository (sorted); from the cache, only the files cached at that commit.
    public let files: [String]
    /// True when the list comes from the cache (offline, or the Hub was unreachable), so it may be partial.
    public let fromCache: Bool
}

/// A set of files of one commit, in the cache's `snapshots/<commit>/` folder.
public struct HubSnapshot: Sendable, Equatable {
    public let repository: HubRepository
    /// The commit the revision resolved to.
    public let commit: String
    /// `snapshots/<commit>/`: pass it where a local model directory is expected.
    public let folder: URL
    /// The files fetched (or found), relative to `folder`.
    public let files: [String]
}

/// Downloads files from the Hugging Face Hub into the huggingface_hub cache layout.
public struct HubClient: Sendable {
    public var configuration: HubConfiguration
    /// Called as downloads progress (on a background thread).
    public var onProgress: (@Sendable (HubDownloadProgress) -> Void)?
    /// Called with remarks worth telling the user (e.g. "the Hub is unreachable, using the cache").
    public var onNote: (@Sendable (String) -> Void)?

    public init(configuration: HubConfiguration = .fromEnvironment()) {
        self.configuration = configuration
    }

    /// The cache this client reads and fills.
    public var cache: HubCache { HubCache(root: configuration.cacheDirectory) }

    // MARK: Listing

    /// The files of `repo` at `revision` and the commit it resolves to. Online this asks the Hub's API and
    /// records the revision → commit ref in the cache; offline, or when the Hub is unreachable, it lists the
    /// cached snapshot of the commit the cache's ref names.
    public func listFiles(_ repo: HubRepository, revision: String = "main") throws -> HubFileListing {
        if configuration.offline {
            return try cachedListing(repo, revision: revision) {
                HubError.notCachedOffline(repo: repo, revision: revision, what: "the file list", cache: cache.root.path)
            }
        }
        do {
            let listing = try remoteListing(repo, revision: revision)
            try? cache.recordRevision(revision, commit: listing.commit, in: repo)
            return listing
        } catch let error as HubError where error.allowsCacheFallback {
            return try cachedListing(repo, revision: revision) { fallbackFailure(error, repo: repo, revision: revision, what: "the file list") }
        }
    }

    private func cachedListing(_ repo: HubRepository, revision: String, otherwise failure: () -> HubError) throws -> HubFileListing {
        guard let commit = cache.commit(for: revision, in: repo) else { throw failure() }
        let files = cache.snapshotFiles(commit: commit, in: repo)
        guard !files.isEmpty else { throw failure() }
        if !configuration.offline { onNote?("the Hub could not be reached; using the cached files of \(repo) at \(commit.prefix(10))") }
        return HubFileListing(commit: commit, files: files, fromCache: true)
    }

    /// `GET /api/{models|datasets}/{id}/revision/{revision}` → commit sha and file names.
    func remoteListing(_ repo: HubRepository, revision: String) throws -> HubFileListing {
        guard let url = URL(string: "\(configuration.endpoint)/api/\(repo.type.plural)/\(repo.id)/revision/\(HubClient.percentEncode(revision, keepSlash: false))") else {
            throw HubError.malformedResponse(url: configuration.endpoint, reason: "cannot build the API URL")
        }
        var target = url
        for _ in 0..<HubClient.maxRedirects {
            var request = URLRequest(url: target)
            request.httpMethod = "GET"
            addHubHeaders(&request, sendToken: isHubOrigin(target))
            let (response, error) = HubHTTP.perform(request, timeout: configuration.metadataTimeout)
            guard let response else { throw HubError.network(url: target.absoluteString, reason: HubClient.reason(error)) }
            if let next = response.redirectTarget {
                target = next
                continue
            }
            if let error { throw HubError.network(url: target.absoluteString, reason: HubClient.reason(error)) }
            try checkStatus(response, repo: repo, revision: revision, path: nil)
            return try HubClient.decodeListing(response.body, url: target.absoluteString)
        }
        throw HubError.tooManyRedirects(url: url.absoluteString)
    }

    static func decodeListing(_ body: Data, url: String) throws -> HubFileListing {
        struct Sibling: Decodable { let rfilename: String }
        struct Info: Decodable {
            let sha: String?
            let siblings: [Sibling]?
        }
        let info: Info
        do {
            info = try JSONDecoder().decode(Info.self, from: body)
        } catch {
            throw HubError.malformedResponse(url: url, reason: "the repository info is not the expected JSON (\(error))")
        }
        guard let sha = info.sha, isCommitHash(sha) else {
            throw HubError.malformedResponse(url: url, reason: "the repository info has no 40-digit 'sha'")
        }
        let files = (info.siblings ?? []).map(\.rfilename).filter(HubCache.isSafeRelativePath).sorted()
        return HubFileListing(commit: sha, files: files, fromCache: false)
    }

    // MARK: Files

    /// The local path of `path` in `repo` at `revision`, downloading it into the cache if needed (as
    /// huggingface_hub's `hf_hub_download`). The path returned is `snapshots/<commit>/<path>`.
    public func downloadFile(_ path: String, from repo: HubRepository, revision: String = "main") throws -> URL {
        guard HubCache.isSafeRelativePath(path) else { throw HubError.invalidFilePath(path: path) }
        if isCommitHash(revision) {
            let pointer = cache.snapshotFile(path, commit: revision, in: repo)
            if FileManager.default.fileExists(atPath: pointer.path) { return pointer }
        }
        if configuration.offline {
            if let cached = cache.cachedFile(path, revision: revision, in: repo) { return cached }
            throw HubError.notCachedOffline(repo: repo, revision: revision, what: "'\(path)'", cache: cache.root.path)
        }
        let metadata: HubFileMetadata
        do {
            metadata = try fileMetadata(path, repo: repo, revision: revision)
        } catch let error as HubError where error.allowsCacheFallback {
            if let cached = cache.cachedFile(path, revision: revision, in: repo) {
                onNote?("the Hub could not be reached (\(error)); using the cached \(path)")
                return cached
            }
            throw fallbackFailure(error, repo: repo, revision: revision, what: "'\(path)'")
        }
        let pointer = cache.snapshotFile(path, commit: metadata.commit, in: repo)
        if FileManager.default.fileExists(atPath: pointer.path) {
            try? cache.recordRevision(revision, commit: metadata.commit, in: repo)
            return pointer
        }
        try cache.recordRevision(revision, commit: metadata.commit, in: repo)
        let blob = cache.blob(etag: metadata.etag, in: repo)
        if !FileManager.default.fileExists(atPath: blob.path) {
            let download = HubBlobDownload(client: self, repo: repo, file: path, metadata: metadata, blob: blob)
            try download.run()
        }
        return try cache.linkSnapshotFile(path, commit: metadata.commit, etag: metadata.etag, in: repo)
    }

    /// Downloads (or finds in the cache) the files of `repo` at `revision` that `include` accepts, like
    /// huggingface_hub's `snapshot_download` with a filter.
    public func snapshot(_ repo: HubRepository, revision: String = "main",
                         including include: (String) -> Bool = { _ in true }) throws -> HubSnapshot {
        let listing = try listFiles(repo, revision: revision)
        let chosen = listing.files.filter(include)
        for file in chosen { _ = try downloadFile(file, from: repo, revision: listing.commit) }
        return HubSnapshot(repository: repo, commit: listing.commit, folder: cache.snapshotFolder(commit: listing.commit, in: repo),
                           files: chosen)
    }

    /// HEAD on the resolve URL, following redirects that stay on the Hub's origin; a redirect elsewhere
    /// (a CDN) ends the walk: its answer carries the file's metadata and its target is the download URL.
    func fileMetadata(_ path: String, repo: HubRepository, revision: String) throws -> HubFileMetadata {
        var url = try resolveURL(path, repo: repo, revision: revision)
        for _ in 0..<HubClient.maxRedirects {
            var request = URLRequest(url: url)
            request.httpMethod = "HEAD"
            addHubHeaders(&request, sendToken: isHubOrigin(url))
            let (response, error) = HubHTTP.perform(request, timeout: configuration.metadataTimeout)
            guard let response else { throw HubError.network(url: url.absoluteString, reason: HubClient.reason(error)) }
            try checkStatus(response, repo: repo, revision: revision, path: path)
            if let target = response.redirectTarget {
                if HubClient.sameOrigin(url, target) {
                    url = target
                    continue
                }
                return try HubFileMetadata(response: response, location: target)
            }
            return try HubFileMetadata(response: response, location: url)
        }
        throw HubError.tooManyRedirects(url: url.absoluteString)
    }

    /// `{endpoint}/[datasets/]{id}/resolve/{revision}/{path}`.
    func resolveURL(_ path: String, repo: HubRepository, revision: String) throws -> URL {
        let text = "\(configuration.endpoint)/\(repo.resolvePrefix)/resolve/\(HubClient.percentEncode(revision, keepSlash: false))/\(HubClient.percentEncode(path, keepSlash: true))"
        guard let url = URL(string: text) else { throw HubError.invalidFilePath(path: path) }
        return url
    }

    // MARK: HTTP details

    static let maxRedirects = 10

    /// Headers of every request; the token only goes to the Hub's own origin.
    func addHubHeaders(_ request: inout URLRequest, sendToken: Bool) {
        request.setValue("sift/0.1; hf_hub-compatible", forHTTPHeaderField: "User-Agent")
        request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        if sendToken, let token = configuration.token {
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        }
    }

    func isHubOrigin(_ url: URL) -> Bool {
        guard let endpoint = URL(string: configuration.endpoint) else { return false }
        return HubClient.sameOrigin(endpoint, url)
    }

    /// Same scheme, host and port (default ports filled in).
    static func sameOrigin(_ a: URL, _ b: URL) -> Bool {
        func origin(_ url: URL) -> (String, String, Int) {
            let scheme = url.scheme?.lowercased() ?? ""
            return (scheme, url.host?.lowercased() ?? "", url.port ?? (scheme == "https" ? 443 : scheme == "http" ? 80 : 0))
        }
        return origin(a) == origin(b)
    }

    /// Maps an error status to what it means on the Hub (the `X-Error-Code` header says which kind).
    func checkStatus(_ response: HubHTTPResponse, repo: HubRepository, revision: String, path: String?) throws {
        let status = response.status
        guard status >= 400 else { return }
        let code = response.header("x-error-code")
        let tokenSent = configuration.token != nil && isHubOrigin(response.url)
        let message = response.serverMessage
        switch (code, status) {
        case ("RepoNotFound", _): throw HubError.repositoryNotFound(repo: repo, status: status, tokenSent: tokenSent, serverMessage: message)
        case ("RevisionNotFound", _): throw HubError.revisionNotFound(repo: repo, revision: revision)
        case ("EntryNotFound", _): throw HubError.fileNotFound(repo: repo, revision: revision, path: path ?? "?")
        case ("GatedRepo", _), (_, 401), (_, 403):
            throw HubError.accessDenied(repo: repo, status: status, tokenSent: tokenSent, serverMessage: message)
        case (_, 404):
            if let path { throw HubError.fileNotFound(repo: repo, revision: revision, path: path) }
            throw HubError.repositoryNotFound(repo: repo, status: status, tokenSent: tokenSent, serverMessage: message)
        default:
            throw HubError.httpStatus(url: response.url.absoluteString, status: status, serverMessage: message)
        }
    }

    /// The error to throw when the Hub failed and the cache does not have what was asked for.
    func fallbackFailure(_ error: HubError, repo: HubRepository, revision: String, what: String) -> HubError {
        if case let .network(_, reason) = error {
            return .notCachedUnreachable(repo: repo, revision: revision, what: what, cache: cache.root.path, reason: reason)
        }
        return error
    }

    static func reason(_ error: (any Error)?) -> String {
        guard let error else { return "no answer" }
        if let hubError = error as? HubError { return hubError.description }
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSLocalizedDescriptionKey] as? String, !underlying.isEmpty { return underlying }
        return "\(error)"
    }

    /// Percent-encodes everything but unreserved characters (and `/` when `keepSlash`), as Python's `quote`.
    static func percentEncode(_ text: String, keepSlash: Bool) -> String {
        var allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        if keepSlash { allowed.insert("/") }
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

extension HubError {
    /// Failures after which the cache may still serve the request (as huggingface_hub falls back to it):
    /// the Hub unreachable or failing, or access refused (a token that expired since the download).
    var allowsCacheFallback: Bool {
        switch self {
        case .network, .accessDenied, .missingHeader, .tooManyRedirects, .malformedResponse: return true
        case let .httpStatus(_, status, _): return status >= 500 || status == 429
        default: return false
        }
    }
}
