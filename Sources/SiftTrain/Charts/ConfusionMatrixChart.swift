// A confusion-matrix heatmap (rows = true class, columns = predicted class) with the count in
// every cell, shaded by the row's share (the recall of that true class) as an SVG string.

/// A heatmap of a confusion matrix.
public struct ConfusionMatrixChart: Sendable, Hashable {
    /// The heading above the chart.
    public var title: String
    /// `counts[t][p]` = examples of true class `t` predicted as `p` (a square matrix).
    public var counts: [[Int]]
    /// One name per class.
    public var labelNames: [String]
    /// The side of a cell in pixels.
    public var cellSize: Double

    /// A heatmap of raw counts.
    public init(title: String, counts: [[Int]], labelNames: [String], cellSize: Double = 84) {
        self.title = title
        self.counts = counts
        self.labelNames = labelNames
        self.cellSize = cellSize
    }

    /// A chart of a ``ConfusionMatrix``.
    public init(title: String, matrix: ConfusionMatrix, labelNames: [String], cellSize: Double = 84) {
        self.init(title: title, counts: matrix.counts, labelNames: labelNames, cellSize: cellSize)
    }

    /// The chart as an SVG document. Rows beyond the names are labelled by index; a ragged matrix
    /// is drawn with missing cells as 0.
    public func svg() -> String {
        let size = max(counts.count, labelNames.count, counts.map(\.count).max() ?? 0)
        func name(_ index: Int) -> String { index < labelNames.count ? labelNames[index] : String(index) }
        func count(_ row: Int, _ column: Int) -> Int {
            row < counts.count && column < counts[row].count ? counts[row][column] : 0
        }
        let longest = (0..<size).map { SVGText.estimatedWidth(name($0), fontSize: 12) }.max() ?? 0
        let left = 54 + longest, top = 70.0
        let gridSize = Double(size) * cellSize
        let width = max(left + gridSize + 30, SVGText.estimatedWidth(title, fontSize: 16) + 40)
        let height = top + gridSize + 50 + longest * 0.72
        var svg = SVGBuilder(width: width, height: height)
        svg.text(title, x: width / 2, y: 26, size: 16, anchor: "middle", weight: "bold")
        svg.text("predicted", x: left + gridSize / 2, y: 50, size: 13, anchor: "middle")
        svg.text("true", x: max(16, left - longest - 24), y: top + gridSize / 2, size: 13, anchor: "middle", rotate: -90)
        for row in 0..<size {
            let rowTotal = (0..<size).reduce(0) { $0 + max(0, count(row, $1)) }
            for column in 0..<size {
                let value = count(row, column)
                let share = rowTotal > 0 ? Double(max(0, value)) / Double(rowTotal) : 0
                let x = left + Double(column) * cellSize, y = top + Double(row) * cellSize
                svg.rect(x: x, y: y, width: cellSize, height: cellSize, fill: Self.shade(share), stroke: "#ffffff",
                         title: "true \(name(row)), predicted \(name(column)): \(value)")
                svg.text(String(value), x: x + cellSize / 2, y: y + cellSize / 2 + 5, size: 14, anchor: "middle",
                         weight: row == column ? "bold" : nil, fill: share > 0.55 ? "#ffffff" : "#1a1a1a")
            }
            svg.text(name(row), x: left - 8, y: top + (Double(row) + 0.5) * cellSize + 4, size: 12, anchor: "end")
        }
        for column in 0..<size {
            let x = left + (Double(column) + 0.5) * cellSize
            svg.text(name(column), x: x, y: top + gridSize + 16, size: 12, anchor: "end", rotate: -35)
        }
        return svg.document(title: title)
    }

    /// White (share 0) to dark blue (share 1).
    static func shade(_ share: Double) -> String {
        let t = min(max(share, 0), 1)
        let channels = [(247.0, 8.0), (251.0, 48.0), (255.0, 107.0)].map { start, end in
            Int((start + (end - start) * t).rounded())
        }
        return "#" + channels.map { value in
            let hex = String(value, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }
}
