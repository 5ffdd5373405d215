// What a HEAD request on a file's resolve URL tells: the commit the revision points to, the
// file's ETag (its cache key), its size and where to download it from.
import Foundation

/// A file's metadata from the Hub.
struct HubFileMetadata: Sendable, Equatable {
    /// The commit the revision resolved to (`X-Repo-Commit`).
    let commit: String
    /// The normalized ETag (`X-Linked-Etag`, else `ETag`; without `W/` and quotes): the blob's name.
    let etag: String
    /// The size in bytes (`X-Linked-Size`, else `Content-Length` of a non-redirect answer), if known.
    let size: Int?
    /// Where to GET the content (the CDN location of a redirect, else the resolve URL).
    let location: URL

    /// Reads the metadata from a HEAD answer; `location` is where the content lives.
    init(response: HubHTTPResponse, location: URL) throws {
        let url = response.url.absoluteString
        guard let commit = response.header("x-repo-commit")?.trimmingCharacters(in: .whitespaces), !commit.isEmpty else {
            throw HubError.missingHeader(url: url, header: "X-Repo-Commit")
        }
        guard isCommitHash(commit) else {
            throw HubError.malformedResponse(url: url, reason: "X-Repo-Commit '\(commit)' is not a 40-digit commit hash")
        }
        guard let rawTag = response.header("x-linked-etag") ?? response.header("etag") else {
            throw HubError.missingHeader(url: url, header: "ETag")
        }
        let etag = HubFileMetadata.normalizeETag(rawTag)
        guard !etag.isEmpty, HubCache.isSafeRelativePath(etag), !etag.contains("/") else {
            throw HubError.malformedResponse(url: url, reason: "ETag '\(rawTag)' cannot name a cache file")
        }
        let sizeText = response.header("x-linked-size") ?? (response.redirectTarget == nil ? response.header("content-length") : nil)
        self.commit = commit
        self.etag = etag
        self.size = sizeText.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        self.location = location
    }

    /// `W/"abc"` and `"abc"` → `abc`, as huggingface_hub names blobs.
    static func normalizeETag(_ text: String) -> String {
        var value = Substring(text.trimmingCharacters(in: .whitespaces))
        if value.hasPrefix("W/") { value = value.dropFirst(2) }
        while value.first == "\"" { value = value.dropFirst() }
        while value.last == "\"" { value = value.dropLast() }
        return String(value)
    }

    /// Whether the ETag is a SHA-256 (64 lowercase hex digits): the Hub uses the content's SHA-256
    /// as the ETag of files stored with Git LFS, so the download can be checked against it.
    var isContentSHA256: Bool {
        let bytes = Array(etag.utf8)
        return bytes.count == 64 && bytes.allSatisfy {
            ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f"))
        }
    }
}
