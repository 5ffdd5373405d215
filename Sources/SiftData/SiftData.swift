// SiftData: labelled text datasets (CSV/TSV, JSON Lines, JSON, Parquet), label sets, splits, batching and
// long-text handling. Depends on Foundation only.

/// Dataset file formats.
public enum DatasetFormat: String, Sendable, CaseIterable {
    case csv, tsv, jsonl, json, parquet

    /// The format a file name's extension implies (`.csv`, `.tsv`/`.tab`, `.jsonl`/`.ndjson`, `.json`, `.parquet`), or nil.
    public init?(pathExtension: String) {
        switch pathExtension.lowercased() {
        case "csv": self = .csv
        case "tsv", "tab": self = .tsv
        case "jsonl", "ndjson": self = .jsonl
        case "json": self = .json
        case "parquet": self = .parquet
        default: return nil
        }
    }
}
