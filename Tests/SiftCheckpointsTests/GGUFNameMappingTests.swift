// llama.cpp → Hugging Face names and the q/k row un-permutation.
import Foundation
import Testing
import SiftTensor
@testable import SiftCheckpoints

@Suite("GGUF to Hugging Face names")
struct GGUFNameMappingTests {
    @Test("names map as transformers maps them")
    func names() {
        let cases: [(String, String?)] = [
            ("token_embd.weight", "model.embed_tokens.weight"),
            ("output_norm.weight", "model.norm.weight"),
            ("output.weight", "lm_head.weight"),
            ("blk.0.attn_norm.weight", "model.layers.0.input_layernorm.weight"),
            ("blk.12.attn_q.weight", "model.layers.12.self_attn.q_proj.weight"),
            ("blk.3.attn_k.bias", "model.layers.3.self_attn.k_proj.bias"),
            ("blk.3.attn_v.weight", "model.layers.3.self_attn.v_proj.weight"),
            ("blk.29.attn_output.weight", "model.layers.29.self_attn.o_proj.weight"),
            ("blk.1.ffn_norm.weight", "model.layers.1.post_attention_layernorm.weight"),
            ("blk.1.ffn_gate.weight", "model.layers.1.mlp.gate_proj.weight"),
            ("blk.1.ffn_up.weight", "model.layers.1.mlp.up_proj.weight"),
            ("blk.1.ffn_down.weight", "model.layers.1.mlp.down_proj.weight"),
            ("blk.2.attn_q_norm.weight", "model.layers.2.self_attn.q_norm.weight"),
            ("blk.2.attn_k_norm.weight", "model.layers.2.self_attn.k_norm.weight"),
            ("rope_freqs.weight", nil),
            ("blk.x.attn_q.weight", nil),
            ("blk.1.unknown.weight", nil),
            ("blk.-1.attn_q.weight", nil),
        ]
        for (gguf, hf) in cases {
            #expect(GGUFHuggingFaceWeights.huggingFaceName(for: gguf) == hf, "\(gguf)")
        }
    }

    @Test("the un-permutation is the inverse of llama.cpp's permutation")
    func unpermuteInvertsPermute() throws {
        // llama.cpp (convert_hf_to_gguf) permutes HF rows with
        // w.reshape(n_head, 2, rows/n_head/2, cols).swapaxes(1, 2): GGUF row h·2D + 2a + b = HF row h·2D + b·D + a.
        let heads = 3, half = 4, columns = 5, rows = heads * 2 * half
        let hf = try Tensor(shape: [rows, columns], values: (0..<(rows * columns)).map(Float.init))
        var permuted = [Float](repeating: 0, count: rows * columns)
        for h in 0..<heads {
            for b in 0..<2 {
                for a in 0..<half {
                    let ggufRow = h * 2 * half + 2 * a + b
                    let hfRow = h * 2 * half + b * half + a
                    for c in 0..<columns { permuted[ggufRow * columns + c] = hf.scalars[hfRow * columns + c] }
                }
            }
        }
        let gguf = try Tensor(shape: [rows, columns], values: permuted)
        let restored = try GGUFHuggingFaceWeights.reversePermutedRows(gguf, headCount: heads)
        #expect(restored.scalars == hf.scalars)
        #expect(restored.shape == [rows, columns])
        #expect(throws: CheckpointError.self) { try GGUFHuggingFaceWeights.reversePermutedRows(gguf, headCount: 5) }
    }

    /// A one-tensor GGUF: `blk.0.attn_q.weight`, 4 rows × 2 columns of f32 values 0..<8, one head.
    static func tinyAttentionFile(architecture: String, in directory: URL) throws -> String {
        var builder = GGUFBuilder()
        builder.header(tensors: 1, keys: 2)
        builder.string("general.architecture"); builder.u32(8); builder.string(architecture)
        builder.string(architecture + ".attention.head_count"); builder.u32(4); builder.u32(1)
        builder.tensorInfo("blk.0.attn_q.weight", dims: [2, 4], type: 0, offset: 0)
        builder.padData(dataBytes: 0)
        for value in 0..<8 { builder.u32(Float(value).bitPattern) }
        let url = directory.appendingPathComponent("\(architecture).gguf")
        try TestFiles.write(builder.bytes, to: url)
        return url.path
    }

    @Test("q rows are un-permuted for llama files only")
    func permutationByArchitecture() throws {
        let directory = try TestFiles.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // One head of 4 rows: HF row b·2 + a comes from GGUF row 2a + b → GGUF rows [0, 2, 1, 3].
        let llama = try GGUFHuggingFaceWeights(path: try Self.tinyAttentionFile(architecture: "llama", in: directory))
        let name = "model.layers.0.self_attn.q_proj.weight"
        #expect(llama.tensorNames == [name])
        #expect(try llama.shape(of: name) == [4, 2])
        #expect(try llama.loadTensor(name).scalars == [0, 1, 4, 5, 2, 3, 6, 7])
        let qwen = try GGUFHuggingFaceWeights(path: try Self.tinyAttentionFile(architecture: "qwen3", in: directory))
        #expect(try qwen.loadTensor(name).scalars == [0, 1, 2, 3, 4, 5, 6, 7])
        #expect(throws: CheckpointError.self) { try qwen.loadTensor("model.embed_tokens.weight") }
    }
}
