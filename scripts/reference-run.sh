#!/usr/bin/env bash
# The reference fine-tuning run of ../shared/fixtures/training/minilm-agnews/ with Sift, and (if a
# Python reference environment exists) the same run with PyTorch right after it, so both wall
# times come from one run on one machine.
#
#   scripts/reference-run.sh [SEED...]        (default: 0 1 2)
#   REFENV=~/.venvs/refenv  (PyTorch side; ../shared/bench/setup-refenv.sh creates it)
#   SIFT=path/to/sift       (a prebuilt binary; default: build .build/release/sift)
#   OUT=runs/reference      (where runs and reports go)
#   PRECISION=fp32          (Sift's --precision: fp32, or bf16 — fast on CPUs with avx512_bf16 or AMX)
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=("$@"); [ ${#seeds[@]} -gt 0 ] || seeds=(0 1 2)
model=$(../shared/scripts/get-models minilm-l6 | cut -f2)
out=${OUT:-runs/reference}
mkdir -p "$out"
python3 scripts/agnews_reference_rows.py "$out/train.csv" "$out/test.csv"
sift=${SIFT:-}
if [ -z "$sift" ]; then swift build -c release --product sift >/dev/null; sift=.build/release/sift; fi
for seed in "${seeds[@]}"; do
  start=$(date +%s.%N)
  "$sift" train --model "$model" --train "$out/train.csv" --validation "$out/test.csv" \
    --preset standard --header yes --output "$out/sift-seed$seed" --epochs 1 --batch-size 16 --eval-batch-size 64 \
    --learning-rate 5e-5 --weight-decay 0.01 --warmup-ratio 0.1 --schedule linear --max-grad-norm 0 \
    --max-length 128 --no-shuffle --seed "$seed" --logging-steps 10 --precision "${PRECISION:-fp32}" --quiet --json \
    > "$out/sift-seed$seed.json"
  end=$(date +%s.%N)
  python3 - "$out/sift-seed$seed.json" "$start" "$end" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); evals = [e for e in r["log"] if "eval_accuracy" in e]
print(f"sift  seed: accuracy {evals[-1]['eval_accuracy']:.4f}  macro-F1 {evals[-1]['eval_macro_f1']:.4f}  "
      f"train {r['trainingSeconds']:.1f} s  (wall incl. eval {float(sys.argv[3]) - float(sys.argv[2]):.1f} s)")
PY
  if [ -x "${REFENV:-$HOME/.venvs/refenv}/bin/python" ]; then
    "${REFENV:-$HOME/.venvs/refenv}/bin/python" ../shared/fixtures/generate/train_minilm_agnews.py --seeds "$seed" --out "$out/torch-seed$seed" >/dev/null 2>&1 || true
    python3 - "$out/torch-seed$seed/results.json" "$seed" <<'PY'
import json, sys
try:
    s = json.load(open(sys.argv[1]))["seeds"][sys.argv[2]]
    share = s.get("other_processes_cpu_share", {}).get("train", 0)
    print(f"torch seed: accuracy {s['accuracy']:.4f}  macro-F1 {s['macro_f1']:.4f}  train {s['train_wall_s']:.1f} s  "
          f"(eval {s['eval_wall_s']:.1f} s; other processes used {share:.0%} of the CPU while it trained)")
except Exception as e:
    print("torch run: no result", e)
PY
  fi
done
