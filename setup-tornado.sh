#!/usr/bin/env bash
# Finds or installs a TornadoVM SDK for Squall's TornadoVM backend and records it for the launcher,
# Maven and CI. It never builds TornadoVM.
#
#   ./setup-tornado.sh [--sdk DIR] [--backend opencl|ptx|cuda|spirv|metal|full] [--no-download]
#   ./setup-tornado.sh --check
#
# The SDK: --sdk DIR, else $TORNADOVM_HOME, else the one recorded before, else the official prebuilt
# release of the version Squall builds against (tornado.version in pom.xml) for --backend (default
# opencl), downloaded from TornadoVM's GitHub releases into ~/.squall/tornadovm/.
# Then it checks the SDK (tornado --devices), makes tornado-api resolvable for Maven (installing the
# SDK's jar into the local repository when no registry serves it), and records:
#   ~/.squall/tornado.env       TORNADOVM_HOME and the version (read by ./squall and .ci/run)
#   ~/.squall/tornado-argfile   the SDK's JVM flags, without "." on the module path
# --check prints what is recorded and whether it still works. Without an SDK both explain how to
# get one and exit 0: everything else in Squall builds and runs without TornadoVM.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE="${SQUALL_STATE_DIR:-$HOME/.squall}"
ENV_FILE="$STATE/tornado.env"
ARGFILE="$STATE/tornado-argfile"

say() { echo "setup-tornado.sh: $*" >&2; }
usage() { sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; }

SDK="${TORNADOVM_HOME:-}"
BACKEND=opencl
CHECK=0
DOWNLOAD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --sdk) SDK="${2:?--sdk needs a directory}"; shift 2 ;;
    --backend) BACKEND="${2:?--backend needs one of opencl, ptx, cuda, spirv, metal, full}"; shift 2 ;;
    --no-download) DOWNLOAD=0; shift ;;
    --check) CHECK=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) say "unknown argument '$1' (try --help)"; exit 2 ;;
  esac
done
case "$BACKEND" in opencl|ptx|cuda|spirv|metal|full) ;; *) say "--backend $BACKEND: expected opencl, ptx, cuda, spirv, metal or full"; exit 2 ;; esac

VERSION="$(sed -n 's:.*<tornado.version>\(.*\)</tornado.version>.*:\1:p' "$ROOT/pom.xml" | head -1)"
[ -n "$VERSION" ] || { say "cannot read tornado.version from $ROOT/pom.xml"; exit 1; }

java_ok() { [ -x "$1/bin/java" ] && "$1/bin/java" -version 2>&1 | grep -qE 'version "(2[5-9]|[3-9][0-9])'; }
find_java() {
  if [ -n "${JAVA_HOME:-}" ] && java_ok "$JAVA_HOME"; then return; fi
  for candidate in /usr/lib/jvm/temurin-25* /usr/lib/jvm/*-25* /usr/lib/jvm/*25*; do
    if java_ok "$candidate"; then JAVA_HOME="$candidate"; export JAVA_HOME; return; fi
  done
  say "no Java 25 JDK found; set JAVA_HOME to one"
  exit 1
}

not_installed() {
  cat <<MSG
TornadoVM is not installed: Squall runs on the Java backend only (./squall devices lists it).
To add TornadoVM devices, get a TornadoVM $VERSION SDK for your accelerator (prebuilt: https://www.tornadovm.org/downloads,
https://github.com/beehive-lab/TornadoVM/releases or 'sdk install tornadovm $VERSION-$BACKEND' with SDKMAN), then run
    ./setup-tornado.sh --sdk /path/to/tornadovm-sdk
or let this script download the prebuilt release where the network allows: ./setup-tornado.sh --backend opencl
MSG
}

# ---------------------------------------------------------------- --check
if [ "$CHECK" = 1 ]; then
  if [ ! -f "$ENV_FILE" ]; then
    echo "TornadoVM: not installed (no SDK recorded in $ENV_FILE; the TornadoVM suites are skipped; ./setup-tornado.sh adds one)"
    exit 0
  fi
  # shellcheck disable=SC1090
  . "$ENV_FILE"
  if [ -x "$TORNADOVM_HOME/bin/tornado" ] && [ -f "$ARGFILE" ]; then
    echo "TornadoVM SDK: $TORNADOVM_HOME (version $TORNADOVM_VERSION; JVM flags $ARGFILE)"
    if [ "$TORNADOVM_VERSION" != "$VERSION" ]; then
      echo "TornadoVM: the recorded SDK is $TORNADOVM_VERSION but Squall builds against $VERSION: run ./setup-tornado.sh with a $VERSION SDK"
    fi
  else
    echo "TornadoVM: the SDK recorded in $ENV_FILE ($TORNADOVM_HOME) is gone or incomplete; run ./setup-tornado.sh again"
  fi
  exit 0
fi

# ---------------------------------------------------------------- find or download the SDK
if [ -z "$SDK" ] && [ -f "$ENV_FILE" ]; then
  # shellcheck disable=SC1090
  SDK="$(. "$ENV_FILE"; echo "$TORNADOVM_HOME")"
fi

platform() {
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) echo linux-amd64 ;;
    Linux-aarch64) echo linux-aarch64 ;;
    Darwin-arm64) echo macos-aarch64 ;;
    *) echo "" ;;
  esac
}

download() {
  local plat asset url dest tmp
  plat="$(platform)"
  if [ -z "$plat" ]; then
    say "no prebuilt TornadoVM release is known for $(uname -s) $(uname -m)"
    return 1
  fi
  asset="tornadovm-$VERSION-$BACKEND-$plat.zip"
  url="https://github.com/beehive-lab/TornadoVM/releases/download/v$VERSION/$asset"
  dest="$STATE/tornadovm/tornadovm-$VERSION-$BACKEND"
  if [ -x "$dest/bin/tornado" ]; then SDK="$dest"; return 0; fi
  command -v unzip > /dev/null || { say "unzip is needed to unpack $asset"; return 1; }
  mkdir -p "$STATE/tornadovm"
  tmp="$(mktemp -d "$STATE/tornadovm/download.XXXXXX")"
  say "downloading $url ..."
  if command -v curl > /dev/null; then
    curl -fsSL --connect-timeout 20 --retry 2 -o "$tmp/$asset" "$url" || { rm -rf "$tmp"; say "could not download $url"; return 1; }
  elif command -v wget > /dev/null; then
    wget -q -T 20 -O "$tmp/$asset" "$url" || { rm -rf "$tmp"; say "could not download $url"; return 1; }
  else
    rm -rf "$tmp"; say "neither curl nor wget is installed"; return 1
  fi
  unzip -q "$tmp/$asset" -d "$tmp/unpacked"
  local home
  home="$(dirname "$(dirname "$(find "$tmp/unpacked" -path '*/bin/tornado' -type f | head -1)")")"
  [ -x "$home/bin/tornado" ] || { rm -rf "$tmp"; say "$asset holds no bin/tornado"; return 1; }
  rm -rf "$dest"
  mv "$home" "$dest"
  rm -rf "$tmp"
  SDK="$dest"
}

if [ -z "$SDK" ]; then
  if [ "$DOWNLOAD" = 0 ] || ! download; then
    not_installed
    exit 0
  fi
fi
SDK="$(cd "$SDK" 2> /dev/null && pwd)" || { say "$SDK: no such directory"; exit 1; }
[ -x "$SDK/bin/tornado" ] || { say "$SDK is not a TornadoVM SDK (no bin/tornado)"; exit 1; }

# ---------------------------------------------------------------- check it
find_java
API_JAR="$SDK/share/java/tornado/tornado-api-$VERSION.jar"
if [ ! -f "$API_JAR" ]; then
  found="$(ls "$SDK"/share/java/tornado/tornado-api-*.jar 2> /dev/null | head -1)"
  say "$SDK is not TornadoVM $VERSION (${found:+it has $(basename "$found"); }Squall builds against tornado.version $VERSION in pom.xml): use a $VERSION SDK or change the property"
  exit 1
fi
echo "TornadoVM SDK: $SDK (version $VERSION)"
if ! devices="$(cd /tmp && TORNADOVM_HOME="$SDK" "$SDK/bin/tornado" --devices 2>&1)" || ! grep -q "Tornado device=" <<< "$devices"; then
  echo "$devices" >&2
  say "tornado --devices found no device with this SDK (is the driver installed? e.g. ocl-icd-libopencl1 and pocl-opencl-icd for the CPU)"
  exit 1
fi
sed 's/\x1b\[[0-9;]*m//g' <<< "$devices" | grep -E "Tornado device=| -- |Global Memory|Local Memory"

# ---------------------------------------------------------------- Maven: tornado-api
ARTIFACT="io.github.beehive-lab:tornado-api:$VERSION"
if (cd "$ROOT" && mvn -B -q -o dependency:get -Dartifact="$ARTIFACT" > /dev/null 2>&1); then
  echo "Maven: $ARTIFACT is in the local repository"
elif (cd "$ROOT" && mvn -B -q dependency:get -Dartifact="$ARTIFACT" > /dev/null 2>&1); then
  echo "Maven: $ARTIFACT resolved from the registry"
else
  echo "Maven: no registry serves $ARTIFACT; installing the SDK's jar into the local repository"
  (cd "$ROOT" && mvn -B -q install:install-file -Dfile="$API_JAR" -DgroupId=io.github.beehive-lab -DartifactId=tornado-api \
      -Dversion="$VERSION" -Dpackaging=jar) || { say "mvn install:install-file failed for $API_JAR"; exit 1; }
fi

# ---------------------------------------------------------------- record it
mkdir -p "$STATE"
if [ -f "$SDK/tornado-argfile" ]; then
  # The SDK's own argfile, minus "." on the module path: a working directory holding jars breaks startup.
  sed -E '/^--module-path /{s#(^--module-path |:)\.(:|$)#\1#g; s#^--module-path :#--module-path #}' "$SDK/tornado-argfile" > "$ARGFILE.tmp"
else
  # No argfile in the SDK: the flags its launcher prints, one per line, export lists inlined
  # (argfiles cannot include argfiles), "." dropped from the module path.
  flags="$(cd /tmp && TORNADOVM_HOME="$SDK" "$SDK/bin/tornado" --printJavaFlags 2> /dev/null)"
  : > "$ARGFILE.tmp"
  first=1
  for token in $flags; do
    if [ "$first" = 1 ]; then first=0; continue; fi
    case "$token" in
      @*) grep -v '^#' "${token#@}" | grep -v '^$' >> "$ARGFILE.tmp" ;;
      .:*) echo "${token#.:}" >> "$ARGFILE.tmp" ;;
      *) echo "$token" >> "$ARGFILE.tmp" ;;
    esac
  done
fi
grep -q -- "--module-path" "$ARGFILE.tmp" || { rm -f "$ARGFILE.tmp"; say "could not derive TornadoVM's JVM flags from $SDK"; exit 1; }
mv "$ARGFILE.tmp" "$ARGFILE"
cat > "$ENV_FILE" <<EOF
# Written by setup-tornado.sh: the TornadoVM SDK Squall uses (read by ./squall and .ci/run).
TORNADOVM_HOME=$SDK
TORNADOVM_VERSION=$VERSION
EOF
echo "Recorded: $ENV_FILE and $ARGFILE"
echo "Next: ./squall devices; ./squall validate --device tornado:0:0; ./squall generate -m sample:tiny --device tornado:0:0"
