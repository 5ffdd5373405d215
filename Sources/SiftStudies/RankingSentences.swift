// The study's conclusions in words, generated from the numbers only: who is most accurate and by
// how much, who is fastest to serve or to run, training-time spread, and what thinking buys.
import Foundation

/// Sentences that rank the runs of a study.
public enum RankingSentences {
    /// The sentences for `runs` (empty when there are none).
    public static func make(_ runs: [RunResult]) -> [String] {
        guard !runs.isEmpty else { return [] }
        var sentences: [String] = []
        let names = describe(runs)
        let byAccuracy = runs.indices.sorted { runs[$0].accuracy != runs[$1].accuracy ? runs[$0].accuracy > runs[$1].accuracy : $0 < $1 }
        let best = byAccuracy[0]
        // 1. The most accurate, and its margin over the runner-up.
        if runs.count == 1 {
            sentences.append("\(capitalized(names[best])) reaches \(score(runs[best].accuracy)) accuracy (macro-F1 \(score(runs[best].macroF1))).")
        } else {
            let second = byAccuracy[1]
            let gap = (runs[best].accuracy - runs[second].accuracy) * 100
            if gap < 0.05 {
                sentences.append("\(capitalized(names[best])) and \(names[second]) are the most accurate, tied at \(score(runs[best].accuracy)).")
            } else {
                sentences.append("\(capitalized(names[best])) is the most accurate (\(score(runs[best].accuracy))), \(points(gap)) ahead of \(names[second]) (\(score(runs[second].accuracy))).")
            }
        }
        // 2. Macro-F1 leader when it differs.
        let bestF1 = runs.indices.max { runs[$0].macroF1 < runs[$1].macroF1 } ?? best
        if bestF1 != best, runs[bestF1].macroF1 > runs[best].macroF1 {
            sentences.append("By macro-F1, \(names[bestF1]) leads (\(score(runs[bestF1].macroF1)) against \(score(runs[best].macroF1))).")
        }
        // 3. The least accurate, when there are at least three runs.
        if runs.count >= 3, let worst = byAccuracy.last {
            let gap = (runs[best].accuracy - runs[worst].accuracy) * 100
            sentences.append("\(capitalized(names[worst])) is the least accurate (\(score(runs[worst].accuracy))), \(points(gap)) behind the best.")
        }
        // 4. Serving throughput (RPS) when measured, else in-process inference speed.
        let served = runs.indices.filter { (runs[$0].requestsPerSecond ?? 0) > 0 }
        if served.count >= 2 {
            sentences.append(speedSentence(runs, names, indices: served, best: best, value: { $0.requestsPerSecond ?? 0 },
                                           verb: "serves", unit: "requests per second", short: "RPS"))
        } else {
            let timed = runs.indices.filter { runs[$0].inferenceExamplesPerSecond > 0 }
            if timed.count >= 2 {
                sentences.append(speedSentence(runs, names, indices: timed, best: best, value: \.inferenceExamplesPerSecond,
                                               verb: "classifies", unit: "examples per second", short: "ex/s"))
            }
        }
        // 5. Training time.
        let trained = runs.indices.filter { runs[$0].trainingSeconds != nil }
        if trained.count >= 2 {
            let fastest = trained.min { (runs[$0].trainingSeconds ?? 0) < (runs[$1].trainingSeconds ?? 0) }!
            let slowest = trained.max { (runs[$0].trainingSeconds ?? 0) < (runs[$1].trainingSeconds ?? 0) }!
            let ratio = (runs[slowest].trainingSeconds ?? 0) / max(runs[fastest].trainingSeconds ?? 0, 1e-9)
            sentences.append("Training took from \(duration(runs[fastest].trainingSeconds ?? 0)) (\(names[fastest])) to \(duration(runs[slowest].trainingSeconds ?? 0)) (\(names[slowest]), \(factor(ratio)) longer).")
        } else if trained.count == 1, let only = trained.first {
            sentences.append("\(capitalized(names[only])) trained in \(duration(runs[only].trainingSeconds ?? 0)).")
        }
        // 6. What thinking buys, per model with both zero-shot runs.
        for think in runs.indices where runs[think].spec.method == .think {
            guard let plain = runs.indices.first(where: { runs[$0].spec.method == .zeroshot && runs[$0].spec.model == runs[think].spec.model }) else { continue }
            let gap = (runs[think].accuracy - runs[plain].accuracy) * 100
            let change = abs(gap) < 0.05 ? "leaves zero-shot accuracy unchanged" : "\(gap > 0 ? "raises" : "lowers") zero-shot accuracy by \(points(abs(gap)))"
            var sentence = "On \(modelLabel(runs[think])), thinking \(change) (\(score(runs[plain].accuracy)) → \(score(runs[think].accuracy)))"
            if runs[think].inferenceExamplesPerSecond > 0, runs[plain].inferenceExamplesPerSecond > 0 {
                let slowdown = runs[plain].inferenceExamplesPerSecond / runs[think].inferenceExamplesPerSecond
                sentence += slowdown >= 1 ? " and is \(factor(slowdown)) slower per example" : " and is \(factor(1 / slowdown)) faster per example"
            }
            if runs[think].unparseable > 0 { sentence += "; \(runs[think].unparseable) of \(runs[think].testExamples) answers were unreadable" }
            sentences.append(sentence + ".")
        }
        return sentences
    }

    static func speedSentence(_ runs: [RunResult], _ names: [String], indices: [Int], best: Int, value: (RunResult) -> Double,
                              verb: String, unit: String, short: String) -> String {
        let fastest = indices.max { value(runs[$0]) < value(runs[$1]) }!
        let slowest = indices.min { value(runs[$0]) < value(runs[$1]) }!
        // Compare the fastest with the most accurate when they differ (the trade-off), else with the slowest.
        let other = fastest != best && indices.contains(best) ? best : slowest
        let ratio = value(runs[fastest]) / max(value(runs[other]), 1e-12)
        let role = other == best ? "the most accurate run, " : ""
        return "\(capitalized(names[fastest])) \(verb) the most \(unit) (\(rate(value(runs[fastest]))) \(short)), \(factor(ratio)) as many as \(role)\(names[other]) (\(rate(value(runs[other]))))."
    }

    /// "the linear head on SmolLM2-135M" per run; the run id is added where two runs would read the same.
    public static func describe(_ runs: [RunResult]) -> [String] {
        let plain = runs.map { "the \($0.spec.method.displayName) on \(modelLabel($0))" }
        return runs.indices.map { i in
            plain.filter { $0 == plain[i] }.count > 1 ? plain[i] + " (\(runs[i].spec.id))" : plain[i]
        }
    }

    /// The model file or folder name without a `.gguf` extension.
    static func modelLabel(_ run: RunResult) -> String {
        let name = run.modelName
        return name.lowercased().hasSuffix(".gguf") ? String(name.dropLast(5)) : name
    }

    static func capitalized(_ text: String) -> String { text.prefix(1).uppercased() + text.dropFirst() }
    static func score(_ value: Double) -> String { String(format: "%.3f", value) }
    static func points(_ value: Double) -> String { String(format: "%.1f point%@", value, abs(value - 1) < 0.05 ? "" : "s") }
    static func factor(_ value: Double) -> String { String(format: value >= 10 ? "%.0f×" : "%.1f×", value) }
    static func rate(_ value: Double) -> String { String(format: value >= 100 ? "%.0f" : "%.1f", value) }

    /// "42 s", "3.5 min", "1.2 h".
    public static func duration(_ seconds: Double) -> String {
        if seconds < 90 { return String(format: seconds < 10 ? "%.1f s" : "%.0f s", seconds) }
        if seconds < 5400 { return String(format: "%.1f min", seconds / 60) }
        return String(format: "%.1f h", seconds / 3600)
    }
}
