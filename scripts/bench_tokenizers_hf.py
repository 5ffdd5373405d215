#!/usr/bin/env python3
"""Reference for `sift bench tokenize`: Hugging Face `tokenizers` (Rust) tokens/s on AG News texts.

Texts are title + " " + description from the AG News CSV ("class","title","description"); each tokenizer
encodes them all with `encode_batch(texts, add_special_tokens=False)` on 1 and 2 threads (RAYON_NUM_THREADS,
set in a fresh worker process per thread count). Prints one JSON object per (tokenizer, threads) line.

    python3 -m venv /work/venv-tok && /work/venv-tok/bin/pip install tokenizers
    /work/venv-tok/bin/python scripts/bench_tokenizers_hf.py --data ../shared/data/agnews/train.csv
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import time


def read_texts(path, limit):
    texts = []
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.reader(handle):
            texts.append(row[1] + " " + row[2])
            if limit and len(texts) >= limit:
                break
    return texts


def worker(args):
    from tokenizers import Tokenizer  # imported after RAYON_NUM_THREADS is set

    texts = read_texts(args.data, args.limit)
    for name, path in (("bert", args.bert), ("qwen", args.qwen)):
        tokenizer = Tokenizer.from_file(path)
        tokenizer.no_truncation()
        tokenizer.no_padding()
        tokenizer.encode_batch(texts[:2000], add_special_tokens=False)  # warm-up
        best = float("inf")
        tokens = 0
        for _ in range(max(1, args.repeats)):
            start = time.perf_counter()
            encodings = tokenizer.encode_batch(texts, add_special_tokens=False)
            best = min(best, time.perf_counter() - start)
            tokens = sum(len(e.ids) for e in encodings)
        print(json.dumps({"tokenizer": name, "threads": int(os.environ["RAYON_NUM_THREADS"]), "texts": len(texts),
                          "tokens": tokens, "seconds": best, "tokens_per_s": tokens / best}), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default="../shared/data/agnews/train.csv")
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--bert", default="../shared/tokenizers/bert-base-uncased/tokenizer.json")
    parser.add_argument("--qwen", default="../shared/fixtures/tokenizers/qwen3-tokenizer/tokenizer.json")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    for threads in [int(t) for t in args.threads.split(",") if t.strip()]:
        env = dict(os.environ, RAYON_NUM_THREADS=str(threads), TOKENIZERS_PARALLELISM="true")
        command = [sys.executable, __file__, "--worker"] + sys.argv[1:]
        result = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True, check=True)
        sys.stdout.write(result.stdout)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
