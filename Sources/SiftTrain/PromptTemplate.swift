// The multiple-choice prompt of the prompt methods (SFT, option scoring, zero-shot).
// The built-in default is the study's prompt, byte for byte (../shared/DESIGN.md).
import Foundation

/// A multiple-choice prompt: text with `{text}`, `{title}`, `{description}` (and `{news_article}`,
/// an alias of `{text}`) and `{options}` placeholders; options are lettered A, B, C, …
public struct PromptTemplate: Sendable, Equatable, Codable {
    /// The user message, up to and including "Answer:" (without the no-think switch).
    public var body: String
    /// Appended to the body in no-think mode (Qwen3's "/no_think"); empty for models without thinking.
    public var noThinkSuffix: String
    /// Option texts in label-id order (shown as "A. World").
    public var optionNames: [String]

    public init(body: String, noThinkSuffix: String = "/no_think", optionNames: [String]) {
        self.body = body
        self.noThinkSuffix = noThinkSuffix
        self.optionNames = optionNames
    }

    /// The study's prompt body (before the options are filled in).
    public static let studyBody = """
        Please read the following news article and determine its category from the options below.

        Article:
        {text}

        Question: What is the most appropriate category for this news article?
        {options}

        Answer:
        """

    /// Display names the study used for label names (AG News' "Sci/Tech" is "Science/Technology").
    static let studyDisplayNames = ["Sci/Tech": "Science/Technology"]

    /// The study's template for a label set (AG News gives the study prompt exactly).
    public static func study(labelNames: [String]) -> PromptTemplate {
        PromptTemplate(body: studyBody, optionNames: labelNames.map { studyDisplayNames[$0] ?? $0 })
    }

    /// Reads a template file: the body text; an optional first line `options: A|B|C` sets option names.
    public static func load(from url: URL, labelNames: [String]) throws -> PromptTemplate {
        guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8) else {
            throw TrainError.invalidArgument("cannot read the prompt template \(url.path) (missing or not UTF-8)")
        }
        var body = text
        var options = labelNames
        if text.hasPrefix("options:"), let newline = text.firstIndex(of: "\n") {
            options = text[text.index(text.startIndex, offsetBy: 8)..<newline].split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            body = String(text[text.index(after: newline)...])
        }
        if body.hasSuffix("\n") { body.removeLast() }
        guard options.count == labelNames.count else {
            throw TrainError.invalidArgument("the prompt template \(url.path) lists \(options.count) options but the data has \(labelNames.count) labels")
        }
        guard body.contains("{text}") || body.contains("{news_article}") || body.contains("{title}") || body.contains("{description}") else {
            throw TrainError.invalidArgument("the prompt template \(url.path) has no {text}, {title} or {description} placeholder")
        }
        var noThink = ""
        if body.hasSuffix("/no_think") {
            body.removeLast("/no_think".count)
            noThink = "/no_think"
        }
        return PromptTemplate(body: body, noThinkSuffix: noThink, optionNames: options)
    }

    /// Letters of the options: "A", "B", … (then "AA"… past 26, never needed in practice).
    public var letters: [String] {
        optionNames.indices.map { i in
            i < 26 ? String(UnicodeScalar(UInt8(65 + i))) : "A" + String(UnicodeScalar(UInt8(65 + i - 26)))
        }
    }

    /// The options block: "A. World\nB. Sports\n…".
    public var optionsBlock: String {
        zip(letters, optionNames).map { "\($0). \($1)" }.joined(separator: "\n")
    }

    /// The user message for one example. `text` is the whole article; `title`/`description` fill
    /// their placeholders when the template uses them.
    public func render(text: String, title: String? = nil, description: String? = nil, thinking: Bool) -> String {
        var out = body.replacingOccurrences(of: "{options}", with: optionsBlock)
        out = out.replacingOccurrences(of: "{title}", with: title ?? "")
        out = out.replacingOccurrences(of: "{description}", with: description ?? "")
        out = out.replacingOccurrences(of: "{news_article}", with: text)
        out = out.replacingOccurrences(of: "{text}", with: text)
        return thinking ? out : out + noThinkSuffix
    }

    /// The user message split around the article, so the article alone can be shortened
    /// (cutoff length) without touching the question. Requires `{text}` or `{news_article}`.
    public func renderParts(thinking: Bool) -> (prefix: String, suffix: String)? {
        let full = render(text: "\u{0}", thinking: thinking)
        guard let marker = full.range(of: "\u{0}") else { return nil }
        return (String(full[..<marker.lowerBound]), String(full[marker.upperBound...]))
    }
}
