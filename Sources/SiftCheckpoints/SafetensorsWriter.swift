// Writing `.safetensors` files that Python's `safetensors` and `transformers` load.
//
// Header: JSON with "__metadata__" first and tensor names in byte order, padded with spaces so the
// data section starts at a multiple of 8; data in the same order, little-endian, no gaps.
import SiftTensor

/// Writes tensors to safetensors files (atomically: a temporary file, fsync, rename).
public enum SafetensorsWriter {
    /// Writes `tensors` to `path` stored as `dtype` (f32, or bf16/f16 rounded to nearest even).
    ///
    /// - Parameters:
    ///   - tensors: name → tensor; names are written in byte order.
    ///   - path: destination file; replaced atomically if it exists.
    ///   - dtype: storage type of every tensor.
    ///   - metadata: the `__metadata__` strings; transformers expects `["format": "pt"]`.
    public static func write(
        _ tensors: [String: Tensor], to path: String, dtype: DType = .f32, metadata: [String: String] = ["format": "pt"]
    ) throws {
        try write(tensors.map { (name: $0.key, tensor: $0.value) }, to: path, dtype: dtype, metadata: metadata)
    }

    /// Writes `(name, tensor)` pairs (sorted by name before writing; names must be unique).
    public static func write(
        _ tensors: [(name: String, tensor: Tensor)], to path: String, dtype: DType = .f32,
        metadata: [String: String] = ["format": "pt"]
    ) throws {
        let sorted = tensors.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        for (previous, next) in zip(sorted, sorted.dropFirst()) where previous.name == next.name {
            throw CheckpointError.invalidArgument("SafetensorsWriter: tensor name '\(next.name)' appears twice; names must be unique")
        }
        if let reserved = sorted.first(where: { $0.name == "__metadata__" }) {
            throw CheckpointError.invalidArgument("SafetensorsWriter: '\(reserved.name)' is reserved and cannot name a tensor")
        }
        let header = headerBytes(for: sorted.map { ($0.name, $0.tensor.shape) }, dtype: dtype, metadata: metadata)
        try AtomicFileWriter.write(to: path) { sink in
            var length = UInt64(header.count).littleEndian
            try withUnsafeBytes(of: &length) { try sink.write($0) }
            try sink.write(header)
            for (_, tensor) in sorted {
                try writeData(of: tensor, as: dtype, to: sink)
            }
        }
    }

    /// The JSON header, space-padded so that 8 + its length is a multiple of 8.
    static func headerBytes(for tensors: [(String, [Int])], dtype: DType, metadata: [String: String]) -> [UInt8] {
        var json = "{"
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                .map { JSONWriter.quoted($0) + ":" + JSONWriter.quoted(metadata[$0] ?? "") }
            fields.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
        }
        var offset = 0
        for (name, shape) in tensors {
            let byteCount = shape.reduce(1, *) * dtype.byteSize
            let shapeText = shape.map(String.init).joined(separator: ",")
            fields.append(
                JSONWriter.quoted(name) + ":{\"dtype\":\"\(dtype.rawValue)\",\"shape\":[\(shapeText)],"
                    + "\"data_offsets\":[\(offset),\(offset + byteCount)]}")
            offset += byteCount
        }
        json += fields.joined(separator: ",") + "}"
        var bytes = Array(json.utf8)
        let padding = (8 - (8 + bytes.count) % 8) % 8
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: padding))
        return bytes
    }

    private static func writeData(of tensor: Tensor, as dtype: DType, to sink: FileSink) throws {
        let source = tensor.storage.pointer
        let count = tensor.count
        switch dtype {
        case .f32:
            try sink.write(UnsafeRawBufferPointer(start: source, count: count * 4))
        case .bf16, .f16:
            // Convert in bounded chunks so a large tensor needs no second full-size buffer.
            let chunk = 1 << 20
            let buffer = UnsafeMutablePointer<UInt16>.allocate(capacity: min(max(count, 1), chunk))
            defer { buffer.deallocate() }
            var start = 0
            while start < count {
                let end = min(start + chunk, count)
                if dtype == .bf16 {
                    for index in start..<end { buffer[index - start] = HalfConversion.bf16Bits(from: source[index]).littleEndian }
                } else {
                    for index in start..<end { buffer[index - start] = HalfConversion.f16Bits(from: source[index]).littleEndian }
                }
                try sink.write(UnsafeRawBufferPointer(start: buffer, count: (end - start) * 2))
                start = end
            }
        }
    }
}
