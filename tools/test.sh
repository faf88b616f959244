#!/usr/bin/env bash
# Sets everything up on a fresh Debian 12 machine, builds and runs the whole
# test suite (unit, actors, http, integration).
#   tools/test.sh [--sanitize address,undefined|thread] [--label REGEX]
set -euo pipefail
cd "$(dirname "$0")/.."

sanitize=""
label=""
while [ $# -gt 0 ]; do
  case "$1" in
    --sanitize) sanitize="$2"; shift 2 ;;
    --label) label="$2"; shift 2 ;;
    *) echo "test.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

bash tools/install-deps.sh
args=(--type Debug)
[ -n "$sanitize" ] && args+=(--sanitize "$sanitize")
dir=$(bash tools/build.sh "${args[@]}" | tail -n 1)

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$PWD/tools/ubsan.supp"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tools/tsan.supp"
export LSAN_OPTIONS="suppressions=$PWD/tools/lsan.supp"

ctest_args=(--test-dir "$dir" --output-on-failure -j 2 --timeout 300 --no-tests=error)
[ -n "$label" ] && ctest_args+=(-L "$label")
ctest "${ctest_args[@]}"

# End to end: the OpenAI and Anthropic Node SDKs and the dashboard in Debian's
# headless Chromium against the real gateway and fake upstream (label "e2e";
# part of the plain run, skipped when another label is chosen). Dashboard
# screenshots land in test/e2e/artifacts.
if [ -z "$label" ] || [[ "e2e" =~ ^($label)$ ]]; then
  (cd test/e2e && npm ci --no-audit --no-fund --loglevel=error \
     && OH_BIN_DIR="$PWD/../../$dir/bin" npm test)
fi
