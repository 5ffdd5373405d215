#!/usr/bin/env python3
"""Makes the small reference files used by Tests/SiftCheckpointsTests.

Needs a venv with `gguf==0.19.0 numpy safetensors` (the versions the shared fixtures were made with).
Run from the repository root:

    python3 -m venv /tmp/venv-ck && /tmp/venv-ck/bin/pip install gguf==0.19.0 numpy safetensors
    /tmp/venv-ck/bin/python scripts/gen_checkpoint_test_files.py [--smollm2 PATH_TO_GGUF]

Writes into Tests/SiftCheckpointsTests/Resources/:
* quant-blocks.gguf — a GGUF v3 file written by gguf.GGUFWriter: one tensor per type (F32, F16, BF16, Q8_0,
  Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K) made of random block bytes (finite f16 scales, some edge values), and metadata
  keys of every GGUF value type (arrays of strings, nested arrays included).
* quant-blocks-expected.safetensors — gguf.quants.dequantize of each tensor (f32, HF row-major shape).
* fixture-checksums.json — per tensor of shared/fixtures/models/{tiny-bert,tiny-qwen3}/model.safetensors and
  minilm-l6/reference.safetensors: dtype, shape and a checksum of the values (read by an independent numpy reader).
* smollm2-dequant.json (with --smollm2) — for the tensors named in shared/fixtures/models/smollm2/reference.json
  `dequant_check`: the HF name, shape, a position-weighted checksum of the f32 bit patterns and sampled values
  of gguf.quants.dequantize after transformers' reverse q/k row permutation.
"""
import argparse
import json
import os

import numpy as np
from gguf import GGUFReader, GGUFWriter, GGMLQuantizationType as T
from gguf.constants import GGML_QUANT_SIZES
from gguf.quants import dequantize
from safetensors.numpy import save_file

OUT = os.path.join("Tests", "SiftCheckpointsTests", "Resources")


def f16_bytes(values):
    return np.asarray(values, dtype=np.float16).view(np.uint8)


def random_blocks(rng, qtype, n_blocks):
    """Random raw bytes for n_blocks blocks, with finite f16 scale fields."""
    block, size = GGML_QUANT_SIZES[qtype]
    raw = rng.integers(0, 256, size=(n_blocks, size), dtype=np.uint8)
    # edge values for the f16 scale fields: subnormal, -0, max, ordinary
    scales = np.concatenate([
        np.array([6.0e-8, -0.0, 65504.0, 1.0], dtype=np.float16),
        (rng.standard_normal(4 * n_blocks) * 0.05).astype(np.float16)])
    s = iter(scales)
    for b in range(n_blocks):
        if qtype in (T.Q4_0, T.Q8_0):
            raw[b, 0:2] = f16_bytes([next(s)])
        elif qtype == T.Q4_1:
            raw[b, 0:4] = f16_bytes([next(s), next(s)])
        elif qtype in (T.Q4_K, T.Q5_K):
            raw[b, 0:4] = f16_bytes([next(s), next(s)])
        elif qtype == T.Q6_K:
            raw[b, size - 2:size] = f16_bytes([next(s)])
        elif qtype == T.Q5_0:
            raw[b, 0:2] = f16_bytes([next(s)])
        elif qtype == T.Q5_1:
            raw[b, 0:4] = f16_bytes([next(s), next(s)])
        elif qtype == T.Q2_K:
            raw[b, 80:84] = f16_bytes([next(s), next(s)])
        elif qtype == T.Q3_K:
            raw[b, 108:110] = f16_bytes([next(s)])
    return raw.reshape(-1)


def quant_tensors(rng):
    tensors = []  # (name, qtype, shape_hf, raw bytes)
    rows = 3
    for qtype, cols in [(T.Q8_0, 64), (T.Q4_0, 64), (T.Q4_1, 96), (T.Q4_K, 256), (T.Q5_K, 512), (T.Q6_K, 256)]:
        block, _ = GGML_QUANT_SIZES[qtype]
        raw = random_blocks(rng, qtype, rows * cols // block)
        tensors.append((f"q.{qtype.name.lower()}", qtype, [rows, cols], raw))
    f32 = rng.standard_normal((2, 3, 5)).astype(np.float32)
    f32.reshape(-1)[:4] = [0.0, -0.0, 1e-40, 3.4e38]
    tensors.append(("plain.f32", T.F32, [2, 3, 5], f32.view(np.uint8).reshape(-1)))
    f16 = rng.standard_normal(40).astype(np.float16)
    f16[:3] = [6.0e-8, -0.0, 65504.0]
    tensors.append(("plain.f16", T.F16, [40], f16.view(np.uint8).reshape(-1)))
    bf16 = rng.integers(0, 65536, size=(4, 8), dtype=np.uint16)
    bf16[(bf16 & 0x7F80) == 0x7F80] = 0x3F80  # no inf/NaN
    tensors.append(("plain.bf16", T.BF16, [4, 8], bf16.view(np.uint8).reshape(-1)))
    for qtype, cols in [(T.Q5_0, 64), (T.Q5_1, 96), (T.Q2_K, 256), (T.Q3_K, 512)]:
        block, _ = GGML_QUANT_SIZES[qtype]
        raw = random_blocks(rng, qtype, rows * cols // block)
        tensors.append((f"q.{qtype.name.lower()}", qtype, [rows, cols], raw))
    return tensors


def write_quant_file():
    rng = np.random.default_rng(20261124)
    tensors = quant_tensors(rng)
    path = os.path.join(OUT, "quant-blocks.gguf")
    w = GGUFWriter(path, "llama")
    w.add_uint8("test.u8", 200)
    w.add_int8("test.i8", -100)
    w.add_uint16("test.u16", 60000)
    w.add_int16("test.i16", -30000)
    w.add_uint32("test.u32", 4000000000)
    w.add_int32("test.i32", -2000000000)
    w.add_float32("test.f32", 0.1)
    w.add_bool("test.bool", True)
    w.add_string("test.string", "héllo — 世界")
    w.add_uint64("test.u64", 2**63 + 5)
    w.add_int64("test.i64", -(2**62))
    w.add_float64("test.f64", 2.0 ** -30 + 1.0)
    w.add_array("test.strings", ["a", "", "ünï", "<|im_start|>"])
    w.add_array("test.ints", [1, -2, 3])
    w.add_array("test.floats", [0.5, -1.25])
    w.add_array("test.nested", [[1, 2], [3], [4, 5, 6]])
    w.add_array("test.nested_strings", [["x", "y"], ["z"]])
    for name, qtype, shape, raw in tensors:
        if qtype == T.F32:
            w.add_tensor(name, raw.view(np.float32).reshape(shape))
        elif qtype == T.F16:
            w.add_tensor(name, raw.view(np.float16).reshape(shape))
        else:  # raw block bytes, shaped [..., bytes per row]
            w.add_tensor(name, raw.reshape(*shape[:-1], -1), raw_dtype=qtype)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()

    # expected values from the reader's view of the written file (checks the file round trip too)
    r = GGUFReader(path)
    expected = {}
    for t in r.tensors:
        values = dequantize(t.data, t.tensor_type).astype(np.float32)
        shape_hf = [int(d) for d in reversed(t.shape)]
        expected[t.name] = np.ascontiguousarray(values.reshape(shape_hf))
    save_file(expected, os.path.join(OUT, "quant-blocks-expected.safetensors"), metadata={"format": "pt"})
    print("wrote", path, len(expected), "tensors")


def reverse_permute(w, n_head):
    """transformers' reverse of llama.cpp's q/k permutation (bit-identical to its GGUF loading, per the fixture)."""
    dim = w.shape[0] // n_head // 2
    return w.reshape(n_head, dim, 2, *w.shape[1:]).swapaxes(2, 1).reshape(w.shape)


def checksum(values):
    """Sum over i of bits(values[i]) * (2654435761 * i + 1), modulo 2**64."""
    bits = np.ascontiguousarray(values, dtype=np.float32).reshape(-1).view(np.uint32).astype(np.uint64)
    idx = np.arange(bits.size, dtype=np.uint64)
    with np.errstate(over="ignore"):
        return int(np.sum(bits * (idx * np.uint64(2654435761) + np.uint64(1)), dtype=np.uint64))


def write_smollm2(gguf_path):
    names = {"token_embd.weight": "model.embed_tokens.weight",
             "blk.0.attn_q.weight": "model.layers.0.self_attn.q_proj.weight",
             "blk.0.attn_k.weight": "model.layers.0.self_attn.k_proj.weight",
             "blk.0.attn_v.weight": "model.layers.0.self_attn.v_proj.weight",
             "blk.0.ffn_down.weight": "model.layers.0.mlp.down_proj.weight",
             "blk.15.ffn_gate.weight": "model.layers.15.mlp.gate_proj.weight",
             "blk.29.attn_output.weight": "model.layers.29.self_attn.o_proj.weight",
             "blk.29.ffn_up.weight": "model.layers.29.mlp.up_proj.weight",
             "blk.0.attn_norm.weight": "model.layers.0.input_layernorm.weight",
             "output_norm.weight": "model.norm.weight"}
    r = GGUFReader(gguf_path)
    n_head = int(r.fields["llama.attention.head_count"].contents())
    n_head_kv = int(r.fields["llama.attention.head_count_kv"].contents())
    out = {}
    for t in r.tensors:
        if t.name not in names:
            continue
        shape_hf = [int(d) for d in reversed(t.shape)]
        w = dequantize(t.data, t.tensor_type).astype(np.float32).reshape(shape_hf)
        if ".attn_q." in t.name:
            w = reverse_permute(w, n_head)
        elif ".attn_k." in t.name:
            w = reverse_permute(w, n_head_kv)
        flat = w.reshape(-1)
        rng = np.random.default_rng(7)
        picks = sorted(set([0, 1, flat.size - 1] + rng.integers(0, flat.size, 29).tolist()))
        out[names[t.name]] = {
            "gguf_name": t.name, "type": t.tensor_type.name, "shape": shape_hf,
            "checksum": str(checksum(flat)),
            "sample_indices": picks,
            "sample_bits": [int(flat[i:i + 1].view(np.uint32)[0]) for i in picks],
            "row0_first8": [float(v) for v in flat[:8]],
        }
    meta = {"generator": "scripts/gen_checkpoint_test_files.py --smollm2", "gguf_file": os.path.basename(gguf_path),
            "definition": "gguf.quants.dequantize (gguf 0.19.0) -> f32 row-major HF shape; attn_q/attn_k rows "
                          "reverse-permuted with head_count/head_count_kv as transformers does; checksum = "
                          "sum_i bits_i * (2654435761*i + 1) mod 2^64 over the f32 bit patterns",
            "tensors": out}
    with open(os.path.join(OUT, "smollm2-dequant.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print("wrote smollm2-dequant.json", len(out), "tensors")


def read_safetensors_raw(path):
    """An independent safetensors reader (header JSON + numpy views), so BF16 needs no torch."""
    with open(path, "rb") as f:
        data = f.read()
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, end = e["data_offsets"]
        raw = np.frombuffer(data[base + b:base + end], dtype=np.uint8)
        if e["dtype"] == "F32":
            values = raw.view(np.float32)
        elif e["dtype"] == "BF16":
            values = (raw.view(np.uint16).astype(np.uint32) << 16).view(np.float32)
        elif e["dtype"] == "F16":
            values = raw.view(np.float16).astype(np.float32)
        elif e["dtype"] == "I64":
            values = raw.view(np.int64)
        else:
            raise SystemExit(f"unexpected dtype {e['dtype']} in {path}")
        out[name] = (e["dtype"], e["shape"], values)
    return out


def write_fixture_checksums():
    fixtures = os.path.join("..", "shared", "fixtures", "models")
    files = ["tiny-bert/model.safetensors", "tiny-qwen3/model.safetensors", "minilm-l6/reference.safetensors"]
    result = {}
    for rel in files:
        entries = {}
        for name, (dtype, shape, values) in read_safetensors_raw(os.path.join(fixtures, rel)).items():
            if dtype == "I64":
                entries[name] = {"dtype": dtype, "shape": shape, "int_sum": int(values.sum()),
                                 "first8": [int(v) for v in values[:8]]}
            else:
                entries[name] = {"dtype": dtype, "shape": shape, "checksum": str(checksum(values)),
                                 "first4_bits": [int(v) for v in values[:4].view(np.uint32)]}
        result[rel] = entries
    meta = {"generator": "scripts/gen_checkpoint_test_files.py",
            "definition": "per tensor of the shared fixtures: dtype, shape and, for floats, the checksum of the "
                          "f32 values (bf16/f16 widened exactly), sum_i bits_i * (2654435761*i + 1) mod 2^64; "
                          "for int64, the sum and the first 8 values",
            "files": result}
    with open(os.path.join(OUT, "fixture-checksums.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print("wrote fixture-checksums.json", {k: len(v) for k, v in result.items()})


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--smollm2")
    a = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    write_quant_file()
    write_fixture_checksums()
    if a.smollm2:
        write_smollm2(a.smollm2)
