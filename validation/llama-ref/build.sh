#!/usr/bin/env bash
# Builds build/llama-ref against the prebuilt llama.cpp that node-llama-cpp 3.21.1 ships and prints
# the binary's path on stdout (everything else goes to stderr). Safe to rerun: npm ci runs only when
# node_modules is missing or package-lock.json changed, the headers are extracted once per bundle
# commit, and the compile takes a second.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="$here/build"
cc="${CC:-gcc}"

fail() {
    echo "build.sh: $*" >&2
    exit 1
}

need() {
    command -v "$1" > /dev/null 2>&1 || fail "'$1' not found on PATH; it $2"
}

need npm "installs the pinned packages (Node.js 20 or later)"
need git "extracts llama.cpp's headers from the source bundle in node-llama-cpp"
need "$cc" "compiles llama-ref (set CC to use another compiler)"
need sha256sum "tells whether package-lock.json changed since the last npm ci"

mkdir -p "$build"
cd "$here"

# 1. The pinned npm packages. --ignore-scripts: node-llama-cpp's postinstall would download or build
#    llama.cpp, and we want exactly the binaries it ships. --omit=optional: skips the CUDA, Vulkan
#    and other platforms' binaries, about 650 MB; the linux-x64 CPU package is a direct dependency.
lock_sum="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ ! -d node_modules || "$(cat "$build/npm-ci.stamp" 2> /dev/null)" != "$lock_sum" ]]; then
    echo "build.sh: npm ci (node_modules missing or package-lock.json changed)" >&2
    npm ci --ignore-scripts --omit=optional --no-audit --no-fund >&2 || fail "npm ci failed"
    echo "$lock_sum" > "$build/npm-ci.stamp"
fi

libdir="$here/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64"
bundle="$here/node_modules/node-llama-cpp/llama/gitRelease.bundle"
[[ -d "$libdir" ]] \
    || fail "prebuilt libraries missing: $libdir (@node-llama-cpp/linux-x64 installs only on Linux x64 with glibc)"
[[ -f "$bundle" ]] || fail "llama.cpp source bundle missing: $bundle"
shopt -s nullglob
libllama=("$libdir"/libllama.v*.so)
libggml=("$libdir"/libggml.v*.so)
cpu_variants=("$libdir"/libggml-cpu-*.so)
shopt -u nullglob
((${#libllama[@]} == 1)) || fail "expected one libllama.v*.so in $libdir, found ${#libllama[@]}"
((${#libggml[@]} == 1)) || fail "expected one libggml.v*.so in $libdir, found ${#libggml[@]}"
[[ -f "$libdir/libggml-base.so" ]] || fail "libggml-base.so missing from $libdir"
((${#cpu_variants[@]} > 0)) || fail "no CPU backend (libggml-cpu-*.so) in $libdir"

# 2. The headers of the exact llama.cpp commit those binaries were built from, flattened into
#    build/include. A bare clone is enough: git show reads the files without a checkout.
commit="$(git bundle list-heads "$bundle" | awk '$2 == "HEAD" { print $1 }')"
[[ -n "$commit" ]] || fail "no HEAD in the bundle $bundle"
if [[ "$(cat "$build/include/COMMIT" 2> /dev/null)" != "$commit" ]]; then
    echo "build.sh: extracting llama.cpp headers of commit $commit" >&2
    rm -rf "$build/llama.cpp.git" "$build/include"
    git clone --quiet --bare "$bundle" "$build/llama.cpp.git" >&2 || fail "cannot clone the bundle $bundle"
    mkdir -p "$build/include"
    headers="$(git --git-dir="$build/llama.cpp.git" ls-tree --name-only "$commit" include/ ggml/include/ | grep '\.h$')"
    for h in $headers; do
        git --git-dir="$build/llama.cpp.git" show "$commit:$h" > "$build/include/${h##*/}"
    done
    [[ -f "$build/include/llama.h" && -f "$build/include/ggml-backend.h" ]] \
        || fail "llama.h or ggml-backend.h not found in the bundle at $commit"
    echo "$commit" > "$build/include/COMMIT"
fi

# 3. Compile. The rpath is relative to the binary so the checkout may move.
rpath="\$ORIGIN/../node_modules/@node-llama-cpp/linux-x64/bins/linux-x64"
"$cc" -O2 -std=c11 -Wall -Wextra -I"$here" -I"$build/include" "$here"/*.c -o "$build/llama-ref.tmp" \
    -L"$libdir" -l:"${libllama[0]##*/}" -l:"${libggml[0]##*/}" -l:libggml-base.so -Wl,-rpath,"$rpath" \
    || fail "compiling llama-ref failed"
mv -f "$build/llama-ref.tmp" "$build/llama-ref"
"$build/llama-ref" --help > /dev/null || fail "the built $build/llama-ref does not start (shared libraries?)"
echo "$build/llama-ref"
