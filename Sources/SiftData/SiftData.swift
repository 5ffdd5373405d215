// SiftData: labelled text datasets (CSV/TSV, JSON Lines, JSON), label sets, splits and batching.

/// Dataset file formats.
public enum DatasetFormat: String, Sendable, CaseIterable {
    case csv, tsv, jsonl, json
}
