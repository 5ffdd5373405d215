// The common read interface of every checkpoint kind, so model code does not care about the format.
import SiftTensor

/// Something that holds named tensors: a safetensors file, a sharded checkpoint, a GGUF file seen
/// through Hugging Face names.
public protocol TensorSource {
    /// Every tensor name, sorted.
    var tensorNames: [String] { get }
    /// The row-major shape of a tensor (cheap: no data is read).
    func shape(of name: String) throws -> [Int]
    /// Reads a tensor as f32 (converting or dequantising as needed).
    func loadTensor(_ name: String) throws -> Tensor
}
