// A fake Hugging Face Hub for tests: the API and resolve routes the Hub client uses, Git LFS files
// redirected to a separate "CDN" server, Range requests, private repositories, renamed
// repositories, and connections cut on purpose. Every request is logged for the tests to inspect.
import Foundation

/// One request the fake Hub (or its CDN) received.
public struct FakeHubRequest: Sendable {
    /// "hub" or "cdn".
    public let server: String
    public let method: String
    public let path: String
    public let headers: [String: String]
}

/// A fake Hub on loopback: publish files with `publish`, point a client at `endpoint`.
public final class FakeHub: @unchecked Sendable {
    /// A file in a commit.
    public struct File: Sendable {
        public let bytes: [UInt8]
        /// Stored with Git LFS: served through a redirect to the CDN, ETag = SHA-256 of the content.
        public let lfs: Bool
        public init(_ bytes: [UInt8], lfs: Bool = false) {
            self.bytes = bytes
            self.lfs = lfs
        }
        public init(text: String, lfs: Bool = false) { self.init(Array(text.utf8), lfs: lfs) }
    }

    private struct Repository {
        var refs: [String: String] = [:]  // branch or tag → commit
        var commits: [String: [String: File]] = [:]
        var token: String?
    }

    private let lock = NSLock()
    private let hash: @Sendable ([UInt8]) -> String
    private var repositories: [String: Repository] = [:]  // "models/org/name" → repository
    private var renamed: [String: String] = [:]  // old key → new key
    private var blobs: [String: [UInt8]] = [:]  // sha256 → content (CDN)
    private var cuts: [String: [Int]] = [:]  // sha256 or git etag → byte counts for the next GETs
    private var log: [FakeHubRequest] = []
    private var commitCounter = 0
    private var hub: LoopbackHTTPServer!
    private var cdn: LoopbackHTTPServer!

    /// The Hub's base URL (for `HF_ENDPOINT`).
    public var endpoint: String { hub.baseURL }
    /// The CDN's base URL.
    public var cdnEndpoint: String { cdn.baseURL }

    /// Starts both servers; `sha256` hashes file contents into 64 lowercase hex digits (LFS ETags).
    public init(sha256: @escaping @Sendable ([UInt8]) -> String) throws {
        hash = sha256
        hub = try LoopbackHTTPServer { [unowned self] request in self.handleHub(request) }
        cdn = try LoopbackHTTPServer { [unowned self] request in self.handleCDN(request) }
    }

    deinit { stop() }

    /// Stops both servers: connections are then refused, like an unreachable Hub.
    public func stop() {
        hub?.stop()
        cdn?.stop()
    }

    /// Commits `files` (the whole tree) to `branch` of `repo` ("models/org/name" style key from `type` and `id`);
    /// returns the new commit hash.
    @discardableResult
    public func publish(_ id: String, type: String = "model", branch: String = "main", files: [String: File]) -> String {
        lock.lock()
        defer { lock.unlock() }
        commitCounter += 1
        let commit = String(hash(Array("commit \(commitCounter) \(id) \(branch)".utf8)).prefix(40))
        let key = FakeHub.key(id, type: type)
        var repository = repositories[key] ?? Repository()
        repository.commits[commit] = files
        repository.refs[branch] = commit
        repositories[key] = repository
        for file in files.values where file.lfs { blobs[hash(file.bytes)] = file.bytes }
        return commit
    }

    /// Adds a tag (or branch) pointing at an existing commit.
    public func tag(_ id: String, type: String = "model", name: String, commit: String) {
        lock.lock()
        defer { lock.unlock() }
        repositories[FakeHub.key(id, type: type)]?.refs[name] = commit
    }

    /// Makes a repository private: requests need `Authorization: Bearer token`.
    public func requireToken(_ token: String, for id: String, type: String = "model") {
        lock.lock()
        defer { lock.unlock() }
        repositories[FakeHub.key(id, type: type)]?.token = token
    }

    /// Makes `oldID` answer with a redirect to `newID` (a renamed repository).
    public func rename(_ oldID: String, to newID: String, type: String = "model") {
        lock.lock()
        defer { lock.unlock() }
        renamed[FakeHub.key(oldID, type: type)] = FakeHub.key(newID, type: type)
    }

    /// Cuts the next GETs of a file's content after these many bytes each (one entry per GET).
    public func cutDownloads(of file: File, after byteCounts: [Int]) {
        lock.lock()
        defer { lock.unlock() }
        cuts[etag(file)] = byteCounts
    }

    /// The ETag the Hub gives a file: SHA-256 for LFS files, a git-like 40-digit id otherwise.
    public func etag(_ file: File) -> String {
        file.lfs ? hash(file.bytes) : String(hash(Array("blob \(file.bytes.count)\0".utf8) + file.bytes).prefix(40))
    }

    /// Every request received so far, in order.
    public var requests: [FakeHubRequest] {
        lock.lock()
        defer { lock.unlock() }
        return log
    }

    /// Forgets the logged requests.
    public func clearLog() {
        lock.lock()
        defer { lock.unlock() }
        log.removeAll()
    }

    private static func key(_ id: String, type: String) -> String { "\(type)s/\(id)" }

    private func record(_ server: String, _ request: LoopbackHTTPRequest) {
        lock.lock()
        defer { lock.unlock() }
        log.append(FakeHubRequest(server: server, method: request.method, path: request.target, headers: request.headers))
    }

    private func takeCut(_ etag: String) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard var pending = cuts[etag], !pending.isEmpty else { return nil }
        let count = pending.removeFirst()
        cuts[etag] = pending
        return count
    }

    // MARK: Routes

    private func handleHub(_ request: LoopbackHTTPRequest) -> LoopbackHTTPResponse {
        record("hub", request)
        let path = request.path
        if path.hasPrefix("/api/") { return apiRevision(request, path: String(path.dropFirst(5))) }
        guard let resolve = path.range(of: "/resolve/") else { return error(404, code: nil, "no such route") }
        var repoPart = String(path[path.index(after: path.startIndex)..<resolve.lowerBound])
        var type = "model"
        if repoPart.hasPrefix("datasets/") {
            type = "dataset"
            repoPart = String(repoPart.dropFirst("datasets/".count))
        }
        let rest = path[resolve.upperBound...]
        guard let slash = rest.firstIndex(of: "/") else { return error(404, code: "EntryNotFound", "no file") }
        let revision = String(rest[..<slash]).removingPercentEncoding ?? ""
        let file = String(rest[rest.index(after: slash)...]).removingPercentEncoding ?? ""
        let key = FakeHub.key(repoPart, type: type)
        if let newKey = lockedRenamed(key) {
            let newID = newKey.split(separator: "/", maxSplits: 1)[1]
            let prefix = type == "dataset" ? "/datasets/" : "/"
            let location = "\(prefix)\(newID)/resolve/\(rest)"
            return LoopbackHTTPResponse(status: 307, headers: [("Location", location)])
        }
        let found = lookup(key, revision: revision, request: request)
        guard case let .success((commit, files)) = found else {
            if case let .failure(response) = found { return response }
            return error(500, code: nil, "unreachable")
        }
        guard let content = files[file] else {
            var response = error(404, code: "EntryNotFound", "\(file) does not exist at \(revision)")
            response.headers.append(("X-Repo-Commit", commit))
            return response
        }
        let tag = etag(content)
        if content.lfs {
            return LoopbackHTTPResponse(status: 302, headers: [
                ("Location", "\(cdn.baseURL)/blobs/\(tag)?signature=test"),
                ("X-Repo-Commit", commit), ("X-Linked-Etag", "\"\(tag)\""), ("X-Linked-Size", "\(content.bytes.count)"),
                ("ETag", "\"pointer-\(tag.prefix(8))\""), ("Content-Length", "0"),
            ])
        }
        var response = ranged(content.bytes, request: request, etag: tag)
        response.headers += [("X-Repo-Commit", commit), ("ETag", "\"\(tag)\"")]
        return response
    }

    private func handleCDN(_ request: LoopbackHTTPRequest) -> LoopbackHTTPResponse {
        record("cdn", request)
        let path = request.path
        guard path.hasPrefix("/blobs/") else { return LoopbackHTTPResponse(status: 404) }
        let sha = String(path.dropFirst("/blobs/".count))
        lock.lock()
        let content = blobs[sha]
        lock.unlock()
        guard let content else { return LoopbackHTTPResponse(status: 404) }
        return ranged(content, request: request, etag: sha)
    }

    /// `GET /api/{models|datasets}/{id}/revision/{revision}`.
    private func apiRevision(_ request: LoopbackHTTPRequest, path: String) -> LoopbackHTTPResponse {
        guard let marker = path.range(of: "/revision/") else { return error(404, code: nil, "no such route") }
        let typeAndID = String(path[..<marker.lowerBound])
        let revision = String(path[marker.upperBound...]).removingPercentEncoding ?? ""
        guard let slash = typeAndID.firstIndex(of: "/") else { return error(404, code: nil, "no such route") }
        let plural = typeAndID[..<slash]
        let id = String(typeAndID[typeAndID.index(after: slash)...])
        let type = plural == "datasets" ? "dataset" : "model"
        let found = lookup(FakeHub.key(id, type: type), revision: revision, request: request)
        guard case let .success((commit, files)) = found else {
            if case let .failure(response) = found { return response }
            return error(500, code: nil, "unreachable")
        }
        let siblings = files.keys.sorted().map { ["rfilename": $0] }
        let object: [String: Any] = ["id": id, "sha": commit, "siblings": siblings, "private": false]
        let body = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        return LoopbackHTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: [UInt8](body))
    }

    private enum Lookup {
        case success((String, [String: File]))
        case failure(LoopbackHTTPResponse)
    }

    private func lockedRenamed(_ key: String) -> String? {
        lock.lock()
        defer { lock.unlock() }
        return renamed[key]
    }

    private func lookup(_ key: String, revision: String, request: LoopbackHTTPRequest) -> Lookup {
        lock.lock()
        let repository = repositories[key]
        lock.unlock()
        guard let repository else { return .failure(error(404, code: "RepoNotFound", "Repository Not Found")) }
        if let token = repository.token, request.headers["authorization"] != "Bearer \(token)" {
            let code = request.headers["authorization"] == nil ? "RepoNotFound" : "GatedRepo"
            return .failure(error(401, code: code, "Invalid credentials in Authorization header"))
        }
        guard let commit = repository.refs[revision] ?? (repository.commits[revision] != nil ? revision : nil),
              let files = repository.commits[commit] else {
            return .failure(error(404, code: "RevisionNotFound", "Invalid rev id: \(revision)"))
        }
        return .success((commit, files))
    }

    /// A 200, or a 206 for `Range: bytes=N-`, possibly cut short.
    private func ranged(_ bytes: [UInt8], request: LoopbackHTTPRequest, etag: String) -> LoopbackHTTPResponse {
        var start = 0
        if let range = request.headers["range"], range.hasPrefix("bytes="), let first = Int(range.dropFirst(6).prefix { $0 != "-" }) {
            guard first < bytes.count else {
                return LoopbackHTTPResponse(status: 416, headers: [("Content-Range", "bytes */\(bytes.count)")])
            }
            start = first
        }
        let body = Array(bytes[start...])
        var headers: [(String, String)] = [("Content-Length", "\(body.count)"), ("Accept-Ranges", "bytes")]
        if start > 0 { headers.append(("Content-Range", "bytes \(start)-\(bytes.count - 1)/\(bytes.count)")) }
        let cut = request.method == "GET" ? takeCut(etag) : nil
        return LoopbackHTTPResponse(status: start > 0 ? 206 : 200, headers: headers, body: body, cutAfter: cut)
    }

    private func error(_ status: Int, code: String?, _ message: String) -> LoopbackHTTPResponse {
        var headers: [(String, String)] = [("Content-Type", "application/json"), ("X-Error-Message", message)]
        if let code { headers.append(("X-Error-Code", code)) }
        let body = (try? JSONSerialization.data(withJSONObject: ["error": message])) ?? Data()
        return LoopbackHTTPResponse(status: status, headers: headers, body: [UInt8](body))
    }
}
