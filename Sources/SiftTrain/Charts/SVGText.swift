// Text and number formatting for self-contained SVG: XML escaping (characters XML 1.0 forbids
// are replaced by U+FFFD) and compact fixed-point coordinates.

import Foundation

enum SVGText {
    /// `text` safe inside an XML element or a double-quoted attribute.
    static func escaped(_ text: String) -> String {
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            default:
                let value = scalar.value
                let forbidden = value < 0x20 || (0x7F...0x84).contains(value) || (0x86...0x9F).contains(value)
                    || value == 0xFFFE || value == 0xFFFF
                result.unicodeScalars.append(forbidden ? "\u{FFFD}" : scalar)
            }
        }
        return result
    }

    /// A coordinate with at most 2 decimals and no exponent ("12.5", "-3", "0.07").
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let hundredths = (value * 100).rounded()
        if hundredths == 0 { return "0" }
        let negative = hundredths < 0
        let magnitude = abs(hundredths)
        let whole = (magnitude / 100).rounded(.down)
        let fraction = Int(magnitude - whole * 100)
        var text = (negative ? "-" : "") + String(Int(whole))
        if fraction != 0 {
            text += fraction % 10 == 0 ? "." + String(fraction / 10) : (fraction < 10 ? ".0" : ".") + String(fraction)
        }
        return text
    }

    /// A tick or value label with `decimals` fixed decimals.
    static func label(_ value: Double, decimals: Int) -> String {
        if value == 0 { return "0" }  // no "-0"
        return String(format: "%.\(max(0, min(decimals, 10)))f", value)
    }

    /// A rough width in pixels of `text` at `fontSize` (no font metrics in a self-contained file).
    static func estimatedWidth(_ text: String, fontSize: Double) -> Double {
        Double(text.unicodeScalars.count) * fontSize * 0.58
    }
}

/// The series colours (colour-blind-friendly hues, high contrast on white).
enum ChartPalette {
    static let colors = ["#1f6fb4", "#e8771a", "#2a9d3a", "#c9302c", "#7b52ab", "#8c564b", "#d6609f", "#6b6b6b",
                         "#a8a81c", "#17a2b8"]

    static func color(_ index: Int) -> String { colors[index % colors.count] }
}

/// Builds an SVG document element by element.
struct SVGBuilder {
    let width: Double
    let height: Double
    private(set) var body: [String] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    mutating func add(_ element: String) { body.append(element) }

    mutating func text(_ text: String, x: Double, y: Double, size: Double = 12, anchor: String = "start",
                       weight: String? = nil, fill: String = "#222", rotate: Double? = nil, baseline: String? = nil) {
        var attributes = "x=\"\(SVGText.number(x))\" y=\"\(SVGText.number(y))\" font-size=\"\(SVGText.number(size))\" text-anchor=\"\(anchor)\" fill=\"\(fill)\""
        if let weight { attributes += " font-weight=\"\(weight)\"" }
        if let baseline { attributes += " dominant-baseline=\"\(baseline)\"" }
        if let rotate {
            attributes += " transform=\"rotate(\(SVGText.number(rotate)) \(SVGText.number(x)) \(SVGText.number(y)))\""
        }
        body.append("<text \(attributes)>\(SVGText.escaped(text))</text>")
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String = "#222", width: Double = 1,
                       dash: String? = nil) {
        var element = "<line x1=\"\(SVGText.number(x1))\" y1=\"\(SVGText.number(y1))\" x2=\"\(SVGText.number(x2))\" y2=\"\(SVGText.number(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(SVGText.number(width))\""
        if let dash { element += " stroke-dasharray=\"\(dash)\"" }
        body.append(element + "/>")
    }

    mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String, stroke: String? = nil,
                       title: String? = nil) {
        var element = "<rect x=\"\(SVGText.number(x))\" y=\"\(SVGText.number(y))\" width=\"\(SVGText.number(max(0, width)))\" height=\"\(SVGText.number(max(0, height)))\" fill=\"\(fill)\""
        if let stroke { element += " stroke=\"\(stroke)\"" }
        if let title {
            body.append(element + "><title>\(SVGText.escaped(title))</title></rect>")
        } else {
            body.append(element + "/>")
        }
    }

    /// The finished document: an `<svg>` root with a white background, `title` as its accessible name.
    func document(title: String) -> String {
        var lines = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(SVGText.number(width))\" height=\"\(SVGText.number(height))\" viewBox=\"0 0 \(SVGText.number(width)) \(SVGText.number(height))\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">",
            "<title>\(SVGText.escaped(title))</title>",
            "<rect x=\"0\" y=\"0\" width=\"\(SVGText.number(width))\" height=\"\(SVGText.number(height))\" fill=\"#ffffff\"/>",
        ]
        lines.append(contentsOf: body)
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }
}
