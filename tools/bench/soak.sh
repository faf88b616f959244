#!/usr/bin/env bash
# OpenHinge soak run: the Release gateway on a fresh data directory in front
# of three fake upstreams (six accounts: two openai and two claude, each
# pair the other's fallback, one gemini and one ollama), 10 000 ohk_ keys
# created through the admin API (some with small rpm limits, some with
# small daily budgets), then N minutes of open-loop traffic from tools/bench/soak_driver: both dialects, streamed
# and whole, scripted upstream faults (errors, 400s, 429s, hangs, stalls,
# drops, in-band errors), clients that leave before the answer or
# mid-stream, and bursts to the limited keys. The gateway's RSS and
# descriptors are sampled all along.
#
#   tools/bench/soak.sh [--minutes N (10)] [--quick (1 minute)] [--out DIR]
#                       [--rate R (400/s)] [--keys N (10000)] [--bin-dir DIR]
#                       [--seconds S (instead of --minutes, for trials)]
#                       [--keep (the requests, the log export and the actors
#                       in DIR even when every check passes)]
#
# Checks (any failure: exit 1): RSS and descriptors flat after the warm-up;
# no stuck request (every request completed or failed within the grace
# period) and nothing in flight in the gateway afterwards (request actors,
# open streams, key and account slots, upstream streams); no key admitted
# beyond its rpm in any 60 s window; no daily budget passed by more than
# SPEC §5.2 allows; a usage-log row for every request the driver sent.
# Writes DIR/soak.csv (the samples), DIR/soak.md (the summary) and the
# gateway's log; on a failure (or with --keep) also the keys, the driver's
# requests, the log export and /admin/actors.
# Everything listens on 127.0.0.1 and is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

minutes=10
rate=400
nkeys=10000
out="$root/build-bench/soak"
bin=""
seconds=""
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --quick) minutes=1; shift ;;
    --seconds) seconds="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    --out) out="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --keys) nkeys="$2"; shift 2 ;;
    --bin-dir) bin="$2"; shift 2 ;;
    *) echo "soak.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

source tools/bench/common.sh
install_missing curl jq
# What was measured: the tree's commit when this script built it.
if [ -n "$bin" ]; then
  built="binaries from $bin"
else
  bin="$root/$(bash tools/build.sh --type Release --no-tests | tail -n 1)/bin"
  built="commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] && built="$built + uncommitted changes"
fi
for b in openhinge fake_upstream soak_driver; do
  [ -x "$bin/$b" ] || { echo "soak.sh: $bin/$b is missing" >&2; exit 2; }
done

duration=$(( minutes * 60 ))
[ -n "$seconds" ] && { duration=$seconds; minutes=$(awk -v s="$seconds" 'BEGIN {print s / 60}'); }
# Samples every 5 s (2 s in a short run); the warm-up is the first quarter
# of the traffic, at least 15 s and at most 60 s.
interval=5; [ "$duration" -le 120 ] && interval=2
warmup=$(( duration / 4 )); [ "$warmup" -lt 15 ] && warmup=15; [ "$warmup" -gt 60 ] && warmup=60
# Every scripted fault ends within ~10 s (three attempts against the
# accounts' short timeouts below); a request still open after this is stuck.
grace=30

mkdir -p "$out"
rm -f "$out"/soak.csv "$out"/soak.md "$out"/requests.csv "$out"/log.ndjson "$out"/gateway.log \
  "$out"/actors.json "$out"/keys.csv "$out"/keys.json "$out"/traffic.json "$out"/check.json "$out"/metrics-after.prom
work=$(mktemp -d /tmp/openhinge-soak.XXXXXX)
pids=()
cleanup() {
  # The sampler ends its loop by itself (it may be inside a sleep).
  touch "$work/stop"
  [ -n "${sampler:-}" ] && wait "$sampler" 2>/dev/null || true
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# --- the fake upstreams: two for the OpenAI and Claude pairs, one for the side
for f in a b side; do
  "$bin/fake_upstream" --port-file "$work/fake-$f.port" >/dev/null 2>&1 &
  pids+=($!)
done
for f in a b side; do wait_file "$work/fake-$f.port"; done

# --- the gateway ---------------------------------------------------------------
start_gateway "$bin" --threads 2 --log-level warn
pids+=("$pid")
base="http://127.0.0.1:$oh_port"
admin() { curl -sf -H "Authorization: Bearer $token" -X "$1" "$base$2" ${3:+-d "$3"}; }

# Short timeouts, so every hang the driver scripts ends within seconds: a
# request still open after the grace period is stuck, not slow.
account() { # name type fake priority
  local port; port=$(cat "$work/fake-$3.port")
  admin POST /admin/providers "{\"name\":\"$1\",\"type\":\"$2\",\"priority\":$4,\"base_url\":\"http://127.0.0.1:$port\",\"credentials\":{\"api_key\":\"sk-soak\"},\"config\":{\"timeout_ms\":3000,\"stream_timeout_ms\":2000,\"idle_timeout_ms\":2000,\"connect_timeout_ms\":1000}}" >/dev/null
}
# Two accounts per vendor at one priority, so both carry traffic and each
# is the other's fallback; the side accounts (Gemini and Ollama wires) are
# the only ones serving their models, and only they get 429s.
account oa-a openai a 10
account oa-b openai b 10
account cl-a claude a 10
account cl-b claude b 10
account ge-side gemini side 10
account ol-side ollama side 10

# --- the sampler -----------------------------------------------------------------
csv="$out/soak.csv"
echo "t_s,phase,rss_kb,fds,socket_fds,threads,open_streams,connections,log_queue" > "$csv"
echo start > "$work/phase"
t0=$(date +%s.%N)
metric() { awk -v m="$1" '$1 == m {print $2; exit}' "$2"; }
sample() {
  local t rss fds socks thr phase m="$work/sample.prom"
  t=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
  phase=$(cat "$work/phase")
  # After the last send the driver waits for the requests still open.
  if [ "$phase" = traffic ] && [ -s "$work/traffic_end" ] &&
     awk -v t="$t" -v e="$(cat "$work/traffic_end")" 'BEGIN {exit !(t > e)}'; then
    phase=grace
  fi
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
  thr=$(awk '/^Threads/ {print $2}' "/proc/$pid/status")
  # One pass over the descriptors (they come and go while it runs).
  read -r fds socks < <(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 -printf '%l\n' 2>/dev/null |
    awk '{n++} /^socket:/ {s++} END {print n + 0, s + 0}')
  curl -sf -H "Authorization: Bearer $token" "$base/metrics" > "$m" || : > "$m"
  echo "$t,$phase,$rss,$fds,$socks,$thr,$(metric openhinge_open_streams "$m"),$(metric openhinge_connections "$m"),$(metric openhinge_log_queue_depth "$m")" >> "$csv"
}
( while [ ! -e "$work/stop" ] && kill -0 "$pid" 2>/dev/null; do sample; sleep "$interval"; done ) &
sampler=$!
t_of() { awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}'; }

# --- 10 000 keys through the admin API ------------------------------------------
echo keys > "$work/phase"
keys_json=$("$bin/soak_driver" keys --port "$oh_port" --token-file "$work/data/admin.token" --count "$nkeys" \
  --conns 16 --out "$work/keys.csv")
echo "keys: $keys_json" >&2
echo idle > "$work/phase"
sleep "$interval"; sleep 1

# --- traffic -----------------------------------------------------------------------
echo "traffic: $minutes min at $rate/s" >&2
echo traffic > "$work/phase"
traffic_t=$(t_of)
awk -v s="$traffic_t" -v d="$duration" 'BEGIN {print s + d}' > "$work/traffic_end"
"$bin/soak_driver" traffic --port "$oh_port" --keys "$work/keys.csv" \
  --duration "$duration" --rate "$rate" --grace "$grace" --seed "$RANDOM" \
  --run "soak$(date +%s)" --out "$work/requests.csv" > "$work/traffic.json" &
driver=$!
pids+=("$driver")
wait "$driver"
traffic_json=$(cat "$work/traffic.json")
echo "traffic: $traffic_json" >&2
if ! kill -0 "$pid" 2>/dev/null; then
  echo "soak.sh: the gateway exited during the traffic; its log:" >&2
  tail -n 50 "$work/gateway.log" >&2
  cp "$work/gateway.log" "$out/gateway.log"
  exit 1
fi

# --- after the traffic: what is still in flight --------------------------------------
echo drain > "$work/phase"
# The usage logger flushes every 100 ms; wait for an empty queue.
for _ in $(seq 1 300); do
  curl -sf -H "Authorization: Bearer $token" "$base/metrics" > "$work/after.prom"
  [ "$(metric openhinge_log_queue_depth "$work/after.prom")" = 0 ] && break
  sleep 0.1
done
sleep 1
curl -sf -H "Authorization: Bearer $token" "$base/metrics" > "$work/after.prom"
admin GET /admin/actors > "$work/actors.json"
open_streams=$(metric openhinge_open_streams "$work/after.prom")
connections=$(metric openhinge_connections "$work/after.prom")
log_dropped=$(metric openhinge_log_dropped_total "$work/after.prom")
upstream_open=0
for f in a b side; do
  n=$(curl -sf "http://127.0.0.1:$(cat "$work/fake-$f.port")/_fake/stats" | sed 's/.*"open_streams":\([0-9-]*\).*/\1/')
  upstream_open=$(( upstream_open + n ))
done
curl -sf -H "Authorization: Bearer $token" "$base/admin/cost/logs/export?format=ndjson" > "$work/log.ndjson"
set +e
check_json=$("$bin/soak_driver" check --keys "$work/keys.csv" --requests "$work/requests.csv" \
  --log "$work/log.ndjson" --prices "$root/config/prices.json" --actors "$work/actors.json")
set -e
echo "check: $check_json" >&2
[ -n "$check_json" ] || { echo "soak.sh: the check could not run" >&2; exit 1; }

# The gateway hands freed heap back every 10 s (core/memory_trim): the idle
# figure after that is what it keeps.
echo idle-after > "$work/phase"
sleep 12
sample
touch "$work/stop"
wait "$sampler"

# --- figures and verdicts --------------------------------------------------------------
j() { echo "$1" | jq -r "$2"; }
# RSS and descriptors: the first sample after the warm-up against the last
# one while requests were still being sent, both under the same load.
read -r warm_t warm_rss warm_fds < <(awk -F, -v s="$traffic_t" -v w="$warmup" \
  'NR > 1 && $2 == "traffic" && $1 >= s + w {print $1 - s, $3, $4; exit}' "$csv")
read -r last_t last_rss last_fds < <(awk -F, -v s="$traffic_t" \
  '$2 == "traffic" {t = $1 - s; r = $3; f = $4} END {print t, r, f}' "$csv")
read -r idle_rss idle_fds < <(awk -F, '$2 == "idle" {r = $3; f = $4} END {print r, f}' "$csv")
read -r after_rss after_fds < <(awk -F, '$2 == "idle-after" {r = $3; f = $4} END {print r, f}' "$csv")
peak_rss=$(awk -F, 'NR > 1 && $3 > p {p = $3} END {print p}' "$csv")
peak_fds=$(awk -F, 'NR > 1 && $4 > p {p = $4} END {print p}' "$csv")
# Least-squares slope of RSS over the samples after the warm-up (KiB/min):
# less sensitive to one sample's in-flight load than two points.
rss_slope=$(awk -F, -v s="$traffic_t" -v w="$warmup" '$2 == "traffic" && $1 >= s + w {
    n++; x = ($1 - s) / 60; sx += x; sy += $3; sxx += x * x; sxy += x * $3 }
  END { d = n * sxx - sx * sx; if (n < 3 || d == 0) print 0; else printf "%.0f", (n * sxy - sx * sy) / d }' "$csv")
rss_growth=$(( last_rss - warm_rss ))
fds_growth=$(( last_fds - warm_fds ))
rss_pct=$(awk -v a="$warm_rss" -v b="$last_rss" 'BEGIN {printf "%.1f", (b - a) * 100 / a}')

# The thresholds. Under load RSS moves by well under 1 MiB from sample to
# sample (the requests in flight, SQLite's page caches); 4 MiB is above
# that noise, and one leaked allocation per request (32 bytes at least,
# glibc's smallest chunk) passes it within ten minutes at 400 req/s (the
# one-minute run only sees leaks of ~200 bytes per request). Descriptors
# are one or two per request in flight plus the upstream pool: a growth of
# more than 10 % or 50 is not noise.
rss_allow=4096
fds_allow=$(( warm_fds / 10 )); [ "$fds_allow" -lt 50 ] && fds_allow=50

le() { [ "$1" -le "$2" ] && echo 1 || echo 0; }
zero() { [ "${1:-x}" = 0 ] && echo 1 || echo 0; }

stuck=$(j "$check_json" .stuck)
missing_id=$(j "$check_json" .missing_by_request_id)
missing_client=$(j "$check_json" .missing_by_client_id)
duplicated=$(j "$check_json" .duplicated)
rate_over=$(j "$check_json" .rate_definite_excess)
budget_over=$(j "$check_json" .budget_over_micros)
req_actors=$(j "$check_json" .request_actors)
key_open=$(j "$check_json" .key_open_requests)
acct_open=$(j "$check_json" .account_in_flight)
spend_mismatch=$(j "$check_json" .spend_mismatch_keys)
# The one client connection left is the one asking for /metrics.
client_conns=$(( connections - 1 ))
in_flight_ok=$(( req_actors == 0 && key_open == 0 && acct_open == 0 && open_streams == 0 && upstream_open == 0 && client_conns == 0 ? 1 : 0 ))
budget_ok=$(( budget_over == 0 && spend_mismatch == 0 ? 1 : 0 ))
missing_ok=$(( missing_id == 0 && missing_client == 0 && duplicated == 0 ? 1 : 0 ))

fails=()
verdict() { # name ok?: sets v_<name>
  if [ "$2" = 1 ]; then printf -v "v_$1" ok; else fails+=("$1"); printf -v "v_$1" '**FAIL**'; fi
}
verdict rss "$(le "$rss_growth" "$rss_allow")"
verdict fds "$(le "$fds_growth" "$fds_allow")"
verdict stuck "$(zero "$stuck")"
verdict in_flight "$in_flight_ok"
verdict rate "$(zero "$rate_over")"
verdict budget "$budget_ok"
verdict log "$missing_ok"

md="$out/soak.md"
{
  echo "# OpenHinge soak ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $minutes min at $rate req/s, $nkeys keys, $built)"
  echo
  echo "| check | figure | verdict |"
  echo "|---|---|---|"
  echo "| RSS after the warm-up (${warm_t} s) → last traffic sample (${last_t} s) | $warm_rss → $last_rss KiB (**$( [ "$rss_growth" -ge 0 ] && echo +)$rss_growth KiB, $rss_pct %**; slope $rss_slope KiB/min; allowed +$rss_allow) | $v_rss |"
  echo "| descriptors, same samples | $warm_fds → $last_fds (**$( [ "$fds_growth" -ge 0 ] && echo +)$fds_growth**; allowed +$fds_allow) | $v_fds |"
  echo "| stuck requests (open $grace s after the last send) | $stuck | $v_stuck |"
  echo "| in flight afterwards: request actors / open streams / key slots / account slots / upstream streams / client connections | $req_actors / $open_streams / $key_open / $acct_open / $upstream_open / $client_conns | $v_in_flight |"
  echo "| rate overshoot: admitted beyond rpm in a 60 s window ($(j "$check_json" .rate_keys) keys with a limit) | $rate_over (by received time alone: $(j "$check_json" .rate_received_excess) on $(j "$check_json" .rate_received_keys) keys) | $v_rate |"
  echo "| budget overshoot beyond SPEC §5.2 ($(j "$check_json" .budget_keys) keys with a daily budget, $(j "$check_json" .budget_exhausted) exhausted) | $budget_over µ\$ on $(j "$check_json" .budget_over_keys) keys; key actors' spend ≠ the log's on $spend_mismatch keys | $v_budget |"
  echo "| requests without a log row: by gateway id / by client id (incl. clients that left before the head) / duplicated | $missing_id / $missing_client / $duplicated | $v_log |"
  if [ "$(j "$check_json" '.rate_received_examples | length')" -gt 0 ]; then
    echo
    echo "Counted by received time alone (the log's created_at; admission comes a little later, see tools/bench/soak_driver.cpp): $(j "$check_json" '.rate_received_examples | join("; ")')."
  fi
  echo
  echo "| figure | value |"
  echo "|---|---|"
  echo "| keys created (admin API, 16 at once) | $(j "$keys_json" .keys) in $(j "$keys_json" .seconds) s ($(j "$keys_json" .per_s)/s) |"
  echo "| requests sent (scheduled, skipped at the driver's open-connection cap) | $(j "$traffic_json" .sent) ($(j "$traffic_json" .scheduled), $(j "$traffic_json" .skipped)), $(j "$traffic_json" .sent_per_s)/s |"
  echo "| outcomes at the driver | $(j "$traffic_json" '.outcomes | to_entries | map("\(.key) \(.value)") | join(", ")') |"
  echo "| HTTP statuses of complete answers | $(j "$traffic_json" '.statuses | to_entries | map("\(.key) \(.value)") | join(", ")') |"
  echo "| 200 streams: ended / with an in-band error / without an end | $(j "$traffic_json" '.stream_ends.done // 0') / $(j "$traffic_json" '.stream_ends.error // 0') / $(j "$traffic_json" '.stream_ends.none // 0') |"
  echo "| clients that left before the answer's head | $(j "$check_json" .left_before_head) |"
  echo "| usage-log rows | $(j "$check_json" .log_rows) (rate_limited $(j "$check_json" .rate_limited_rows); dropped $log_dropped) |"
  echo "| RSS: idle with the keys / peak / idle after (12 s) | $idle_rss / $peak_rss / $after_rss KiB |"
  echo "| descriptors: idle with the keys / peak / idle after | $idle_fds / $peak_fds / $after_fds |"
  echo "| gateway log (level warn): warnings / errors | $(grep -c '"level":"warn' "$work/gateway.log" || true) / $(grep -c '"level":"error' "$work/gateway.log" || true) |"
  echo
  echo "What each scripted upstream behaviour came to (HTTP status of complete answers, or the driver's outcome):"
  echo
  echo "| upstream script | answers |"
  echo "|---|---|"
  j "$check_json" '.by_fault | to_entries[] | "| \(.key) | \(.value | to_entries | map("\(.key) \(.value)") | join(", ")) |"'
  echo
  echo "503 answers by reason: $(j "$check_json" '.unavailable | to_entries | map("\(.value) × \"\(.key)\"") | join("; ")')."
  echo
  if [ ${#fails[@]} -eq 0 ]; then echo "All checks passed."; else echo "Failed: ${fails[*]}."; fi
} > "$md"
cat "$md"
echo "$keys_json" > "$out/keys.json"
echo "$traffic_json" > "$out/traffic.json"
echo "$check_json" > "$out/check.json"
cp "$work/gateway.log" "$out/gateway.log"
cp "$work/after.prom" "$out/metrics-after.prom"
if [ ${#fails[@]} -gt 0 ] || [ "$keep" = 1 ]; then
  cp "$work/keys.csv" "$work/requests.csv" "$work/log.ndjson" "$work/actors.json" "$out/" 2>/dev/null || true
fi
[ ${#fails[@]} -eq 0 ]
