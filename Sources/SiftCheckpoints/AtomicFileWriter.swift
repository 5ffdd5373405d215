// Writes a file so that readers see either the old file or the complete new one, never a part:
// write a temporary file in the same directory, fsync it, rename it over the destination, then
// fsync the directory so the rename itself survives a crash.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A destination for bytes, handed to the body of ``AtomicFileWriter/write(to:_:)``.
struct FileSink {
    fileprivate let descriptor: Int32
    let path: String

    /// Writes all of `buffer` (retrying partial writes and interrupted calls).
    func write(_ buffer: UnsafeRawBufferPointer) throws {
        guard var next = buffer.baseAddress else { return }
        var left = buffer.count
        while left > 0 {
            let written = systemWrite(descriptor, next, min(left, 1 << 30))
            if written < 0 {
                if errno == EINTR { continue }
                throw CheckpointError.writeFailed(path: path, reason: "write: \(String(cString: strerror(errno)))")
            }
            if written == 0 { throw CheckpointError.writeFailed(path: path, reason: "write returned 0 bytes") }
            next += written
            left -= written
        }
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }
}

enum AtomicFileWriter {
    /// Creates `path` atomically from what `body` writes. On any error the destination is untouched
    /// and the temporary file is removed.
    static func write(to path: String, _ body: (FileSink) throws -> Void) throws {
        let slash = path.lastIndex(of: "/")
        let prefix = slash.map { String(path[...$0]) } ?? ""  // the directory part, with its trailing slash
        let directory = prefix.isEmpty ? "." : prefix
        let baseName = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard !baseName.isEmpty else { throw CheckpointError.writeFailed(path: path, reason: "the path names a directory, not a file") }
        let temporary = prefix + ".\(baseName).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw CheckpointError.writeFailed(path: path, reason: "cannot create a temporary file in '\(directory)': \(String(cString: strerror(errno)))")
        }
        var closed = false
        do {
            try body(FileSink(descriptor: descriptor, path: path))
            guard fsync(descriptor) == 0 else {
                throw CheckpointError.writeFailed(path: path, reason: "fsync: \(String(cString: strerror(errno)))")
            }
            closed = true
            guard close(descriptor) == 0 else {
                throw CheckpointError.writeFailed(path: path, reason: "close: \(String(cString: strerror(errno)))")
            }
            guard rename(temporary, path) == 0 else {
                throw CheckpointError.writeFailed(path: path, reason: "rename: \(String(cString: strerror(errno)))")
            }
        } catch {
            if !closed { close(descriptor) }
            unlink(temporary)
            throw error
        }
        // Make the rename durable; failure here leaves a complete file, so it is not an error.
        let directoryDescriptor = open(directory, O_RDONLY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }
}

/// The C library's `write`, named apart from ``FileSink/write(_:)-…`` to avoid shadowing.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
