// The cache shared with Python: offline use (HF_HUB_OFFLINE), fallback when the Hub is unreachable,
// revisions resolved through refs/, and a cache laid out by hand exactly as huggingface_hub lays it out.
import Foundation
import SiftTestSupport
import Testing
@testable import SiftData

@Suite("Hub cache and revisions", .serialized)
struct HubCacheTests {
    @Test("offline, cached files are served without a single request; missing ones get a clear error")
    func offline() throws {
        let bed = try HubTestBed()
        let config = FakeHub.File(text: "{\"a\": 1}")
        let commit = bed.hub.publish("org/tiny", files: ["config.json": config, "vocab.txt": FakeHub.File(text: "[PAD]")])
        let repo = try HubRepository(id: "org/tiny")
        _ = try bed.client().downloadFile("config.json", from: repo)
        bed.hub.clearLog()

        let offline = bed.client(offline: true)
        let local = try offline.downloadFile("config.json", from: repo)
        #expect([UInt8](try Data(contentsOf: local)) == config.bytes)
        let listing = try offline.listFiles(repo)
        #expect(listing == HubFileListing(commit: commit, files: ["config.json"], fromCache: true))
        #expect {
            _ = try offline.downloadFile("vocab.txt", from: repo)
        } throws: { error in
            let text = "\(error)"
            guard case .notCachedOffline = error as? HubError else { return false }
            return text.contains("'vocab.txt'") && text.contains("HF_HUB_OFFLINE") && text.contains("sift download org/tiny")
                && text.contains(bed.cacheDirectory.path)
        }
        #expect {
            _ = try offline.listFiles(try HubRepository(id: "org/other", type: .dataset), revision: "v2")
        } throws: { error in
            "\(error)".contains("sift download org/other --repo-type dataset --revision v2")
        }
        #expect(bed.hub.requests.isEmpty)
    }

    @Test("when the Hub cannot be reached, the cache answers; what it lacks gets an error naming the cause")
    func unreachable() throws {
        let bed = try HubTestBed()
        bed.hub.publish("org/tiny", files: ["config.json": FakeHub.File(text: "{}"), "vocab.txt": FakeHub.File(text: "x")])
        let repo = try HubRepository(id: "org/tiny")
        _ = try bed.client().downloadFile("config.json", from: repo)
        bed.hub.stop()
        let client = bed.client()
        #expect(FileManager.default.fileExists(atPath: try client.downloadFile("config.json", from: repo).path))
        #expect(try client.listFiles(repo).fromCache)
        #expect {
            _ = try client.downloadFile("vocab.txt", from: repo)
        } throws: { error in
            guard case .notCachedUnreachable = error as? HubError else { return false }
            return "\(error)".contains("could not reach the Hub")
        }
    }

    @Test("branches and tags resolve to commits, recorded in refs/; a moved branch is followed")
    func revisions() throws {
        let bed = try HubTestBed()
        let first = FakeHub.File(text: "version 1")
        let second = FakeHub.File(text: "version 2")
        let commit1 = bed.hub.publish("org/tiny", files: ["config.json": first])
        bed.hub.tag("org/tiny", name: "v1.0", commit: commit1)
        let commit2 = bed.hub.publish("org/tiny", files: ["config.json": second])
        bed.hub.tag("org/tiny", name: "refs/pr/1", commit: commit1)
        let repo = try HubRepository(id: "org/tiny")
        let client = bed.client()
        let storage = bed.storage("models--org--tiny")

        #expect(try String(contentsOf: client.downloadFile("config.json", from: repo, revision: "v1.0"), encoding: .utf8) == "version 1")
        #expect(try String(contentsOf: client.downloadFile("config.json", from: repo), encoding: .utf8) == "version 2")
        #expect(try String(contentsOf: client.downloadFile("config.json", from: repo, revision: "refs/pr/1"), encoding: .utf8) == "version 1")
        #expect(try String(contentsOf: storage.appendingPathComponent("refs/v1.0"), encoding: .utf8) == commit1)
        #expect(try String(contentsOf: storage.appendingPathComponent("refs/main"), encoding: .utf8) == commit2)
        #expect(try String(contentsOf: storage.appendingPathComponent("refs/refs/pr/1"), encoding: .utf8) == commit1)
        #expect(try client.listFiles(repo, revision: "v1.0").commit == commit1)
        // Both snapshots exist side by side; offline, each revision finds its own.
        let offline = bed.client(offline: true)
        #expect(try String(contentsOf: offline.downloadFile("config.json", from: repo, revision: "v1.0"), encoding: .utf8) == "version 1")
        #expect(try String(contentsOf: offline.downloadFile("config.json", from: repo, revision: commit2), encoding: .utf8) == "version 2")
    }

    @Test("a cache laid out by hand as huggingface_hub does is reused offline and online (no re-download)")
    func pythonLayoutReused() throws {
        let bed = try HubTestBed()
        let config = FakeHub.File(text: "{\"hidden_size\": 8}")
        let weights = FakeHub.File(HubTestBed.bytes(count: 20_000, seed: 8), lfs: true)
        let commit = bed.hub.publish("org/tiny", files: ["config.json": config, "model.safetensors": weights, "onnx/model.onnx": config])
        // What huggingface_hub leaves behind after hf_hub_download of these two files.
        let storage = bed.storage("models--org--tiny")
        let manager = FileManager.default
        try manager.createDirectory(at: storage.appendingPathComponent("blobs"), withIntermediateDirectories: true)
        try manager.createDirectory(at: storage.appendingPathComponent("refs"), withIntermediateDirectories: true)
        try manager.createDirectory(at: storage.appendingPathComponent("snapshots/\(commit)/onnx"), withIntermediateDirectories: true)
        try Data(commit.utf8).write(to: storage.appendingPathComponent("refs/main"))
        for (path, file, up) in [("config.json", config, "../../"), ("model.safetensors", weights, "../../"), ("onnx/model.onnx", config, "../../../")] {
            let tag = bed.hub.etag(file)
            try Data(file.bytes).write(to: storage.appendingPathComponent("blobs/\(tag)"))
            try manager.createSymbolicLink(atPath: storage.appendingPathComponent("snapshots/\(commit)/\(path)").path,
                                           withDestinationPath: "\(up)blobs/\(tag)")
        }
        let repo = try HubRepository(id: "org/tiny")
        let offline = bed.client(offline: true)
        let snapshot = try offline.snapshot(repo)
        #expect(snapshot.commit == commit)
        #expect(snapshot.files == ["config.json", "model.safetensors", "onnx/model.onnx"])
        #expect(try offline.modelLocation(repo).path == storage.appendingPathComponent("snapshots/\(commit)").path)
        #expect(bed.hub.requests.isEmpty)
        // Online: metadata only, no content downloads (the blobs are there already).
        let online = try bed.client().modelLocation(repo)
        #expect(online.path == storage.appendingPathComponent("snapshots/\(commit)").path)
        #expect(!bed.hub.requests.contains { $0.method == "GET" && !$0.path.hasPrefix("/api/") })
    }

    @Test("a snapshot link whose blob was deleted counts as missing")
    func danglingLink() throws {
        let bed = try HubTestBed()
        let config = FakeHub.File(text: "{}")
        bed.hub.publish("org/tiny", files: ["config.json": config])
        let repo = try HubRepository(id: "org/tiny")
        _ = try bed.client().downloadFile("config.json", from: repo)
        try FileManager.default.removeItem(at: bed.storage("models--org--tiny/blobs/\(bed.hub.etag(config))"))
        #expect(throws: HubError.self) { _ = try bed.client(offline: true).downloadFile("config.json", from: repo) }
        // Online, the missing blob is fetched again and the link works.
        let local = try bed.client().downloadFile("config.json", from: repo)
        #expect(try String(contentsOf: local, encoding: .utf8) == "{}")
    }
}
