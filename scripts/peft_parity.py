#!/usr/bin/env python3
"""Check that PEFT loads an adapter written by `sift train --lora-rank … --lora-save adapter`
and computes the same log-probabilities as Sift does with `--adapter`.

Usage (not run in CI; needs torch, transformers, peft):
    python scripts/peft_parity.py --sift .build/release/sift --base BASE --adapter ADAPTER_DIR

BASE is a Hugging Face model directory, or a .gguf file (transformers then needs the `gguf`
package). The script scores a few prompts' answer letters with
  • PeftModel.from_pretrained(base, ADAPTER_DIR) in float32 (unmerged LoRA), and
  • `sift score --model BASE --adapter ADAPTER_DIR` (merged into the weights),
tokenizing prompt and continuation separately without special tokens, as `sift score` does,
and prints the largest difference. It also prints the difference to the base model alone, to
show that the adapter does change the outputs.
"""
import argparse
import json
import os
import subprocess
import sys

import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM, AutoTokenizer

PROMPTS = [
    "Wall St. Bears Claw Back Into the Black. Short-sellers are seeing green again. Category:",
    "Olympic champion wins the 100 metres final in Athens. Category:",
    "New chip doubles battery life of mobile phones, researchers say. Category:",
]
CONTINUATIONS = [" A", " B", " C", " D", " World", " Sports"]


def load_base(path):
    if path.endswith(".gguf"):
        directory, name = os.path.split(os.path.abspath(path))
        model = AutoModelForCausalLM.from_pretrained(directory, gguf_file=name, dtype=torch.float32)
        tokenizer = AutoTokenizer.from_pretrained(directory, gguf_file=name)
    else:
        model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
        tokenizer = AutoTokenizer.from_pretrained(path)
    return model.eval(), tokenizer


@torch.no_grad()
def score(model, tokenizer, prompt, continuations):
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    result = []
    for continuation in continuations:
        ids = tokenizer(continuation, add_special_tokens=False)["input_ids"]
        full = torch.tensor([prompt_ids + ids])
        logprobs = torch.log_softmax(model(full).logits[0].double(), dim=-1)
        total = sum(logprobs[len(prompt_ids) - 1 + j, token].item() for j, token in enumerate(ids))
        result.append(total)
    return result


def sift_scores(sift, base, adapter):
    lines = "".join(json.dumps({"prompt": p, "continuations": CONTINUATIONS}) + "\n" for p in PROMPTS)
    command = [sift, "score", "--model", base] + (["--adapter", adapter] if adapter else [])
    output = subprocess.run(command, input=lines, capture_output=True, text=True, check=True).stdout
    return [json.loads(line)["logprobs"] for line in output.splitlines() if line.strip()]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sift", required=True, help="the sift binary")
    parser.add_argument("--base", required=True, help="base model: Hugging Face directory or .gguf file")
    parser.add_argument("--adapter", required=True, help="adapter directory written by Sift")
    args = parser.parse_args()

    base, tokenizer = load_base(args.base)
    base_scores = [score(base, tokenizer, p, CONTINUATIONS) for p in PROMPTS]
    peft_model = PeftModel.from_pretrained(base, args.adapter).eval()
    peft_scores = [score(peft_model, tokenizer, p, CONTINUATIONS) for p in PROMPTS]
    sift = sift_scores(args.sift, args.base, args.adapter)

    flat = lambda rows: [x for row in rows for x in row]
    diff_sift = max(abs(a - b) for a, b in zip(flat(sift), flat(peft_scores)))
    diff_base = max(abs(a - b) for a, b in zip(flat(base_scores), flat(peft_scores)))
    print(f"PEFT vs Sift (--adapter): max |Δ log p| = {diff_sift:.3e} over {len(flat(sift))} continuations")
    print(f"PEFT vs base model alone:  max |Δ log p| = {diff_base:.3e} (the adapter's effect)")
    sys.exit(0 if diff_sift < 1e-3 else 1)


if __name__ == "__main__":
    main()
