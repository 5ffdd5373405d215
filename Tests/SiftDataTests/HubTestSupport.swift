// A fake Hub, a fresh cache folder and a client pointed at both, for the Hub tests.
import Foundation
import SiftTestSupport
@testable import SiftData

/// One Hub test's world: a fake Hub on loopback and an empty cache.
final class HubTestBed: @unchecked Sendable {
    let hub: FakeHub
    let cacheDirectory: URL

    init() throws {
        hub = try FakeHub(sha256: HubTestBed.sha256)
        cacheDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("sift-hub-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: cacheDirectory, withIntermediateDirectories: true)
    }

    deinit {
        hub.stop()
        try? FileManager.default.removeItem(at: cacheDirectory)
    }

    @Sendable static func sha256(_ bytes: [UInt8]) -> String {
        var digest = SHA256()
        digest.update(bytes)
        return digest.finalizeHex()
    }

    /// A client on the fake Hub and this cache; resumes without waiting.
    func client(token: String? = nil, offline: Bool = false, maxResumeAttempts: Int = 5) -> HubClient {
        HubClient(configuration: configuration(token: token, offline: offline, maxResumeAttempts: maxResumeAttempts))
    }

    func configuration(token: String? = nil, offline: Bool = false, maxResumeAttempts: Int = 5) -> HubConfiguration {
        HubConfiguration(endpoint: hub.endpoint, token: token, cacheDirectory: cacheDirectory, offline: offline,
                         metadataTimeout: 5, downloadTimeout: 5, maxResumeAttempts: maxResumeAttempts, resumeDelay: 0)
    }

    /// `<cache>/models--org--name` (or datasets--…).
    func storage(_ folder: String) -> URL { cacheDirectory.appendingPathComponent(folder) }

    /// Deterministic pseudo-random bytes (a file too big to arrive in one read).
    static func bytes(count: Int, seed: UInt64) -> [UInt8] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<count).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state >> 24)
        }
    }

    static func symlinkTarget(_ url: URL) throws -> String {
        try FileManager.default.destinationOfSymbolicLink(atPath: url.path)
    }
}
