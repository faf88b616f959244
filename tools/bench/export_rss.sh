#!/usr/bin/env bash
# The log export through the real gateway (issue #17 item 3): starts the
# gateway on a log database (made by logbench), exports ROWS of the oldest
# rows over HTTP in each format, and reports rows/s and the gateway's peak
# resident memory above its level before the export. Measurements only.
#   tools/bench/export_rss.sh DB [BIN_DIR] [DAYS]
#     DB       a database logbench filled (e.g. /tmp/lb10/logbench.db)
#     BIN_DIR  where openhinge is (default build/bin)
#     DAYS     days of the oldest traffic to export (default 3: ~1 M rows of
#              logbench's 10 M over 30 days)
set -euo pipefail
cd "$(dirname "$0")/../.."
db="$1"
bin="${2:-build/bin}"
days="${3:-3}"
source tools/bench/common.sh
work=$(mktemp -d)
trap 'kill "${pid:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
start_gateway "$bin" --db "$db"
base="http://127.0.0.1:$oh_port"
oldest=$(curl -s -H "Authorization: Bearer $token" \
  "$base/admin/cost/logs/query?per_page=1&order=asc" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["created_at"])')
to=$(python3 -c "import datetime,sys; t=datetime.datetime.fromisoformat('$oldest'.replace('Z','+00:00')); print((t+datetime.timedelta(days=$days)).strftime('%Y-%m-%dT%H:%M:%SZ'))")
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }
for format in csv ndjson; do
  before=$(rss_kib)
  peak=$before
  start=$(date +%s.%N)
  curl -s -H "Authorization: Bearer $token" \
    "$base/admin/cost/logs/export?format=$format&order=asc&to=$to" \
    -o "$work/out.$format" &
  curl_pid=$!
  while kill -0 "$curl_pid" 2>/dev/null; do
    now=$(rss_kib); [ "$now" -gt "$peak" ] && peak=$now
    sleep 0.05
  done
  wait "$curl_pid"
  end=$(date +%s.%N)
  lines=$(wc -l <"$work/out.$format")
  [ "$format" = csv ] && lines=$((lines - 1))
  python3 -c "print('{\"format\":\"$format\",\"rows\":$lines,\"seconds\":%.1f,\"rows_per_s\":%.0f,\"rss_before_kib\":$before,\"rss_growth_kib\":%d}' % ($end-$start, $lines/($end-$start), $peak-$before))"
done
