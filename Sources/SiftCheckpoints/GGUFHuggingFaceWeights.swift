// A GGUF file seen through Hugging Face parameter names and layout.
//
// llama.cpp renames tensors (`blk.N.attn_q.weight` …) and, for the llama architecture, permutes the
// rows of q and k so that rotary pairs are adjacent. transformers undoes it when loading a GGUF:
// w.reshape(n_head, rows/n_head/2, 2, cols).swapaxes(1, 2).reshape(rows, cols), with n_head =
// head_count for q and head_count_kv for k. Output row h·2D + b·D + a takes input row h·2D + 2a + b
// (D = rows/n_head/2). Qwen2/Qwen3 files are not permuted by llama.cpp, so nothing is undone there.
import SiftTensor

/// A GGUF checkpoint exposed with Hugging Face names, row-major shapes and q/k rows un-permuted.
public final class GGUFHuggingFaceWeights: TensorSource, @unchecked Sendable {
    /// The underlying file.
    public let file: GGUFFile
    /// `general.architecture`.
    public let architecture: String
    /// Hugging Face names, sorted.
    public let tensorNames: [String]

    private let ggufName: [String: String]
    private let permutationHeads: [String: Int]

    /// Architectures whose q/k rows llama.cpp permutes (and transformers un-permutes).
    public static let permutedArchitectures: Set<String> = ["llama", "mistral"]

    /// Maps every tensor of `file`. Tensors without a known Hugging Face name keep their GGUF name
    /// (so a strict ``WeightSet`` load reports them as unexpected).
    public init(file: GGUFFile) throws {
        self.file = file
        architecture = try file.metadata.string("general.architecture")
        var names: [String: String] = [:]
        var heads: [String: Int] = [:]
        let permutes = GGUFHuggingFaceWeights.permutedArchitectures.contains(architecture)
        let headCount = permutes ? try file.metadata.int(architecture + ".attention.head_count") : 0
        let headCountKV = permutes ? (try file.metadata.optionalInt(architecture + ".attention.head_count_kv") ?? headCount) : 0
        for info in file.tensors {
            let hfName = GGUFHuggingFaceWeights.huggingFaceName(for: info.name) ?? info.name
            guard names[hfName] == nil else {
                throw CheckpointError.malformedGGUF(path: file.path, offset: 0,
                                                    reason: "tensors '\(names[hfName] ?? "")' and '\(info.name)' both map to '\(hfName)'")
            }
            names[hfName] = info.name
            if permutes && info.name.hasPrefix("blk.") {
                if info.name.contains(".attn_q.") { heads[hfName] = headCount }
                if info.name.contains(".attn_k.") { heads[hfName] = headCountKV }
            }
        }
        ggufName = names
        permutationHeads = heads
        tensorNames = names.keys.sorted()
    }

    /// Opens `path` and maps it.
    public convenience init(path: String) throws { try self.init(file: GGUFFile(path: path)) }

    /// The Hugging Face name of a llama.cpp tensor name, or nil if it has none.
    public static func huggingFaceName(for ggufName: String) -> String? {
        switch ggufName {
        case "token_embd.weight": return "model.embed_tokens.weight"
        case "output_norm.weight": return "model.norm.weight"
        case "output.weight": return "lm_head.weight"
        default: break
        }
        // blk.<N>.<part>.<weight|bias>
        let pieces = ggufName.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count == 4, pieces[0] == "blk", let layer = Int(pieces[1]), layer >= 0,
              pieces[3] == "weight" || pieces[3] == "bias",
              let module = blockModules[String(pieces[2])]
        else { return nil }
        return "model.layers.\(layer).\(module).\(pieces[3])"
    }

    private static let blockModules: [String: String] = [
        "attn_norm": "input_layernorm",
        "attn_q": "self_attn.q_proj",
        "attn_k": "self_attn.k_proj",
        "attn_v": "self_attn.v_proj",
        "attn_output": "self_attn.o_proj",
        "attn_q_norm": "self_attn.q_norm",
        "attn_k_norm": "self_attn.k_norm",
        "ffn_norm": "post_attention_layernorm",
        "ffn_gate": "mlp.gate_proj",
        "ffn_up": "mlp.up_proj",
        "ffn_down": "mlp.down_proj",
    ]

    /// The GGUF name behind a Hugging Face name.
    public func ggufName(for name: String) throws -> String {
        guard let original = ggufName[name] else {
            throw CheckpointError.tensorNotFound(name: name, path: file.path, available: tensorNames.count)
        }
        return original
    }

    public func shape(of name: String) throws -> [Int] { try file.tensorInfo(ggufName(for: name)).shape }

    /// Dequantises `name` to f32 in Hugging Face layout (q/k rows un-permuted for llama files).
    public func loadTensor(_ name: String) throws -> Tensor {
        let raw = try file.dequantize(ggufName(for: name))
        guard let heads = permutationHeads[name] else {
            raw.name = name
            return raw
        }
        let permuted = try GGUFHuggingFaceWeights.reversePermutedRows(raw, headCount: heads)
        permuted.name = name
        return permuted
    }

    /// Loads every tensor (Hugging Face names).
    public func loadAll() throws -> WeightSet {
        var tensors: [String: Tensor] = [:]
        for name in tensorNames { tensors[name] = try loadTensor(name) }
        return WeightSet(tensors)
    }

    /// Undoes llama.cpp's q/k row permutation: rows are grouped per head as [2][D] pairs → [D][2].
    public static func reversePermutedRows(_ tensor: Tensor, headCount: Int) throws -> Tensor {
        let rows = tensor.shape.first ?? 0
        guard headCount > 0, rows % (2 * headCount) == 0 else {
            throw CheckpointError.invalidArgument(
                "cannot un-permute '\(tensor.name ?? "tensor")' of shape \(tensor.shape) for \(headCount) heads: "
                    + "its \(rows) rows are not a multiple of 2 × heads")
        }
        let columns = rows == 0 ? 0 : tensor.count / rows
        let half = rows / headCount / 2
        let storage = TensorStorage(uninitializedCount: tensor.count)
        let source = tensor.storage.pointer
        let target = storage.pointer
        for head in 0..<headCount {
            let base = head * 2 * half
            for a in 0..<half {
                for b in 0..<2 {
                    let output = base + b * half + a
                    let input = base + 2 * a + b
                    (target + output * columns).update(from: source + input * columns, count: columns)
                }
            }
        }
        return try Tensor(shape: tensor.shape, storage: storage, name: tensor.name)
    }
}
