// Reading an option out of generated text (zero-shot with thinking): the first option letter
// after `</think>`, or failing that the first option name mentioned.

/// Finds the chosen option in a model's answer.
public struct AnswerParser: Sendable {
    /// Option letters ("A", "B", …) in label order.
    public let letters: [String]
    /// Option names in label order (matched case-insensitively as a fallback).
    public let optionNames: [String]

    public init(letters: [String], optionNames: [String]) {
        self.letters = letters
        self.optionNames = optionNames
    }

    public init(template: PromptTemplate) {
        self.init(letters: template.letters, optionNames: template.optionNames)
    }

    /// The label index of the answer, or nil when none can be read (no `</think>` when
    /// `requireThinkEnd`, or no letter or name in the answer).
    public func parse(_ generated: String, requireThinkEnd: Bool = false) -> Int? {
        var answer = Substring(generated)
        if let end = generated.range(of: "</think>", options: .backwards) {
            answer = generated[end.upperBound...]
        } else if requireThinkEnd {
            return nil
        }
        if let letter = firstStandaloneLetter(in: answer) { return letter }
        return firstOptionName(in: answer)
    }

    /// An upper-case option letter not touching other letters or digits ("C", "C.", "(C)", "**C**").
    func firstStandaloneLetter(in text: Substring) -> Int? {
        let scalars = Array(text.unicodeScalars)
        for (i, scalar) in scalars.enumerated() {
            guard let index = letters.firstIndex(of: String(scalar)) else { continue }
            let before = i > 0 ? scalars[i - 1] : nil
            let after = i + 1 < scalars.count ? scalars[i + 1] : nil
            if isWordScalar(before) || isWordScalar(after) { continue }
            return index
        }
        return nil
    }

    func firstOptionName(in text: Substring) -> Int? {
        let lower = text.lowercased()
        var best: (index: Int, position: String.Index)?
        for (index, name) in optionNames.enumerated() where !name.isEmpty {
            if let range = lower.range(of: name.lowercased()), best == nil || range.lowerBound < best!.position {
                best = (index, range.lowerBound)
            }
        }
        return best?.index
    }

    private func isWordScalar(_ scalar: Unicode.Scalar?) -> Bool {
        guard let scalar else { return false }
        return scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }
}
