// An RFC 4180 CSV/TSV parser over raw UTF-8 bytes: quoted fields, doubled quotes, delimiters
// and line breaks inside quotes, CRLF / LF / CR line ends, a UTF-8 byte-order mark.
// Blank lines between records are skipped (as pandas and Hugging Face `datasets` do).
// A quote inside an unquoted field is kept literally (as Python's csv module does); anything but
// a delimiter or a line end after a closing quote is an error.

import Foundation

/// Records parsed from CSV/TSV text, each with the 1-based line it starts on.
public struct CSVRecords: Sendable {
    /// The fields of each record, in file order.
    public var records: [[String]]
    /// The 1-based physical line where each record starts.
    public var lines: [Int]
}

/// A byte-level CSV/TSV parser (RFC 4180).
public enum CSVParser {
    /// Parses `bytes` into records.
    /// - Parameters:
    ///   - source: the file's name for error messages.
    ///   - delimiter: the field separator byte (`,` for CSV, tab for TSV).
    ///   - quote: the quote byte, or nil to treat quotes as ordinary characters (plain TSV).
    ///   - uniformFieldCount: require every record to have as many fields as the first.
    public static func parse(
        _ bytes: [UInt8], source: String, delimiter: UInt8 = UInt8(ascii: ","),
        quote: UInt8? = UInt8(ascii: "\""), uniformFieldCount: Bool = true
    ) throws -> CSVRecords {
        try bytes.withUnsafeBufferPointer { buffer in
            try parse(buffer, source: source, delimiter: delimiter, quote: quote, uniformFieldCount: uniformFieldCount)
        }
    }

    /// Parses the bytes in `buffer` into records (see ``parse(_:source:delimiter:quote:uniformFieldCount:)-([UInt8],_,_,_,_)``).
    public static func parse(
        _ buffer: UnsafeBufferPointer<UInt8>, source: String, delimiter: UInt8 = UInt8(ascii: ","),
        quote: UInt8? = UInt8(ascii: "\""), uniformFieldCount: Bool = true
    ) throws -> CSVRecords {
        var start = 0
        if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { start = 3 }
        let body = UnsafeBufferPointer(rebasing: buffer[start...])
        // Validate once for the whole file (fast); only on failure look for the offending line.
        if String(validating: body, as: UTF8.self) == nil {
            throw DatasetError.invalidUTF8(path: source, location: .line(firstInvalidUTF8Line(body)))
        }
        var parser = Parser(bytes: body, source: source, delimiter: delimiter, quote: quote ?? 0, quoting: quote != nil)
        return try parser.run(uniformFieldCount: uniformFieldCount)
    }

    private static func firstInvalidUTF8Line(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var line = 1
        var lineStart = 0
        for index in 0...bytes.count {
            if index == bytes.count || bytes[index] == UInt8(ascii: "\n") {
                let slice = UnsafeBufferPointer(rebasing: bytes[lineStart..<index])
                if String(validating: slice, as: UTF8.self) == nil { return line }
                line += 1
                lineStart = index + 1
            }
        }
        return line
    }

    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        let source: String
        let delimiter: UInt8
        let quote: UInt8
        let quoting: Bool
        var position = 0
        var line = 1
        var unescaped: [UInt8] = []

        static let newline = UInt8(ascii: "\n")
        static let carriageReturn = UInt8(ascii: "\r")

        init(bytes: UnsafeBufferPointer<UInt8>, source: String, delimiter: UInt8, quote: UInt8, quoting: Bool) {
            self.bytes = bytes
            self.source = source
            self.delimiter = delimiter
            self.quote = quote
            self.quoting = quoting
        }

        mutating func run(uniformFieldCount: Bool) throws -> CSVRecords {
            var records: [[String]] = []
            var lines: [Int] = []
            let count = bytes.count
            while position < count {
                let byte = bytes[position]
                if byte == Self.newline || byte == Self.carriageReturn {  // a blank line
                    consumeLineEnd()
                    continue
                }
                let recordLine = line
                var fields: [String] = []
                fields.reserveCapacity(records.first?.count ?? 4)
                while true {
                    fields.append(try readField())
                    if position < count, bytes[position] == delimiter {
                        position += 1
                        continue
                    }
                    consumeLineEnd()
                    break
                }
                if uniformFieldCount, let expected = records.first?.count, expected != fields.count {
                    throw DatasetError.wrongFieldCount(path: source, line: recordLine, expected: expected, found: fields.count)
                }
                records.append(fields)
                lines.append(recordLine)
            }
            return CSVRecords(records: records, lines: lines)
        }

        /// Consumes one line end (CRLF, LF or CR) if there is one at the current position.
        mutating func consumeLineEnd() {
            guard position < bytes.count else { return }
            if bytes[position] == Self.carriageReturn {
                position += 1
                if position < bytes.count, bytes[position] == Self.newline { position += 1 }
                line += 1
            } else if bytes[position] == Self.newline {
                position += 1
                line += 1
            }
        }

        mutating func readField() throws -> String {
            let count = bytes.count
            if quoting, position < count, bytes[position] == quote {
                let openingLine = line
                position += 1
                let fieldStart = position
                var hasDoubledQuote = false
                var fieldEnd = -1
                while position < count {
                    let byte = bytes[position]
                    if byte == quote {
                        if position + 1 < count, bytes[position + 1] == quote {
                            hasDoubledQuote = true
                            position += 2
                            continue
                        }
                        fieldEnd = position
                        position += 1
                        break
                    }
                    if byte == Self.newline {
                        line += 1
                    } else if byte == Self.carriageReturn, position + 1 >= count || bytes[position + 1] != Self.newline {
                        line += 1
                    }
                    position += 1
                }
                guard fieldEnd >= 0 else {
                    throw DatasetError.unterminatedQuote(path: source, line: openingLine)
                }
                if position < count {
                    let next = bytes[position]
                    if next != delimiter, next != Self.newline, next != Self.carriageReturn {
                        throw DatasetError.unexpectedCharacterAfterQuote(
                            path: source, line: line, character: describe(byte: next))
                    }
                }
                let raw = UnsafeBufferPointer(rebasing: bytes[fieldStart..<fieldEnd])
                if !hasDoubledQuote { return String(decoding: raw, as: UTF8.self) }
                unescaped.removeAll(keepingCapacity: true)
                var index = 0
                while index < raw.count {
                    unescaped.append(raw[index])
                    index += raw[index] == quote ? 2 : 1  // a doubled quote stands for one
                }
                return String(decoding: unescaped, as: UTF8.self)
            }
            let fieldStart = position
            while position < count {
                let byte = bytes[position]
                if byte == delimiter || byte == Self.newline || byte == Self.carriageReturn { break }
                position += 1
            }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[fieldStart..<position]), as: UTF8.self)
        }

        func describe(byte: UInt8) -> String {
            if byte >= 0x21, byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
            return "byte 0x\(String(byte, radix: 16))"
        }
    }
}
