// The environment variables huggingface_hub reads, read the same way; and SHA-256 against
// FIPS 180-4's examples and the system's sha256sum.
import Foundation
import Testing
@testable import SiftData

@Suite("Hub configuration and SHA-256")
struct HubConfigurationTests {
    @Test("HF_HOME, HF_HUB_CACHE, HF_ENDPOINT, HF_TOKEN and HF_HUB_OFFLINE")
    func environment() throws {
        let home = FileManager.default.homeDirectoryForCurrentUser.path
        let defaults = HubConfiguration.fromEnvironment(["HF_TOKEN_PATH": "/nonexistent/token"])
        #expect(defaults.endpoint == "https://huggingface.co")
        #expect(defaults.cacheDirectory.path == home + "/.cache/huggingface/hub")
        #expect(defaults.token == nil)
        #expect(!defaults.offline)

        let custom = HubConfiguration.fromEnvironment(["HF_HOME": "/data/hf", "HF_ENDPOINT": "http://mirror:8080/", "HF_TOKEN": "hf_abc",
                                                        "HF_HUB_OFFLINE": "1"])
        #expect(custom.cacheDirectory.path == "/data/hf/hub")
        #expect(custom.endpoint == "http://mirror:8080")
        #expect(custom.token == "hf_abc")
        #expect(custom.offline)
        #expect(HubConfiguration.fromEnvironment(["HF_HOME": "/data/hf", "HF_HUB_CACHE": "/fast/cache"]).cacheDirectory.path == "/fast/cache")
        #expect(HubConfiguration.fromEnvironment(["XDG_CACHE_HOME": "/xdg", "HF_TOKEN_PATH": "/none"]).cacheDirectory.path == "/xdg/huggingface/hub")
        for (value, expected) in [("true", true), ("YES", true), ("on", true), ("0", false), ("no", false), ("", false)] {
            #expect(HubConfiguration.fromEnvironment(["HF_HUB_OFFLINE": value]).offline == expected, "HF_HUB_OFFLINE=\(value)")
        }
        #expect(HubConfiguration.fromEnvironment(["TRANSFORMERS_OFFLINE": "1"]).offline)
    }

    @Test("the token file written by `hf auth login` is used when HF_TOKEN is unset")
    func tokenFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sift-hub-home-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("hf_from_file\n".utf8).write(to: folder.appendingPathComponent("token"))
        #expect(HubConfiguration.fromEnvironment(["HF_HOME": folder.path]).token == "hf_from_file")
        #expect(HubConfiguration.fromEnvironment(["HF_HOME": folder.path, "HF_TOKEN": "hf_env"]).token == "hf_env")
    }

    @Test("ETag headers are normalized as huggingface_hub does")
    func etags() {
        #expect(HubFileMetadata.normalizeETag("\"abc\"") == "abc")
        #expect(HubFileMetadata.normalizeETag("W/\"abc\"") == "abc")
        #expect(HubFileMetadata.normalizeETag("abc") == "abc")
    }

    @Test("SHA-256 of the FIPS 180-4 examples")
    func sha256Vectors() {
        func hex(_ text: String) -> String {
            var digest = SHA256()
            digest.update(Array(text.utf8))
            return digest.finalizeHex()
        }
        #expect(hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        var million = SHA256()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { chunk.withUnsafeBytes { million.update($0) } }
        #expect(million.finalizeHex() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("SHA-256 of a file equals sha256sum's, across odd piece sizes")
    func sha256File() throws {
        let sha256sum = URL(fileURLWithPath: "/usr/bin/sha256sum")
        let bytes = HubTestBed.bytes(count: 3 * (1 << 20) + 77, seed: 9)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sift-sha-\(UUID().uuidString)")
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let ours = try SHA256.hexDigest(ofFile: file)
        var pieces = SHA256()
        var offset = 0
        var size = 1
        while offset < bytes.count {
            let end = min(bytes.count, offset + size)
            bytes[offset..<end].withUnsafeBytes { pieces.update($0) }
            offset = end
            size = size * 3 + 1
        }
        #expect(pieces.finalizeHex() == ours)
        guard FileManager.default.isExecutableFile(atPath: sha256sum.path) else {
            print("skipping the sha256sum comparison: /usr/bin/sha256sum is not installed")
            return
        }
        let process = Process()
        process.executableURL = sha256sum
        process.arguments = [file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(output.split(separator: " ").first.map(String.init) == ours)
    }
}
