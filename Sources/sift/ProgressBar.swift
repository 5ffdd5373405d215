// A progress bar with rate and ETA on stderr. On a terminal it redraws one line; otherwise
// (CI, logs) it prints a plain line at most every few seconds so logs stay readable.
import Foundation

/// Draws `[#####-----] 42% 420/1000 · 12.3 it/s · ETA 0:47 · loss 0.31` on stderr.
final class ProgressBar {
    private let total: Int
    private let label: String
    private let unit: String
    private let start = Date()
    private var lastDraw = Date.distantPast
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private let quiet: Bool
    private(set) var current = 0

    init(total: Int, label: String, unit: String = "it", quiet: Bool = false) {
        self.total = max(total, 1)
        self.label = label
        self.unit = unit
        self.quiet = quiet
    }

    /// Moves to `value` (absolute) and redraws when due; `detail` is appended (e.g. "loss 0.31").
    func update(_ value: Int, detail: String = "") {
        current = value
        let now = Date()
        let interval = isTerminal ? 0.1 : 10
        guard !quiet, value >= total || now.timeIntervalSince(lastDraw) >= interval else { return }
        lastDraw = now
        draw(detail: detail, final: false)
    }

    /// Draws the final state and ends the line.
    func finish(detail: String = "") {
        guard !quiet else { return }
        draw(detail: detail, final: true)
    }

    private func draw(detail: String, final: Bool) {
        let elapsed = Date().timeIntervalSince(start)
        let fraction = min(1, Double(current) / Double(total))
        let rate = elapsed > 0 ? Double(current) / elapsed : 0
        let remaining = rate > 0 ? Double(total - current) / rate : 0
        let width = 24
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        var line = String(format: "%@ [%@] %3d%% %d/%d · %.1f %@/s · %@ %@",
                          label, bar, Int(fraction * 100), current, total, rate, unit,
                          final ? "took" : "ETA", ProgressBar.clock(final ? elapsed : remaining))
        if !detail.isEmpty { line += " · " + detail }
        let text = isTerminal ? "\r\u{1B}[2K" + line + (final ? "\n" : "") : line + "\n"
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// `h:mm:ss` or `m:ss`.
    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
