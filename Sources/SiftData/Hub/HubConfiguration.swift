// Where the Hub is, who we are, where its files are cached, and whether we may use the network:
// read from the same environment variables huggingface_hub reads.
import Foundation

/// Settings of a `HubClient`, normally read from the environment with `fromEnvironment()`.
public struct HubConfiguration: Sendable {
    /// The Hub's base URL (`HF_ENDPOINT`, default `https://huggingface.co`), without a trailing slash.
    public var endpoint: String
    /// The access token sent as `Authorization: Bearer …` to the Hub (never to other hosts).
    public var token: String?
    /// The cache root holding `models--org--name/` folders (`HF_HUB_CACHE`, else `$HF_HOME/hub`,
    /// else `~/.cache/huggingface/hub`).
    public var cacheDirectory: URL
    /// `HF_HUB_OFFLINE=1`: never touch the network, serve only what the cache holds.
    public var offline: Bool
    /// Seconds to wait for metadata (API and HEAD requests) before giving up.
    public var metadataTimeout: TimeInterval
    /// Seconds a download may stall without receiving a byte before it counts as cut.
    public var downloadTimeout: TimeInterval
    /// How many times in a row a download may be cut without progress before the error is reported.
    public var maxResumeAttempts: Int
    /// Seconds to wait before resuming a cut download.
    public var resumeDelay: TimeInterval

    /// The default Hub.
    public static let defaultEndpoint = "https://huggingface.co"

    public init(endpoint: String = HubConfiguration.defaultEndpoint, token: String? = nil, cacheDirectory: URL,
                offline: Bool = false, metadataTimeout: TimeInterval = 10, downloadTimeout: TimeInterval = 60,
                maxResumeAttempts: Int = 5, resumeDelay: TimeInterval = 1) {
        var endpoint = endpoint
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        self.endpoint = endpoint
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
        self.cacheDirectory = cacheDirectory
        self.offline = offline
        self.metadataTimeout = metadataTimeout
        self.downloadTimeout = downloadTimeout
        self.maxResumeAttempts = maxResumeAttempts
        self.resumeDelay = resumeDelay
    }

    /// Reads `HF_ENDPOINT`, `HF_TOKEN` (or the token file `HF_TOKEN_PATH`, else `$HF_HOME/token`),
    /// `HF_HUB_CACHE`/`HF_HOME`/`XDG_CACHE_HOME`, and `HF_HUB_OFFLINE` (or `TRANSFORMERS_OFFLINE`),
    /// as huggingface_hub does.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> HubConfiguration {
        func value(_ name: String) -> String? {
            guard let text = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
            return text
        }
        let home = FileManager.default.homeDirectoryForCurrentUser
        let xdgCache = value("XDG_CACHE_HOME").map { URL(fileURLWithPath: $0) } ?? home.appendingPathComponent(".cache")
        let hfHome = value("HF_HOME").map { URL(fileURLWithPath: expandTilde($0)) } ?? xdgCache.appendingPathComponent("huggingface")
        let cache = (value("HF_HUB_CACHE") ?? value("HUGGINGFACE_HUB_CACHE")).map { URL(fileURLWithPath: expandTilde($0)) }
            ?? hfHome.appendingPathComponent("hub")
        var token = value("HF_TOKEN") ?? value("HUGGING_FACE_HUB_TOKEN")
        if token == nil {
            let tokenFile = value("HF_TOKEN_PATH").map { URL(fileURLWithPath: expandTilde($0)) } ?? hfHome.appendingPathComponent("token")
            if let text = try? String(contentsOf: tokenFile, encoding: .utf8) {
                let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
                token = trimmed.isEmpty ? nil : trimmed
            }
        }
        let offline = isTrue(value("HF_HUB_OFFLINE") ?? value("TRANSFORMERS_OFFLINE"))
        return HubConfiguration(endpoint: value("HF_ENDPOINT") ?? defaultEndpoint, token: token, cacheDirectory: cache,
                                offline: offline)
    }

    /// huggingface_hub's truthy values: 1, ON, YES, TRUE (any case).
    static func isTrue(_ text: String?) -> Bool {
        guard let text else { return false }
        return ["1", "on", "yes", "true"].contains(text.lowercased())
    }

    static func expandTilde(_ path: String) -> String {
        guard path == "~" || path.hasPrefix("~/") else { return path }
        return FileManager.default.homeDirectoryForCurrentUser.path + path.dropFirst()
    }
}
