// Downloading one blob into the cache: bytes go to `blobs/<etag>.incomplete`, a cut connection
// is resumed with a Range request (also by a later run, which finds the partial file), the size
// and (for LFS files) the SHA-256 are checked, and the file is then renamed to `blobs/<etag>`.
// A lock file in `.locks/` (the one huggingface_hub takes) keeps two processes from writing the
// same partial file.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One resumable download of a file's content into its blob.
struct HubBlobDownload {
    let client: HubClient
    let repo: HubRepository
    /// The file's path in the repository (for messages and progress).
    let file: String
    let metadata: HubFileMetadata
    /// `blobs/<etag>`.
    let blob: URL

    var incomplete: URL { URL(fileURLWithPath: blob.path + ".incomplete") }

    func run() throws {
        let configuration = client.configuration
        let folder = blob.deletingLastPathComponent()
        let lockFile = configuration.cacheDirectory.appendingPathComponent(".locks").appendingPathComponent(repo.cacheFolderName)
            .appendingPathComponent(metadata.etag + ".lock")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: lockFile.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw HubError.cacheIO(path: folder.path, reason: error.localizedDescription)
        }
        let lock = open(lockFile.path, O_RDWR | O_CREAT, 0o644)
        guard lock >= 0 else { throw HubError.cacheIO(path: lockFile.path, reason: String(cString: strerror(errno))) }
        defer { close(lock) }
        while flock(lock, LOCK_EX) != 0 {
            guard errno == EINTR else { throw HubError.cacheIO(path: lockFile.path, reason: String(cString: strerror(errno))) }
        }
        defer { flock(lock, LOCK_UN) }
        // Another process may have finished the blob while we waited for the lock.
        if FileManager.default.fileExists(atPath: blob.path) { return }

        let output = try PartialFile(url: incomplete)
        defer { output.closeFile() }
        if let size = metadata.size, output.size > size { try output.truncate() }
        try fetch(into: output)
        try verify(output)
        chmod(incomplete.path, 0o644)
        guard rename(incomplete.path, blob.path) == 0 else {
            throw HubError.cacheIO(path: blob.path, reason: String(cString: strerror(errno)))
        }
    }

    /// GETs the content from where the partial file ends until it is complete, resuming after cuts.
    private func fetch(into output: PartialFile) throws {
        let configuration = client.configuration
        var url = metadata.location
        var sendToken = client.isHubOrigin(url)
        var redirects = 0
        var failuresWithoutProgress = 0
        let reporter = ProgressThrottle(file: file, total: metadata.size, onProgress: client.onProgress)
        while true {
            if let size = metadata.size, output.size == size { break }
            let startSize = output.size
            var request = URLRequest(url: url)
            request.httpMethod = "GET"
            client.addHubHeaders(&request, sendToken: sendToken)
            if startSize > 0 { request.setValue("bytes=\(startSize)-", forHTTPHeaderField: "Range") }
            var rangeMismatch = false
            let (response, error) = HubHTTP.perform(request, timeout: configuration.downloadTimeout) { head in
                if head.status == 206 {
                    guard HubBlobDownload.contentRangeStart(head.header("content-range")) == startSize else {
                        rangeMismatch = true
                        return nil
                    }
                } else if startSize > 0 {
                    try output.truncate()  // the server ignored the Range: start over
                }
                return { data in
                    try output.append(data)
                    reporter.report(output.size, finished: false)
                }
            }
            if let response, let target = response.redirectTarget {
                redirects += 1
                guard redirects <= HubClient.maxRedirects else { throw HubError.tooManyRedirects(url: metadata.location.absoluteString) }
                // Like huggingface_hub: the token never leaves the Hub (CDN URLs are signed instead).
                sendToken = sendToken && HubClient.sameOrigin(url, target)
                url = target
                continue
            }
            if let response, response.status == 416, startSize > 0 {
                // The partial file is not a prefix the server can continue: start over.
                try output.truncate()
                failuresWithoutProgress += 1
            } else if let response, response.status >= 400 {
                try client.checkStatus(response, repo: repo, revision: metadata.commit, path: file)
            } else if rangeMismatch {
                try output.truncate()
                failuresWithoutProgress += 1
            } else if let error {
                if let hubError = error as? HubError { throw hubError }
                failuresWithoutProgress = output.size > startSize ? 0 : failuresWithoutProgress + 1
                if failuresWithoutProgress >= configuration.maxResumeAttempts {
                    throw HubError.network(url: url.absoluteString, reason: HubClient.reason(error)
                        + " (\(output.size) bytes of \(file) kept in \(incomplete.path); run again to resume)")
                }
                client.onNote?("download of \(file) was cut at \(output.size) bytes (\(HubClient.reason(error))); resuming")
            } else if let size = metadata.size {
                if output.size > size {
                    let actual = output.size
                    try? output.truncate()
                    throw HubError.sizeMismatch(path: file, expected: size, actual: actual)
                }
                if output.size < size {
                    // The server ended the answer early but cleanly: resume like a cut.
                    failuresWithoutProgress = output.size > startSize ? 0 : failuresWithoutProgress + 1
                    if failuresWithoutProgress >= configuration.maxResumeAttempts {
                        throw HubError.sizeMismatch(path: file, expected: size, actual: output.size)
                    }
                }
            } else {
                break  // no announced size: the answer's end is the file's end
            }
            if failuresWithoutProgress > 0, configuration.resumeDelay > 0 { Thread.sleep(forTimeInterval: configuration.resumeDelay) }
        }
        reporter.report(output.size, finished: true)
    }

    /// Checks the size and, when the ETag is a SHA-256, the content; a bad file is deleted.
    private func verify(_ output: PartialFile) throws {
        if let size = metadata.size, output.size != size {
            let actual = output.size
            try? output.truncate()
            throw HubError.sizeMismatch(path: file, expected: size, actual: actual)
        }
        if metadata.isContentSHA256 {
            let digest = try SHA256.hexDigest(ofFile: incomplete)
            if digest != metadata.etag {
                try? output.truncate()
                unlink(incomplete.path)
                throw HubError.checksumMismatch(path: file, expected: metadata.etag, actual: digest)
            }
        }
    }

    /// The first byte of `bytes START-END/TOTAL`.
    static func contentRangeStart(_ header: String?) -> Int? {
        guard let header, let range = header.split(separator: " ").last,
              let start = range.split(separator: "-").first else { return nil }
        return Int(start)
    }
}

/// The `.incomplete` file, opened for appending.
private final class PartialFile: @unchecked Sendable {
    let url: URL
    private var descriptor: Int32
    private(set) var size: Int

    init(url: URL) throws {
        self.url = url
        descriptor = open(url.path, O_WRONLY | O_CREAT, 0o644)
        guard descriptor >= 0 else { throw HubError.cacheIO(path: url.path, reason: String(cString: strerror(errno))) }
        let end = lseek(descriptor, 0, SEEK_END)
        size = end < 0 ? 0 : Int(end)
    }

    func append(_ data: Data) throws {
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < bytes.count {
                let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw HubError.cacheIO(path: url.path, reason: String(cString: strerror(errno)))
                }
                offset += written
            }
        }
        size += data.count
    }

    func truncate() throws {
        guard ftruncate(descriptor, 0) == 0, lseek(descriptor, 0, SEEK_SET) == 0 else {
            throw HubError.cacheIO(path: url.path, reason: String(cString: strerror(errno)))
        }
        size = 0
    }

    func closeFile() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
    }
}

/// Reports progress at most ten times a second (and always the final state).
private final class ProgressThrottle: @unchecked Sendable {
    private let file: String
    private let total: Int?
    private let onProgress: (@Sendable (HubDownloadProgress) -> Void)?
    private var last = Date.distantPast

    init(file: String, total: Int?, onProgress: (@Sendable (HubDownloadProgress) -> Void)?) {
        self.file = file
        self.total = total
        self.onProgress = onProgress
    }

    func report(_ received: Int, finished: Bool) {
        guard let onProgress else { return }
        let now = Date()
        guard finished || now.timeIntervalSince(last) >= 0.1 else { return }
        last = now
        onProgress(HubDownloadProgress(file: file, receivedBytes: received, totalBytes: total, finished: finished))
    }
}
