// Which files of a Hub dataset repository hold which split, read from the paths alone, as the
// `datasets` library does for repositories without a loading script:
//   data/train-00000-of-00003.parquet      config "default", split "train"
//   plain_text/test-00000-of-00001.parquet config "plain_text", split "test"
//   default/train/0000.parquet             config "default", split "train" (refs/convert/parquet)
//   dev.jsonl, my_data_valid.csv           split "validation" (keywords between separators)
// When no path names a split, every data file belongs to "train".

/// The data files of a dataset repository, grouped by config and split.
public struct HubDatasetLayout: Sendable, Equatable {
    /// config → split → data files (sorted). Parquet files win over other formats in the same split.
    public let configs: [String: [String: [String]]]

    /// The config used when a repository has files at its root or under `data/`.
    public static let defaultConfig = "default"

    /// Groups `files` (repository paths); files Sift cannot read are left out.
    public init(files: [String]) {
        var grouped: [String: [String: [String]]] = [:]
        var unnamed: [String: [String]] = [:]
        for path in files where HubDatasetLayout.isDataFile(path) {
            let parts = path.split(separator: "/").map(String.init)
            let directories = Array(parts.dropLast())
            let config: String
            if let first = directories.first, first != "data", HubDatasetLayout.canonicalSplit(first) == nil {
                config = first
            } else {
                config = HubDatasetLayout.defaultConfig
            }
            if let split = HubDatasetLayout.split(ofFile: parts[parts.count - 1], directories: directories, config: config) {
                grouped[config, default: [:]][split, default: []].append(path)
            } else {
                unnamed[config, default: []].append(path)
            }
        }
        for (config, paths) in unnamed where grouped[config] == nil {
            grouped[config] = ["train": paths]
        }
        configs = grouped.mapValues { splits in
            splits.mapValues { paths in
                let parquet = paths.filter { $0.lowercased().hasSuffix(".parquet") }
                return (parquet.isEmpty ? paths : parquet).sorted()
            }
        }
    }

    /// The files of the first split of `splits` present (split names may be aliases: dev → validation),
    /// in `config`, or in the only (or the default) config when `config` is nil.
    public func files(config: String?, splits: [String], repo: HubRepository) throws -> (split: String, files: [String]) {
        guard !configs.isEmpty else { throw HubError.noDataFiles(repo: repo, files: []) }
        let chosenConfig: String
        if let config {
            guard configs[config] != nil else { throw HubError.splitNotFound(repo: repo, split: config, available: configs.keys.sorted()) }
            chosenConfig = config
        } else if configs.count == 1, let only = configs.keys.first {
            chosenConfig = only
        } else if configs[HubDatasetLayout.defaultConfig] != nil {
            chosenConfig = HubDatasetLayout.defaultConfig
        } else {
            throw HubError.ambiguousConfig(repo: repo, configs: configs.keys.sorted())
        }
        let available = configs[chosenConfig] ?? [:]
        for wanted in splits {
            let name = HubDatasetLayout.canonicalSplit(wanted) ?? wanted
            if let files = available[name] { return (name, files) }
        }
        let label = config.map { "\($0):" } ?? ""
        throw HubError.splitNotFound(repo: repo, split: label + splits.joined(separator: " or "),
                                     available: available.keys.sorted().map { config == nil ? $0 : "\(chosenConfig):\($0)" })
    }

    /// The split names of a config.
    public func splits(config: String = HubDatasetLayout.defaultConfig) -> [String] {
        (configs[config] ?? [:]).keys.sorted()
    }

    /// The split a file belongs to, from its name (`train-00000-of-00002`, `dev`, `x_test_y`), or from its
    /// folder (`train/…`, and `config/split/0000.parquet`), or nil.
    static func split(ofFile name: String, directories: [String], config: String) -> String? {
        let stem = String(name.prefix { $0 != "." })
        if let shard = shardPrefix(stem) { return canonicalSplit(shard) ?? shard }
        let tokens = stem.split(whereSeparator: { "-._ 0123456789".contains($0) })
        for token in tokens {
            if let split = canonicalSplit(String(token)) { return split }
        }
        let inner = directories.first == config && config != "data" && directories.count >= 1 ? Array(directories.dropFirst()) : directories
        for directory in inner.reversed() {
            if let split = canonicalSplit(directory) { return split }
        }
        // The Hub's Parquet conversion: config/split/0000.parquet, whatever the split is called.
        if directories.count == 2, directories[0] == config, !stem.isEmpty, stem.allSatisfy(\.isNumber) { return directories[1] }
        return nil
    }

    /// `name` of `name-00000-of-00003`, or nil.
    static func shardPrefix(_ stem: String) -> String? {
        let parts = stem.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[parts.count - 2] == "of" else { return nil }
        let index = parts[parts.count - 3], total = parts[parts.count - 1]
        guard !index.isEmpty, !total.isEmpty, index.allSatisfy(\.isNumber), total.allSatisfy(\.isNumber) else { return nil }
        let name = parts[..<(parts.count - 3)].joined(separator: "-")
        return name.isEmpty ? nil : name
    }

    /// train/training → train; validation/valid/val/dev → validation; test/testing/eval/evaluation → test.
    public static func canonicalSplit(_ word: String) -> String? {
        switch word.lowercased() {
        case "train", "training": return "train"
        case "validation", "valid", "val", "dev": return "validation"
        case "test", "testing", "eval", "evaluation": return "test"
        default: return nil
        }
    }

    /// Whether Sift's dataset loader reads the file (by extension), skipping hidden paths.
    static func isDataFile(_ path: String) -> Bool {
        guard !path.split(separator: "/").contains(where: { $0.hasPrefix(".") }) else { return false }
        guard let dot = path.lastIndex(of: ".") else { return false }
        return DatasetFormat(pathExtension: String(path[path.index(after: dot)...])) != nil
    }
}
