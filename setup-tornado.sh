#!/usr/bin/env bash
# Finds a TornadoVM SDK for Squall's TornadoVM backend and tells the launcher and CI where it is.
#   ./setup-tornado.sh [--sdk DIR]
# Uses --sdk DIR, else $TORNADOVM_HOME. Without an SDK it explains how to get one and exits 0:
# everything else in Squall builds and runs without TornadoVM.
set -euo pipefail

SDK="${TORNADOVM_HOME:-}"
while [ $# -gt 0 ]; do
  case "$1" in
    --sdk) SDK="${2:?--sdk needs a directory}"; shift 2 ;;
    --check) if [ -n "$SDK" ]; then echo "TornadoVM SDK: $SDK"; else echo "TornadoVM: not installed (the TornadoVM suites are skipped)"; fi; exit 0 ;;
    -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup-tornado.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

if [ -z "$SDK" ]; then
  cat <<'MSG'
TornadoVM is not installed: Squall runs on the Java backend only (./squall devices lists it).
To add TornadoVM devices, install a TornadoVM SDK (OpenCL backend; https://github.com/beehive-lab/TornadoVM,
a release archive or a build of the v5.2.0-jdk25 tag) and run:
    ./setup-tornado.sh --sdk /path/to/tornadovm-sdk
MSG
  exit 0
fi
if [ ! -x "$SDK/bin/tornado" ]; then
  echo "setup-tornado.sh: $SDK is not a TornadoVM SDK (no bin/tornado)" >&2
  exit 1
fi
echo "TornadoVM SDK: $SDK"
"$SDK/bin/tornado" --devices
