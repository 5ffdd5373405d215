// The huggingface_hub cache layout, shared with Python:
//   <root>/models--org--name/blobs/<etag>                     file contents, named by ETag
//   <root>/models--org--name/snapshots/<commit>/<path>        relative symlinks to ../../blobs/<etag>
//   <root>/models--org--name/refs/<branch or tag>             the commit the revision pointed to
// Datasets live under datasets--org--name. A cache filled by Python is used as is, and Python
// uses what Sift stores.
import Foundation

/// Reads and writes the Hugging Face Hub cache at `root`.
public struct HubCache: Sendable {
    /// The cache root (`HF_HUB_CACHE`).
    public let root: URL

    public init(root: URL) {
        self.root = root
    }

    /// `<root>/models--org--name`.
    public func storageFolder(_ repo: HubRepository) -> URL {
        root.appendingPathComponent(repo.cacheFolderName, isDirectory: true)
    }

    /// The commit a revision stands for in the cache: the revision itself if it is a commit hash,
    /// else the content of `refs/<revision>`, else nil.
    public func commit(for revision: String, in repo: HubRepository) -> String? {
        if isCommitHash(revision) { return revision }
        guard HubCache.isSafeRelativePath(revision) else { return nil }
        let ref = storageFolder(repo).appendingPathComponent("refs").appendingPathComponent(revision)
        guard let text = try? String(contentsOf: ref, encoding: .utf8) else { return nil }
        let commit = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return isCommitHash(commit) ? commit : nil
    }

    /// Records that `revision` (a branch or tag) points to `commit`; nothing for a commit hash.
    /// Written to a temporary file and renamed, so readers never see half a ref.
    public func recordRevision(_ revision: String, commit: String, in repo: HubRepository) throws {
        guard revision != commit else { return }
        guard HubCache.isSafeRelativePath(revision) else { throw HubError.invalidFilePath(path: revision) }
        let ref = storageFolder(repo).appendingPathComponent("refs").appendingPathComponent(revision)
        if let existing = try? String(contentsOf: ref, encoding: .utf8), existing == commit { return }
        do {
            try FileManager.default.createDirectory(at: ref.deletingLastPathComponent(), withIntermediateDirectories: true)
            let temporary = ref.deletingLastPathComponent().appendingPathComponent(".\(ref.lastPathComponent).\(UUID().uuidString).tmp")
            try Data(commit.utf8).write(to: temporary)
            if rename(temporary.path, ref.path) != 0 {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(at: temporary)
                throw HubError.cacheIO(path: ref.path, reason: reason)
            }
        } catch let error as HubError {
            throw error
        } catch {
            throw HubError.cacheIO(path: ref.path, reason: error.localizedDescription)
        }
    }

    /// `snapshots/<commit>/<path>` (it may not exist).
    public func snapshotFile(_ path: String, commit: String, in repo: HubRepository) -> URL {
        snapshotFolder(commit: commit, in: repo).appendingPathComponent(path)
    }

    /// `snapshots/<commit>/`.
    public func snapshotFolder(commit: String, in repo: HubRepository) -> URL {
        storageFolder(repo).appendingPathComponent("snapshots").appendingPathComponent(commit, isDirectory: true)
    }

    /// `blobs/<etag>`.
    public func blob(etag: String, in repo: HubRepository) -> URL {
        storageFolder(repo).appendingPathComponent("blobs").appendingPathComponent(etag)
    }

    /// The cached file for `path` at `revision`, if the cache holds it (following its symlink).
    public func cachedFile(_ path: String, revision: String, in repo: HubRepository) -> URL? {
        guard HubCache.isSafeRelativePath(path), let commit = commit(for: revision, in: repo) else { return nil }
        let file = snapshotFile(path, commit: commit, in: repo)
        return FileManager.default.fileExists(atPath: file.path) ? file : nil
    }

    /// Relative paths of every file in `snapshots/<commit>/` (sorted), empty if the folder is missing.
    /// Dangling links (a blob deleted by hand) are left out.
    public func snapshotFiles(commit: String, in repo: HubRepository) -> [String] {
        let folder = snapshotFolder(commit: commit, in: repo)
        guard let enumerator = FileManager.default.enumerator(atPath: folder.path) else { return [] }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let full = folder.appendingPathComponent(relative).path
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append(relative)
            }
        }
        return files.sorted()
    }

    /// Points `snapshots/<commit>/<path>` at `blobs/<etag>` with a relative symlink, as huggingface_hub does
    /// (`../../blobs/<etag>`, one more `../` per folder in `path`), replacing whatever was there.
    public func linkSnapshotFile(_ path: String, commit: String, etag: String, in repo: HubRepository) throws -> URL {
        guard HubCache.isSafeRelativePath(path) else { throw HubError.invalidFilePath(path: path) }
        let pointer = snapshotFile(path, commit: commit, in: repo)
        let depth = path.split(separator: "/").count - 1
        let target = String(repeating: "../", count: 2 + depth) + "blobs/" + etag
        do {
            try FileManager.default.createDirectory(at: pointer.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw HubError.cacheIO(path: pointer.deletingLastPathComponent().path, reason: error.localizedDescription)
        }
        unlink(pointer.path)
        if symlink(target, pointer.path) != 0 {
            throw HubError.cacheIO(path: pointer.path, reason: "cannot create a symbolic link: \(String(cString: strerror(errno)))")
        }
        return pointer
    }

    /// Whether `path` is relative, has no empty, `.` or `..` parts and no NUL: safe to join below a folder.
    public static func isSafeRelativePath(_ path: String) -> Bool {
        guard !path.isEmpty, !path.hasPrefix("/"), !path.utf8.contains(0) else { return false }
        return path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }
}
