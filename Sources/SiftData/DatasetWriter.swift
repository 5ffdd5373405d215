// Writing a dataset back to CSV/TSV or JSON Lines (e.g. a subsample or a split, to reproduce a
// run elsewhere). Columns: `text`, `text_pair` (only if some example has one), `label` (the class name).

import Foundation

/// Serialises datasets in formats ``DatasetLoader`` (and Hugging Face `datasets`) read back.
public enum DatasetWriter {
    /// RFC 4180 text with a header row; fields holding the delimiter, a quote, CR or LF are quoted
    /// (quotes doubled); lines end with LF.
    public static func delimitedText(_ dataset: TextDataset, delimiter: Character = ",") -> String {
        let hasPairs = dataset.examples.contains { $0.textPair != nil }
        var lines: [String] = [(hasPairs ? ["text", "text_pair", "label"] : ["text", "label"]).joined(separator: String(delimiter))]
        lines.reserveCapacity(dataset.count + 1)
        for example in dataset.examples {
            var fields = [quoted(example.text, delimiter: delimiter)]
            if hasPairs { fields.append(quoted(example.textPair ?? "", delimiter: delimiter)) }
            fields.append(quoted(dataset.labels.name(of: example.label) ?? String(example.label), delimiter: delimiter))
            lines.append(fields.joined(separator: String(delimiter)))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One JSON object per line: `{"label": name, "text": …, "text_pair": …}` (keys sorted, UTF-8, slashes unescaped).
    public static func jsonLines(_ dataset: TextDataset) throws -> String {
        struct Record: Encodable {
            let text: String
            let text_pair: String?
            let label: String
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var output = ""
        for example in dataset.examples {
            let record = Record(text: example.text, text_pair: example.textPair,
                                label: dataset.labels.name(of: example.label) ?? String(example.label))
            output += String(decoding: try encoder.encode(record), as: UTF8.self)
            output += "\n"
        }
        return output
    }

    /// Writes `dataset` to `url` in `format` (CSV, TSV or JSON Lines; JSON writes an array of objects).
    public static func write(_ dataset: TextDataset, to url: URL, format: DatasetFormat) throws {
        let text: String
        switch format {
        case .csv: text = delimitedText(dataset, delimiter: ",")
        case .tsv: text = delimitedText(dataset, delimiter: "\t")
        case .jsonl: text = try jsonLines(dataset)
        case .json:
            let lines = try jsonLines(dataset).split(separator: "\n")
            text = "[\n" + lines.joined(separator: ",\n") + "\n]\n"
        case .parquet:
            throw DatasetError.invalidParameter(name: "format", value: "parquet", reason: "Sift reads Parquet but does not write it; write CSV, TSV, JSON Lines or JSON")
        }
        do {
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw DatasetError.unreadableFile(path: url.path, reason: "cannot write: \(error.localizedDescription)")
        }
    }

    private static func quoted(_ field: String, delimiter: Character) -> String {
        let needsQuotes = field.unicodeScalars.contains {
            $0 == "\"" || $0 == "\n" || $0 == "\r" || Character($0) == delimiter
        }
        guard needsQuotes else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
