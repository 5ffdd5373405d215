// A horizontal bar chart (e.g. requests per second of several serving set-ups) as an SVG string.

/// One bar.
public struct ChartBar: Sendable, Hashable, Codable {
    /// The text left of the bar.
    public var label: String
    /// The bar's length in data units.
    public var value: Double
    /// An optional uncertainty (e.g. the standard deviation over seeds), drawn as a whisker ± error.
    public var error: Double?

    /// A bar, optionally with a ± error whisker.
    public init(label: String, value: Double, error: Double? = nil) {
        self.label = label
        self.value = value
        self.error = error
    }
}

/// A horizontal bar chart with a value axis, value labels at the bar ends and a title.
public struct BarChart: Sendable, Hashable {
    /// The heading above the chart.
    public var title: String
    /// The value axis label (e.g. "requests / s").
    public var valueLabel: String
    /// The bars, top to bottom.
    public var bars: [ChartBar]
    /// Decimals of the value printed at each bar's end.
    public var valueDecimals: Int
    /// The image width in pixels (the height follows from the bar count).
    public var width: Double

    /// A bar chart.
    public init(title: String, valueLabel: String, bars: [ChartBar], valueDecimals: Int = 1, width: Double = 760) {
        self.title = title
        self.valueLabel = valueLabel
        self.bars = bars
        self.valueDecimals = valueDecimals
        self.width = width
    }

    /// The chart as an SVG document. Non-finite values are drawn as empty bars labelled "n/a";
    /// negative values extend left of zero.
    public func svg() -> String {
        let barHeight = 26.0, gap = 12.0, top = 56.0
        let longest = bars.map { SVGText.estimatedWidth($0.label, fontSize: 12) }.max() ?? 0
        let left = min(260, 24 + longest)
        let plotHeight = max(barHeight, Double(bars.count) * (barHeight + gap))
        let height = top + plotHeight + 60
        let values = bars.flatMap { bar -> [Double] in
            let spread = bar.error.map(abs) ?? 0
            return [bar.value - spread, bar.value + spread]
        }.filter(\.isFinite)
        let scale = AxisScale(minimum: min(0, values.min() ?? 0), maximum: max(0, values.max() ?? 1),
                              pixelStart: left, pixelEnd: max(left + 50, width - 80), targetTicks: 6)
        var svg = SVGBuilder(width: width, height: height)
        svg.text(title, x: width / 2, y: 28, size: 16, anchor: "middle", weight: "bold")
        let axisY = top + plotHeight
        for tick in scale.ticks {
            let x = scale.pixel(tick)
            svg.line(x1: x, y1: top - 6, x2: x, y2: axisY, stroke: "#e3e3e3")
            svg.line(x1: x, y1: axisY, x2: x, y2: axisY + 5)
            svg.text(SVGText.label(tick, decimals: scale.decimals), x: x, y: axisY + 19, size: 11, anchor: "middle")
        }
        svg.line(x1: scale.pixel(scale.lower), y1: axisY, x2: scale.pixel(scale.upper), y2: axisY)
        let zero = scale.pixel(0)
        svg.line(x1: zero, y1: top - 6, x2: zero, y2: axisY)
        for (index, bar) in bars.enumerated() {
            let y = top + Double(index) * (barHeight + gap)
            svg.text(bar.label, x: left - 8, y: y + barHeight / 2 + 4, size: 12, anchor: "end")
            guard bar.value.isFinite else {
                svg.text("n/a", x: zero + 6, y: y + barHeight / 2 + 4, size: 12)
                continue
            }
            let end = scale.pixel(bar.value)
            svg.rect(x: min(zero, end), y: y, width: abs(end - zero), height: barHeight, fill: ChartPalette.color(index),
                     title: "\(bar.label): \(SVGText.label(bar.value, decimals: valueDecimals))")
            var valueText = SVGText.label(bar.value, decimals: valueDecimals)
            var labelEnd = end
            if let error = bar.error, error.isFinite, error != 0 {
                let low = scale.pixel(bar.value - abs(error)), high = scale.pixel(bar.value + abs(error))
                let middle = y + barHeight / 2
                svg.line(x1: low, y1: middle, x2: high, y2: middle, stroke: "#222", width: 1.5)
                svg.line(x1: low, y1: middle - 6, x2: low, y2: middle + 6, stroke: "#222", width: 1.5)
                svg.line(x1: high, y1: middle - 6, x2: high, y2: middle + 6, stroke: "#222", width: 1.5)
                valueText += " ± " + SVGText.label(abs(error), decimals: valueDecimals)
                labelEnd = bar.value >= 0 ? max(end, high) : min(end, low)
            }
            svg.text(valueText, x: bar.value >= 0 ? labelEnd + 6 : labelEnd - 6, y: y + barHeight / 2 + 4, size: 12,
                     anchor: bar.value >= 0 ? "start" : "end")
        }
        svg.text(valueLabel, x: (scale.pixelStart + scale.pixelEnd) / 2, y: height - 14, size: 13, anchor: "middle")
        return svg.document(title: title)
    }
}
