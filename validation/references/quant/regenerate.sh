#!/usr/bin/env bash
# Regenerates the llama.cpp references of the FP4 parity cases (validation/references/quant/):
# builds Squall through the launcher when sources changed and llama-ref, then runs
# dev.squall.validation.quant.RegenerateQuantReferences, which generates the parity model, quantizes
# it with Squall (MXFP4, NVFP4), runs llama.cpp on each file (1 thread, F32 KV cache, flash
# attention off) and writes reference.json and logits.f32 per target. Arguments: targets to
# regenerate (mxfp4, nvfp4; default both). Deterministic: a rerun on the same machine gives
# byte-identical files (check with git diff).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"

"$ROOT/squall" --version > /dev/null   # builds benchmarks/target (the launcher class path) when stale
"$ROOT/validation/llama-ref/build.sh" > /dev/null

java_ok() { [ -x "$1/bin/java" ] && "$1/bin/java" -version 2>&1 | grep -qE 'version "(2[5-9]|[3-9][0-9])'; }
if [ -z "${JAVA_HOME:-}" ] || ! java_ok "$JAVA_HOME"; then
  for candidate in /usr/lib/jvm/temurin-25* /usr/lib/jvm/*-25* /usr/lib/jvm/*25*; do
    if java_ok "$candidate"; then JAVA_HOME="$candidate"; break; fi
  done
fi
java_ok "${JAVA_HOME:-}" || { echo "regenerate.sh: no Java 25 JDK found; set JAVA_HOME to one" >&2; exit 1; }

TARGET="$ROOT/benchmarks/target"
cd "$ROOT/validation"
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:-UsePerfData \
  -Dsquall.home="$ROOT" -cp "$TARGET/benchmarks.jar:$TARGET/lib/*" dev.squall.validation.quant.RegenerateQuantReferences "$@"
