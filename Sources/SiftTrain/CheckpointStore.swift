// Checkpoint folders of a training run: `checkpoint-N/` holds the model as a Hugging Face
// directory plus `optimizer.safetensors` (AdamW moments) and `trainer_state.json`. Folders are
// assembled under a temporary name and renamed, so a killed run never leaves a half checkpoint.
import Foundation
import SiftCheckpoints
import SiftModels
import SiftTensor

enum CheckpointStore {
    static func directory(step: Int, in output: URL) -> URL {
        output.appendingPathComponent("checkpoint-\(step)")
    }

    /// Steps of the complete checkpoints in `output`, ascending.
    static func steps(in output: URL) -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: output.path)) ?? []
        return names.compactMap { name -> Int? in
            guard name.hasPrefix("checkpoint-"), let step = Int(name.dropFirst("checkpoint-".count)) else { return nil }
            let state = output.appendingPathComponent(name).appendingPathComponent("trainer_state.json")
            return FileManager.default.fileExists(atPath: state.path) ? step : nil
        }.sorted()
    }

    /// The newest complete checkpoint, if any.
    static func latest(in output: URL) throws -> URL? {
        steps(in: output).last.map { directory(step: $0, in: output) }
    }

    /// Writes `checkpoint-N` (model, optimizer moments, trainer state).
    /// With a `modelStore`, the model part is what the store writes (e.g. only a LoRA adapter).
    static func save(step: Int, bundle: ModelBundle, optimizer: AdamW, state: TrainerState, in output: URL,
                     modelStore: CheckpointModelStore? = nil) throws -> URL {
        let target = directory(step: step, in: output)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let stateData = try encoder.encode(state)
        var moments: [(name: String, tensor: Tensor)] = []
        for (index, entry) in optimizer.parameters.enumerated() {
            let shape = entry.tensor.shape
            moments.append(("exp_avg." + entry.name, try Tensor(shape: shape, storage: optimizer.firstMoments[index])))
            moments.append(("exp_avg_sq." + entry.name, try Tensor(shape: shape, storage: optimizer.secondMoments[index])))
        }
        let writeTrainingState = { (staging: URL) throws in
            try SafetensorsWriter.write(moments, to: staging.appendingPathComponent("optimizer.safetensors").path,
                                        metadata: ["format": "pt", "step": String(optimizer.stepCount)])
        }
        if let modelStore {
            try AtomicDirectory.write(target) { staging in
                try modelStore.writeModel(into: staging)
                try stateData.write(to: staging.appendingPathComponent("trainer_state.json"))
                try writeTrainingState(staging)
            }
        } else {
            try bundle.save(to: target, extraFiles: ["trainer_state.json": stateData], writeExtra: writeTrainingState)
        }
        return target
    }

    /// Loads a checkpoint's weights, moments and state into a running trainer.
    /// `weightsFile` holds `model`'s parameters by name (`model.safetensors`, or an adapter's file).
    static func restore(_ checkpoint: URL, into model: ParameterContainer, optimizer: AdamW, expecting options: TrainingOptions,
                        weightsFile: String = "model.safetensors") throws -> TrainerState {
        let stateURL = checkpoint.appendingPathComponent("trainer_state.json")
        let state: TrainerState
        do {
            state = try JSONDecoder().decode(TrainerState.self, from: Data(contentsOf: stateURL))
        } catch {
            throw TrainError.invalidCheckpoint("cannot read \(stateURL.path): \(error)")
        }
        guard state.options == options else {
            throw TrainError.invalidCheckpoint("\(checkpoint.path) was written with other training options; resume with the same flags (or start a new --output)")
        }
        let weights = try SafetensorsFile(url: checkpoint.appendingPathComponent(weightsFile))
        for (name, tensor) in model.namedParameters() {
            guard weights.tensorNames.contains(name) else {
                // A tied LM head is stored once; skip parameters the file does not hold only if tied.
                throw TrainError.invalidCheckpoint("\(checkpoint.path)/\(weightsFile) lacks \(name)")
            }
            let saved = try weights.tensor(name)
            guard saved.shape == tensor.shape else {
                throw TrainError.invalidCheckpoint("\(name) has shape \(saved.shape) in the checkpoint, the model has \(tensor.shape)")
            }
            tensor.storage.pointer.update(from: saved.storage.pointer, count: tensor.count)
            tensor.storage.markMutated()
        }
        let moments = try SafetensorsFile(url: checkpoint.appendingPathComponent("optimizer.safetensors"))
        let first = try optimizer.parameters.map { try moments.tensor("exp_avg." + $0.name).scalars }
        let second = try optimizer.parameters.map { try moments.tensor("exp_avg_sq." + $0.name).scalars }
        try optimizer.restore(stepCount: state.globalStep, first: first, second: second)
        return state
    }

    /// Deletes the oldest checkpoints beyond `keep`, never the one at `protecting`.
    static func rotate(in output: URL, keep: Int?, protecting: Int?) throws {
        guard let keep else { return }
        var steps = steps(in: output)
        if let protecting { steps.removeAll { $0 == protecting } }
        let allowed = max(keep - (protecting == nil ? 0 : 1), 0)
        guard steps.count > allowed else { return }
        for step in steps.prefix(steps.count - allowed) where step != steps.last {
            try FileManager.default.removeItem(at: directory(step: step, in: output))
        }
    }

    /// Copies a checkpoint's model files (not the optimizer or trainer state) to `destination`.
    static func exportModel(from checkpoint: URL, to destination: URL) throws {
        let fm = FileManager.default
        let staging = destination.deletingLastPathComponent().appendingPathComponent(".\(destination.lastPathComponent).partial")
        try? fm.removeItem(at: staging)
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        for name in try fm.contentsOfDirectory(atPath: checkpoint.path) where !["optimizer.safetensors", "trainer_state.json"].contains(name) {
            try fm.copyItem(at: checkpoint.appendingPathComponent(name), to: staging.appendingPathComponent(name))
        }
        try? fm.removeItem(at: destination)
        try fm.moveItem(at: staging, to: destination)
    }

    static func logURL(_ output: URL) -> URL { output.appendingPathComponent("log.jsonl") }

    static func clearLog(in output: URL) throws {
        try? FileManager.default.removeItem(at: logURL(output))
    }

    /// Appends one JSON line to `log.jsonl`.
    static func appendLog(_ entry: LogEntry, in output: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var line = try encoder.encode(entry)
        line.append(0x0A)
        let url = logURL(output)
        if !FileManager.default.fileExists(atPath: url.path) {
            FileManager.default.createFile(atPath: url.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: line)
    }
}
