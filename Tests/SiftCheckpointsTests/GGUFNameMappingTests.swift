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
}
