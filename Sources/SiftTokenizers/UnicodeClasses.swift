// Character classes used by Hugging Face tokenizers, on raw scalar values (UInt32), with ASCII fast paths.
// Definitions follow the Rust `tokenizers` crate: `char::is_whitespace` is the White_Space property,
// "other" is general category Cc/Cf/Co, punctuation is P* (plus ASCII punctuation for BERT), letters L*, numbers N*.
//
// Unicode versions matter for exact parity. Swift's tables are newer than the ones `tokenizers` was built with:
// its BERT normalizer and pre-tokenizer use Unicode 8.0 categories (the `unicode_categories` crate), its
// NFC/NFD tables Unicode 9.0, its regexes (Oniguruma) and lower-casing Unicode 16.0. A scalar assigned after those versions is treated as unassigned, and
// the few scalars whose category changed since Unicode 8.0 are listed. (Found by comparing every code point's
// treatment by `tokenizers` 0.23 with Swift's `Unicode.Scalar.Properties`.)

enum UnicodeClasses {
    // ASCII tests are arithmetic, not table lookups: a `static let` table costs a lazy-initialisation check
    // (swift_once) on every access in the hot loops.
    @inline(__always)
    static func isASCIILetter(_ value: UInt32) -> Bool { (value | 0x20) &- 97 < 26 }

    @inline(__always)
    static func isASCIIDigit(_ value: UInt32) -> Bool { value &- 48 < 10 }

    @inline(__always)
    static func isASCIISpace(_ value: UInt32) -> Bool { value == 32 || value &- 9 < 5 }

    @inline(__always)
    static func isASCIIPunctuation(_ value: UInt32) -> Bool {
        (value &- 33 < 15) || (value &- 58 < 7) || (value &- 91 < 6) || (value &- 123 < 4)
    }

    @inline(__always)
    static func generalCategory(_ value: UInt32) -> Unicode.GeneralCategory {
        guard let scalar = Unicode.Scalar(value) else { return .surrogate }
        return scalar.properties.generalCategory
    }

    /// Whether the scalar was assigned in Unicode `major.minor` or earlier.
    @inline(__always)
    static func assigned(_ properties: Unicode.Scalar.Properties, byMajor major: Int, minor: Int) -> Bool {
        guard let age = properties.age else { return false }
        return age.major < major || (age.major == major && age.minor <= minor)
    }

    /// General category as of Unicode 16.0 (Oniguruma's tables): later scalars are unassigned.
    @inline(__always)
    static func regexCategory(_ value: UInt32) -> Unicode.GeneralCategory {
        guard let scalar = Unicode.Scalar(value) else { return .surrogate }
        let properties = scalar.properties
        let category = properties.generalCategory
        if category == .unassigned || assigned(properties, byMajor: 16, minor: 0) { return category }
        return .unassigned
    }

    /// General category as of Unicode 8.0 (the BERT normalizer's and pre-tokenizer's tables).
    @inline(__always)
    static func bertCategory(_ value: UInt32) -> Unicode.GeneralCategory {
        switch value {
        case 0x166D, 0x111C9: return .otherPunctuation
        case 0x1734, 0x1171E: return .nonspacingMark
        case 0x1885, 0x1886, 0xA9BD: return .otherLetter  // not Mn in Unicode 8.0; only "not Mn" matters here
        default: break
        }
        guard let scalar = Unicode.Scalar(value) else { return .surrogate }
        let properties = scalar.properties
        let category = properties.generalCategory
        if category == .unassigned || assigned(properties, byMajor: 8, minor: 0) { return category }
        return .unassigned
    }

    /// `\p{L}`: Lu, Ll, Lt, Lm, Lo.
    @inline(__always)
    static func isLetter(_ value: UInt32) -> Bool {
        if value < 128 { return isASCIILetter(value) }
        switch regexCategory(value) {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    /// `\p{N}`: Nd, Nl, No.
    @inline(__always)
    static func isNumber(_ value: UInt32) -> Bool {
        if value < 128 { return isASCIIDigit(value) }
        switch regexCategory(value) {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    /// White_Space property (Rust `char::is_whitespace`, regex `\s`).
    @inline(__always)
    static func isWhitespace(_ value: UInt32) -> Bool {
        if value < 128 { return isASCIISpace(value) }
        if value < 0x85 { return false }
        guard let scalar = Unicode.Scalar(value) else { return false }
        return scalar.properties.isWhitespace
    }

    /// Cc, Cf or Co (Unicode 8.0; unassigned scalars are kept): BERT's "control" test, minus tab, newline and
    /// carriage return.
    @inline(__always)
    static func isBertControl(_ value: UInt32) -> Bool {
        if value == 9 || value == 10 || value == 13 { return false }
        if value < 128 { return value < 32 || value == 127 }
        switch bertCategory(value) {
        case .control, .format, .privateUse: return true
        default: return false
        }
    }

    /// BERT punctuation: any ASCII punctuation character, or general category P*.
    @inline(__always)
    static func isBertPunctuation(_ value: UInt32) -> Bool {
        if value < 128 { return isASCIIPunctuation(value) }
        switch bertCategory(value) {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// The CJK ideograph blocks BERT surrounds with spaces.
    @inline(__always)
    static func isChineseCharacter(_ value: UInt32) -> Bool {
        switch value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
             0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }

    /// General category Mn in Unicode 8.0 (what BERT's accent stripping removes after NFD).
    @inline(__always)
    static func isNonspacingMark(_ value: UInt32) -> Bool {
        if value < 0x300 { return false }
        return bertCategory(value) == .nonspacingMark
    }

    /// Whether normalization must leave a scalar alone because it was assigned after Unicode 9.0 (the version of
    /// the normalization tables in `tokenizers`, where such scalars are unassigned starters).
    @inline(__always)
    static func isNewerThanNormalizationTables(_ value: UInt32) -> Bool {
        if value < 0x300 { return false }
        guard let scalar = Unicode.Scalar(value) else { return false }
        let properties = scalar.properties
        return properties.age != nil && !assigned(properties, byMajor: 9, minor: 0)
    }

    /// Whether a scalar can start a new canonical-normalization segment: composition and reordering never
    /// reach back across it. True for every scalar below U+0300, and for later scalars that are not marks,
    /// have combining class 0 and are not conjoining Hangul jamo.
    @inline(__always)
    static func isNormalizationBoundary(_ value: UInt32) -> Bool {
        if value < 0x300 { return true }
        guard let scalar = Unicode.Scalar(value) else { return true }
        if (0x1100...0x11FF).contains(value) || (0xD7B0...0xD7FF).contains(value) || (0xA960...0xA97F).contains(value) {
            return false
        }
        let properties = scalar.properties
        if properties.canonicalCombiningClass.rawValue != 0 { return false }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return false
        default: return true
        }
    }

    /// Appends the full lower-case mapping of a scalar (Rust `char::to_lowercase`, context free).
    @inline(__always)
    static func appendLowercase(_ value: UInt32, to output: inout [UInt32]) -> Int {
        if value < 128 {
            output.append((value >= 65 && value <= 90) ? value + 32 : value)
            return 1
        }
        guard let scalar = Unicode.Scalar(value) else {
            output.append(value)
            return 1
        }
        let properties = scalar.properties
        if !properties.changesWhenLowercased || !assigned(properties, byMajor: 16, minor: 0) {
            output.append(value)
            return 1
        }
        var count = 0
        for lowered in properties.lowercaseMapping.unicodeScalars {
            output.append(lowered.value)
            count += 1
        }
        return count
    }
}
