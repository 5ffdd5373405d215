// The JSON bodies of TEI's `/predict` and `/embed`, decoded strictly (a number where a bool belongs
// is an error, not a guess) into typed requests.
import Foundation

/// One text to classify, or a text pair.
public struct TextInput: Sendable, Equatable {
    public var text: String
    public var pair: String?

    public init(text: String, pair: String? = nil) {
        self.text = text
        self.pair = pair
    }
}

/// Which end of a too-long text is cut (TEI's `truncation_direction`).
public enum TruncationDirection: String, Sendable, Codable {
    /// Cut from the right: keep the first tokens.
    case right
    /// Cut from the left: keep the last tokens.
    case left
}

/// A decoded `/predict` (or `/embed`) request.
public struct PredictRequest: Sendable, Equatable {
    public var inputs: [TextInput]
    /// Whether the answer is a list of answers (batch form) or one answer.
    public var isBatch: Bool
    public var truncate: Bool
    public var truncationDirection: TruncationDirection
    public var rawScores: Bool
    /// `/embed` only: L2-normalise the embeddings (TEI's default: true).
    public var normalize: Bool

    public init(inputs: [TextInput], isBatch: Bool, truncate: Bool = false, truncationDirection: TruncationDirection = .right,
                rawScores: Bool = false, normalize: Bool = true) {
        self.inputs = inputs
        self.isBatch = isBatch
        self.truncate = truncate
        self.truncationDirection = truncationDirection
        self.rawScores = rawScores
        self.normalize = normalize
    }

    /// Decodes a request body.
    ///
    /// `inputs` forms (TEI's): `"text"` → one text; `["text", "pair"]` → one pair;
    /// `[["a"], ["b", "b2"], "c", …]` → a batch whose elements are texts or pairs. A list of strings
    /// that is not two long is a batch of texts.
    public static func decode(_ body: some Collection<UInt8>) throws(ServeError) -> PredictRequest {
        let wire: WireBody
        do {
            wire = try JSONDecoder().decode(WireBody.self, from: Data(body))
        } catch let error as DecodingError {
            throw .invalidJSON(Self.describe(error))
        } catch {
            throw .invalidJSON("\(error)")
        }
        let direction: TruncationDirection
        switch wire.truncation_direction {
        case nil: direction = .right
        case let value?:
            guard let parsed = TruncationDirection(rawValue: value.lowercased()) else {
                throw .invalidJSON("truncation_direction must be \"right\" or \"left\", got \"\(value)\"")
            }
            direction = parsed
        }
        var request = PredictRequest(inputs: [], isBatch: false, truncate: wire.truncate ?? false, truncationDirection: direction,
                                     rawScores: wire.raw_scores ?? false, normalize: wire.normalize ?? true)
        switch wire.inputs {
        case let .text(text):
            request.inputs = [TextInput(text: text)]
        case let .list(elements):
            let allStrings = elements.allSatisfy { if case .text = $0 { true } else { false } }
            if allStrings && elements.count == 2, case let .text(a) = elements[0], case let .text(b) = elements[1] {
                request.inputs = [TextInput(text: a, pair: b)]
            } else {
                request.isBatch = true
                request.inputs = try elements.enumerated().map { (index, element) throws(ServeError) -> TextInput in
                    switch element {
                    case let .text(text): return TextInput(text: text)
                    case let .sequence(parts):
                        switch parts.count {
                        case 1: return TextInput(text: parts[0])
                        case 2: return TextInput(text: parts[0], pair: parts[1])
                        default:
                            throw .invalidJSON("inputs[\(index)] has \(parts.count) strings: a batch element is [text] or [text, pair]")
                        }
                    }
                }
            }
        }
        if request.inputs.isEmpty { throw .emptyBatch }
        return request
    }

    /// A short, client-facing account of a decoding error (what and where).
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return keys.isEmpty ? "the body" : String(keys.drop { $0 == "." })
        }
        switch error {
        case let .dataCorrupted(context):
            return context.codingPath.isEmpty ? "not valid JSON" : "\(path(context)): \(context.debugDescription)"
        case let .keyNotFound(key, _):
            return "missing field \"\(key.stringValue)\""
        case let .typeMismatch(type, context):
            return "\(path(context)) has the wrong type (expected \(Self.jsonName(type)))"
        case let .valueNotFound(type, context):
            return "\(path(context)) is null (expected \(Self.jsonName(type)))"
        @unknown default:
            return "\(error)"
        }
    }

    static func jsonName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a bool"
        case is Double.Type, is Float.Type, is Int.Type: "a number"
        case is [String].Type: "a list of strings"
        default: "a string, [text, pair] or a list of those"
        }
    }
}

/// The body as sent; field names are TEI's.
private struct WireBody: Decodable {
    var inputs: WireInputs
    var truncate: Bool?
    var truncation_direction: String?
    var raw_scores: Bool?
    var normalize: Bool?
}

private enum WireInputs: Decodable {
    case text(String)
    case list([WireElement])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .text(text)
        } else if let list = try? container.decode([WireElement].self) {
            self = .list(list)
        } else {
            throw DecodingError.typeMismatch(WireInputs.self, .init(codingPath: decoder.codingPath,
                                                                    debugDescription: "inputs must be a string or a list"))
        }
    }
}

private enum WireElement: Decodable {
    case text(String)
    case sequence([String])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .text(text)
        } else if let parts = try? container.decode([String].self) {
            self = .sequence(parts)
        } else {
            throw DecodingError.typeMismatch(WireElement.self, .init(codingPath: decoder.codingPath,
                                                                     debugDescription: "a batch element must be a string or [text, pair]"))
        }
    }
}
