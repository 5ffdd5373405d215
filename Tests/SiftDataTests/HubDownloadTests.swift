// Downloads from a fake Hub into the huggingface_hub cache layout: symlinks, refs, resume after
// cut connections, checks of size and SHA-256, redirects, and where the token goes.
import Foundation
import SiftTestSupport
import Testing
@testable import SiftData

@Suite("Hub downloads", .serialized)
struct HubDownloadTests {
    @Test("files land in the huggingface_hub layout: blobs by ETag, relative snapshot links, refs/main")
    func pythonLayout() throws {
        let bed = try HubTestBed()
        let config = FakeHub.File(text: "{\"model_type\": \"bert\"}")
        let weights = FakeHub.File(HubTestBed.bytes(count: 70_000, seed: 1), lfs: true)
        let nested = FakeHub.File(text: "nested file")
        let commit = bed.hub.publish("org/tiny", files: ["config.json": config, "model.safetensors": weights, "a/b/notes.txt": nested])
        let client = bed.client()
        let repo = try HubRepository(id: "org/tiny")

        let storage = bed.storage("models--org--tiny")
        for (path, file, links) in [("config.json", config, "../../blobs/"), ("model.safetensors", weights, "../../blobs/"),
                                    ("a/b/notes.txt", nested, "../../../../blobs/")] {
            let local = try client.downloadFile(path, from: repo)
            #expect(local.path == storage.appendingPathComponent("snapshots/\(commit)/\(path)").path)
            #expect(try HubTestBed.symlinkTarget(local) == links + bed.hub.etag(file))
            #expect([UInt8](try Data(contentsOf: local)) == file.bytes)
            let blob = storage.appendingPathComponent("blobs/\(bed.hub.etag(file))")
            #expect([UInt8](try Data(contentsOf: blob)) == file.bytes)
        }
        #expect(try String(contentsOf: storage.appendingPathComponent("refs/main"), encoding: .utf8) == commit)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: storage.appendingPathComponent("blobs").path)
        #expect(!leftovers.contains { $0.hasSuffix(".incomplete") })
        // The LFS file's ETag is its SHA-256 and came from X-Linked-Etag on the redirect.
        #expect(bed.hub.etag(weights) == HubTestBed.sha256(weights.bytes))
    }

    @Test("a second request for a cached file at a commit hash makes no request at all")
    func commitHashShortcut() throws {
        let bed = try HubTestBed()
        let commit = bed.hub.publish("org/tiny", files: ["config.json": FakeHub.File(text: "{}")])
        let repo = try HubRepository(id: "org/tiny")
        _ = try bed.client().downloadFile("config.json", from: repo)
        bed.hub.clearLog()
        _ = try bed.client().downloadFile("config.json", from: repo, revision: commit)
        #expect(bed.hub.requests.isEmpty)
        // By branch name it asks the Hub (HEAD only) and downloads nothing.
        _ = try bed.client().downloadFile("config.json", from: repo)
        #expect(bed.hub.requests.map(\.method) == ["HEAD"])
    }

    @Test("a cut connection is resumed with a Range request, and the content is intact")
    func resumeAfterCut() throws {
        let bed = try HubTestBed()
        let weights = FakeHub.File(HubTestBed.bytes(count: 300_000, seed: 2), lfs: true)
        let small = FakeHub.File(HubTestBed.bytes(count: 9_000, seed: 3))
        bed.hub.publish("org/tiny", files: ["model.safetensors": weights, "tokenizer.json": small])
        bed.hub.cutDownloads(of: weights, after: [100_000, 50_000])
        bed.hub.cutDownloads(of: small, after: [4_000])
        let repo = try HubRepository(id: "org/tiny")
        let client = bed.client()
        let local = try client.downloadFile("model.safetensors", from: repo)
        #expect([UInt8](try Data(contentsOf: local)) == weights.bytes)
        let cdnGets = bed.hub.requests.filter { $0.server == "cdn" }
        #expect(cdnGets.map { $0.headers["range"] ?? "-" } == ["-", "bytes=100000-", "bytes=150000-"])
        // A non-LFS file served by the Hub itself resumes the same way.
        let text = try client.downloadFile("tokenizer.json", from: repo)
        #expect([UInt8](try Data(contentsOf: text)) == small.bytes)
        #expect(bed.hub.requests.filter { $0.server == "hub" && $0.method == "GET" }.map { $0.headers["range"] ?? "-" } == ["-", "bytes=4000-"])
    }

    @Test("progress reports count up to the announced size and end with one finished report")
    func progress() throws {
        let bed = try HubTestBed()
        let weights = FakeHub.File(HubTestBed.bytes(count: 400_000, seed: 10), lfs: true)
        bed.hub.publish("org/tiny", files: ["model.safetensors": weights])
        bed.hub.cutDownloads(of: weights, after: [150_000])
        let reports = ProgressLog()
        var client = bed.client()
        client.onProgress = { reports.append($0) }
        _ = try client.downloadFile("model.safetensors", from: try HubRepository(id: "org/tiny"))
        let all = reports.items
        #expect(all.filter(\.finished) == [HubDownloadProgress(file: "model.safetensors", receivedBytes: 400_000, totalBytes: 400_000, finished: true)])
        #expect(all.last?.finished == true)
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.receivedBytes <= $1.receivedBytes })
    }

    @Test("a partial file left by an earlier run is continued, not restarted")
    func resumeEarlierRun() throws {
        let bed = try HubTestBed()
        let weights = FakeHub.File(HubTestBed.bytes(count: 200_000, seed: 4), lfs: true)
        bed.hub.publish("org/tiny", files: ["model.safetensors": weights])
        let blobs = bed.storage("models--org--tiny/blobs")
        try FileManager.default.createDirectory(at: blobs, withIntermediateDirectories: true)
        try Data(weights.bytes[0..<123_456]).write(to: blobs.appendingPathComponent(bed.hub.etag(weights) + ".incomplete"))
        let local = try bed.client().downloadFile("model.safetensors", from: try HubRepository(id: "org/tiny"))
        #expect([UInt8](try Data(contentsOf: local)) == weights.bytes)
        #expect(bed.hub.requests.filter { $0.server == "cdn" }.map { $0.headers["range"] ?? "-" } == ["bytes=123456-"])
    }

    @Test("a download whose SHA-256 differs from the ETag is rejected and removed; the next run succeeds")
    func checksumMismatch() throws {
        let bed = try HubTestBed()
        let weights = FakeHub.File(HubTestBed.bytes(count: 50_000, seed: 5), lfs: true)
        bed.hub.publish("org/tiny", files: ["model.safetensors": weights])
        let blobs = bed.storage("models--org--tiny/blobs")
        try FileManager.default.createDirectory(at: blobs, withIntermediateDirectories: true)
        let partial = blobs.appendingPathComponent(bed.hub.etag(weights) + ".incomplete")
        try Data(repeating: 0xAB, count: 10_000).write(to: partial)  // not a prefix of the real content
        let repo = try HubRepository(id: "org/tiny")
        #expect {
            _ = try bed.client().downloadFile("model.safetensors", from: repo)
        } throws: { error in
            guard case let .checksumMismatch(path, expected, _) = error as? HubError else { return false }
            return path == "model.safetensors" && expected == bed.hub.etag(weights)
        }
        #expect(!FileManager.default.fileExists(atPath: partial.path))
        #expect(!FileManager.default.fileExists(atPath: blobs.appendingPathComponent(bed.hub.etag(weights)).path))
        let local = try bed.client().downloadFile("model.safetensors", from: repo)
        #expect([UInt8](try Data(contentsOf: local)) == weights.bytes)
    }

    @Test("a connection that keeps dropping without progress ends in a clear error and keeps the partial file")
    func givesUpWithoutProgress() throws {
        let bed = try HubTestBed()
        let weights = FakeHub.File(HubTestBed.bytes(count: 40_000, seed: 6), lfs: true)
        bed.hub.publish("org/tiny", files: ["model.safetensors": weights])
        bed.hub.cutDownloads(of: weights, after: [10_000, 0, 0, 0])
        let repo = try HubRepository(id: "org/tiny")
        #expect {
            _ = try bed.client(maxResumeAttempts: 3).downloadFile("model.safetensors", from: repo)
        } throws: { error in
            guard case let .network(_, reason) = error as? HubError else { return false }
            return reason.contains("10000 bytes of model.safetensors kept") && reason.contains("run again to resume")
        }
        // The next run picks up from the 10,000 bytes already there.
        let local = try bed.client().downloadFile("model.safetensors", from: repo)
        #expect([UInt8](try Data(contentsOf: local)) == weights.bytes)
        #expect(bed.hub.requests.filter { $0.server == "cdn" }.last?.headers["range"] == "bytes=10000-")
    }

    @Test("HF_TOKEN goes to the Hub as a Bearer token, never to the CDN")
    func tokenStaysOnTheHub() throws {
        let bed = try HubTestBed()
        bed.hub.publish("org/private", files: ["model.safetensors": FakeHub.File(HubTestBed.bytes(count: 5_000, seed: 7), lfs: true)])
        bed.hub.requireToken("hf_secret", for: "org/private")
        _ = try bed.client(token: "hf_secret").downloadFile("model.safetensors", from: try HubRepository(id: "org/private"))
        let requests = bed.hub.requests
        #expect(requests.filter { $0.server == "hub" }.allSatisfy { $0.headers["authorization"] == "Bearer hf_secret" })
        #expect(requests.contains { $0.server == "cdn" })
        #expect(requests.filter { $0.server == "cdn" }.allSatisfy { $0.headers["authorization"] == nil })
    }

    @Test("a renamed repository's redirect is followed on the Hub")
    func renamedRepository() throws {
        let bed = try HubTestBed()
        let file = FakeHub.File(text: "{\"renamed\": true}")
        bed.hub.publish("neworg/model", files: ["config.json": file])
        bed.hub.rename("oldorg/model", to: "neworg/model")
        let local = try bed.client().downloadFile("config.json", from: try HubRepository(id: "oldorg/model"))
        #expect([UInt8](try Data(contentsOf: local)) == file.bytes)
        #expect(local.path.contains("models--oldorg--model/snapshots/"))
        #expect(bed.hub.requests.map(\.path).contains("/neworg/model/resolve/main/config.json"))
    }

    @Test("file names with spaces and non-ASCII letters are percent-encoded")
    func encodedNames() throws {
        let bed = try HubTestBed()
        let file = FakeHub.File(text: "données")
        bed.hub.publish("org/tiny", files: ["dir one/é.txt": file])
        let local = try bed.client().downloadFile("dir one/é.txt", from: try HubRepository(id: "org/tiny"))
        #expect([UInt8](try Data(contentsOf: local)) == file.bytes)
        #expect(bed.hub.requests.first?.path == "/org/tiny/resolve/main/dir%20one/%C3%A9.txt")
    }
}

/// Progress reports collected from the download thread.
private final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var reports: [HubDownloadProgress] = []

    func append(_ report: HubDownloadProgress) {
        lock.lock()
        reports.append(report)
        lock.unlock()
    }

    var items: [HubDownloadProgress] {
        lock.lock()
        defer { lock.unlock() }
        return reports
    }
}
