#!/usr/bin/env python3
"""Checks that safetensors files written by Sift load in Python's `safetensors`.

    python3 -m venv /tmp/venv-ck && /tmp/venv-ck/bin/pip install numpy safetensors
    SIFT_INTEROP_DIR=/tmp/sift-interop swift test -c release -Xswiftc -enable-testing --filter PythonInteropTests
    /tmp/venv-ck/bin/python scripts/check_safetensors_interop.py /tmp/sift-interop

f32 and f16 files are loaded with safetensors.numpy.load_file and safe_open; numpy has no bfloat16, so
the bf16 file's header is checked with safe_open and its values decoded from the raw bytes.
With torch and transformers installed it also loads tiny-bert (f32) and tiny-qwen3 (bf16), re-written by Sift
from the shared fixtures, with transformers and compares every weight with the original checkpoint.
Expected values: value i = (i mod 97) * 0.3 - 7 + i * 1e-3, as in PythonInteropTests.swift.
"""
import json
import sys

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file

SHAPES = {"model.layers.0.self_attn.q_proj.weight": [16, 8], "model.norm.weight": [8],
          "classifier.bias": [3], "scalar": []}


def expected(name):
    shape = SHAPES[name]
    if name == "scalar":
        return np.array(0.5, dtype=np.float32)
    n = int(np.prod(shape))
    i = np.arange(n, dtype=np.float64)
    return ((i % 97) * 0.3 - 7 + i * 1e-3).astype(np.float32).reshape(shape)


def bf16_round(x):
    bits = x.astype(np.float32).view(np.uint32).astype(np.uint64)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint32) << 16
    return rounded.astype(np.uint32).view(np.float32)


def main(directory):
    f32 = load_file(f"{directory}/f32.safetensors")
    assert set(f32) == set(SHAPES), f32.keys()
    for name, value in f32.items():
        assert value.dtype == np.float32 and list(value.shape) == SHAPES[name], (name, value.dtype, value.shape)
        assert np.array_equal(value, expected(name)), name
    with safe_open(f"{directory}/f32.safetensors", framework="numpy") as f:
        assert f.metadata() == {"format": "pt"}, f.metadata()
    f16 = load_file(f"{directory}/f16.safetensors")
    for name, value in f16.items():
        assert value.dtype == np.float16
        assert np.array_equal(value, expected(name).astype(np.float16)), name
    with safe_open(f"{directory}/bf16.safetensors", framework="numpy") as f:
        assert f.metadata() == {"format": "pt"}
        assert set(f.keys()) == set(SHAPES)
    raw = open(f"{directory}/bf16.safetensors", "rb").read()
    n = int.from_bytes(raw[:8], "little")
    assert (8 + n) % 8 == 0, "data section not 8-byte aligned"
    header = json.loads(raw[8:8 + n])
    assert list(header)[0] == "__metadata__"
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        assert entry["dtype"] == "BF16" and entry["shape"] == SHAPES[name], entry
        b, e = entry["data_offsets"]
        values = (np.frombuffer(raw[8 + n + b:8 + n + e], dtype=np.uint16).astype(np.uint32) << 16).view(np.float32)
        assert np.array_equal(values.reshape(SHAPES[name]), bf16_round(expected(name))), name
    print("OK: f32, f16 and bf16 files written by Sift load in safetensors", __import__("safetensors").__version__)
    check_transformers(directory)


def check_transformers(directory):
    """With torch + transformers installed: the fixture models re-written by Sift load in transformers
    with no missing/unexpected keys and exactly the original weights."""
    import os
    try:
        import torch
        from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification
    except ImportError:
        print("SKIP transformers check: torch/transformers not installed")
        return
    fixtures = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "fixtures", "models")
    for model, cls, dtype in [("tiny-bert", AutoModelForSequenceClassification, torch.float32), ("tiny-qwen3", AutoModelForCausalLM, torch.bfloat16)]:
        ours_dir = os.path.join(directory, model)
        if not os.path.isdir(ours_dir):
            print("SKIP", model, "not written")
            continue
        ours, info = cls.from_pretrained(ours_dir, dtype=dtype, output_loading_info=True)
        assert not info["missing_keys"] and not info["unexpected_keys"] and not info["mismatched_keys"], info
        reference = cls.from_pretrained(os.path.join(fixtures, model), dtype=dtype)
        a, b = ours.state_dict(), reference.state_dict()
        assert a.keys() == b.keys()
        for k in a:
            assert torch.equal(a[k], b[k]), k
        print(f"OK: transformers {__import__('transformers').__version__} loads Sift's {model} ({dtype}) "
              f"with identical weights ({len(a)} tensors)")


if __name__ == "__main__":
    main(sys.argv[1])
