// GPT-2's reversible mapping between bytes and printable Unicode scalars ("Ġ" = space, "Ċ" = newline).

/// The byte ↔ scalar table used by byte-level BPE vocabularies.
public enum ByteLevelAlphabet {
    /// `scalarForByte[b]` is the scalar that stands for byte `b` in vocabulary strings.
    public static let scalarForByte: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            let printable = (byte >= 33 && byte <= 126) || (byte >= 161 && byte <= 172) || (byte >= 174 && byte <= 255)
            if printable {
                table[byte] = UInt32(byte)
            } else {
                table[byte] = next
                next += 1
            }
        }
        return table
    }()

    /// The byte a vocabulary scalar stands for, or nil if the scalar is not in the alphabet.
    public static func byte(for scalar: UInt32) -> UInt8? {
        if scalar < 256 {
            let byte = Int(scalar)
            return scalarForByte[byte] == scalar ? UInt8(byte) : nil
        }
        if scalar < 256 + 68 {
            // Scalars 256… stand for the non-printable bytes in increasing byte order.
            var seen: UInt32 = 256
            for byte in 0..<256 where scalarForByte[byte] >= 256 {
                if seen == scalar { return UInt8(byte) }
                seen += 1
            }
        }
        return nil
    }

    /// The raw bytes a vocabulary string stands for; scalars outside the alphabet keep their UTF-8 bytes.
    public static func bytes(ofVocabularyString token: String) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(token.utf8.count)
        for scalar in token.unicodeScalars {
            if scalar.value < 512, let byte = inverse[Int(scalar.value)] {
                output.append(byte)
            } else {
                output.append(contentsOf: String(scalar).utf8)
            }
        }
        return output
    }

    private static let inverse: [UInt8?] = {
        var table = [UInt8?](repeating: nil, count: 512)
        for byte in 0..<256 { table[Int(scalarForByte[byte])] = UInt8(byte) }
        return table
    }()

    /// The vocabulary string for raw bytes.
    public static func vocabularyString(of bytes: some Sequence<UInt8>) -> String {
        var view = String.UnicodeScalarView()
        for byte in bytes { view.append(Unicode.Scalar(scalarForByte[Int(byte)]) ?? "?") }
        return String(view)
    }
}
