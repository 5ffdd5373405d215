// Reading a study file (JSON, or YAML with the same keys). Every key is checked: an unknown key (a typo) or a value of the
// wrong type is an error naming the key's path (`runs[1].learning_rate`), never silently ignored.
//
// {
//   "name": "AG News, small budget",
//   "data": {"train": "../shared/data/agnews/train.csv", "test": "../shared/data/agnews/test.csv", "preset": "agnews"},
//   "train_per_class": 500, "test_per_class": 250, "eval_per_class": 50, "seed": 42,
//   "runs": [
//     {"id": "minilm", "method": "classifier", "model": "/path/to/minilm", "epochs": 3},
//     {"id": "smollm2-sft", "method": "sft", "model": "/path/SmolLM2.gguf", "lora": {"rank": 8, "alpha": 16}}
//   ]
// }
//
// Relative paths are resolved against the study file's folder when a file exists there.
import Foundation

/// Parses study files.
public enum StudyFileReader {
    /// Reads and validates the study at `url`.
    public static func read(_ url: URL) throws -> StudySpec {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw StudyError.unreadableFile(path: url.path, reason: "no such file or not readable")
        }
        let ext = url.pathExtension.lowercased()
        if ext == "yaml" || ext == "yml" {
            return try parseYAML(String(decoding: data, as: UTF8.self), file: url.path, baseDirectory: url.deletingLastPathComponent())
        }
        return try parse(data, file: url.path, baseDirectory: url.deletingLastPathComponent())
    }

    /// Parses a study in YAML (the subset `YAMLSubset` reads); same keys and checks as JSON.
    public static func parseYAML(_ text: String, file: String, baseDirectory: URL? = nil) throws -> StudySpec {
        try parse(root: YAMLSubset.parse(text, file: file), file: file, baseDirectory: baseDirectory)
    }

    /// Parses study JSON; `file` names the source in errors, `baseDirectory` resolves relative paths.
    public static func parse(_ data: Data, file: String, baseDirectory: URL? = nil) throws -> StudySpec {
        let root: Any
        do { root = try JSONSerialization.jsonObject(with: data) } catch {
            throw StudyError.unreadableFile(path: file, reason: "not valid JSON (\((error as NSError).userInfo["NSDebugDescription"] as? String ?? "\(error)"))")
        }
        return try parse(root: root, file: file, baseDirectory: baseDirectory)
    }

    /// Checks and converts a decoded study (JSON objects, arrays, strings, NSNumber).
    static func parse(root: Any, file: String, baseDirectory: URL?) throws -> StudySpec {
        let top = try JSONObject(root, path: "(top level)", file: file)
        try top.allowOnly(["name", "data", "train_per_class", "test_per_class", "eval_per_class", "seed", "runs"])
        let dataObject = try JSONObject(try top.required("data"), path: "data", file: file)
        try dataObject.allowOnly(["train", "test", "preset", "text_column", "label_column"])
        func resolve(_ path: String) -> String {
            guard let baseDirectory, !path.hasPrefix("/") else { return path }
            let candidate = baseDirectory.appendingPathComponent(path).standardizedFileURL.path
            return FileManager.default.fileExists(atPath: candidate) ? candidate : path
        }
        let train = resolve(try dataObject.string("train") ?? { throw StudyError.missingKey(file: file, key: "data.train") }())
        let test = resolve(try dataObject.string("test") ?? { throw StudyError.missingKey(file: file, key: "data.test") }())
        let dataSpec = StudyDataSpec(train: train, test: test, preset: try dataObject.string("preset"),
                                     textColumn: try dataObject.string("text_column") ?? "text",
                                     labelColumn: try dataObject.string("label_column") ?? "label")
        guard let runValues = try top.required("runs") as? [Any] else {
            throw StudyError.invalidValue(file: file, key: "runs", reason: "expected a list of run objects")
        }
        var runs: [RunSpec] = []
        for (index, value) in runValues.enumerated() {
            runs.append(try parseRun(JSONObject(value, path: "runs[\(index)]", file: file), resolve: resolve))
        }
        var spec = StudySpec(name: try top.string("name") ?? "Sift comparison", data: dataSpec,
                             trainPerClass: try top.int("train_per_class"), testPerClass: try top.int("test_per_class"),
                             evalPerClass: try top.int("eval_per_class"), runs: runs)
        if let seed = try top.int("seed") {
            guard seed >= 0 else { throw StudyError.invalidValue(file: file, key: "seed", reason: "must be ≥ 0") }
            spec.seed = UInt64(seed)
        }
        try spec.validate()
        return spec
    }

    static let runKeys = ["id", "method", "model", "epochs", "max_steps", "learning_rate", "batch_size", "gradient_accumulation",
                          "weight_decay", "warmup_ratio", "schedule", "eval_every", "freeze_base", "max_length", "cutoff_length",
                          "max_new_tokens", "prompt_batch_size", "eval_batch_size", "lora"]

    static func parseRun(_ object: JSONObject, resolve: (String) -> String) throws -> RunSpec {
        try object.allowOnly(runKeys)
        guard let methodName = try object.string("method") else { throw StudyError.missingKey(file: object.file, key: object.path + ".method") }
        guard let method = StudyMethod(rawValue: methodName) else {
            throw StudyError.invalidValue(file: object.file, key: object.path + ".method",
                                          reason: "unknown method \(methodName) (one of \(StudyMethod.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let model = try object.string("model") else { throw StudyError.missingKey(file: object.file, key: object.path + ".model") }
        var run = RunSpec(id: try object.string("id") ?? method.rawValue, method: method, model: resolve(model))
        if let v = try object.double("epochs") { run.epochs = v }
        if let v = try object.int("max_steps") { run.maxSteps = v }
        if let v = try object.double("learning_rate") { run.learningRate = v }
        if let v = try object.int("batch_size") { run.batchSize = v }
        if let v = try object.int("gradient_accumulation") { run.gradientAccumulation = v }
        if let v = try object.double("weight_decay") { run.weightDecay = v }
        if let v = try object.double("warmup_ratio") { run.warmupRatio = v }
        if let v = try object.string("schedule") { run.schedule = v }
        if let v = try object.double("eval_every") {
            guard v > 0, v < 1 || v == v.rounded() else {
                throw StudyError.invalidValue(file: object.file, key: object.path + ".eval_every",
                                              reason: "a step count (≥ 1) or a fraction of an epoch (0 < f < 1), got \(v)")
            }
            run.evalEvery = v
        }
        if let v = try object.bool("freeze_base") { run.freezeBase = v }
        if let v = try object.int("max_length") { run.maxLength = v }
        if let v = try object.int("cutoff_length") { run.cutoffLength = v }
        if let v = try object.int("max_new_tokens") { run.maxNewTokens = v }
        if let v = try object.int("prompt_batch_size") { run.promptBatchSize = v }
        if let v = try object.int("eval_batch_size") { run.evalBatchSize = v }
        if let loraValue = object.values["lora"] {
            let lora = try JSONObject(loraValue, path: object.path + ".lora", file: object.file)
            try lora.allowOnly(["rank", "alpha", "dropout", "targets"])
            var spec = LoRASpec()
            if let v = try lora.int("rank") { spec.rank = v }
            if let v = try lora.double("alpha") { spec.alpha = v }
            if let v = try lora.double("dropout") { spec.dropout = v }
            if let v = lora.values["targets"] {
                guard let names = v as? [String], !names.isEmpty else {
                    throw StudyError.invalidValue(file: object.file, key: lora.path + ".targets", reason: "expected a non-empty list of module names")
                }
                spec.targets = names
            }
            guard spec.rank >= 1, spec.alpha > 0, (0..<1).contains(spec.dropout) else {
                throw StudyError.invalidValue(file: object.file, key: lora.path, reason: "rank must be ≥ 1, alpha > 0 and dropout in [0, 1)")
            }
            run.lora = spec
        }
        return run
    }
}

/// A JSON object with typed, path-aware accessors.
struct JSONObject {
    let values: [String: Any]
    let path: String
    let file: String

    init(_ value: Any, path: String, file: String) throws {
        guard let dictionary = value as? [String: Any] else {
            throw StudyError.invalidValue(file: file, key: path, reason: "expected a JSON object")
        }
        self.values = dictionary
        self.path = path
        self.file = file
    }

    func key(_ name: String) -> String { path == "(top level)" ? name : path + "." + name }

    func allowOnly(_ known: [String]) throws {
        for name in values.keys.sorted() where !known.contains(name) {
            throw StudyError.unknownKey(file: file, key: key(name), known: known)
        }
    }

    func required(_ name: String) throws -> Any {
        guard let value = values[name] else { throw StudyError.missingKey(file: file, key: key(name)) }
        return value
    }

    func string(_ name: String) throws -> String? {
        guard let value = values[name], !(value is NSNull) else { return nil }
        guard let text = value as? String else { throw StudyError.invalidValue(file: file, key: key(name), reason: "expected a string") }
        return text
    }

    func number(_ name: String) throws -> NSNumber? {
        guard let value = values[name], !(value is NSNull) else { return nil }
        // JSONSerialization gives booleans as NSNumber too; reject them where a number is wanted.
        guard let number = value as? NSNumber, !JSONObject.isBoolean(number) else {
            throw StudyError.invalidValue(file: file, key: key(name), reason: "expected a number")
        }
        return number
    }

    /// JSON true/false arrive as NSNumber of type "c" (char); numbers have other types.
    static func isBoolean(_ number: NSNumber) -> Bool { String(cString: number.objCType) == "c" }

    func double(_ name: String) throws -> Double? {
        guard let number = try number(name) else { return nil }
        let value = number.doubleValue
        guard value.isFinite else { throw StudyError.invalidValue(file: file, key: key(name), reason: "expected a finite number") }
        return value
    }

    func int(_ name: String) throws -> Int? {
        guard let value = try double(name) else { return nil }
        guard value == value.rounded(), abs(value) < 1e15 else {
            throw StudyError.invalidValue(file: file, key: key(name), reason: "expected a whole number, got \(value)")
        }
        return Int(value)
    }

    func bool(_ name: String) throws -> Bool? {
        guard let value = values[name], !(value is NSNull) else { return nil }
        guard let number = value as? NSNumber, JSONObject.isBoolean(number) else {
            throw StudyError.invalidValue(file: file, key: key(name), reason: "expected true or false")
        }
        return number.boolValue
    }
}
