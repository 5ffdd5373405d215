import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import SiftTrain

/// Collects the elements and text of an XML document.
private final class XMLCollector: NSObject, XMLParserDelegate {
    var elements: [(name: String, attributes: [String: String])] = []
    var texts: [String] = []
    private var currentText = ""

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]) {
        elements.append((elementName, attributes))
        currentText = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { currentText += string }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        if elementName == "text" || elementName == "title" { texts.append(currentText) }
        currentText = ""
    }

    func named(_ name: String) -> [[String: String]] { elements.filter { $0.name == name }.map(\.attributes) }
}

/// Parses `svg` as XML, recording an issue (with the parser's error) if it is not well formed.
private func parseSVG(_ svg: String) throws -> XMLCollector {
    let parser = XMLParser(data: Data(svg.utf8))
    let collector = XMLCollector()
    parser.delegate = collector
    let ok = parser.parse()
    #expect(ok, "SVG is not well-formed XML: \(String(describing: parser.parserError))")
    try #require(ok)
    #expect(collector.elements.first?.name == "svg")
    #expect(collector.elements.first?.attributes["xmlns"] == "http://www.w3.org/2000/svg")
    return collector
}

@Suite struct ChartTests {
    @Test func lineChartDrawsEveryPointOfEverySeries() throws {
        let steps = (1...25).map { Double($0 * 10) }
        let loss = steps.map { 1.4 * exp(-$0 / 80) + 0.3 }
        let chart = LineChart(
            title: "MiniLM on AG News <seed 0> & \"friends\"", xLabel: "step", yLabel: "loss",
            series: [ChartSeries(name: "train loss", x: steps, y: loss),
                     ChartSeries(name: "eval 'loss'", x: [50, 150, 250], y: [0.9, 0.5, 0.4])])
        let svg = chart.svg()
        let xml = try parseSVG(svg)
        let polylines = xml.named("polyline")
        #expect(polylines.count == 2)
        let pointCounts = polylines.map { $0["points"]!.split(separator: " ").count }
        #expect(pointCounts == [25, 3])
        #expect(xml.named("circle").count == 28)
        #expect(xml.texts.contains("MiniLM on AG News <seed 0> & \"friends\""))
        #expect(xml.texts.contains("eval 'loss'"))
        #expect(svg.contains("&lt;seed 0&gt; &amp; &quot;friends&quot;"))
        // x grows left to right; a falling loss moves down the screen (y pixels grow).
        let coordinates = polylines[0]["points"]!.split(separator: " ").map { $0.split(separator: ",").map { Double($0)! } }
        #expect(coordinates.map { $0[0] } == coordinates.map { $0[0] }.sorted())
        #expect(coordinates.map { $0[1] } == coordinates.map { $0[1] }.sorted())
        #expect(!svg.contains("<script"))
        #expect(!svg.contains("href"))
    }

    @Test func nonFinitePointsBreakTheLine() throws {
        let chart = LineChart(title: "t", xLabel: "x", yLabel: "y",
                              series: [ChartSeries(name: "s", x: [0, 1, 2, 3, 4], y: [1, 2, .nan, 3, .infinity])])
        let xml = try parseSVG(chart.svg())
        #expect(xml.named("polyline").map { $0["points"]!.split(separator: " ").count } == [2, 1])
    }

    @Test func degenerateChartsStayWellFormed() throws {
        _ = try parseSVG(LineChart(title: "", xLabel: "", yLabel: "", series: []).svg())
        _ = try parseSVG(LineChart(title: "one", xLabel: "x", yLabel: "y",
                                   series: [ChartSeries(name: "flat", x: [5], y: [0.5])], yRange: 0...1).svg())
        _ = try parseSVG(BarChart(title: "none", valueLabel: "rps", bars: []).svg())
        _ = try parseSVG(ConfusionMatrixChart(title: "empty", counts: [], labelNames: []).svg())
        let control = try parseSVG(BarChart(title: "bell\u{07} and nul\u{0}", valueLabel: "v",
                                            bars: [ChartBar(label: "x", value: .nan)]).svg())
        #expect(control.texts.contains("bell\u{FFFD} and nul\u{FFFD}"))
        #expect(control.texts.contains("n/a"))
    }

    @Test func confusionMatrixHeatmapShowsEveryCount() throws {
        let counts = [[1652, 68, 99, 81], [12, 1870, 9, 9], [93, 15, 1511, 281], [55, 19, 116, 1710]]
        let chart = ConfusionMatrixChart(title: "AG News test, seed 0", counts: counts,
                                         labelNames: ["World", "Sports", "Business", "Sci/Tech"])
        let xml = try parseSVG(chart.svg())
        let cells = xml.named("rect").filter { $0["stroke"] == "#ffffff" }
        #expect(cells.count == 16)
        for value in counts.flatMap({ $0 }) { #expect(xml.texts.contains(String(value))) }
        #expect(xml.texts.contains("true Business, predicted Sci/Tech: 281"))
        #expect(ConfusionMatrixChart.shade(0) == "#f7fbff")
        #expect(ConfusionMatrixChart.shade(1) == "#08306b")
    }

    @Test func barChartHasOneBarPerValueWithLengthsInProportion() throws {
        let bars = [ChartBar(label: "BERT-base", value: 120), ChartBar(label: "Qwen3 linear head", value: 60),
                    ChartBar(label: "Qwen3 SFT", value: 30)]
        let xml = try parseSVG(BarChart(title: "Throughput", valueLabel: "requests / s", bars: bars).svg())
        let drawn = xml.named("rect").filter { $0["fill"] != "#ffffff" }
        #expect(drawn.count == 3)
        let widths = drawn.map { Double($0["width"]!)! }
        #expect(abs(widths[0] / widths[1] - 2) < 0.01 && abs(widths[1] / widths[2] - 2) < 0.01)
        #expect(xml.texts.contains("120.0"))
        #expect(xml.texts.contains("Qwen3 linear head"))
    }

    @Test func errorWhiskersAreDrawnAndLabelled() throws {
        let bars = [ChartBar(label: "train s", value: 241.2, error: 6.2), ChartBar(label: "eval s", value: 135.6, error: 6.3)]
        let xml = try parseSVG(BarChart(title: "MiniLM timings, mean ± std over 3 seeds", valueLabel: "seconds", bars: bars).svg())
        #expect(xml.texts.contains("241.2 ± 6.2") && xml.texts.contains("135.6 ± 6.3"))
        #expect(xml.named("line").filter { $0["stroke-width"] == "1.5" }.count == 6)
    }

    @Test func niceTicksAndNumbers() {
        let scale = AxisScale(minimum: 0.27, maximum: 1.41, pixelStart: 0, pixelEnd: 100)
        #expect(scale.ticks.first! <= 0.27 && scale.ticks.last! >= 1.41)
        #expect(scale.ticks.count >= 3 && scale.ticks.count <= 10)
        #expect(abs(scale.pixel(scale.lower)) < 1e-9 && abs(scale.pixel(scale.upper) - 100) < 1e-9)
        #expect(AxisScale.niceStep(span: 1, targetTicks: 5) == 0.2)
        #expect(AxisScale.niceStep(span: 240, targetTicks: 6) == 50)
        #expect(SVGText.number(12.5) == "12.5")
        #expect(SVGText.number(-3.004) == "-3")
        #expect(SVGText.number(0.07) == "0.07")
        #expect(SVGText.number(100.10) == "100.1")
        #expect(SVGText.escaped("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&#39;")
    }
}

/// Writes sample charts to `$SIFT_CHART_DIR` (when set) for a look in a browser; otherwise says why it does nothing.
@Suite struct ChartSamples {
    @Test func writeSampleChartsForVisualInspection() throws {
        guard let directory = ProcessInfo.processInfo.environment["SIFT_CHART_DIR"] else {
            print("SKIP: set SIFT_CHART_DIR to write sample SVG charts for visual inspection")
            return
        }
        let steps = (1...25).map { Double($0 * 10) }
        let samples = [
            ("line.svg", LineChart(
                title: "MiniLM-L6 on AG News: training loss", xLabel: "optimizer step", yLabel: "mean loss (last 10)",
                series: [ChartSeries(name: "seed 0", x: steps, y: steps.map { 1.1 * exp(-$0 / 60) + 0.3 }),
                         ChartSeries(name: "seed 1", x: steps, y: steps.map { 1.1 * exp(-$0 / 55) + 0.32 }),
                         ChartSeries(name: "learning rate ×10⁴", x: steps, y: steps.map { $0 <= 25 ? $0 / 50 : 0.5 * (250 - $0) / 225 })]).svg()),
            ("confusion.svg", ConfusionMatrixChart(
                title: "AG News test, seed 0", counts: [[1652, 68, 99, 81], [12, 1870, 9, 9], [93, 15, 1511, 281], [55, 19, 116, 1710]],
                labelNames: ["World", "Sports", "Business", "Sci/Tech"]).svg()),
            ("bars.svg", BarChart(title: "Serving throughput", valueLabel: "requests / s",
                                  bars: [ChartBar(label: "BERT-base", value: 182.4), ChartBar(label: "Qwen3-0.6B linear head", value: 41.7),
                                         ChartBar(label: "Qwen3-0.6B SFT (option scoring)", value: 12.3, error: 1.4)]).svg()),
            ("log.svg", LineChart(
                title: "Accuracy against training-set size", xLabel: "training examples (log scale)", yLabel: "test accuracy",
                series: [ChartSeries(name: "MiniLM-L6", x: [100, 300, 1_000, 4_000, 30_000], y: [0.52, 0.71, 0.83, 0.886, 0.915]),
                         ChartSeries(name: "Qwen3-0.6B head", x: [100, 300, 1_000, 4_000, 30_000], y: [0.61, 0.79, 0.87, 0.905, 0.93])],
                yRange: 0.5...1, logarithmicX: true).svg()),
        ]
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, svg) in samples {
            try svg.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
            _ = try parseSVG(svg)
        }
    }
}

@Suite struct LogarithmicAxisTests {
    @Test func logXPlacesDecadesEvenlyAndSkipsNonPositiveX() throws {
        let sizes: [Double] = [0, 100, 1_000, 10_000, 100_000]
        let chart = LineChart(title: "accuracy vs training-set size", xLabel: "training examples", yLabel: "accuracy",
                              series: [ChartSeries(name: "BERT", x: sizes, y: [0.2, 0.7, 0.85, 0.91, 0.94])],
                              yRange: 0...1, logarithmicX: true)
        let xml = try parseSVG(chart.svg())
        let polylines = xml.named("polyline")
        #expect(polylines.count == 1)
        let xs = polylines[0]["points"]!.split(separator: " ").map { Double($0.split(separator: ",")[0])! }
        #expect(xs.count == 4)
        let gaps = zip(xs.dropFirst(), xs).map { $0 - $1 }
        #expect(gaps.allSatisfy { abs($0 - gaps[0]) < 0.05 }, "decade gaps \(gaps)")
        for label in ["100", "1000", "10000", "100000"] { #expect(xml.texts.contains(label)) }
    }

    @Test func logScaleTicks() {
        let scale = AxisScale(logarithmicMinimum: 3, maximum: 80, pixelStart: 0, pixelEnd: 200)
        #expect(scale.ticks == [1, 2, 5, 10, 20, 50, 100])
        #expect(abs(scale.pixel(10) - 100) < 1e-9)
        let wide = AxisScale(logarithmicMinimum: 0.01, maximum: 1e5, pixelStart: 0, pixelEnd: 100)
        #expect(wide.ticks.count == 8)
        #expect(wide.label(0.01) == "0.01" && wide.label(1e5) == "100000")
    }
}
