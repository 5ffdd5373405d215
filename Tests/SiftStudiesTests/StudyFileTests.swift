// Study files: a full file parses with per-method defaults and overrides; every kind of mistake
// (unknown key, wrong type, missing key, duplicate id, bad method, LoRA on a non-SFT run, YAML,
// broken JSON) is a clear StudyError naming the key.
import Foundation
@testable import SiftStudies
import Testing

@Suite("Study files")
struct StudyFileTests {
    func parse(_ json: String) throws -> StudySpec {
        try StudyFileReader.parse(Data(json.utf8), file: "study.json")
    }

    func error(_ json: String) -> StudyError? {
        do {
            _ = try parse(json)
            return nil
        } catch let error as StudyError {
            return error
        } catch {
            return nil
        }
    }

    let base = #""data": {"train": "t.csv", "test": "e.csv", "preset": "standard"}"#

    @Test("a full study file parses; unset values take the method's defaults")
    func parsesFullFile() throws {
        let spec = try parse("""
            {"name": "AG News", \(base), "train_per_class": 50, "test_per_class": 25, "eval_per_class": 10, "seed": 7,
             "runs": [
               {"id": "enc", "method": "classifier", "model": "m", "epochs": 2.5, "learning_rate": 3e-5, "freeze_base": true},
               {"method": "sft", "model": "d.gguf", "lora": {"rank": 4, "alpha": 8, "targets": ["q_proj"]}, "eval_every": 5},
               {"id": "t", "method": "think", "model": "d.gguf", "max_new_tokens": 64}
             ]}
            """)
        #expect(spec.name == "AG News")
        #expect(spec.trainPerClass == 50 && spec.testPerClass == 25 && spec.evalPerClass == 10 && spec.seed == 7)
        #expect(spec.runs.map(\.id) == ["enc", "sft", "t"])
        #expect(spec.runs[0].epochs == 2.5 && spec.runs[0].learningRate == 3e-5 && spec.runs[0].freezeBase)
        #expect(spec.runs[0].batchSize == RunSpec(id: "x", method: .classifier, model: "m").batchSize)
        #expect(spec.runs[1].lora == LoRASpec(rank: 4, alpha: 8, dropout: 0, targets: ["q_proj"]))
        #expect(spec.runs[1].evalEvery == 5)
        #expect(spec.runs[1].learningRate == RunSpec(id: "x", method: .sft, model: "m").learningRate)
        #expect(spec.runs[2].maxNewTokens == 64)
    }

    @Test("a YAML study file gives the same study as its JSON twin; YAML mistakes name the line")
    func yamlMatchesJSON() throws {
        let json = try parse("""
            {"name": "AG News: small", \(base), "train_per_class": 50, "seed": 7,
             "runs": [
               {"id": "enc", "method": "classifier", "model": "m", "epochs": 2.5, "learning_rate": 3e-5, "freeze_base": true},
               {"method": "sft", "model": "d.gguf", "lora": {"rank": 4, "alpha": 8, "targets": ["q_proj", "v_proj"]}, "eval_every": 5},
               {"id": "t", "method": "think", "model": "d.gguf", "max_new_tokens": 64}
             ]}
            """)
        let yaml = try StudyFileReader.parseYAML("""
            # a study in YAML
            name: "AG News: small"
            data:
              train: t.csv   # comments are ignored
              test: e.csv
              preset: standard
            train_per_class: 50
            seed: 7
            runs:
              - id: enc
                method: classifier
                model: m
                epochs: 2.5
                learning_rate: 3e-5
                freeze_base: true
              - method: sft
                model: d.gguf
                lora:
                  rank: 4
                  alpha: 8
                  targets: [q_proj, 'v_proj']
                eval_every: 5
              -   id: t
                  method: think
                  model: d.gguf
                  max_new_tokens: 64
            """, file: "study.yaml")
        #expect(yaml == json)
        func yamlError(_ text: String) -> String {
            do {
                _ = try StudyFileReader.parseYAML(text, file: "s.yaml")
                return ""
            } catch {
                return "\(error)"
            }
        }
        #expect(yamlError("data:\n\ttrain: x\n").contains("line 2") )
        #expect(yamlError("data: {train: x}\n").contains("flow mappings"))
        #expect(yamlError("data:\n  train: x\n    test: y\n").contains("line 3"))
        #expect(yamlError("name: a\nname: b\n").contains("duplicate key name"))
        #expect(yamlError("data:\n  train: a\n  test: b\nruns:\n  - method: sft\n    model: m\n    epoch: 1\n").contains("runs[0].epoch"))
        #expect(yamlError("").contains("empty"))
    }

    @Test("relative paths resolve against the study file's folder when the file exists there")
    func relativePaths() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sift-study-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("text,label\na,x\n".utf8).write(to: folder.appendingPathComponent("train.csv"))
        let file = folder.appendingPathComponent("study.json")
        try Data(#"{"data": {"train": "train.csv", "test": "missing.csv"}, "runs": [{"method": "zeroshot", "model": "org/name"}]}"#.utf8).write(to: file)
        let spec = try StudyFileReader.read(file)
        #expect(spec.data.train == folder.appendingPathComponent("train.csv").standardizedFileURL.path)
        #expect(spec.data.test == "missing.csv")
        #expect(spec.runs[0].model == "org/name")
    }

    @Test("mistakes name the key and the fix")
    func errors() throws {
        #expect(error("{\(base), \"runs\": [{\"method\": \"sft\", \"model\": \"m\", \"epoch\": 1}]}")
                == .unknownKey(file: "study.json", key: "runs[0].epoch", known: StudyFileReader.runKeys))
        #expect(error("{\(base), \"runs\": [{\"method\": \"sft\", \"model\": \"m\", \"epochs\": \"one\"}]}")
                == .invalidValue(file: "study.json", key: "runs[0].epochs", reason: "expected a number"))
        #expect(error("{\(base), \"runs\": [{\"method\": \"sft\", \"model\": \"m\", \"batch_size\": 2.5}]}")
                == .invalidValue(file: "study.json", key: "runs[0].batch_size", reason: "expected a whole number, got 2.5"))
        #expect(error("{\(base), \"runs\": [{\"method\": \"sft\", \"model\": \"m\", \"freeze_base\": 1}]}")
                == .invalidValue(file: "study.json", key: "runs[0].freeze_base", reason: "expected true or false"))
        #expect(error("{\(base), \"runs\": [{\"method\": \"sft\"}]}") == .missingKey(file: "study.json", key: "runs[0].model"))
        #expect(error("{\"runs\": []}") == .missingKey(file: "study.json", key: "data"))
        #expect(error(#"{"data": {"test": "e.csv"}, "runs": []}"#) == .missingKey(file: "study.json", key: "data.train"))
        if case .invalidValue(_, let key, let reason)? = error("{\(base), \"runs\": [{\"method\": \"bert\", \"model\": \"m\"}]}") {
            #expect(key == "runs[0].method" && reason.contains("classifier, head, sft, zeroshot, think"))
        } else {
            Issue.record("an unknown method must be an invalid value")
        }
        if case .invalidStudy(let reason)? = error("{\(base), \"runs\": [{\"method\": \"sft\", \"model\": \"m\"}, {\"method\": \"sft\", \"model\": \"n\"}]}") {
            #expect(reason.contains("two runs are named sft"))
        } else {
            Issue.record("duplicate ids must be rejected")
        }
        if case .invalidStudy(let reason)? = error("{\(base), \"runs\": [{\"method\": \"head\", \"model\": \"m\", \"lora\": {}}]}") {
            #expect(reason.contains("lora") && reason.contains("sft"))
        } else {
            Issue.record("LoRA on a head run must be rejected")
        }
        if case .invalidStudy(let reason)? = error("{\(base), \"runs\": []}") {
            #expect(reason.contains("no runs"))
        } else {
            Issue.record("a study without runs must be rejected")
        }
        if case .unreadableFile(_, let reason)? = error("{\(base), \"runs\": [") {
            #expect(reason.contains("not valid JSON"))
        } else {
            Issue.record("broken JSON must be an unreadable file")
        }
        #expect(throws: StudyError.self) { try StudyFileReader.read(URL(fileURLWithPath: "/nonexistent/study.yaml")) }
        #expect(throws: StudyError.self) { try StudyFileReader.read(URL(fileURLWithPath: "/nonexistent/study.json")) }
        // Messages say where and what.
        let message = StudyError.unknownKey(file: "s.json", key: "runs[0].epoch", known: ["epochs"]).description
        #expect(message.contains("s.json") && message.contains("runs[0].epoch") && message.contains("epochs"))
    }
}
