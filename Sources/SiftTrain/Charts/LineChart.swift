// A line chart of named (x, y) series — training loss, learning rate or metric curves — as a
// self-contained SVG string.

/// One named curve.
public struct ChartSeries: Sendable, Hashable, Codable {
    /// The legend entry.
    public var name: String
    /// The points in drawing order; a non-finite y breaks the line (the point is skipped).
    public var points: [ChartPoint]

    /// A series from points.
    public init(name: String, points: [ChartPoint]) {
        self.name = name
        self.points = points
    }

    /// A series from parallel x and y arrays (the shorter length is used).
    public init(name: String, x: [Double], y: [Double]) {
        self.init(name: name, points: zip(x, y).map { ChartPoint(x: $0, y: $1) })
    }
}

/// A data point.
public struct ChartPoint: Sendable, Hashable, Codable {
    /// The horizontal coordinate.
    public var x: Double
    /// The vertical coordinate.
    public var y: Double

    /// A point.
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

/// A line chart with axes, ticks, grid, axis labels, a legend and a title.
public struct LineChart: Sendable, Hashable {
    /// The heading above the chart.
    public var title: String
    /// The horizontal axis title.
    public var xLabel: String
    /// The vertical axis title.
    public var yLabel: String
    /// The curves, in legend order.
    public var series: [ChartSeries]
    /// A fixed y interval (e.g. 0...1 for accuracy); nil fits the data.
    public var yRange: ClosedRange<Double>?
    /// The image width in pixels.
    public var width: Double
    /// The image height in pixels.
    public var height: Double
    /// Draw a dot at each point when a series has at most this many points.
    public var markerLimit: Int
    /// A log10 x axis (e.g. accuracy against training-set size); points with x ≤ 0 are skipped.
    public var logarithmicX: Bool

    /// A line chart; by default 760 × 440 pixels with axes fitted to the data.
    public init(title: String, xLabel: String, yLabel: String, series: [ChartSeries],
                yRange: ClosedRange<Double>? = nil, width: Double = 760, height: Double = 440, markerLimit: Int = 40,
                logarithmicX: Bool = false) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.yRange = yRange
        self.width = width
        self.height = height
        self.markerLimit = markerLimit
        self.logarithmicX = logarithmicX
    }

    /// The chart as an SVG document.
    public func svg() -> String {
        let finite = series.flatMap(\.points).filter(isDrawable)
        let legendWidth = min(220, 40 + (series.map { SVGText.estimatedWidth($0.name, fontSize: 12) }.max() ?? 0))
        let left = 72.0, top = 52.0, bottom = 58.0, right = series.isEmpty ? 24 : legendWidth + 24
        let plotRight = max(left + 50, width - right), plotBottom = max(top + 50, height - bottom)
        let xScale = logarithmicX
            ? AxisScale(logarithmicMinimum: finite.map(\.x).min() ?? 1, maximum: finite.map(\.x).max() ?? 10,
                        pixelStart: left, pixelEnd: plotRight)
            : AxisScale(minimum: finite.map(\.x).min() ?? 0, maximum: finite.map(\.x).max() ?? 1,
                        pixelStart: left, pixelEnd: plotRight, targetTicks: 8, extendToTicks: false)
        let yScale = AxisScale(minimum: yRange?.lowerBound ?? finite.map(\.y).min() ?? 0,
                               maximum: yRange?.upperBound ?? finite.map(\.y).max() ?? 1,
                               pixelStart: plotBottom, pixelEnd: top, targetTicks: 6, extendToTicks: yRange == nil)
        var svg = SVGBuilder(width: width, height: height)
        svg.text(title, x: width / 2, y: 28, size: 16, anchor: "middle", weight: "bold")
        for tick in yScale.ticks {
            let y = yScale.pixel(tick)
            svg.line(x1: left, y1: y, x2: plotRight, y2: y, stroke: "#e3e3e3")
            svg.line(x1: left - 5, y1: y, x2: left, y2: y)
            svg.text(yScale.label(tick), x: left - 8, y: y + 4, size: 11, anchor: "end")
        }
        for tick in xScale.ticks {
            let x = xScale.pixel(tick)
            svg.line(x1: x, y1: top, x2: x, y2: plotBottom, stroke: "#f0f0f0")
            svg.line(x1: x, y1: plotBottom, x2: x, y2: plotBottom + 5)
            svg.text(xScale.label(tick), x: x, y: plotBottom + 19, size: 11, anchor: "middle")
        }
        svg.line(x1: left, y1: plotBottom, x2: plotRight, y2: plotBottom)
        svg.line(x1: left, y1: top, x2: left, y2: plotBottom)
        svg.text(xLabel, x: (left + plotRight) / 2, y: height - 14, size: 13, anchor: "middle")
        svg.text(yLabel, x: 18, y: (top + plotBottom) / 2, size: 13, anchor: "middle", rotate: -90)
        svg.add("<g fill=\"none\" stroke-width=\"2\" stroke-linejoin=\"round\" stroke-linecap=\"round\">")
        for (index, curve) in series.enumerated() {
            for run in drawableRuns(curve.points) where !run.isEmpty {
                let points = run.map { "\(SVGText.number(xScale.pixel($0.x))),\(SVGText.number(yScale.pixel($0.y)))" }
                svg.add("<polyline data-series=\"\(SVGText.escaped(curve.name))\" stroke=\"\(ChartPalette.color(index))\" points=\"\(points.joined(separator: " "))\"/>")
            }
        }
        svg.add("</g>")
        for (index, curve) in series.enumerated() where curve.points.count <= markerLimit {
            for point in curve.points where isDrawable(point) {
                svg.add("<circle cx=\"\(SVGText.number(xScale.pixel(point.x)))\" cy=\"\(SVGText.number(yScale.pixel(point.y)))\" r=\"3\" fill=\"\(ChartPalette.color(index))\"/>")
            }
        }
        for (index, curve) in series.enumerated() {
            let y = top + 8 + Double(index) * 20
            svg.line(x1: plotRight + 14, y1: y, x2: plotRight + 36, y2: y, stroke: ChartPalette.color(index), width: 3)
            svg.text(curve.name, x: plotRight + 42, y: y + 4, size: 12)
        }
        return svg.document(title: title)
    }

    /// Whether a point can be drawn: finite, and x > 0 on a log axis.
    func isDrawable(_ point: ChartPoint) -> Bool {
        point.x.isFinite && point.y.isFinite && (!logarithmicX || point.x > 0)
    }

    /// Consecutive runs of drawable points (a NaN, an infinity or, on a log axis, x ≤ 0 ends a run).
    func drawableRuns(_ points: [ChartPoint]) -> [[ChartPoint]] {
        var runs: [[ChartPoint]] = [[]]
        for point in points {
            if isDrawable(point) {
                runs[runs.count - 1].append(point)
            } else if !(runs.last?.isEmpty ?? true) {
                runs.append([])
            }
        }
        return runs
    }
}
