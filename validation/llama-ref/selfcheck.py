#!/usr/bin/env python3
"""Checks build/llama-ref's tokenize against llama.cpp's own expectations (tests/test-tokenizer-0).

The vocab-only GGUFs and their .inp/.out files come from the llama.cpp bundle that build.sh cloned
into build/llama.cpp.git, so the check needs no network and nothing beyond the standard library.
A text that tokenizes differently fails the check; a detokenized text that differs from the input
is only counted, because llama.cpp's detokenizer legitimately cleans spaces (" ?" -> "?") for some
vocabularies.
"""
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BUILD = HERE / "build"
EXE = BUILD / "llama-ref"
GIT_DIR = BUILD / "llama.cpp.git"
WORK = BUILD / "selfcheck"
SEPARATOR = "\n__ggml_vocab_test__\n"  # as in llama.cpp's tests/test-tokenizer-0.cpp


def git_show(path):
    return subprocess.run(["git", "--git-dir", str(GIT_DIR), "show", f"HEAD:{path}"],
                          check=True, capture_output=True).stdout


def vocab_names():
    listing = subprocess.run(["git", "--git-dir", str(GIT_DIR), "ls-tree", "--name-only", "HEAD", "models/"],
                             check=True, capture_output=True, text=True).stdout.split()
    files = set(listing)
    return sorted(p[len("models/ggml-vocab-"):-len(".gguf")] for p in files
                  if p.startswith("models/ggml-vocab-") and p.endswith(".gguf")
                  and p + ".inp" in files and p + ".out" in files)


def run(*args):
    subprocess.run([str(EXE), *args], check=True, stdout=subprocess.DEVNULL)


def check(name):
    gguf = WORK / f"{name}.gguf"
    gguf.write_bytes(git_show(f"models/ggml-vocab-{name}.gguf"))
    texts = git_show(f"models/ggml-vocab-{name}.gguf.inp").decode("utf-8").split(SEPARATOR)
    expected_lines = git_show(f"models/ggml-vocab-{name}.gguf.out").decode("utf-8").split("\n")
    expected = [[int(t) for t in line.split()] for line in expected_lines[:len(texts)]]
    texts_file, ids_file, back_file = (WORK / f"{name}.{ext}" for ext in ("in", "ids", "back"))
    texts_file.write_text("".join(json.dumps(t) + "\n" for t in texts), encoding="utf-8")
    run("tokenize", "-m", str(gguf), "--in", str(texts_file), "--out", str(ids_file),
        "--json-lines", "--no-bos", "--no-parse-special")
    got = [json.loads(line) for line in ids_file.read_text(encoding="utf-8").splitlines()]
    mismatches = [i for i, (g, e) in enumerate(zip(got, expected)) if g != e]
    if len(got) != len(texts):
        mismatches.append(f"{len(got)} outputs for {len(texts)} texts")
    run("detokenize", "-m", str(gguf), "--in", str(ids_file), "--out", str(back_file))
    back = [json.loads(line) for line in back_file.read_text(encoding="utf-8").splitlines()]
    changed = sum(1 for b, t in zip(back, texts) if b != t)
    status = "ok  " if not mismatches else "FAIL"
    print(f"{status} {name}: {len(texts)} texts, tokenize mismatches {mismatches or 'none'}, "
          f"round trips that differ {changed}")
    return not mismatches


def main():
    if not EXE.exists() or not GIT_DIR.exists():
        sys.exit(f"selfcheck: {EXE} or {GIT_DIR} missing; run build.sh first")
    WORK.mkdir(exist_ok=True)
    results = [check(name) for name in vocab_names()]
    print(f"{sum(results)}/{len(results)} vocabularies tokenize as llama.cpp's tests expect")
    sys.exit(0 if results and all(results) else 1)


if __name__ == "__main__":
    main()
