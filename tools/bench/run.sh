#!/usr/bin/env bash
# OpenHinge benchmark: the client straight to a fast upstream ("direct"),
# through Debian's nginx as a reverse proxy ("nginx"), through the stack's
# floor ("beast": tools/bench/beast_proxy, a reverse proxy made of Asio and
# Beast alone, as the gateway uses them), and through OpenHinge with
# governance on ("openhinge": key auth, rate limit, budget check, request
# log), measured in one interleaved run (targets rotated per repetition) so
# the machine's noise hits all of them alike.
#
#   tools/bench/run.sh [--reps N] [--duration S] [--quick] [--out DIR]
#
# Writes DIR/results.csv (every measurement) and DIR/results.md (medians and
# ratios). Everything listens on 127.0.0.1 and is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

reps=3
duration=5
quick=0
out="$root/build-bench"
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) reps="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --quick) quick=1; shift ;;
    --out) out="$2"; shift 2 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ "$quick" = 1 ] && { reps=3; duration=2; }

source tools/bench/common.sh
install_missing nginx wrk
bash tools/install-deps.sh >/dev/null
bin="$root/$(bash tools/build.sh --type Release --no-tests | tail -n 1)/bin"

mkdir -p "$out"
work=$(mktemp -d /tmp/openhinge-bench.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for conf in "$work"/nginx-*.conf; do
    [ -f "$conf" ] && "$NGINX" -c "$conf" -s stop 2>/dev/null || true
  done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# --- the fast upstream: nginx returning a fixed chat completion -------------
start_fast_upstream

# --- the streaming upstream: the fake's paced SSE ---------------------------
"$bin/fake_upstream" --port-file "$work/fake.port" --script "chunks=20 interval_ms=10 pause_from=2" >/dev/null 2>&1 &
pids+=($!)
wait_file "$work/fake.port"
fake_port=$(cat "$work/fake.port")

# --- nginx as the reverse proxy to both -------------------------------------
px_port=$(free_port)
pxs_port=$(free_port)
cat > "$work/nginx-proxy.conf" <<NGX
worker_processes auto;
pid $work/nginx-proxy.pid;
error_log $work/nginx-proxy.err warn;
events { worker_connections 16384; }
http {
  access_log off;
  client_body_temp_path $work/px-body; proxy_temp_path $work/px-proxy;
  fastcgi_temp_path $work/px-fcgi; uwsgi_temp_path $work/px-uwsgi; scgi_temp_path $work/px-scgi;
  keepalive_requests 1000000;
  upstream fast { server 127.0.0.1:$up_port; keepalive 512; }
  upstream sse { server 127.0.0.1:$fake_port; keepalive 512; }
  server {
    listen 127.0.0.1:$px_port;
    location / { proxy_pass http://fast; proxy_http_version 1.1;
                 proxy_set_header Connection ""; proxy_buffering off; }
  }
  server {
    listen 127.0.0.1:$pxs_port;
    location / { proxy_pass http://sse; proxy_http_version 1.1;
                 proxy_set_header Connection ""; proxy_buffering off; }
  }
}
NGX
"$NGINX" -c "$work/nginx-proxy.conf"
wait_port "$px_port"

# --- the stack's floor: Asio + Beast forwarding, nothing else ----------------
bp_port=$(free_port)
"$bin/beast_proxy" --port "$bp_port" --upstream-port "$up_port" --threads "$(nproc)" >/dev/null &
bp_pid=$!
pids+=($bp_pid)
bps_port=$(free_port)
"$bin/beast_proxy" --port "$bps_port" --upstream-port "$fake_port" --threads "$(nproc)" >/dev/null &
pids+=($!)
wait_port "$bp_port"
wait_port "$bps_port"

# --- OpenHinge with governance on --------------------------------------------
OPENHINGE_CONFIG="" "$bin/openhinge" --port 0 --data-dir "$work/oh" --log-level warn \
  --log-format json >"$work/openhinge.log" 2>&1 &
oh_pid=$!
pids+=($oh_pid)
setup_gateway "$work/oh"
admin POST /admin/providers "{\"name\":\"sse\",\"type\":\"openai\",\"base_url\":\"http://127.0.0.1:$fake_port\",\"credentials\":{\"api_key\":\"sk-bench\"}}" >/dev/null
sleep 0.5
rss_kb() { awk '/VmRSS/{print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
nginx_workers() { pgrep -P "$(cat "$work/nginx-proxy.pid")" | tr '\n' ' '; }
ticks_of() { local t=0; for p in $1; do t=$(( t + $(cpu_ticks "$p") )); done; echo $t; }
hz=$(getconf CLK_TCK)
oh_idle_rss=$(rss_kb "$oh_pid")

body="$work/body.json"
echo '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello"}],"max_tokens":16}' > "$body"
sbody="$work/stream.json"
echo '{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Say hello"}]}' > "$sbody"
osbody="$work/oh-stream.json"
echo '{"model":"sse/gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Say hello"}]}' > "$osbody"
cat > "$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = io.open("$body"):read("*a")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
LUA

csv="$out/results.csv"
echo "rep,target,scenario,metric,value" > "$csv"
record() { echo "$1,$2,$3,$4,$5" >> "$csv"; }

# wrk latency "1.23ms" / "850.00us" / "1.02s" → microseconds
to_us() { awk -v v="$1" 'BEGIN{ if (v ~ /us$/) {sub(/us/,"",v); print v} else if (v ~ /ms$/) {sub(/ms/,"",v); print v*1000} else if (v ~ /s$/) {sub(/s/,"",v); print v*1000000} else print v }'; }

target_port() { case "$1" in direct) echo "$up_port";; nginx) echo "$px_port";; beast) echo "$bp_port";; openhinge) echo "$oh_port";; esac; }
stream_port() { case "$1" in direct) echo "$fake_port";; nginx) echo "$pxs_port";; beast) echo "$bps_port";; openhinge) echo "$oh_port";; esac; }
target_pids() { case "$1" in direct) cat "$work/nginx-upstream.pid"; pgrep -P "$(cat "$work/nginx-upstream.pid")";; nginx) nginx_workers;; beast) echo "$bp_pid";; openhinge) echo "$oh_pid";; esac; }

closed_loop() { # rep target conns
  local port; port=$(target_port "$2")
  local procs; procs=$(target_pids "$2")
  local t0; t0=$(ticks_of "$procs")
  local threads=2; [ "$3" -lt 2 ] && threads=1
  local txt; txt=$(wrk -t"$threads" -c"$3" -d"${duration}s" --latency -s "$work/post.lua" "http://127.0.0.1:$port/v1/chat/completions")
  local t1; t1=$(ticks_of "$procs")
  local rps; rps=$(echo "$txt" | awk '/Requests\/sec/{print $2}')
  local total; total=$(echo "$txt" | awk '/requests in/{print $1}')
  local p50; p50=$(to_us "$(echo "$txt" | awk '$1=="50%"{print $2}')")
  local p99; p99=$(to_us "$(echo "$txt" | awk '$1=="99%"{print $2}')")
  local errs; errs=$(echo "$txt" | awk '/Non-2xx/{n+=$4} /Socket errors/{n+=$4+$6+$8+$10} END{print n+0}')
  record "$1" "$2" "closed_c$3" rps "$rps"
  record "$1" "$2" "closed_c$3" p50_us "$p50"
  record "$1" "$2" "closed_c$3" p99_us "$p99"
  record "$1" "$2" "closed_c$3" errors "${errs:-0}"
  if [ "$total" -gt 0 ]; then
    record "$1" "$2" "closed_c$3" cpu_us_per_req "$(awk -v d=$((t1 - t0)) -v n="$total" -v hz="$hz" 'BEGIN{printf "%.2f", d/hz*1e6/n}')"
  fi
  [ "$2" = openhinge ] && record "$1" "$2" "closed_c$3" rss_kb "$(rss_kb "$oh_pid")"
  return 0
}

open_loop() { # rep target rate
  local port; port=$(target_port "$2")
  local json; json=$("$bin/loadgen" --port "$port" --body "$body" --header "Authorization: Bearer $key" \
    --mode open --rate "$3" --duration "$duration" --conns 64)
  record "$1" "$2" "open_r$3" p50_us "$(echo "$json" | sed 's/.*"p50_ms":\([0-9.]*\).*/\1/' | awk '{print $1*1000}')"
  record "$1" "$2" "open_r$3" p99_us "$(echo "$json" | sed 's/.*"p99_ms":\([0-9.]*\).*/\1/' | awk '{print $1*1000}')"
  record "$1" "$2" "open_r$3" errors "$(echo "$json" | sed 's/.*"errors":\([0-9]*\).*/\1/')"
}

streams() { # rep target conns count
  local port; port=$(stream_port "$2")
  local b="$sbody"; [ "$2" = openhinge ] && b="$osbody"
  local json; json=$("$bin/loadgen" --port "$port" --path /v1/chat/completions --body "$b" \
    --header "Authorization: Bearer $key" --mode stream --conns "$3" --streams "$4" --stall-ms 200 || true)
  for m in ttfb_p50_ms ttfb_p99_ms total_p50_ms total_p99_ms failed stalls; do
    local v; v=$(echo "$json" | sed "s/.*\"$m\":\([0-9.]*\).*/\1/")
    case "$m" in *_ms) record "$1" "$2" "stream_c$3" "${m%_ms}_us" "$(awk -v x="$v" 'BEGIN{print x*1000}')";;
                 *) record "$1" "$2" "stream_c$3" "$m" "$v";; esac
  done
}

targets=(direct nginx beast openhinge)
for rep in $(seq 1 "$reps"); do
  # Rotate the order each repetition.
  shift_by=$(( (rep - 1) % ${#targets[@]} ))
  order=("${targets[@]:$shift_by}" "${targets[@]:0:$shift_by}")
  echo "repetition $rep: ${order[*]}" >&2
  for t in "${order[@]}"; do
    for c in 1 64 256; do closed_loop "$rep" "$t" "$c"; done
    open_loop "$rep" "$t" 2000
    streams "$rep" "$t" 1 20
    streams "$rep" "$t" 256 512
  done
done

# Holding many slow streams through OpenHinge: RSS, CPU and stalls.
hold() { # n
  local json
  local t0; t0=$(cpu_ticks "$oh_pid")
  "$bin/loadgen" --port "$oh_port" --body "$osbody" --header "Authorization: Bearer $key" \
    --mode stream --conns "$1" --streams "$1" --stall-ms 2000 >"$work/hold.json" &
  local lg=$!
  local peak=0
  while kill -0 "$lg" 2>/dev/null; do
    local r; r=$(rss_kb "$oh_pid"); [ "$r" -gt "$peak" ] && peak=$r; sleep 0.2
  done
  wait "$lg" || true
  local t1; t1=$(cpu_ticks "$oh_pid")
  json=$(cat "$work/hold.json")
  record 1 openhinge "hold_$1" peak_rss_kb "$peak"
  record 1 openhinge "hold_$1" cpu_ms "$(awk -v d=$((t1 - t0)) -v hz="$hz" 'BEGIN{printf "%.0f", d/hz*1000}')"
  record 1 openhinge "hold_$1" stalls "$(echo "$json" | sed 's/.*"stalls":\([0-9]*\).*/\1/')"
  record 1 openhinge "hold_$1" failed "$(echo "$json" | sed 's/.*"failed":\([0-9]*\).*/\1/')"
}
echo '{"model":"sse/gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"[[fake chunks=20 interval_ms=250]]"}]}' > "$osbody"
# The load scenarios leave freed heap behind; the gateway hands it back every
# 10 s (core/memory_trim). Let that happen first, so the hold figures are the
# streams' own memory, and record what the gateway keeps after the load.
sleep 12
record 1 openhinge after_load rss_kb "$(rss_kb "$oh_pid")"
for n in 1000 5000; do hold "$n"; done

# Clients that disconnect mid-stream: no upstream stream may stay open.
echo '{"model":"sse/gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"[[fake chunks=50 interval_ms=50]]"}]}' > "$osbody"
"$bin/loadgen" --port "$oh_port" --body "$osbody" --header "Authorization: Bearer $key" \
  --mode stream --conns 200 --streams 200 --abort-after-bytes 600 >/dev/null || true
sleep 1
left=$(curl -s "http://127.0.0.1:$fake_port/_fake/stats" | sed 's/.*"open_streams":\([0-9-]*\).*/\1/')
record 1 openhinge disconnect upstream_streams_left_open "$left"
record 1 openhinge idle rss_kb "$oh_idle_rss"

# --- medians and ratios -------------------------------------------------------
md="$out/results.md"
{
  echo "# OpenHinge benchmark ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, ${reps} repetitions × ${duration}s, medians)"
  echo
  echo "| scenario | metric | direct | nginx | beast (stack floor) | openhinge | openhinge / nginx | openhinge / beast | openhinge − direct |"
  echo "|---|---|---|---|---|---|---|---|---|"
  # Medians per (scenario, metric, target): sort numerically within each
  # group, then take the middle (mawk has no asort).
  tail -n +2 "$csv" | sort -t, -k3,3 -k4,4 -k2,2 -k5,5g | awk -F, '
    function flush() {
      if (n == 0) return
      m = (n % 2) ? xs[(n+1)/2] : (xs[n/2] + xs[n/2+1]) / 2
      med[key] = m; groups[sm] = 1; n = 0
    }
    { k = $3","$4","$2
      if (k != key) { flush(); key = k; sm = $3","$4 }
      xs[++n] = $5 }
    END {
      flush()
      for (s in groups) {
        d = med[s",direct"]; g = med[s",nginx"]; b = med[s",beast"]; o = med[s",openhinge"]
        ratio = (g != "" && g + 0 != 0 && o != "") ? sprintf("%.2f", o / g) : ""
        floor = (b != "" && b + 0 != 0 && o != "") ? sprintf("%.2f", o / b) : ""
        diff = (d != "" && o != "") ? sprintf("%.1f", o - d) : ""
        split(s, a, ",")
        printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", a[1], a[2], d, g, b, o, ratio, floor, diff
      }
    }' | sort
} > "$md"
cat "$md"
