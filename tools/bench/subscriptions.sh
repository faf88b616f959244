#!/usr/bin/env bash
# What a subscription account costs over an API-key account (issue #19):
# the same Claude answer from the fake upstream reached directly ("direct",
# with the Claude Code headers and identity system block the subscription
# wire needs), through the gateway to a Claude API-key account ("api_key")
# and through the gateway to a Claude subscription account ("oauth": bearer,
# headers, the system rewritten as blocks, the token checked per lease).
# Closed loop with wrk, targets rotated per repetition so the machine's noise
# hits all of them alike.
#
#   tools/bench/subscriptions.sh [--reps N] [--duration S] [--conns C]
#
# Prints a Markdown table of medians and ratios. Everything listens on
# 127.0.0.1 and is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

reps=5
duration=3
conns=32
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) reps="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --conns) conns="$2"; shift 2 ;;
    *) echo "subscriptions.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

source tools/bench/common.sh
install_missing wrk
bin="$root/$(bash tools/build.sh --type Release --no-tests | tail -n 1)/bin"

work=$(mktemp -d /tmp/openhinge-bench-subs.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The fake accepts the same secret as an x-api-key and as a bearer.
secret="sk-ant-oat01-bench"
"$bin/fake_upstream" --flavor oauth --api-key "$secret" --port-file "$work/fake.port" >/dev/null 2>&1 &
pids+=($!)
wait_file "$work/fake.port"
fake_port=$(cat "$work/fake.port")

start_gateway "$bin" --threads 2
pids+=("$pid")
admin() { curl -sf -H "Authorization: Bearer $token" -X "$1" "http://127.0.0.1:$oh_port$2" -d "${3:-}"; }
admin POST /admin/providers "{\"name\":\"claude-key\",\"type\":\"claude\",\"base_url\":\"http://127.0.0.1:$fake_port\",\"credentials\":{\"api_key\":\"$secret\"}}" >/dev/null
admin POST /admin/providers/claude-oauth "{\"name\":\"claude-sub\",\"access_token\":\"$secret\",\"base_url\":\"http://127.0.0.1:$fake_port\"}" >/dev/null
key=$(admin POST /admin/keys '{"name":"bench","rate_limit_rpm":1000000000}' | sed 's/.*"key":"\([^"]*\)".*/\1/')

# One Anthropic-dialect request each: the relay path, where the subscription
# adds only its headers and the system rewrite.
body_for() { # $1 = model field
  printf '{"model":"%s","max_tokens":64,"system":"Answer briefly.","messages":[{"role":"user","content":"Say hello."}]}' "$1"
}
body_for "claude-key/claude-sonnet-4-6" > "$work/api_key.json"
body_for "claude-sub/claude-sonnet-4-6" > "$work/oauth.json"
printf '{"model":"claude-sonnet-4-6","max_tokens":64,"system":[{"type":"text","text":"You are Claude Code, Anthropic'"'"'s official CLI for Claude."},{"type":"text","text":"Answer briefly."}],"messages":[{"role":"user","content":"Say hello."}]}' > "$work/direct.json"

lua() { # $1 name, $2 body file, then header lines
  local name="$1" file="$2"; shift 2
  {
    echo 'wrk.method = "POST"'
    echo "wrk.body = io.open(\"$file\"):read(\"*a\")"
    echo 'wrk.headers["Content-Type"] = "application/json"'
    echo 'wrk.headers["anthropic-version"] = "2023-06-01"'
    for h in "$@"; do echo "wrk.headers[\"${h%%:*}\"] = \"${h#*: }\""; done
  } > "$work/$name.lua"
}
lua direct "$work/direct.json" "Authorization: Bearer $secret" \
  "anthropic-beta: claude-code-20250219,oauth-2025-04-20" "user-agent: claude-cli/2.1.62" "x-app: cli"
lua api_key "$work/api_key.json" "x-api-key: $key"
lua oauth "$work/oauth.json" "x-api-key: $key"

# Each target answers once before the runs (and must answer 200).
direct_headers=(-H "Authorization: Bearer $secret" -H "anthropic-beta: claude-code-20250219,oauth-2025-04-20"
  -H "user-agent: claude-cli/2.1.62" -H "x-app: cli")
gateway_headers=(-H "x-api-key: $key")
for t in direct api_key oauth; do
  port=$oh_port; headers=("${gateway_headers[@]}")
  [ "$t" = direct ] && { port=$fake_port; headers=("${direct_headers[@]}"); }
  code=$(curl -s -o "$work/$t.out" -w '%{http_code}' -X POST "http://127.0.0.1:$port/v1/messages" \
    -H 'content-type: application/json' -H 'anthropic-version: 2023-06-01' "${headers[@]}" \
    --data-binary "@$work/$t.json")
  [ "$code" = 200 ] || { echo "$t answered $code: $(cat "$work/$t.out")" >&2; exit 1; }
done

to_us() { # wrk latency "1.23ms" / "850.00us" / "1.02s" → microseconds
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) print n; else if (v ~ /ms$/) print n * 1000; else print n * 1000000 }'
}
: > "$work/results.csv"
for rep in $(seq 1 "$reps"); do
  for t in direct api_key oauth; do
    port=$oh_port; [ "$t" = direct ] && port=$fake_port
    out=$(wrk -t2 -c"$conns" -d"${duration}s" --latency -s "$work/$t.lua" "http://127.0.0.1:$port/v1/messages")
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(to_us "$(echo "$out" | awk '$1 == "50%" {print $2}')")
    non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}')
    [ -z "$non2xx" ] || { echo "$t: $non2xx non-2xx answers" >&2; exit 1; }
    echo "$t,$rep,$rps,$p50" >> "$work/results.csv"
  done
done

median() { sort -n | awk '{a[NR] = $1} END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
med() { grep "^$1," "$work/results.csv" | cut -d, -f"$2" | median; }
d_rps=$(med direct 3); k_rps=$(med api_key 3); o_rps=$(med oauth 3)
d_p50=$(med direct 4); k_p50=$(med api_key 4); o_p50=$(med oauth 4)
echo "| target | req/s (median of $reps) | p50 µs | req/s vs api_key |"
echo "|---|---:|---:|---:|"
printf '| direct to the fake | %.0f | %.0f | %.2f |\n' "$d_rps" "$d_p50" "$(echo "$d_rps / $k_rps" | bc -l)"
printf '| gateway → Claude API key | %.0f | %.0f | 1.00 |\n' "$k_rps" "$k_p50"
printf '| gateway → Claude subscription | %.0f | %.0f | %.2f |\n' "$o_rps" "$o_p50" "$(echo "$o_rps / $k_rps" | bc -l)"
