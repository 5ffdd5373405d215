// A minimal PNG reader for screenshot tests: 8-bit RGB or RGBA, non-interlaced (what Chromium
// writes), all five scanline filters. Enough to ask "did the page render, and is it more than a
// blank sheet?" without a Python or ImageMagick dependency.
import CZlib
import Foundation

/// A decoded 8-bit PNG.
public struct PNGImage: Sendable {
    public let width: Int
    public let height: Int
    /// Bytes per pixel: 3 (RGB) or 4 (RGBA).
    public let channels: Int
    /// Row-major pixels, `channels` bytes each.
    public let pixels: [UInt8]

    public enum DecodeError: Error, CustomStringConvertible {
        case invalid(String)
        public var description: String {
            switch self { case .invalid(let what): "not a PNG this reader handles: \(what)" }
        }
    }

    /// Decodes a PNG file's bytes.
    public init(data: [UInt8]) throws {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard data.count > 8, Array(data[0..<8]) == signature else { throw DecodeError.invalid("missing PNG signature") }
        func be32(_ at: Int) -> Int { Int(data[at]) << 24 | Int(data[at + 1]) << 16 | Int(data[at + 2]) << 8 | Int(data[at + 3]) }
        var offset = 8
        var header: (width: Int, height: Int, depth: UInt8, colorType: UInt8, interlace: UInt8)?
        var compressed: [UInt8] = []
        while offset + 8 <= data.count {
            let length = be32(offset)
            let type = String(decoding: data[(offset + 4)..<(offset + 8)], as: UTF8.self)
            let body = offset + 8
            guard length >= 0, body + length + 4 <= data.count else { throw DecodeError.invalid("chunk \(type) runs past the end") }
            switch type {
            case "IHDR":
                header = (be32(body), be32(body + 4), data[body + 8], data[body + 9], data[body + 12])
            case "IDAT":
                compressed += data[body..<(body + length)]
            case "IEND":
                offset = data.count
                continue
            default:
                break
            }
            offset = body + length + 4
        }
        guard let header else { throw DecodeError.invalid("no IHDR chunk") }
        guard header.depth == 8, header.interlace == 0, header.colorType == 2 || header.colorType == 6 else {
            throw DecodeError.invalid("bit depth \(header.depth), colour type \(header.colorType), interlace \(header.interlace)")
        }
        let channels = header.colorType == 6 ? 4 : 3
        let stride = header.width * channels
        var raw = [UInt8](repeating: 0, count: header.height * (stride + 1))
        var rawLength = uLongf(raw.count)
        let status = raw.withUnsafeMutableBytes { out in
            compressed.withUnsafeBytes { input in
                uncompress(out.baseAddress!.assumingMemoryBound(to: Bytef.self), &rawLength,
                           input.baseAddress!.assumingMemoryBound(to: Bytef.self), uLong(input.count))
            }
        }
        guard status == Z_OK, Int(rawLength) == raw.count else { throw DecodeError.invalid("zlib status \(status), \(rawLength) of \(raw.count) bytes") }

        // Undo the per-row filters (PNG spec §9): each row starts with its filter type.
        var pixels = [UInt8](repeating: 0, count: header.height * stride)
        for row in 0..<header.height {
            let filter = raw[row * (stride + 1)]
            let source = row * (stride + 1) + 1
            let target = row * stride
            for x in 0..<stride {
                let left = x >= channels ? Int(pixels[target + x - channels]) : 0
                let up = row > 0 ? Int(pixels[target - stride + x]) : 0
                let upLeft = row > 0 && x >= channels ? Int(pixels[target - stride + x - channels]) : 0
                let predictor: Int
                switch filter {
                case 0: predictor = 0
                case 1: predictor = left
                case 2: predictor = up
                case 3: predictor = (left + up) / 2
                case 4:
                    let estimate = left + up - upLeft
                    let (a, b, c) = (abs(estimate - left), abs(estimate - up), abs(estimate - upLeft))
                    predictor = a <= b && a <= c ? left : (b <= c ? up : upLeft)
                default: throw DecodeError.invalid("row \(row) has filter type \(filter)")
                }
                pixels[target + x] = UInt8(truncatingIfNeeded: Int(raw[source + x]) + predictor)
            }
        }
        self.width = header.width
        self.height = header.height
        self.channels = channels
        self.pixels = pixels
    }

    /// The pixel at (x, y) as RGB.
    public func rgb(x: Int, y: Int) -> (red: UInt8, green: UInt8, blue: UInt8) {
        let at = (y * width + x) * channels
        return (pixels[at], pixels[at + 1], pixels[at + 2])
    }
}
