// A short human-readable description of a dataset: size, classes with counts and shares, and
// text lengths — what `sift data info FILE` would print.

extension TextDataset {
    /// A multi-line summary: source, example count, per-class counts and percentages, and text
    /// lengths in Unicode scalars (characters as Python counts them).
    public func summary() -> String {
        var lines = ["\(source): \(count) examples, \(labels.count) classes"]
        let counts = classCounts
        let nameWidth = max(5, labels.names.map { $0.unicodeScalars.count }.max() ?? 0)
        let countWidth = String(counts.max() ?? 0).count
        for (id, name) in labels.names.enumerated() {
            let share = count > 0 ? Double(counts[id]) / Double(count) * 100 : 0
            let padding = String(repeating: " ", count: max(0, nameWidth - name.unicodeScalars.count))
            let countText = String(counts[id])
            let countPadding = String(repeating: " ", count: max(0, countWidth - countText.count))
            lines.append("  \(id)  \(name)\(padding)  \(countPadding)\(countText)  \(Self.percent(share))")
        }
        if let lengths = LengthStatistics(examples.map { $0.text.unicodeScalars.count }) {
            lines.append("  text length (characters): min \(lengths.minimum), median \(lengths.median), "
                + "p95 \(lengths.percentile95), max \(lengths.maximum), mean \(Self.oneDecimal(lengths.mean))")
        }
        let pairs = examples.filter { $0.textPair != nil }.count
        if pairs > 0 { lines.append("  text pairs: \(pairs)") }
        return lines.joined(separator: "\n")
    }

    private static func oneDecimal(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }

    private static func percent(_ value: Double) -> String {
        let text = oneDecimal(value) + "%"
        return String(repeating: " ", count: max(0, 6 - text.count)) + text
    }
}
