#!/usr/bin/env bash
# How long a CLI command takes against a local gateway (issue #21: a
# resource command must answer in under 100 ms, so the binary may not start
# the server's machinery to be a client). Each command is run N times as a
# whole process; the baseline is curl asking the same admin route in the
# same run, so the ratio shows what starting our binary and printing a table
# add to one HTTP call.
#
#   tools/bench/cli.sh [--runs N] [--bin-dir DIR]
#
# Prints a Markdown table of medians (ms). Loopback only; the gateway is
# stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

runs=50
bin=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --bin-dir) bin="$2"; shift 2 ;;
    *) echo "cli.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

source tools/bench/common.sh
[ -n "$bin" ] || bin="$root/$(bash tools/build.sh --type Release --no-tests | tail -n 1)/bin"

work=$(mktemp -d /tmp/openhinge-bench-cli.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

start_gateway "$bin" --threads 2
pids+=("$pid")
admin() { curl -sf -H "Authorization: Bearer $token" -X "$1" "http://127.0.0.1:$oh_port$2" -d "${3:-}"; }
# Something to list: 20 keys, 5 accounts, 5 souls.
for i in $(seq 1 20); do admin POST /admin/keys "{\"name\":\"k$i\"}" >/dev/null; done
for i in $(seq 1 5); do
  admin POST /admin/providers "{\"name\":\"p$i\",\"type\":\"openai\",\"base_url\":\"http://127.0.0.1:9\",\"credentials\":{\"api_key\":\"sk-$i\"}}" >/dev/null
  admin POST /admin/souls "{\"name\":\"Soul $i\",\"system_prompt\":\"x\"}" >/dev/null
done

# median_ms CMD...: runs the command $runs times, prints the median wall
# time in milliseconds (date +%s%N around each run).
median_ms() {
  local times=()
  for _ in $(seq 1 "$runs"); do
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {m=a[int((NR+1)/2)]; printf "%.1f", m/1000}'
}

export OPENHINGE_DATA_DIR="$work/data" NO_COLOR=1
curl_keys=$(median_ms curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$oh_port/admin/keys")
cli_keys=$(median_ms "$bin/openhinge" key list)
cli_keys_json=$(median_ms "$bin/openhinge" key list --json)
curl_status=$(median_ms curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$oh_port/admin/system/status")
cli_status=$(median_ms "$bin/openhinge" status)
cli_providers=$(median_ms "$bin/openhinge" provider list)
cli_help=$(median_ms "$bin/openhinge" help)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "| command ($runs runs, median) | ms | × curl of the same route |"
echo "|---|---|---|"
echo "| curl /admin/keys (baseline) | $curl_keys | 1.00 |"
echo "| openhinge key list | $cli_keys | $(ratio "$cli_keys" "$curl_keys") |"
echo "| openhinge key list --json | $cli_keys_json | $(ratio "$cli_keys_json" "$curl_keys") |"
echo "| curl /admin/system/status (baseline) | $curl_status | 1.00 |"
echo "| openhinge status | $cli_status | $(ratio "$cli_status" "$curl_status") |"
echo "| openhinge provider list | $cli_providers | |"
echo "| openhinge help (no gateway) | $cli_help | |"
