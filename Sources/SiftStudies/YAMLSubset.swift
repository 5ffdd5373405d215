// A small YAML reader for study files: block mappings and sequences by indentation (sequence items
// may open a mapping, `- id: x`), `#` comments, and scalars — plain or quoted strings, integers,
// decimals, true/false, null/~ and flow lists `[a, b]`. Anchors, tags, multi-line strings and flow
// mappings are not supported and are reported as errors with their line. The result has the shape
// JSONSerialization gives (dictionaries, arrays, strings, NSNumber), so one reader checks both.
import Foundation

/// Parses the YAML subset study files use.
enum YAMLSubset {
    struct Line {
        var indent: Int
        var text: String
        var number: Int
    }

    /// Parses `text`; errors name `file` and the line.
    static func parse(_ text: String, file: String) throws -> Any {
        var lines: [Line] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var content = stripComment(String(raw))
            while let last = content.unicodeScalars.last, last == " " || last == "\r" || last == "\t" { content.unicodeScalars.removeLast() }
            guard !content.isEmpty, content != "---" else { continue }
            let indent = content.unicodeScalars.prefix { $0 == " " }.count
            if content.unicodeScalars.dropFirst(indent).first == "\t" {
                throw StudyError.unreadableFile(path: file, reason: "line \(index + 1): tabs are not allowed for indentation in YAML")
            }
            lines.append(Line(indent: indent, text: String(content.unicodeScalars.dropFirst(indent)), number: index + 1))
        }
        guard !lines.isEmpty else { throw StudyError.unreadableFile(path: file, reason: "the YAML file is empty") }
        var parser = Parser(lines: lines, file: file)
        let value = try parser.node(indent: lines[0].indent)
        if parser.position < lines.count {
            throw parser.error("unexpected indentation or content", at: parser.position)
        }
        return value
    }

    /// Drops a `#` comment (at the line start or after whitespace, outside quotes).
    static func stripComment(_ line: String) -> String {
        var quote: Unicode.Scalar?
        var previous: Unicode.Scalar = " "
        var result = String.UnicodeScalarView()
        for scalar in line.unicodeScalars {
            if let open = quote {
                if scalar == open { quote = nil }
            } else if scalar == "\"" || scalar == "'" {
                quote = scalar
            } else if scalar == "#" && (previous == " " || previous == "\t") {
                break
            }
            result.append(scalar)
            previous = scalar
        }
        return String(result)
    }

    struct Parser {
        var lines: [Line]
        let file: String
        var position = 0

        func error(_ reason: String, at index: Int) -> StudyError {
            let line = index < lines.count ? lines[index].number : (lines.last?.number ?? 0)
            return StudyError.unreadableFile(path: file, reason: "line \(line): \(reason)")
        }

        static func isSequenceItem(_ text: String) -> Bool { text == "-" || text.hasPrefix("- ") }

        mutating func node(indent: Int) throws -> Any {
            Self.isSequenceItem(lines[position].text) ? try sequence(indent: indent) : try mapping(indent: indent)
        }

        mutating func mapping(indent: Int) throws -> Any {
            var result: [String: Any] = [:]
            while position < lines.count, lines[position].indent == indent, !Self.isSequenceItem(lines[position].text) {
                let line = lines[position]
                guard let (key, value) = Self.splitKey(line.text) else { throw error("expected \"key: value\"", at: position) }
                guard result[key] == nil else { throw error("duplicate key \(key)", at: position) }
                position += 1
                if !value.isEmpty {
                    result[key] = try scalar(value, at: position - 1)
                } else if position < lines.count, lines[position].indent > indent {
                    result[key] = try node(indent: lines[position].indent)
                } else if position < lines.count, lines[position].indent == indent, Self.isSequenceItem(lines[position].text) {
                    result[key] = try sequence(indent: indent)
                } else {
                    result[key] = NSNull()
                }
            }
            if position < lines.count, lines[position].indent > indent { throw error("unexpected indentation", at: position) }
            return result
        }

        mutating func sequence(indent: Int) throws -> Any {
            var result: [Any] = []
            while position < lines.count, lines[position].indent == indent, Self.isSequenceItem(lines[position].text) {
                let rest = String(lines[position].text.dropFirst(1))
                let spaces = rest.unicodeScalars.prefix { $0 == " " }.count
                let item = String(rest.unicodeScalars.dropFirst(spaces))
                if item.isEmpty {
                    position += 1
                    guard position < lines.count, lines[position].indent > indent else { result.append(NSNull()); continue }
                    result.append(try node(indent: lines[position].indent))
                } else if Self.splitKey(item) != nil && !item.hasPrefix("\"") && !item.hasPrefix("'") && !item.hasPrefix("[") {
                    // "- key: value" opens a mapping whose keys sit at the column of "key".
                    lines[position] = Line(indent: indent + 1 + spaces, text: item, number: lines[position].number)
                    result.append(try mapping(indent: indent + 1 + spaces))
                } else {
                    result.append(try scalar(item, at: position))
                    position += 1
                }
            }
            return result
        }

        /// "key: value" or "key:" (the key a plain word, the colon followed by a space or the end).
        static func splitKey(_ text: String) -> (String, String)? {
            let scalars = Array(text.unicodeScalars)
            for (index, scalar) in scalars.enumerated() where scalar == ":" {
                guard index + 1 == scalars.count || scalars[index + 1] == " " else { continue }
                var key = String(String.UnicodeScalarView(scalars[..<index]))
                if key.count >= 2, let first = key.first, first == "\"" || first == "'", key.last == first {
                    key = String(key.dropFirst().dropLast())
                }
                guard !key.isEmpty else { return nil }
                let value = String(String.UnicodeScalarView(scalars[(index + 1)...])).trimmingCharacters(in: .whitespaces)
                return (key, value)
            }
            return nil
        }

        func scalar(_ text: String, at index: Int) throws -> Any {
            if text.hasPrefix("[") {
                guard text.hasSuffix("]") else { throw error("unterminated flow list", at: index) }
                let inner = text.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                if inner.isEmpty { return [Any]() }
                return try Self.splitFlow(inner).map { try scalar($0.trimmingCharacters(in: .whitespaces), at: index) }
            }
            if text.hasPrefix("{") { throw error("flow mappings {…} are not supported; write the keys on their own lines", at: index) }
            if text.hasPrefix("&") || text.hasPrefix("*") || text.hasPrefix("!") || text == "|" || text == ">" {
                throw error("anchors, tags and block strings are not supported in study files", at: index)
            }
            if let first = text.first, first == "\"" || first == "'" {
                guard text.count >= 2, text.last == first else { throw error("unterminated quoted string", at: index) }
                var body = String(text.dropFirst().dropLast())
                if first == "\"" {
                    body = body.replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\n", with: "\n")
                        .replacingOccurrences(of: "\\\\", with: "\\")
                } else {
                    body = body.replacingOccurrences(of: "''", with: "'")
                }
                return body
            }
            switch text {
            case "true", "True", "TRUE": return NSNumber(value: true)
            case "false", "False", "FALSE": return NSNumber(value: false)
            case "null", "Null", "NULL", "~": return NSNull()
            default: break
            }
            if let integer = Int(text) { return NSNumber(value: integer) }
            if text.unicodeScalars.allSatisfy({ "0123456789+-.eE_".unicodeScalars.contains($0) }), let number = Double(text.replacingOccurrences(of: "_", with: "")) {
                return NSNumber(value: number)
            }
            return text
        }

        /// Splits a flow list's inside at commas outside quotes.
        static func splitFlow(_ text: String) -> [String] {
            var parts: [String] = []
            var current = String.UnicodeScalarView()
            var quote: Unicode.Scalar?
            for scalar in text.unicodeScalars {
                if let open = quote {
                    if scalar == open { quote = nil }
                } else if scalar == "\"" || scalar == "'" {
                    quote = scalar
                } else if scalar == "," {
                    parts.append(String(current))
                    current = String.UnicodeScalarView()
                    continue
                }
                current.append(scalar)
            }
            parts.append(String(current))
            return parts
        }
    }
}
