// Flags shared by the commands that read datasets and models.
import ArgumentParser
import Foundation
import SiftData
import SiftModels
import SiftTrain

/// Where texts and labels come from in a dataset file.
struct DataColumnOptions: ParsableArguments {
    @Option(help: "Column layout preset: 'standard' (columns named by --text-column/--label-column) or 'agnews' (headerless CSV: class 1–4, title, description; text = title + \" \" + description).")
    var preset: DataPreset = .standard

    @Option(help: "Column holding the text (a header name, or a 0-based index for files without a header).")
    var textColumn: String = "text"

    @Option(help: "Column holding a second text (sentence pairs), if any.")
    var textPairColumn: String?

    @Option(help: "Column holding the label (a class name or an integer id).")
    var labelColumn: String = "label"

    @Option(help: "Whether CSV/TSV files have a header row: auto, yes or no.")
    var header: HeaderChoice = .auto

    @Option(help: "Hub revision (branch, tag or commit hash) of data given as a Hugging Face Hub dataset id (org/name, org/name:SPLIT or org/name:CONFIG:SPLIT).")
    var dataRevision: String = "main"

    func reference(_ text: String) -> ColumnReference {
        Int(text).map { .index($0) } ?? .name(text)
    }

    /// Loads a labelled file, or a Hub dataset split (its shards concatenated); `labels` fixes the label set
    /// (evaluation files use the training labels); `role` picks the split of a Hub id that names none.
    func load(_ path: String, labels: LabelSet? = nil, role: DataRole = .train) throws -> TextDataset {
        let files = try resolveDataFiles(path, role: role, revision: dataRevision)
        var dataset = try loadFile(files[0], labels: labels)
        for file in files.dropFirst() {
            let offset = dataset.examples.count
            let shard = try loadFile(file, labels: dataset.labels)
            // Rows count on across shards, so `row` still names one record of the split.
            dataset.examples += shard.examples.map { example in
                var example = example
                example.row += offset
                return example
            }
        }
        if files.count > 1 { dataset.source = path }
        return dataset
    }

    private func loadFile(_ url: URL, labels: LabelSet?) throws -> TextDataset {
        switch preset {
        case .agnews:
            let dataset = try DatasetLoader.loadAGNews(url)
            return dataset
        case .standard:
            let mapping = ColumnMapping(text: .column(reference(textColumn)), textPair: textPairColumn.map { .column(reference($0)) },
                                        label: reference(labelColumn))
            let headerMode: HeaderMode = switch header {
            case .auto: .automatic
            case .yes: .present
            case .no: .absent
            }
            return try DatasetLoader.load(url, options: DatasetLoadOptions(columns: mapping, header: headerMode, labels: labels))
        }
    }
}

enum DataPreset: String, ExpressibleByArgument, CaseIterable {
    case standard, agnews
}

enum HeaderChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, yes, no
}

/// How texts are turned into token ids.
struct EncodingOptions: ParsableArguments {
    @Option(help: "Maximum tokens per text (per window with --truncation window), special tokens included.")
    var maxLength: Int = 128

    @Option(help: "What to do with a text longer than --max-length: keep its head (the first tokens), its tail (the last), head+tail, or window (classify overlapping windows of --max-length tokens and aggregate their logits; in training the loss is on the aggregated logits; sentence pairs are truncated, not windowed).")
    var truncation: TruncationChoice = .head

    @Option(help: "With --truncation head+tail: how many leading tokens to keep (the rest come from the end).")
    var headTokens: Int = 64

    @Option(help: "With --truncation window: tokens between the starts of consecutive windows (default: half a window, i.e. 50% overlap).")
    var windowStride: Int?

    @Option(help: "With --truncation window: how window logits become one prediction: mean or max (class by class).")
    var windowAggregate: LogitAggregation = .mean

    var strategy: TruncationStrategy {
        switch truncation {
        case .head, .window: .head
        case .tail: .tail
        case .headTail: .headAndTail(head: headTokens)
        }
    }

    /// The window settings with --truncation window, else nil.
    var window: WindowOptions? {
        truncation == .window ? WindowOptions(stride: windowStride, aggregation: windowAggregate) : nil
    }

    /// How window logits are aggregated (irrelevant, and unused, without --truncation window).
    var aggregation: LogitAggregation { windowAggregate }

    func textEncoding(addSpecialTokens: Bool = true) -> TextEncodingOptions {
        TextEncodingOptions(maxLength: maxLength, truncation: strategy, addSpecialTokens: addSpecialTokens, window: window)
    }

    func validate() throws {
        guard maxLength >= 4 else { throw ValidationError("--max-length must be at least 4, got \(maxLength)") }
        if truncation == .headTail, headTokens < 0 || headTokens >= maxLength {
            throw ValidationError("--head-tokens must be in 0..<\(maxLength) (--max-length), got \(headTokens)")
        }
        if let windowStride {
            guard truncation == .window else { throw ValidationError("--window-stride needs --truncation window") }
            guard windowStride >= 1, windowStride < maxLength else {
                throw ValidationError("--window-stride must be in 1..<\(maxLength) (--max-length; at most the window minus its special tokens), got \(windowStride)")
            }
        }
    }
}

enum TruncationChoice: String, ExpressibleByArgument, CaseIterable {
    case head, tail
    case headTail = "head+tail"
    case window
}

extension LogitAggregation: ExpressibleByArgument {}

/// Writes a JSON value to stdout on one line.
func printJSON<T: Encodable>(_ value: T, pretty: Bool = false) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(value)
    FileHandle.standardOutput.write(data)
    FileHandle.standardOutput.write(Data("\n".utf8))
}

/// Prints to stderr (progress and notes stay out of stdout, which carries results).
func note(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// The pad id to batch with (see `ModelBundle.padTokenId`).
func padId(for bundle: ModelBundle) -> Int { bundle.padTokenId }

/// A runtime error of a command (bad input data, wrong kind of model): printed as
/// "Error: …" without the usage text, exit status 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
