#!/usr/bin/env python3
"""Write the 4,000 AG News training rows of the reference fine-tuning run
(../shared/fixtures/training/minilm-agnews/train_rows.json) as a CSV in the run's training order,
so `sift train --no-shuffle` sees exactly the batches PyTorch saw.

With a second path, also writes all 7,600 test rows (file order) in the same text,label layout.

Usage: scripts/agnews_reference_rows.py TRAIN_OUT.csv [TEST_OUT.csv]   (standard library only)
"""
import csv, json, os, sys

here = os.path.dirname(os.path.abspath(__file__))
shared = os.path.join(here, "..", "..", "shared")
rows = json.load(open(os.path.join(shared, "fixtures/training/minilm-agnews/train_rows.json")))["rows"]
with open(os.path.join(shared, "data/agnews/train.csv"), newline="", encoding="utf-8") as f:
    data = list(csv.reader(f))
names = ["World", "Sports", "Business", "Sci/Tech"]
with open(sys.argv[1], "w", newline="", encoding="utf-8") as out:
    writer = csv.writer(out)
    writer.writerow(["text", "label"])
    for r in rows:
        cls, title, description = data[r]
        writer.writerow([title + " " + description, names[int(cls) - 1]])
print(f"wrote {len(rows)} rows to {sys.argv[1]}", file=sys.stderr)

if len(sys.argv) > 2:
    with open(os.path.join(shared, "data/agnews/test.csv"), newline="", encoding="utf-8") as f:
        test = list(csv.reader(f))
    with open(sys.argv[2], "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["text", "label"])
        for cls, title, description in test:
            writer.writerow([title + " " + description, names[int(cls) - 1]])
    print(f"wrote {len(test)} rows to {sys.argv[2]}", file=sys.stderr)
