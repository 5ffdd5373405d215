// SVG plots of a run: training loss and evaluation metrics against the optimizer step.
import Foundation

enum TrainingPlots {
    /// Writes `loss.svg` and, when the run evaluated, `eval.svg` into `output`.
    static func write(log: [LogEntry], metric: SelectionMetric, to output: URL) throws {
        let train = log.filter { $0.loss != nil }
        let evals = log.filter { $0.evalAccuracy != nil }
        var lossSeries = [ChartSeries(name: "training loss", x: train.map { Double($0.step) }, y: train.map { $0.loss ?? 0 })]
        if !evals.isEmpty {
            lossSeries.append(ChartSeries(name: "validation loss", x: evals.map { Double($0.step) }, y: evals.map { $0.evalLoss ?? 0 }))
        }
        if !train.isEmpty {
            let chart = LineChart(title: "Loss", xLabel: "optimizer step", yLabel: "cross-entropy", series: lossSeries)
            try chart.svg().write(to: output.appendingPathComponent("loss.svg"), atomically: true, encoding: .utf8)
        }
        if !evals.isEmpty {
            let chart = LineChart(title: "Validation metrics", xLabel: "optimizer step", yLabel: "score", series: [
                ChartSeries(name: "accuracy", x: evals.map { Double($0.step) }, y: evals.map { $0.evalAccuracy ?? 0 }),
                ChartSeries(name: "macro-F1", x: evals.map { Double($0.step) }, y: evals.map { $0.evalMacroF1 ?? 0 }),
            ])
            try chart.svg().write(to: output.appendingPathComponent("eval.svg"), atomically: true, encoding: .utf8)
        }
    }
}
