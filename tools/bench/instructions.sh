#!/usr/bin/env bash
# Instructions per request: the gateway (governance on, as in run.sh) and the
# stack's floor (beast_proxy) run under valgrind's callgrind while loadgen
# sends a fixed number of non-streaming requests at a low fixed rate.
# Callgrind counts the user-space instructions each thread executes, so the
# figure does not move with the machine's load the way req/s and CPU time
# do: on the noisy 2-core VMs it is the way to A/B a change worth a few per
# cent. Kernel time (the socket calls) is not counted; run.sh measures that.
#
#   tools/bench/instructions.sh [--requests N] [--bin DIR] [--top N] [--keep DIR]
#
# Prints Ir/request per thread role (io, logger, other) for the gateway, the
# floor's total, and with --top the N costliest functions of the gateway's
# I/O threads (inclusive). The logger's figure depends on the batch size:
# at this low rate a flush holds a few rows, so it is the per-row cost of
# small batches, not of a loaded gateway's (see docs/performance.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

requests=800
rate=40
bin=""
top=0
keep=""
while [ $# -gt 0 ]; do
  case "$1" in
    --requests) requests="$2"; shift 2 ;;
    --bin) bin="$2"; shift 2 ;;
    --top) top="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    *) echo "instructions.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

source tools/bench/common.sh
install_missing nginx valgrind
if [ -z "$bin" ]; then
  bash tools/install-deps.sh >/dev/null
  bin="$root/$(bash tools/build.sh --type Release --no-tests | tail -n 1)/bin"
fi

work=$(mktemp -d /tmp/openhinge-instr.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$work/nginx-upstream.conf" ] && "$NGINX" -c "$work/nginx-upstream.conf" -s stop 2>/dev/null || true
  wait 2>/dev/null || true
  if [ -n "$keep" ]; then mkdir -p "$keep" && cp "$work"/cg.* "$keep"/ 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

start_fast_upstream

body="$work/body.json"
echo '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello"}],"max_tokens":16}' > "$body"
seconds=$(( (requests + rate - 1) / rate ))

# measure NAME PORT PID AUTH: warm up, zero the counters, send the requests,
# dump; prints "role Ir/request" lines.
measure() {
  local name=$1 port=$2 pid=$3 auth=$4
  "$bin/loadgen" --port "$port" --body "$body" --header "Authorization: Bearer $auth" \
    --mode open --rate 20 --duration 3 --conns 8 >/dev/null
  sleep 1
  callgrind_control -z "$pid" >/dev/null
  local json
  json=$("$bin/loadgen" --port "$port" --body "$body" --header "Authorization: Bearer $auth" \
    --mode open --rate "$rate" --duration "$seconds" --conns 8)
  sleep 1.5 # the usage logger flushes every 100 ms
  callgrind_control -d "$pid" >/dev/null
  sleep 0.5
  local n errors
  n=$(echo "$json" | sed 's/.*"completed":\([0-9]*\).*/\1/')
  errors=$(echo "$json" | sed 's/.*"errors":\([0-9]*\).*/\1/')
  [ "$errors" = 0 ] || { echo "$name: $errors requests failed" >&2; exit 1; }
  measured_n=$n
  for f in "$work"/cg."$pid".1-*; do
    local ir role=other
    ir=$(awk '/^(summary|totals):/{print $2; exit}' "$f")
    grep -q "insert_batch" "$f" && role=logger
    grep -q "scheduler::run" "$f" && role=io
    echo "$role ${ir:-0}"
  done | awk -v n="$n" -v name="$name" '
    { sum[$1] += $2; total += $2 }
    END {
      for (r in sum) if (sum[r] > 0) printf "%s %s Ir/request: %d\n", name, r, sum[r] / n
      printf "%s total Ir/request: %d (%d requests)\n", name, total / n, n
    }' | sort
}

# --- the gateway, governance on ------------------------------------------------
OPENHINGE_CONFIG="" valgrind --tool=callgrind --separate-threads=yes \
  --callgrind-out-file="$work/cg.%p" "$bin/openhinge" --port 0 --data-dir "$work/oh" \
  --log-level warn >"$work/openhinge.log" 2>&1 &
oh_pid=$!
pids+=($oh_pid)
setup_gateway "$work/oh"
measure openhinge "$oh_port" "$oh_pid" "$key"
if [ "$top" -gt 0 ]; then
  echo "costliest functions on the gateway's I/O threads (inclusive Ir per request):"
  for f in "$work"/cg."$oh_pid".1-*; do
    if grep -q "scheduler::run" "$f"; then callgrind_annotate --inclusive=yes "$f" 2>/dev/null; fi
  done | awk -v n="$measured_n" '
    /^ *[0-9,]+ \(/ { ir = $1; gsub(",", "", ir); sub(/^ *[0-9,]+ +\( *[0-9.]+%\) +/, ""); s[$0] += ir }
    END { for (k in s) printf "%d %s\n", s[k] / n, k }' | sort -nr | head -n "$top" | cut -c1-160 || true
fi
kill "$oh_pid"; wait "$oh_pid" 2>/dev/null || true

# --- the stack's floor ------------------------------------------------------------
bp_port=$(free_port)
valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$work/cg.%p" \
  "$bin/beast_proxy" --port "$bp_port" --upstream-port "$up_port" --threads 2 >/dev/null 2>&1 &
bp_pid=$!
pids+=($bp_pid)
wait_port "$bp_port"
measure beast "$bp_port" "$bp_pid" none
