// Telling Hub ids from local paths on the command line.
import Testing
@testable import SiftData

@Suite("Hub references")
struct HubReferenceTests {
    @Test("org/name with optional :FILE, :SPLIT or :CONFIG:SPLIT, and hf:// URLs")
    func hubIDs() throws {
        let plain = try #require(HubReference("fancyzhx/ag_news"))
        #expect(plain.id == "fancyzhx/ag_news" && plain.parts.isEmpty && plain.explicitType == nil)
        #expect(HubReference("fancyzhx/ag_news:test")?.parts == ["test"])
        #expect(HubReference("org/data:plain_text:train")?.parts == ["plain_text", "train"])
        #expect(HubReference("TheBloke/Llama-GGUF:llama.Q4_0.gguf")?.parts == ["llama.Q4_0.gguf"])
        #expect(HubReference("Qwen/Qwen3-0.6B")?.id == "Qwen/Qwen3-0.6B")
        let url = try #require(HubReference("hf://datasets/fancyzhx/ag_news:test"))
        #expect(url.id == "fancyzhx/ag_news" && url.parts == ["test"] && url.explicitType == .dataset)
        #expect(HubReference("hf://models/gpt2")?.explicitType == .model)
        #expect(HubReference("hf://gpt2")?.id == "gpt2")
    }

    @Test("paths stay paths: no single '/', a path start, or a file extension")
    func localPaths() {
        for path in ["gpt2", "data/train.csv", "runs/model.gguf", "out/weights.safetensors", "./org/name", "/abs/path", "~/models/x",
                     "a/b/c", "org/name:", "org/name:a:b:c", "../shared/data", "dir/file.jsonl", "hf://"] {
            #expect(HubReference(path) == nil, "\(path)")
        }
    }
}
