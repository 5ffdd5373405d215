// What the user reads when the Hub says no: unknown repositories, revisions and files, private
// repositories without (or with a wrong) token, and an endpoint that is not a Hub.
import Foundation
import SiftTestSupport
import Testing
@testable import SiftData

@Suite("Hub errors", .serialized)
struct HubErrorTests {
    @Test("unknown repository, revision and file each get their own error")
    func notFound() throws {
        let bed = try HubTestBed()
        bed.hub.publish("org/tiny", files: ["config.json": FakeHub.File(text: "{}")])
        let client = bed.client()
        #expect {
            _ = try client.downloadFile("config.json", from: try HubRepository(id: "org/nothing"))
        } throws: { error in
            guard case let .repositoryNotFound(repo, status, tokenSent, _) = error as? HubError else { return false }
            return repo.id == "org/nothing" && status == 404 && !tokenSent && "\(error)".contains("set HF_TOKEN")
        }
        #expect {
            _ = try client.listFiles(try HubRepository(id: "org/tiny"), revision: "no-such-branch")
        } throws: { error in
            (error as? HubError) == .revisionNotFound(repo: try HubRepository(id: "org/tiny"), revision: "no-such-branch")
        }
        #expect {
            _ = try client.downloadFile("tokenizer.json", from: try HubRepository(id: "org/tiny"))
        } throws: { error in
            (error as? HubError) == .fileNotFound(repo: try HubRepository(id: "org/tiny"), revision: "main", path: "tokenizer.json")
                && "\(error)".contains("'tokenizer.json' does not exist")
        }
    }

    @Test("a private repository: 401 without a token says to set HF_TOKEN; a wrong token says it lacks access")
    func unauthorized() throws {
        let bed = try HubTestBed()
        bed.hub.publish("org/private", files: ["config.json": FakeHub.File(text: "{}")])
        bed.hub.requireToken("hf_right", for: "org/private")
        let repo = try HubRepository(id: "org/private")
        #expect {
            _ = try bed.client().downloadFile("config.json", from: repo)
        } throws: { error in
            guard case let .repositoryNotFound(_, status, tokenSent, _) = error as? HubError else { return false }
            return status == 401 && !tokenSent && "\(error)".contains("no token was sent")
        }
        #expect {
            _ = try bed.client(token: "hf_wrong").listFiles(repo)
        } throws: { error in
            guard case let .accessDenied(_, status, tokenSent, message) = error as? HubError else { return false }
            return status == 401 && tokenSent && message == "Invalid credentials in Authorization header"
                && "\(error)".contains("does not grant access")
        }
        let local = try bed.client(token: "hf_right").downloadFile("config.json", from: repo)
        #expect(try String(contentsOf: local, encoding: .utf8) == "{}")
    }

    @Test("an endpoint that is not a Hub (no X-Repo-Commit) is named as such")
    func notAHub() throws {
        let server = try LoopbackHTTPServer { _ in LoopbackHTTPResponse(status: 200, headers: [("ETag", "\"x\"")], body: Array("hello".utf8)) }
        defer { server.stop() }
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("sift-hub-tests-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        let client = HubClient(configuration: HubConfiguration(endpoint: server.baseURL + "/", cacheDirectory: cache, metadataTimeout: 5))
        #expect {
            _ = try client.downloadFile("config.json", from: try HubRepository(id: "org/tiny"))
        } throws: { error in
            guard case let .missingHeader(url, header) = error as? HubError else { return false }
            return header == "X-Repo-Commit" && url == server.baseURL + "/org/tiny/resolve/main/config.json"
                && "\(error)".contains("HF_ENDPOINT")
        }
        #expect {
            _ = try client.listFiles(try HubRepository(id: "org/tiny"))
        } throws: { error in
            guard case .malformedResponse = error as? HubError else { return false }
            return true
        }
    }

    @Test("nothing listening: a network error that names the URL")
    func connectionRefused() throws {
        let bed = try HubTestBed()
        bed.hub.stop()
        #expect {
            _ = try bed.client().downloadFile("config.json", from: try HubRepository(id: "org/tiny"))
        } throws: { error in
            guard case .notCachedUnreachable = error as? HubError else { return false }
            return "\(error)".contains("is not in the cache")
        }
    }

    @Test("malformed ids are refused with the rule they break")
    func invalidIDs() throws {
        for good in ["google-bert/bert-base-uncased", "Qwen/Qwen3-0.6B", "fancyzhx/ag_news", "gpt2", "a/b"] {
            #expect(HubRepository.isValidID(good), "\(good)")
        }
        for bad in ["", "a/b/c", "/abs", "org/", "-org/name", "org/name-", "org--x/name", "org/na..me", "org/name.git", "or g/name",
                    String(repeating: "x", count: 97)] {
            #expect(throws: HubError.self, "\(bad)") { _ = try HubRepository(id: bad) }
        }
        #expect(try HubRepository(id: "fancyzhx/ag_news", type: .dataset).cacheFolderName == "datasets--fancyzhx--ag_news")
        #expect(try HubRepository(id: "gpt2").cacheFolderName == "models--gpt2")
        #expect(!HubCache.isSafeRelativePath("../etc/passwd"))
        #expect(!HubCache.isSafeRelativePath("a//b"))
        #expect(HubCache.isSafeRelativePath("data/train-00000-of-00001.parquet"))
        #expect(throws: HubError.invalidFilePath(path: "../x")) {
            _ = try HubClient(configuration: HubConfiguration(cacheDirectory: URL(fileURLWithPath: "/nonexistent")))
                .downloadFile("../x", from: try HubRepository(id: "a/b"))
        }
    }
}
