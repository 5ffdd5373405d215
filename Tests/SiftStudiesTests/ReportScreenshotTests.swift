// Screenshot smoke test: headless Chromium renders report.html, and the picture is a page with text
// and coloured charts, not a blank or broken one. A plain page with one word goes through the same
// checks and must fail them, so the checks can tell the difference.
import Foundation
@testable import SiftStudies
import SiftTestSupport
import Testing

@Suite("report screenshot", .serialized)
struct ReportScreenshotTests {
    static let width = 1200
    static let height = 1600

    static var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Pixels that are not near-white, and pixels with a clear hue (chart colours, not grey text).
    struct Ink { var dark: Int; var coloured: Int; var total: Int }

    static func ink(_ image: PNGImage) -> Ink {
        var ink = Ink(dark: 0, coloured: 0, total: image.width * image.height)
        for y in 0..<image.height {
            for x in 0..<image.width {
                let (r, g, b) = image.rgb(x: x, y: y)
                let high = max(r, g, b), low = min(r, g, b)
                if low < 230 { ink.dark += 1 }
                if Int(high) - Int(low) > 60 { ink.coloured += 1 }
            }
        }
        return ink
    }

    /// Runs headless Chromium on `page`, giving up after 60 s (the process is killed, never left hanging).
    static func screenshot(_ page: URL, into png: URL, browser: String) throws -> PNGImage {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                             "--user-data-dir=\(png.deletingLastPathComponent().appendingPathComponent("profile").path)",
                             "--window-size=\(width),\(height)", "--screenshot=\(png.path)", page.absoluteString]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning {
            process.terminate()
            throw PNGImage.DecodeError.invalid("Chromium did not finish within 60 s")
        }
        return try PNGImage(data: [UInt8](Data(contentsOf: png)))
    }

    @Test("headless Chromium renders report.html as a page with text and coloured charts")
    func reportRenders() throws {
        guard let browser = Self.chromium else {
            print("skipped: no Chromium (apt-get install chromium) to take the report screenshot")
            return
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sift-shot-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try StudyReport(results: StudyReportTests.results(StudyReportTests.synthetic())).write(to: folder)

        let shot = try Self.screenshot(folder.appendingPathComponent("report.html"), into: folder.appendingPathComponent("report.png"), browser: browser)
        #expect(shot.width == Self.width && shot.height == Self.height, "screenshot is \(shot.width)×\(shot.height)")
        let report = Self.ink(shot)
        // The control: the same checks on a page holding one word.
        let plain = folder.appendingPathComponent("plain.html")
        try "<!DOCTYPE html><html><body><p>report</p></body></html>".write(to: plain, atomically: true, encoding: .utf8)
        let control = Self.ink(try Self.screenshot(plain, into: folder.appendingPathComponent("plain.png"), browser: browser))

        func rendered(_ ink: Ink) -> Bool { ink.dark * 50 > ink.total && ink.coloured * 200 > ink.total }
        #expect(rendered(report), "report.html looks blank: \(report.dark) dark and \(report.coloured) coloured of \(report.total) pixels")
        #expect(!rendered(control), "the checks cannot tell a one-word page from a report: \(control)")
    }
}
