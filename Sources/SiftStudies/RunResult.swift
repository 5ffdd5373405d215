// The outcome of one study run and of a whole study, as written to `runs/<id>/result.json` and
// `results.json`. Reports are generated from these values only, so a report can be re-made (or
// tested) from a results file without running anything.
import Foundation
import SiftTrain

/// One point of a curve.
public struct CurvePoint: Sendable, Codable, Equatable {
    public var step: Int
    public var value: Double

    public init(step: Int, value: Double) {
        self.step = step
        self.value = value
    }
}

/// What one run measured.
public struct RunResult: Sendable, Codable, Equatable {
    /// The settings the run was made with (a finished run is reused by `--resume` only if they match).
    public var spec: RunSpec
    /// Test-set accuracy and macro-F1 of the final (best) model.
    public var accuracy: Double
    public var macroF1: Double
    /// Confusion matrix on the test set (rows: true class); unreadable answers (think) are not in it.
    public var confusionMatrix: [[Int]]
    public var labelNames: [String]
    public var testExamples: Int
    public var trainExamples: Int
    /// Answers that could not be read (think runs); they count as wrong.
    public var unparseable: Int
    /// Wall-clock training time without evaluations (nil for methods that do not train).
    public var trainingSeconds: Double?
    /// Test-set inference speed (examples per second, batch inference in-process).
    public var inferenceExamplesPerSecond: Double
    /// Requests per second through the HTTP server (nil when not measured).
    public var requestsPerSecond: Double?
    /// Evaluation accuracy and training loss against the optimizer step.
    public var evalAccuracyCurve: [CurvePoint]
    public var evalMacroF1Curve: [CurvePoint]
    public var lossCurve: [CurvePoint]
    /// The step of the kept checkpoint.
    public var bestStep: Int?
    /// The final model's folder (for trained methods), relative to the study's output folder.
    public var modelDirectory: String?
    /// Mean tokens generated per example (think runs).
    public var meanGeneratedTokens: Double?
    /// The process's peak resident memory during the run (training, evaluation and the serving
    /// probe), in bytes; nil where not measured (not Linux, or results from older versions).
    public var peakResidentBytes: Int?
    /// Free-form notes (e.g. why RPS was not measured).
    public var notes: [String]

    /// A result; curves and optional values default to empty.
    public init(spec: RunSpec, accuracy: Double, macroF1: Double, confusionMatrix: [[Int]], labelNames: [String],
                testExamples: Int, trainExamples: Int, unparseable: Int = 0, trainingSeconds: Double? = nil,
                inferenceExamplesPerSecond: Double, requestsPerSecond: Double? = nil, evalAccuracyCurve: [CurvePoint] = [],
                evalMacroF1Curve: [CurvePoint] = [], lossCurve: [CurvePoint] = [], bestStep: Int? = nil,
                modelDirectory: String? = nil, meanGeneratedTokens: Double? = nil, notes: [String] = []) {
        self.spec = spec
        self.accuracy = accuracy
        self.macroF1 = macroF1
        self.confusionMatrix = confusionMatrix
        self.labelNames = labelNames
        self.testExamples = testExamples
        self.trainExamples = trainExamples
        self.unparseable = unparseable
        self.trainingSeconds = trainingSeconds
        self.inferenceExamplesPerSecond = inferenceExamplesPerSecond
        self.requestsPerSecond = requestsPerSecond
        self.evalAccuracyCurve = evalAccuracyCurve
        self.evalMacroF1Curve = evalMacroF1Curve
        self.lossCurve = lossCurve
        self.bestStep = bestStep
        self.modelDirectory = modelDirectory
        self.meanGeneratedTokens = meanGeneratedTokens
        self.notes = notes
    }

    /// The row label used in tables and charts: "<id> (<method>)".
    public var label: String { spec.id }
    /// A short model name (the file or folder name).
    public var modelName: String {
        let last = URL(fileURLWithPath: spec.model).lastPathComponent
        return last == "model" ? URL(fileURLWithPath: spec.model).deletingLastPathComponent().lastPathComponent : last
    }
}

extension RunSpec {
    /// Names of the settings that differ from `other` (as encoded keys, e.g. `learningRate`).
    public func changedSettings(from other: RunSpec) -> [String] {
        func fields(_ spec: RunSpec) -> [String: String] {
            guard let data = try? StudyJSON.encoder.encode(spec),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
            return object.mapValues { "\($0)" }
        }
        let mine = fields(self), theirs = fields(other)
        return Set(mine.keys).union(theirs.keys).filter { mine[$0] != theirs[$0] }.sorted()
    }
}

/// Everything a study produced.
public struct StudyResults: Sendable, Codable, Equatable {
    public var study: StudySpec
    public var runs: [RunResult]
    /// When the results were assembled (ISO 8601).
    public var createdAt: String
    /// Sift's machine description for the reader (cores, OS).
    public var machine: String

    public init(study: StudySpec, runs: [RunResult], createdAt: String, machine: String) {
        self.study = study
        self.runs = runs
        self.createdAt = createdAt
        self.machine = machine
    }

    /// Writes `results.json` (pretty, sorted keys).
    public func write(to url: URL) throws {
        try StudyJSON.encoder.encode(self).write(to: url, options: .atomic)
    }

    /// Reads a `results.json`.
    public static func read(_ url: URL) throws -> StudyResults {
        do {
            return try JSONDecoder().decode(StudyResults.self, from: Data(contentsOf: url))
        } catch {
            throw StudyError.unreadableFile(path: url.path, reason: "not a Sift results file (\(error))")
        }
    }
}

/// The JSON encoder of study files written by Sift.
enum StudyJSON {
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }
}
