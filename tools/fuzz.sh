#!/usr/bin/env bash
# Builds the libFuzzer targets of test/fuzz with clang++-15 in build-fuzz
# and runs each for a bounded time (SPEC §14). Fails on any crash, leak,
# timeout or broken invariant, naming the reproducer.
#   tools/fuzz.sh [--seconds N] [--target NAME] [--jobs N]
# --seconds: per target (default 12); --target: one target (name without
# the fuzz_ prefix); --jobs: targets run at once (default: 2, or 1 on a
# one-core machine; OH_JOBS overrides).
# Corpus: the golden transcripts (test/golden) and the hand-written seeds
# (test/fuzz/seeds/<target>) seed build-fuzz/corpus/<target>, which keeps
# what each run finds for the next one (never committed).
# Reproduce a failure: build-fuzz/bin/fuzz_<target> <reproducer file>
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

seconds=12
only=""
jobs="${OH_JOBS:-$(nproc)}"
[ "$jobs" -gt 2 ] && jobs=2
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --target) only="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    *) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

# -- packages (idempotent, as tools/install-deps.sh) -------------------------
# clang-15 brings libFuzzer and the sanitizer runtimes
# (libclang-common-15-dev on Debian 12); jq extracts the golden seeds.
packages=(clang-15 cmake ninja-build jq libboost1.81-dev rapidjson-dev
          libspdlog-dev libfmt-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# -- build ---------------------------------------------------------------------
dir=build-fuzz
CC=clang-15 CXX=clang++-15 cmake -S . -B "$dir" -G Ninja \
  -DCMAKE_BUILD_TYPE=Debug -DOH_FUZZ=ON >/dev/null
build_target=all
[ -n "$only" ] && build_target="fuzz_$only"
cmake --build "$dir" -j "$jobs" --target "$build_target" >&2
built=$(date +%s)
echo "fuzz: built in $((built - start)) s"

# -- seeds from the golden transcripts ----------------------------------------
# Generated afresh each run into $dir/seeds/<target> (read-only corpus
# directories for libFuzzer); the upstream targets' inputs start with an
# options byte and a cut byte (test/fuzz/upstream_answer.hpp).
seeds="$dir/seeds"
rm -rf "$seeds"
targets=(http_request http_response json openai_request anthropic_request sse
         ndjson openai_upstream claude_upstream gemini_upstream ollama_upstream
         chatgpt_upstream admin_json config)
for t in "${targets[@]}"; do mkdir -p "$seeds/$t"; done

# Writes the bytes given as printf escapes ($2), then stdin, to file $1.
seed() {
  { printf "$2"; cat; } >"$1"
}

tmp="$seeds/tmp"
for f in test/golden/*/*.json; do
  id=$(basename "$(dirname "$f")")-$(basename "$f" .json)
  cp "$f" "$seeds/json/$id"
  # Three jq runs per file (a run costs more than the work).
  IFS=$'\t' read -r ingress provider stream usage auth upstream < <(jq -r '[
      .ingress, .provider, (.client_request.stream // false),
      (.client_request.stream_options.include_usage // false), has("auth"),
      (if has("upstream_stream") then "stream"
       elif has("upstream_response") then "response" else "none" end)
    ] | @tsv' "$f")
  # The client's body, as such and as an HTTP request.
  jq -j -c '.client_request | tojson' "$f" >"$seeds/${ingress}_request/$id"
  path=/v1/chat/completions
  [ "$ingress" = anthropic ] && path=/v1/messages
  { printf '\x07POST %s HTTP/1.1\r\nHost: 127.0.0.1:3700\r\nAuthorization: Bearer ohk_x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n' \
      "$path" "$(stat -c %s "$seeds/${ingress}_request/$id")"
    cat "$seeds/${ingress}_request/$id"; } >"$seeds/http_request/$id"
  # What the upstream sent: a stream, or a whole answer.
  case "$upstream" in
    stream) jq -j .upstream_stream "$f" >"$tmp" ;;
    response) jq -j '.upstream_response | tojson' "$f" >"$tmp" ;;
    *) continue ;; # refused before anything went upstream
  esac
  opts=0
  [ "$auth" = true ] && opts=8
  [ "$ingress" = anthropic ] && opts=$((opts | 1))
  [ "$usage" = true ] && opts=$((opts | 2))
  [ "$stream" = true ] || opts=$((opts | 16))
  case "$provider" in
    openai) target=openai_upstream; [ "$auth" = true ] && target=chatgpt_upstream ;;
    *) target=${provider}_upstream ;;
  esac
  seed "$seeds/$target/$id" "$(printf '\\x%02x\\x40' "$opts")" <"$tmp"
  # Again with a soul's response schema (the verdict paths).
  seed "$seeds/$target/$id-schema" "$(printf '\\x%02x\\x40' $((opts | 4)))" <"$tmp"
  if [ "$stream" = true ]; then
    framing=sse
    [ "$provider" = ollama ] && framing=ndjson
    seed "$seeds/$framing/$id" '\x85' <"$tmp"
    seed "$seeds/$framing/$id-whole" '\x00' <"$tmp"
    { printf '\x05HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n%x\r\n' \
        "$(stat -c %s "$tmp")"
      cat "$tmp"; printf '\r\n0\r\n\r\n'; } >"$seeds/http_response/$id"
  fi
done
rm -f "$tmp"

# -- run -----------------------------------------------------------------------
[ -n "$only" ] && targets=("$only")
# Stack traces with file and line: clang's runtime finds no symbolizer of
# its own version unless llvm-15 is installed; any llvm-symbolizer reads
# the DWARF of this build.
symbolizer=$(command -v llvm-symbolizer-15 || command -v llvm-symbolizer || true)
sanitizer_options="abort_on_error=1:print_stacktrace=1"
[ -n "$symbolizer" ] \
  && sanitizer_options+=":external_symbolizer_path=$symbolizer"
export ASAN_OPTIONS="detect_leaks=1:$sanitizer_options"
export UBSAN_OPTIONS="halt_on_error=1:$sanitizer_options"
rm -rf "$dir/logs"
mkdir -p "$dir/logs" "$dir/artifacts"
run_target() {
  local t=$1
  mkdir -p "$dir/corpus/$t" "$dir/artifacts/$t"
  local hand=()
  [ -d "test/fuzz/seeds/$t" ] && hand=("test/fuzz/seeds/$t")
  # -timeout: one input; -rss_limit_mb: the process; leaks are reported
  # (LeakSanitizer) like crashes.
  "$dir/bin/fuzz_$t" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 \
    -artifact_prefix="$dir/artifacts/$t/" \
    "$dir/corpus/$t" "$seeds/$t" "${hand[@]}" >"$dir/logs/$t.log" 2>&1
}

failed=()
running=0
for t in "${targets[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
  (run_target "$t" && echo ok >"$dir/logs/$t.status" \
     || echo failed >"$dir/logs/$t.status") &
  running=$((running + 1))
done
wait

printf '%-18s %12s %9s %8s  %s\n' target executions exec/s corpus result
for t in "${targets[@]}"; do
  log="$dir/logs/$t.log"
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  corpus=$(find "$dir/corpus/$t" -type f | wc -l)
  result=$(cat "$dir/logs/$t.status" 2>/dev/null || echo failed)
  printf '%-18s %12s %9s %8s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "$corpus" "$result"
  if [ "$result" != ok ]; then
    failed+=("$t")
    grep -E "^(==[0-9]+==ERROR|SUMMARY|invariant violated)" "$log" | head -n 5 || true
    reproducer=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    echo "  log: $log"
    [ -n "$reproducer" ] && echo "  reproducer: $reproducer (run: $dir/bin/fuzz_$t $reproducer)"
  fi
done
echo "fuzz: ${#targets[@]} targets, ${seconds} s each, $(( $(date +%s) - start )) s in all"
echo "fuzz: $((${#targets[@]} - ${#failed[@]})) passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
