// Writing small test inputs to a private temporary directory.
import Foundation

enum TemporaryFiles {
    /// Writes `contents` to a new file with this name in a fresh temporary directory.
    static func write(_ contents: String, name: String) throws -> URL {
        try write(Array(contents.utf8), name: name)
    }

    /// Writes raw bytes to a new file with this name in a fresh temporary directory.
    static func write(_ bytes: [UInt8], name: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("sift-data-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }
}
