// Progress reports of downloads, for a progress bar.

/// How far a file's download has come.
public struct HubDownloadProgress: Sendable, Equatable {
    /// The file's path in its repository.
    public let file: String
    /// Bytes on disk so far (including bytes from an earlier, resumed attempt).
    public let receivedBytes: Int
    /// The file's size, if the Hub announced it.
    public let totalBytes: Int?
    /// True once for the last report of a file.
    public let finished: Bool

    public init(file: String, receivedBytes: Int, totalBytes: Int?, finished: Bool) {
        self.file = file
        self.receivedBytes = receivedBytes
        self.totalBytes = totalBytes
        self.finished = finished
    }
}
