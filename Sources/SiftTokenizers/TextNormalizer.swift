// Hugging Face normalizers: BertNormalizer, NFC/NFD/NFKC/NFKD, Lowercase and sequences of them.
import Foundation

/// A normalization step applied to text (outside added tokens) before pre-tokenization.
enum TextNormalizer: Sendable {
    case bert(cleanText: Bool, handleChineseChars: Bool, stripAccents: Bool, lowercase: Bool)
    case unicode(UnicodeForm)
    case lowercase
    case sequence([TextNormalizer])

    enum UnicodeForm: Sendable { case nfc, nfd, nfkc, nfkd }

    /// Applies the normalizer to `text`.
    func apply(_ text: NormalizedText) -> NormalizedText {
        switch self {
        case .bert(let clean, let chinese, let strip, let lower):
            return Self.bertNormalize(text, cleanText: clean, handleChineseChars: chinese, stripAccents: strip, lowercase: lower)
        case .unicode(let form):
            return Self.unicodeNormalize(text, form: form)
        case .lowercase:
            var output = NormalizedText(reservingCapacity: text.count)
            for index in 0..<text.count {
                let added = UnicodeClasses.appendLowercase(text.scalars[index], to: &output.scalars)
                for _ in 0..<added {
                    output.starts.append(text.starts[index])
                    output.ends.append(text.ends[index])
                }
            }
            return output
        case .sequence(let steps):
            var current = text
            for step in steps { current = step.apply(current) }
            return current
        }
    }

    /// BERT normalization in one pass per scalar: the steps (clean, CJK spacing, NFD + drop Mn, lower-case)
    /// each act scalar by scalar, so fusing them gives the same result as running them in turn.
    private static func bertNormalize(
        _ text: NormalizedText, cleanText: Bool, handleChineseChars: Bool, stripAccents: Bool, lowercase: Bool
    ) -> NormalizedText {
        var output = NormalizedText(reservingCapacity: text.count + text.count / 4)
        var decomposed: [UInt32] = []
        for index in 0..<text.count {
            var value = text.scalars[index]
            let start = Int(text.starts[index])
            let end = Int(text.ends[index])
            if cleanText {
                if value == 0 || value == 0xFFFD || UnicodeClasses.isBertControl(value) { continue }
                if UnicodeClasses.isWhitespace(value) { value = 32 }
            }
            if value < 128 {
                if lowercase && value >= 65 && value <= 90 { value += 32 }
                output.append(value, start: start, end: end)
                continue
            }
            let isCJK = handleChineseChars && UnicodeClasses.isChineseCharacter(value)
            if isCJK { output.append(32, start: start, end: end) }
            decomposed.removeAll(keepingCapacity: true)
            if stripAccents && value >= 0xC0 && !(0x4E00...0x9FFF).contains(value)
                && !UnicodeClasses.isNewerThanNormalizationTables(value) {
                if let scalar = Unicode.Scalar(value) {
                    for part in String(Character(scalar)).decomposedStringWithCanonicalMapping.unicodeScalars
                    where !UnicodeClasses.isNonspacingMark(part.value) {
                        decomposed.append(part.value)
                    }
                }
            } else {
                decomposed.append(value)
            }
            for part in decomposed {
                if lowercase {
                    let added = UnicodeClasses.appendLowercase(part, to: &output.scalars)
                    for _ in 0..<added {
                        output.starts.append(Int32(truncatingIfNeeded: start))
                        output.ends.append(Int32(truncatingIfNeeded: end))
                    }
                } else {
                    output.append(part, start: start, end: end)
                }
            }
            if isCJK { output.append(32, start: start, end: end) }
        }
        return output
    }

    private static func normalizeString(_ string: String, form: UnicodeForm) -> String {
        switch form {
        case .nfc: return string.precomposedStringWithCanonicalMapping
        case .nfd: return string.decomposedStringWithCanonicalMapping
        case .nfkc: return string.precomposedStringWithCompatibilityMapping
        case .nfkd: return string.decomposedStringWithCompatibilityMapping
        }
    }

    private static func makeString(_ scalars: ArraySlice<UInt32>) -> String {
        var view = String.UnicodeScalarView()
        for value in scalars {
            view.append(Unicode.Scalar(value) ?? "\u{FFFD}")
        }
        return String(view)
    }

    /// Unicode normalization with offsets: text below U+0300 is already normalized (NFC/NFD) and skipped;
    /// otherwise the whole text is normalized once and, only if that changed it, re-normalized segment by
    /// segment (segments start at scalars that composition never reaches across) to keep offsets exact.
    private static func unicodeNormalize(_ text: NormalizedText, form: UnicodeForm) -> NormalizedText {
        let canonical = form == .nfc || form == .nfd
        if canonical && !text.scalars.contains(where: { $0 >= 0x300 }) { return text }
        if form == .nfkc || form == .nfkd, !text.scalars.contains(where: { $0 >= 0xA0 }) { return text }
        let whole = normalizeString(makeString(text.scalars[...]), form: form)
        if whole.unicodeScalars.elementsEqual(text.scalars.lazy.map { Unicode.Scalar($0) ?? "\u{FFFD}" }) {
            return text
        }
        var output = NormalizedText(reservingCapacity: text.count)
        var segmentStart = 0
        let count = text.count
        while segmentStart < count {
            var segmentEnd = segmentStart + 1
            // Scalars newer than the reference's tables are inert starters there: they get a segment of their own.
            let inert = UnicodeClasses.isNewerThanNormalizationTables(text.scalars[segmentStart])
            while !inert && segmentEnd < count && !UnicodeClasses.isNormalizationBoundary(text.scalars[segmentEnd])
                    && !UnicodeClasses.isNewerThanNormalizationTables(text.scalars[segmentEnd]) {
                segmentEnd += 1
            }
            let slice = text.scalars[segmentStart..<segmentEnd]
            if inert || (slice.count == 1 && slice[segmentStart] < 0xA0) {
                output.append(slice[segmentStart], start: Int(text.starts[segmentStart]), end: Int(text.ends[segmentStart]))
            } else {
                let normalized = normalizeString(makeString(slice), form: form)
                if normalized.unicodeScalars.elementsEqual(slice.lazy.map { Unicode.Scalar($0) ?? "\u{FFFD}" }) {
                    for index in segmentStart..<segmentEnd {
                        output.append(text.scalars[index], start: Int(text.starts[index]), end: Int(text.ends[index]))
                    }
                } else {
                    let start = Int(text.starts[segmentStart])
                    let end = Int(text.ends[segmentEnd - 1])
                    for scalar in normalized.unicodeScalars {
                        output.append(scalar.value, start: start, end: end)
                    }
                }
            }
            segmentStart = segmentEnd
        }
        return output
    }
}
