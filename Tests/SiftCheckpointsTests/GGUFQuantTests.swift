// GGUF parsing and dequantisation against gguf-py: quant-blocks.gguf was written by gguf.GGUFWriter
// with random blocks of every supported type, and quant-blocks-expected.safetensors holds
// gguf.quants.dequantize of each (scripts/gen_checkpoint_test_files.py). Comparison is bit-exact.
import Foundation
import Testing
import SiftTensor
@testable import SiftCheckpoints

@Suite("GGUF dequantisation and metadata")
struct GGUFQuantTests {
    @Test("every tensor type dequantises bit-exactly like gguf.quants.dequantize")
    func dequantisationIsBitExact() throws {
        let file = try GGUFFile(path: try TestFiles.resource("quant-blocks.gguf"))
        let expected = try SafetensorsFile(path: try TestFiles.resource("quant-blocks-expected.safetensors"))
        #expect(file.version == 3)
        #expect(file.tensors.count == 13)
        #expect(Set(file.tensors.map(\.name)) == Set(expected.tensorNames))
        let types = Set(file.tensors.map(\.type))
        #expect(types == [.f32, .f16, .bf16, .q8_0, .q4_0, .q4_1, .q5_0, .q5_1, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K])
        for info in file.tensors {
            let tensor = try file.dequantize(info.name)
            let reference = try expected.tensor(info.name)
            #expect(tensor.shape == reference.shape, "\(info.name) (\(info.type.name))")
            #expect(tensor.shape == Array(info.dimensions.reversed()))
            let mismatches = zip(tensor.scalars, reference.scalars).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(mismatches == 0, "\(info.name) (\(info.type.name)): \(mismatches) of \(tensor.count) values differ")
        }
    }

    @Test("metadata of every value type, nested arrays included")
    func metadataValues() throws {
        let metadata = try GGUFFile(path: try TestFiles.resource("quant-blocks.gguf")).metadata
        // The values written by scripts/gen_checkpoint_test_files.py.
        #expect(metadata["test.u8"] == .uint8(200))
        #expect(metadata["test.i8"] == .int8(-100))
        #expect(metadata["test.u16"] == .uint16(60000))
        #expect(metadata["test.i16"] == .int16(-30000))
        #expect(metadata["test.u32"] == .uint32(4_000_000_000))
        #expect(metadata["test.i32"] == .int32(-2_000_000_000))
        #expect(metadata["test.f32"] == .float32(0.1))
        #expect(metadata["test.bool"] == .bool(true))
        #expect(try metadata.string("test.string") == "héllo — 世界")
        #expect(metadata["test.u64"] == .uint64(1 << 63 + 5))
        #expect(try metadata.int("test.i64") == -(1 << 62))
        #expect(try metadata.float("test.f64") == 0x1p-30 + 1)
        #expect(try metadata.stringArray("test.strings") == ["a", "", "ünï", "<|im_start|>"])
        #expect(try metadata.intArray("test.ints") == [1, -2, 3])
        #expect(try metadata.floatArray("test.floats") == [0.5, -1.25])
        guard case let .array(.array, rows)? = metadata["test.nested"] else {
            Issue.record("test.nested is not an array of arrays: \(String(describing: metadata["test.nested"]))")
            return
        }
        #expect(rows == [.array(elementType: .int32, values: [.int32(1), .int32(2)]),
                         .array(elementType: .int32, values: [.int32(3)]),
                         .array(elementType: .int32, values: [.int32(4), .int32(5), .int32(6)])])
        guard case let .array(.array, stringRows)? = metadata["test.nested_strings"] else {
            Issue.record("test.nested_strings is not an array of arrays")
            return
        }
        #expect(stringRows.count == 2)
        #expect(try metadata.string("general.architecture") == "llama")
        #expect(metadata.keys.first == "general.architecture")
    }

    @Test("typed accessors name the missing or mistyped key")
    func accessorErrors() throws {
        let metadata = try GGUFFile(path: try TestFiles.resource("quant-blocks.gguf")).metadata
        #expect(throws: CheckpointError.metadataMissing(key: "llama.block_count", path: metadata.path)) {
            try metadata.int("llama.block_count")
        }
        #expect { try metadata.int("test.string") } throws: { "\($0)".contains("test.string") && "\($0)".contains("integer") }
        #expect { try metadata.stringArray("test.ints") } throws: { "\($0)".contains("test.ints") }
        #expect(throws: CheckpointError.self) { try metadata.int("test.u64") }  // above Int.max
        #expect(try metadata.optionalInt("absent.key") == nil)
        #expect(throws: CheckpointError.self) { try GGUFModelConfig(metadata: metadata) }
    }

    @Test("unsupported types and unknown names give clear errors")
    func unsupported() throws {
        let file = try GGUFFile(path: try TestFiles.resource("quant-blocks.gguf"))
        #expect { try file.dequantize("nope") } throws: { "\($0)".contains("nope") }
        #expect(GGMLType.iq4_XS.canDequantize == false)
        var output = [Float](repeating: 0, count: 256)
        let input = [UInt8](repeating: 0, count: 256)
        #expect(throws: CheckpointError.self) {
            try input.withUnsafeBytes { raw in
                try output.withUnsafeMutableBufferPointer { out in
                    try GGUFDequantizer.dequantize(.iq4_XS, source: raw.baseAddress!, count: 256, into: out.baseAddress!)
                }
            }
        }
        #expect(throws: CheckpointError.self) {
            try input.withUnsafeBytes { raw in
                try output.withUnsafeMutableBufferPointer { out in
                    try GGUFDequantizer.dequantize(.q4_0, source: raw.baseAddress!, count: 33, into: out.baseAddress!)
                }
            }
        }
        #expect(GGMLType.q4_K.name == "Q4_K")
        #expect(GGMLType.iq2_XXS.name == "IQ2_XXS")
    }
}
