#!/usr/bin/env bash
# GET /admin/overview through the real gateway (issue #18): starts the
# gateway on a database (empty, or one logbench filled), sends REQUESTS
# overview requests one after another over keep-alive, and prints the p50,
# p95 and max in milliseconds. Measurements only, nothing pass/fail.
#   tools/bench/overview_latency.sh [DB] [BIN_DIR] [REQUESTS]
#     DB        a database (default: a new, empty one)
#     BIN_DIR   where openhinge is (default build/bin)
#     REQUESTS  how many (default 500)
set -euo pipefail
cd "$(dirname "$0")/../.."
db="${1:-}"
bin="${2:-build/bin}"
requests="${3:-500}"
source tools/bench/common.sh
work=$(mktemp -d)
trap 'kill "${pid:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
args=()
[ -n "$db" ] && args+=(--db "$db")
start_gateway "$bin" "${args[@]}"
rows=$(sqlite3 "${db:-$work/data/openhinge.db}" "SELECT COUNT(*) FROM usage_logs" 2>/dev/null || echo "?")
daily=$(sqlite3 "${db:-$work/data/openhinge.db}" "SELECT COUNT(*) FROM usage_daily" 2>/dev/null || echo "?")
# One curl, many URLs: keep-alive, and time_total per request.
urls=()
for _ in $(seq 1 "$requests"); do urls+=(-o /dev/null "http://127.0.0.1:$oh_port/admin/overview"); done
curl -s -H "Authorization: Bearer $token" \
  -w '%{http_code} %{time_total}\n' "${urls[@]}" >"$work/times"
bad=$(awk '$1 != 200' "$work/times" | wc -l)
awk '{print $2 * 1000}' "$work/times" | sort -n | awk -v rows="$rows" -v daily="$daily" -v bad="$bad" '
  { t[NR] = $1 }
  END {
    p50 = t[int(NR * 0.50)]; p95 = t[int(NR * 0.95)];
    printf "{\"log_rows\":%s,\"daily_rows\":%s,\"requests\":%d,\"non_200\":%d,\"p50_ms\":%.2f,\"p95_ms\":%.2f,\"max_ms\":%.2f}\n",
      rows, daily, NR, bad, p50, p95, t[NR]
  }'
