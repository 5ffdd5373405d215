#!/usr/bin/env python3
"""Writes the small Parquet test files for SiftData's Parquet reader, and the expected values.

Usage (pyarrow, and optionally `datasets` for the Hugging Face file, in a venv outside the repo):
    python3 -m venv /work/venv-pq && /work/venv-pq/bin/pip install pyarrow datasets
    /work/venv-pq/bin/python scripts/make_parquet_fixtures.py            # writes Tests/SiftDataTests/Resources/parquet/
    /work/venv-pq/bin/python scripts/make_parquet_fixtures.py --agnews-full /tmp/agnews_test_full.parquet
        # also writes all 7,600 AG News test rows (zstd, 4 row groups) for a timing run; not committed.

Every file gets an entry in `expected.json`: the file name, the row count, what the file must exercise
(codec, number of row groups, data page version, whether a dictionary is used) and the name of its table
under "tables": every column's values (int64 values as decimal strings so no JSON reader rounds them, binary
as hex, floats as JSON numbers, null as null, list columns as lists), shared by files written from one table.
The AG News file (first 300 rows of ../shared/data/agnews/test.csv, laid out like the Hub's
`fancyzhx/ag_news`: text = title + " " + description, label = class - 1) has no values in expected.json:
the Swift test parses the CSV itself and compares.
"""
import argparse
import csv
import json
import os
import sys

import pyarrow as pa
import pyarrow.parquet as pq

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO, "Tests", "SiftDataTests", "Resources", "parquet")
AGNEWS_TEST = os.path.join(os.path.dirname(REPO), "shared", "data", "agnews", "test.csv")
AGNEWS_NAMES = ["World", "Sports", "Business", "Sci/Tech"]

WORDS = ["alpha", "beta", "gamma", "café", "naïve", "Ångström", "日本語", "emoji 🚀✨", "", "tab\tand\nnewline",
         "quote \" and , comma", "Ελληνικά", "русский", "العربية", "e\u0301 combining"]


def base_table(rows: int) -> pa.Table:
    """A table with every supported physical type, required and optional columns, nulls and non-ASCII text."""
    ids = [i * 1_000_003 - 2**40 if i % 7 else (2**62 - i if i % 2 else -(2**62) + i) for i in range(rows)]
    small = [(i * 37) % 101 - 50 for i in range(rows)]
    small[0] = 2**31 - 1
    if rows > 1:
        small[1] = -(2**31)
    names = [WORDS[(i * 5) % len(WORDS)] + ("" if i % 3 else f" #{i}") for i in range(rows)]
    opt_int32 = [None if i % 4 == 1 else i * 3 - 100 for i in range(rows)]
    opt_int64 = [None if i % 5 == 0 else (i - 60) * 10**12 for i in range(rows)]
    opt_string = [None if i % 3 == 2 else WORDS[i % len(WORDS)] for i in range(rows)]
    score = [i * 0.25 - 7.5 if i % 11 else 1e300 * (1 if i % 2 else -1) for i in range(rows)]
    flag = [None if i % 6 == 5 else (i % 3 == 0) for i in range(rows)]
    all_null = [None] * rows
    ratio = [i * 0.5 - 3.0 for i in range(rows)]
    blob = [None if i % 9 == 4 else bytes((i * k) % 256 for k in range(i % 6)) for i in range(rows)]
    # A nullable struct: its leaves have definition levels up to 2 (struct null, field null, value).
    meta = [None if i % 10 == 3 else {"source": None if i % 4 == 0 else WORDS[(i * 3) % len(WORDS)],
                                      "year": 1990 + i % 35} for i in range(rows)]
    schema = pa.schema([
        pa.field("id", pa.int64(), nullable=False),
        pa.field("small", pa.int32(), nullable=False),
        pa.field("name", pa.string(), nullable=False),
        pa.field("opt_int32", pa.int32()),
        pa.field("opt_int64", pa.int64()),
        pa.field("opt_string", pa.string()),
        pa.field("score", pa.float64(), nullable=False),
        pa.field("flag", pa.bool_()),
        pa.field("all_null", pa.string()),
        pa.field("ratio", pa.float32(), nullable=False),
        pa.field("blob", pa.binary()),
        pa.field("meta", pa.struct([pa.field("source", pa.string()), pa.field("year", pa.int32(), nullable=False)])),
    ])
    return pa.table([ids, small, names, opt_int32, opt_int64, opt_string, score, flag, all_null, ratio, blob, meta],
                    schema=schema)


def list_table(rows: int) -> pa.Table:
    tags = [None if i % 7 == 3 else [None if (i + k) % 5 == 0 else WORDS[(i * k) % len(WORDS)] for k in range(i % 4)]
            for i in range(rows)]
    labels = [[(i + k) % 4 for k in range(1 + i % 3)] for i in range(rows)]
    scores = [None if i % 6 == 1 else [i * 0.5 - k for k in range(i % 5)] for i in range(rows)]
    ids = [[(i << 40) - k for k in range(i % 3)] for i in range(rows)]
    schema = pa.schema([
        pa.field("tags", pa.list_(pa.string())),
        pa.field("labels", pa.list_(pa.field("element", pa.int32(), nullable=False)), nullable=False),
        pa.field("scores", pa.list_(pa.float64())),
        pa.field("ids", pa.list_(pa.int64())),
    ])
    return pa.table([tags, labels, scores, ids], schema=schema)


def column_entry(table: pa.Table, name: str) -> dict:
    """Expected values of one leaf column (struct fields are flattened to "parent.child", null when the parent is)."""
    field = table.schema.field(name)
    values = table.column(name).to_pylist()
    if pa.types.is_list(field.type):
        element = pa.table([pa.array([], field.type.value_type)], names=["e"])
        kind = column_entry(element, "e")["type"]
        convert = str if kind == "int64" else (lambda v: v)
        return {"name": name, "type": "list", "element": kind,
                "values": [None if row is None else [None if v is None else convert(v) for v in row] for row in values]}
    if pa.types.is_binary(field.type):
        kind, values = "binary", [None if v is None else v.hex() for v in values]
    elif pa.types.is_float32(field.type):
        kind = "float"
    elif pa.types.is_int64(field.type):
        kind, values = "int64", [None if v is None else str(v) for v in values]
    elif pa.types.is_int32(field.type):
        kind = "int32"
    elif pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
        kind = "string"
    elif pa.types.is_float64(field.type):
        kind = "double"
    elif pa.types.is_boolean(field.type):
        kind = "bool"
    else:
        raise SystemExit(f"no expected-value writer for {name}: {field.type}")
    return {"name": name, "type": kind, "values": values}


def describe(path: str) -> dict:
    """What the written file really contains, read back through pyarrow's metadata."""
    meta = pq.ParquetFile(path).metadata
    codecs, encodings = set(), set()
    for g in range(meta.num_row_groups):
        for c in range(meta.num_columns):
            col = meta.row_group(g).column(c)
            codecs.add(col.compression)
            encodings.update(col.encodings)
    return {"row_groups": meta.num_row_groups, "codecs": sorted(codecs), "encodings": sorted(encodings)}


def write(table: pa.Table, name: str, expected: list, *, with_values: bool = True, **options) -> None:
    path = os.path.join(OUT_DIR, name)
    pq.write_table(table, path, **options)
    entry = {"file": name, "num_rows": table.num_rows,
             "data_page_version": int(float(options.get("data_page_version", "1.0"))),
             "dictionary": bool(options.get("use_dictionary", True))}
    entry.update(describe(path))
    if with_values:
        flat = table.flatten()
        entry["columns"] = [column_entry(flat, n) for n in flat.column_names]
    expected.append(entry)
    print(f"{name}: {os.path.getsize(path)} bytes, {entry['row_groups']} row groups, "
          f"{entry['codecs']}, {entry['encodings']}")


def patch_encoding(path: str, column: int, encoding: int) -> None:
    """Rewrites the data encoding of the first data page of `column` (a PLAIN v1 page) to `encoding`."""
    offset = pq.ParquetFile(path).metadata.row_group(0).column(column).data_page_offset
    with open(path, "rb") as f:
        data = bytearray(f.read())
    # DataPageHeader fields 2, 3, 4 (i32 deltas of 1): encoding PLAIN (0), levels RLE (3), zigzag-encoded.
    at = data.index(b"\x15\x00\x15\x06\x15\x06", offset, offset + 48)
    data[at + 1] = encoding * 2
    with open(path, "wb") as f:
        f.write(data)


def read_agnews(limit):
    rows = []
    with open(AGNEWS_TEST, newline="", encoding="utf-8") as f:
        for record in csv.reader(f):
            rows.append((record[1] + " " + record[2], int(record[0]) - 1))
            if limit is not None and len(rows) == limit:
                break
    return rows


def agnews_table(limit) -> pa.Table:
    rows = read_agnews(limit)
    schema = pa.schema([pa.field("text", pa.string()), pa.field("label", pa.int64())])
    return pa.table([[r[0] for r in rows], [r[1] for r in rows]], schema=schema)


def huggingface_table(expected: list) -> None:
    """A file shaped like the Hub's ClassLabel datasets, written by `datasets` when it is installed."""
    texts = ["Stocks rally as markets cheer", "Team wins the final 3–1", "Nouvelle puce gravée en 2 nm",
             "Élections : résultats serrés", "New probe reaches Jupiter", "Central bank holds rates"]
    labels = [2, 1, 3, 0, 3, 2]
    name = "hf_classlabel.parquet"
    path = os.path.join(OUT_DIR, name)
    try:
        import datasets  # noqa: F401
        features = datasets.Features({"text": datasets.Value("string"),
                                      "label": datasets.ClassLabel(names=AGNEWS_NAMES)})
        datasets.Dataset.from_dict({"text": texts, "label": labels}, features=features).to_parquet(path)
        writer = f"datasets {datasets.__version__}"
        table = pq.read_table(path)
    except ImportError:
        # The same metadata layout `datasets` writes: {"info": {"features": {...}}} under the key "huggingface".
        features = {"text": {"dtype": "string", "_type": "Value"},
                    "label": {"names": AGNEWS_NAMES, "_type": "ClassLabel"}}
        schema = pa.schema([pa.field("text", pa.string()), pa.field("label", pa.int64())],
                           metadata={"huggingface": json.dumps({"info": {"features": features}})})
        table = pa.table([texts, labels], schema=schema)
        pq.write_table(table, path)
        writer = f"pyarrow {pa.__version__} (datasets not installed)"
    entry = {"file": name, "num_rows": table.num_rows, "writer": writer, "data_page_version": 1,
             "dictionary": True, "class_labels": {"label": AGNEWS_NAMES}}
    entry.update(describe(path))
    entry["columns"] = [column_entry(table, n) for n in table.column_names]
    expected.append(entry)
    print(f"{name}: {os.path.getsize(path)} bytes, written by {writer}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agnews-full", help="also write all 7,600 AG News test rows here (not committed)")
    args = parser.parse_args()
    os.makedirs(OUT_DIR, exist_ok=True)
    expected = []
    table = base_table(120)
    # One of each codec; dictionary and plain; data pages v1 and v2; several row groups and several pages.
    write(table, "plain_none_v1.parquet", expected, compression="none", use_dictionary=False)
    write(table, "dict_snappy_v1_pages.parquet", expected, compression="snappy", row_group_size=50,
          data_page_size=128, write_batch_size=16)
    write(table, "dict_gzip_v2_pages.parquet", expected, compression="gzip", data_page_version="2.0",
          row_group_size=70, data_page_size=128, write_batch_size=16)
    write(table, "plain_zstd_v2_pages.parquet", expected, compression="zstd", use_dictionary=False,
          data_page_version="2.0", row_group_size=40, data_page_size=200, write_batch_size=10)
    write(table, "plain_none_v2.parquet", expected, compression="none", use_dictionary=False,
          data_page_version="2.0")
    write(table, "plain_snappy_v1.parquet", expected, compression="snappy", use_dictionary=False)
    write(table, "dict_zstd_v1.parquet", expected, compression="zstd")
    # DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT (what Spark and
    # parquet-mr write with data page v2), 64-bit deltas included (the ids jump by about 2**63).
    delta = {"id": "DELTA_BINARY_PACKED", "small": "DELTA_BINARY_PACKED", "name": "DELTA_BYTE_ARRAY",
             "opt_int32": "DELTA_BINARY_PACKED", "opt_int64": "BYTE_STREAM_SPLIT",
             "opt_string": "DELTA_LENGTH_BYTE_ARRAY", "score": "BYTE_STREAM_SPLIT", "ratio": "BYTE_STREAM_SPLIT",
             "blob": "DELTA_BYTE_ARRAY", "meta.source": "DELTA_LENGTH_BYTE_ARRAY", "meta.year": "BYTE_STREAM_SPLIT"}
    write(table, "delta_zstd_v2_pages.parquet", expected, compression="zstd", use_dictionary=False,
          data_page_version="2.0", column_encoding=delta, data_page_size=256, write_batch_size=20)
    expected[-1]["column_encodings"] = delta
    write(table, "delta_snappy_v1.parquet", expected, compression="snappy", use_dictionary=False,
          column_encoding=delta)
    expected[-1]["column_encodings"] = delta
    # List columns (one list per row): null lists, empty lists, null elements; required and optional.
    lists = list_table(90)
    write(lists, "lists_snappy_v1_pages.parquet", expected, compression="snappy", data_page_size=128,
          write_batch_size=8, row_group_size=40)
    write(lists, "lists_zstd_v2_pages.parquet", expected, compression="zstd", use_dictionary=False,
          data_page_version="2.0", data_page_size=128, write_batch_size=8)
    # A dictionary that outgrows its limit: the chunk switches from dictionary pages to plain pages.
    write(table, "dict_fallback_gzip_v1.parquet", expected, compression="gzip", dictionary_pagesize_limit=64,
          data_page_size=128, write_batch_size=8)
    write(table.slice(0, 0), "empty.parquet", expected, compression="snappy")
    # Features the reader must refuse with an error naming them: an LZ4 codec and a DELTA encoding.
    small = table.select(["id", "small"]).slice(0, 20)
    write(small, "unsupported_lz4.parquet", expected, compression="lz4")
    expected[-1]["unsupported"] = {"column": "small", "feature": expected[-1]["codecs"][0]}
    write(small, "unsupported_encoding.parquet", expected, compression="none", use_dictionary=False)
    patch_encoding(os.path.join(OUT_DIR, "unsupported_encoding.parquet"), column=1, encoding=1)
    expected[-1]["unsupported"] = {"column": "small", "feature": "GROUP_VAR_INT"}
    nested = pa.table({"id": pa.array([1, 2, 3], pa.int64()),
                       "grid": pa.array([[[1], [2, 3]], [], None], pa.list_(pa.list_(pa.int32())))})
    write(nested, "unsupported_nested_list.parquet", expected, with_values=False, compression="none")
    expected[-1]["unsupported"] = {"column": "grid", "feature": "lists of lists"}
    huggingface_table(expected)
    write(agnews_table(300), "agnews_test_300_zstd.parquet", expected, with_values=False,
          compression="zstd", row_group_size=128)
    with open(os.path.join(OUT_DIR, "expected.json"), "w", encoding="utf-8") as f:
        # Files written from the same table share one copy of its values ("tables", named by their first
        # file); one entry per line keeps the JSON small and its diffs readable.
        tables = {}
        for entry in expected:
            if "columns" in entry:
                columns = entry.pop("columns")
                key = next((k for k, v in tables.items() if v == columns), entry["file"])
                tables.setdefault(key, columns)
                entry["table"] = key
        f.write('{"generator": ' + json.dumps(f"scripts/make_parquet_fixtures.py, pyarrow {pa.__version__}"))
        f.write(',\n"files": [\n')
        f.write(",\n".join(json.dumps(e, ensure_ascii=False, separators=(",", ":")) for e in expected))
        f.write('\n],\n"tables": {\n')
        f.write(",\n".join(json.dumps(k, ensure_ascii=False) + ":" +
                            json.dumps(v, ensure_ascii=False, separators=(",", ":")) for k, v in tables.items()))
        f.write("\n}}\n")
    if args.agnews_full:
        full = agnews_table(None)
        pq.write_table(full, args.agnews_full, compression="zstd", row_group_size=2000)
        print(f"{args.agnews_full}: {full.num_rows} rows, {os.path.getsize(args.agnews_full)} bytes")


if __name__ == "__main__":
    sys.exit(main())
