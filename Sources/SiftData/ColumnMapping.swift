// Which columns of a file hold the text, the optional second text, and the label.

/// A column of a record table, by header name or by 0-based position.
///
/// String and integer literals work: `"text"` is `.name("text")`, `2` is `.index(2)`.
public enum ColumnReference: Sendable, Hashable, CustomStringConvertible,
    ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    case name(String)
    case index(Int)

    /// `"name"` refers to a column by header name.
    public init(stringLiteral value: String) { self = .name(value) }
    /// `2` refers to the third column.
    public init(integerLiteral value: Int) { self = .index(value) }

    public var description: String {
        switch self {
        case .name(let name): return "\"\(name)\""
        case .index(let index): return "#\(index)"
        }
    }
}

/// Where an example's text comes from: one column, or several joined with a separator
/// (e.g. AG News' title + " " + description).
public enum TextSource: Sendable, Hashable {
    case column(ColumnReference)
    case joined([ColumnReference], separator: String)

    /// The columns this source reads.
    public var columns: [ColumnReference] {
        switch self {
        case .column(let reference): return [reference]
        case .joined(let references, _): return references
        }
    }
}

/// How label values are read.
public enum LabelEncoding: Sendable, Hashable {
    /// Label values are class names looked up in the label set (or collected from the file).
    case names
    /// Label values are integers; the class id is `value − offset` (AG News' classes 1–4 use offset 1).
    case integers(offset: Int)
    /// Decide from the data: with a label set, a value that is one of its names is that class and an
    /// integer value is a class id; without one, integers if every value is an integer, else names.
    case automatic
}

/// The mapping from a file's columns to examples.
public struct ColumnMapping: Sendable, Hashable {
    /// The text to classify.
    public var text: TextSource
    /// An optional second text (sentence pairs: NLI, paraphrase).
    public var textPair: TextSource?
    /// The label column.
    public var label: ColumnReference
    /// How the label column's values are read.
    public var labelEncoding: LabelEncoding

    /// A mapping; by default labels are read with ``LabelEncoding/automatic``.
    public init(text: TextSource, textPair: TextSource? = nil, label: ColumnReference,
                labelEncoding: LabelEncoding = .automatic) {
        self.text = text
        self.textPair = textPair
        self.label = label
        self.labelEncoding = labelEncoding
    }

    /// A mapping by column names, as Hugging Face datasets name them: `text` and `label`.
    public static let standard = ColumnMapping(text: .column("text"), label: "label")

    /// AG News' original headerless 3-column layout: class 1–4, title, description.
    /// Text = title + " " + description (verbatim, entities like `#39;` and backslashes kept), label = class − 1.
    public static let agNews = ColumnMapping(
        text: .joined([1, 2], separator: " "), label: 0, labelEncoding: .integers(offset: 1))

    /// Every column the mapping reads, text first.
    public var referencedColumns: [ColumnReference] {
        text.columns + (textPair?.columns ?? []) + [label]
    }
}
