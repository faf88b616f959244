#!/usr/bin/env bash
# Configures and builds OpenHinge.
#   tools/build.sh [--type Release|Debug|RelWithDebInfo] [--sanitize address,undefined|thread]
#                  [--dir build-dir] [--no-tests]
# Uses Ninja and ccache when present; at most 2 parallel jobs (the machines
# have 2 cores and 24 GiB; CAF and Beast translation units are large).
set -euo pipefail
cd "$(dirname "$0")/.."

type=RelWithDebInfo
sanitize=""
dir=""
tests=ON
while [ $# -gt 0 ]; do
  case "$1" in
    --type) type="$2"; shift 2 ;;
    --sanitize) sanitize="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --no-tests) tests=OFF; shift ;;
    *) echo "build.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
if [ -z "$dir" ]; then
  dir=build
  [ -n "$sanitize" ] && dir="build-${sanitize//,/-}"
  [ "$type" = Release ] && [ -z "$sanitize" ] && dir=build-release
fi

jobs="${OH_JOBS:-$(nproc)}"
[ "$jobs" -gt 2 ] && jobs=2
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" \
  -DOH_SANITIZE="$sanitize" -DOH_BUILD_TESTS="$tests" >/dev/null
cmake --build "$dir" -j "$jobs" >&2
echo "$dir"
