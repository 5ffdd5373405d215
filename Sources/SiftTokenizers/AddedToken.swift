// Added tokens (special tokens such as [CLS] or <|im_start|>, and extra tokens such as <think>), matched in the
// text before the model sees it, leftmost-longest, as Hugging Face's AddedVocabulary does.

/// A token added on top of the model vocabulary.
public struct AddedToken: Sendable, Hashable {
    /// The token text.
    public var content: String
    /// The token id.
    public var id: Int
    /// Whether it is a special token (skipped by `decode(skipSpecialTokens:)`).
    public var special: Bool
    /// Also swallow whitespace on the left of a match.
    public var leftStrip: Bool
    /// Also swallow whitespace on the right of a match.
    public var rightStrip: Bool
    /// Match only when not inside a word.
    public var singleWord: Bool
    /// Matched in the normalized text (true) or the raw text (false).
    public var normalized: Bool

    /// An added token; by default matched in the raw text, without stripping or word-boundary rules.
    public init(content: String, id: Int, special: Bool, leftStrip: Bool = false, rightStrip: Bool = false,
                singleWord: Bool = false, normalized: Bool = false) {
        self.content = content
        self.id = id
        self.special = special
        self.leftStrip = leftStrip
        self.rightStrip = rightStrip
        self.singleWord = singleWord
        self.normalized = normalized
    }
}

/// Finds added tokens in scalar text: at each position the longest token starting there, first position first.
struct AddedTokenMatcher: Sendable {
    private struct Candidate: Sendable {
        var scalars: [UInt32]
        var token: AddedToken
    }

    /// Candidates by first scalar, longest first.
    private let candidates: [UInt32: [Candidate]]
    /// Bitmap over ASCII first scalars, for a fast negative test.
    private let asciiFirst: [Bool]
    let isEmpty: Bool

    /// `contents` gives each token's text as it must appear (normalized already for normalized tokens).
    init(_ tokens: [(scalars: [UInt32], token: AddedToken)]) {
        var table: [UInt32: [Candidate]] = [:]
        var ascii = [Bool](repeating: false, count: 128)
        for (scalars, token) in tokens where !scalars.isEmpty {
            table[scalars[0], default: []].append(Candidate(scalars: scalars, token: token))
            if scalars[0] < 128 { ascii[Int(scalars[0])] = true }
        }
        for key in table.keys { table[key]?.sort { $0.scalars.count > $1.scalars.count } }
        candidates = table
        asciiFirst = ascii
        isEmpty = table.isEmpty
    }

    /// A match: the token and the range of scalars it covers (including stripped whitespace).
    struct Match {
        var token: AddedToken
        var range: Range<Int>
    }

    /// All matches in `text[range]`, left to right, non-overlapping.
    func matches(in text: UnsafeBufferPointer<UInt32>, range: Range<Int>) -> [Match] {
        if isEmpty { return [] }
        var found: [Match] = []
        var position = range.lowerBound
        var segmentStart = range.lowerBound
        while position < range.upperBound {
            let first = text[position]
            if first < 128 && !asciiFirst[Int(first)] {
                position += 1
                continue
            }
            guard let list = candidates[first] else {
                position += 1
                continue
            }
            var matched: Candidate?
            for candidate in list {
                let length = candidate.scalars.count
                if position + length > range.upperBound { continue }
                var equal = true
                for offset in 1..<length where text[position + offset] != candidate.scalars[offset] {
                    equal = false
                    break
                }
                if !equal { continue }
                if candidate.token.singleWord {
                    let before = position > range.lowerBound ? text[position - 1] : 32
                    let after = position + length < range.upperBound ? text[position + length] : 32
                    if Self.isWordScalar(before) || Self.isWordScalar(after) { continue }
                }
                matched = candidate
                break
            }
            guard let match = matched else {
                position += 1
                continue
            }
            var start = position
            var end = position + match.scalars.count
            if match.token.leftStrip {
                while start > segmentStart && UnicodeClasses.isWhitespace(text[start - 1]) { start -= 1 }
            }
            if match.token.rightStrip {
                while end < range.upperBound && UnicodeClasses.isWhitespace(text[end]) { end += 1 }
            }
            found.append(Match(token: match.token, range: start..<end))
            position = end
            segmentStart = end
        }
        return found
    }

    private static func isWordScalar(_ value: UInt32) -> Bool {
        value == 95 || UnicodeClasses.isLetter(value) || UnicodeClasses.isNumber(value)
    }
}
