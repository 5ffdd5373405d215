// Dataset repositories: splits found from file paths in the layouts the Hub uses, and a split
// fetched from the fake Hub and loaded (ClassLabel names from the Parquet metadata).
import Foundation
import SiftTestSupport
import Testing
@testable import SiftData

@Suite("Hub datasets", .serialized)
struct HubDatasetTests {
    let repo = try! HubRepository(id: "org/data", type: .dataset)

    @Test("data/{split}-NNNNN-of-NNNNN.parquet (the layout of fancyzhx/ag_news)")
    func dataFolder() throws {
        let layout = HubDatasetLayout(files: [".gitattributes", "README.md", "data/test-00000-of-00001.parquet",
                                              "data/train-00000-of-00002.parquet", "data/train-00001-of-00002.parquet"])
        #expect(layout.configs == ["default": ["test": ["data/test-00000-of-00001.parquet"],
                                               "train": ["data/train-00000-of-00002.parquet", "data/train-00001-of-00002.parquet"]]])
        #expect(try layout.files(config: nil, splits: ["validation", "test"], repo: repo).split == "test")
        #expect(try layout.files(config: nil, splits: ["train"], repo: repo).files.count == 2)
    }

    @Test("config folders (plain_text/…), the Parquet conversion (config/split/0000.parquet) and any split name")
    func configs() throws {
        let layout = HubDatasetLayout(files: ["plain_text/train-00000-of-00001.parquet", "plain_text/test-00000-of-00001.parquet",
                                              "plain_text/unsupervised-00000-of-00001.parquet",
                                              "other/train/0000.parquet", "other/train/0001.parquet", "other/extra/0000.parquet"])
        #expect(layout.splits(config: "plain_text") == ["test", "train", "unsupervised"])
        #expect(layout.splits(config: "other") == ["extra", "train"])
        #expect {
            _ = try layout.files(config: nil, splits: ["train"], repo: repo)
        } throws: { error in
            (error as? HubError) == .ambiguousConfig(repo: repo, configs: ["other", "plain_text"])
        }
        #expect(try layout.files(config: "other", splits: ["train"], repo: repo).files == ["other/train/0000.parquet", "other/train/0001.parquet"])
        #expect(try layout.files(config: "plain_text", splits: ["unsupervised"], repo: repo).files == ["plain_text/unsupervised-00000-of-00001.parquet"])
        #expect {
            _ = try layout.files(config: "plain_text", splits: ["validation"], repo: repo)
        } throws: { error in
            (error as? HubError) == .splitNotFound(repo: repo, split: "plain_text:validation",
                                                   available: ["plain_text:test", "plain_text:train", "plain_text:unsupervised"])
        }
    }

    @Test("split keywords between separators, aliases, Parquet preferred, no keyword = train")
    func keywords() throws {
        let layout = HubDatasetLayout(files: ["my_data-dev.jsonl", "train.csv", "train.parquet", "eval_set.tsv", "notes.txt"])
        #expect(layout.configs == ["default": ["validation": ["my_data-dev.jsonl"], "train": ["train.parquet"], "test": ["eval_set.tsv"]]])
        #expect(try layout.files(config: nil, splits: ["dev"], repo: repo).files == ["my_data-dev.jsonl"])
        #expect(HubDatasetLayout(files: ["reviews.csv", "more/reviews2.csv"]).configs["default"]?["train"] == ["reviews.csv"])
        #expect(HubDatasetLayout(files: ["README.md"]).configs.isEmpty)
        // "latest" contains "test" but not between separators.
        #expect(HubDatasetLayout.split(ofFile: "latest.csv", directories: [], config: "default") == nil)
    }

    @Test("a split fetched from the fake Hub loads with the ClassLabel names of its Parquet metadata")
    func fetchAndLoad() throws {
        let bed = try HubTestBed()
        let parquet = FakeHub.File(try ParquetFixtures.bytes("agnews_test_300_zstd.parquet"), lfs: true)
        let classLabel = FakeHub.File(try ParquetFixtures.bytes("hf_classlabel.parquet"), lfs: true)
        bed.hub.publish("fancyzhx/ag_news", type: "dataset", files: [
            "README.md": FakeHub.File(text: "---\nlicense: unknown\n---\n"),
            "data/test-00000-of-00001.parquet": parquet,
            "data/train-00000-of-00001.parquet": classLabel,
        ])
        let agNews = try HubRepository(id: "fancyzhx/ag_news", type: .dataset)
        let (split, files) = try bed.client().datasetFiles(agNews, splits: ["test"])
        #expect(split == "test")
        #expect(files.count == 1)
        #expect(files[0].path.hasSuffix("datasets--fancyzhx--ag_news/snapshots/\(try bed.client().listFiles(agNews).commit)/data/test-00000-of-00001.parquet"))
        let fromHub = try DatasetLoader.load(files[0])
        let direct = try DatasetLoader.load(try ParquetFixtures.url("agnews_test_300_zstd.parquet"))
        #expect(fromHub.examples == direct.examples)
        #expect(fromHub.labels.names == direct.labels.names)
        // Only the asked-for split was downloaded.
        let downloaded = bed.hub.requests.filter { $0.method == "GET" && $0.server == "cdn" }
        #expect(downloaded.count == 1)
        // Offline, the cached split is found; the split never fetched is reported as not cached.
        let offline = bed.client(offline: true)
        #expect(try offline.datasetFiles(agNews, splits: ["test"]).files == files)
        #expect {
            _ = try offline.datasetFiles(agNews, splits: ["train"])
        } throws: { error in
            guard case .notCachedOffline = error as? HubError else { return false }
            return "\(error)".contains("split train") && "\(error)".contains("--repo-type dataset")
        }
    }

    @Test("model repositories: a checkpoint's files, one GGUF, or the GGUF named by ID:FILE")
    func modelFiles() throws {
        let model = try HubRepository(id: "org/model")
        let checkpoint = try HubModelFiles(repositoryFiles: ["README.md", "config.json", "model.safetensors", "pytorch_model.bin", "tokenizer.json",
                                                             "tokenizer_config.json", "onnx/model.onnx", "vocab.txt", "1_Pooling/config.json"],
                                           requested: nil, repo: model)
        #expect(checkpoint.files == ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "vocab.txt"])
        #expect(checkpoint.ggufFile == nil)
        let single = try HubModelFiles(repositoryFiles: ["README.md", "model.Q4_1.gguf"], requested: nil, repo: model)
        #expect(single.ggufFile == "model.Q4_1.gguf")
        #expect {
            _ = try HubModelFiles(repositoryFiles: ["a.Q4_0.gguf", "a.Q8_0.gguf"], requested: nil, repo: model)
        } throws: { error in
            (error as? HubError) == .ambiguousGGUF(repo: model, files: ["a.Q4_0.gguf", "a.Q8_0.gguf"]) && "\(error)".contains("org/model:a.Q4_0.gguf")
        }
        #expect(try HubModelFiles(repositoryFiles: ["a.Q4_0.gguf", "a.Q8_0.gguf"], requested: "a.Q8_0.gguf", repo: model).files == ["a.Q8_0.gguf"])
        #expect(throws: HubError.self) { _ = try HubModelFiles(repositoryFiles: ["config.json", "pytorch_model.bin"], requested: nil, repo: model) }
    }

    @Test("modelLocation returns the snapshot folder of a checkpoint, or the GGUF file itself")
    func modelLocation() throws {
        let bed = try HubTestBed()
        let commit = bed.hub.publish("org/bert", files: ["config.json": FakeHub.File(text: "{}"), "model.safetensors": FakeHub.File([1, 2, 3], lfs: true),
                                                         "vocab.txt": FakeHub.File(text: "[PAD]"), "flax_model.msgpack": FakeHub.File([9], lfs: true)])
        bed.hub.publish("org/llm-gguf", files: ["README.md": FakeHub.File(text: "x"), "llm.Q4_1.gguf": FakeHub.File([7, 7], lfs: true)])
        let client = bed.client()
        let folder = try client.modelLocation(try HubRepository(id: "org/bert"))
        #expect(folder.path == bed.storage("models--org--bert/snapshots/\(commit)").path)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: folder.path)) == ["config.json", "model.safetensors", "vocab.txt"])
        let gguf = try client.modelLocation(try HubRepository(id: "org/llm-gguf"))
        #expect(gguf.lastPathComponent == "llm.Q4_1.gguf")
        #expect([UInt8](try Data(contentsOf: gguf)) == [7, 7])
    }
}
