# Shared by tools/bench/run.sh and tools/bench/instructions.sh (sourced, not
# run): Debian packages, free ports, the fast upstream and the gateway's
# benchmark account and key. Expects `work` (a scratch directory) to be set
# before the functions that write into it are called.

# install_missing PKG...: apt-get installs the packages whose command is absent.
install_missing() {
  local need=()
  for pkg in "$@"; do
    case "$pkg" in
      nginx) command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx) ;;
      *) command -v "$pkg" >/dev/null || need+=("$pkg") ;;
    esac
  done
  if [ ${#need[@]} -gt 0 ]; then
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"
  fi
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
}

used_ports() { ss -Htln | awk '{print $4}' | sed 's/.*://'; }
free_port() {
  local p
  while :; do
    p=$(( 20000 + RANDOM % 20000 ))
    used_ports | grep -qx "$p" || { echo "$p"; return; }
  done
}
# Waits up to 30 s: under valgrind the gateway starts slowly.
wait_port() { for _ in $(seq 1 3000); do used_ports | grep -qx "$1" && return 0; sleep 0.01; done; echo "port $1 never opened" >&2; exit 1; }
wait_file() { for _ in $(seq 1 3000); do [ -s "$1" ] && return 0; sleep 0.01; done; echo "$1 never appeared" >&2; exit 1; }

# start_fast_upstream: nginx (1 worker) answering every POST with a fixed
# chat.completion; sets up_port. Stop it with
# "$NGINX" -c "$work/nginx-upstream.conf" -s stop.
start_fast_upstream() {
  local completion='{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the benchmark upstream."},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":8,"total_tokens":20}}'
  up_port=$(free_port)
  cat > "$work/nginx-upstream.conf" <<NGX
worker_processes 1;
pid $work/nginx-upstream.pid;
error_log $work/nginx-upstream.err warn;
events { worker_connections 16384; }
http {
  access_log off;
  client_body_temp_path $work/up-body; proxy_temp_path $work/up-proxy;
  fastcgi_temp_path $work/up-fcgi; uwsgi_temp_path $work/up-uwsgi; scgi_temp_path $work/up-scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$up_port;
    location / { default_type application/json; return 200 '$completion'; }
  }
}
NGX
  "$NGINX" -c "$work/nginx-upstream.conf"
  wait_port "$up_port"
}

# start_gateway BIN_DIR [ARGS...]: the gateway of BIN_DIR on a free port
# with its data in $work/data, logging to $work/gateway.log; waits for its
# port file and sets pid, oh_port and token (the admin token).
start_gateway() {
  local bin="$1"; shift
  oh_port=$(free_port)
  # One fixed key for every bench run: a database keeps the check value of
  # the first key it saw, and a fresh data dir would make a new one.
  OPENHINGE_ENCRYPTION_KEY="${OH_BENCH_ENCRYPTION_KEY:-openhinge-bench-only}" \
    "$bin/openhinge" --port "$oh_port" --data-dir "$work/data" --log-format json "$@" \
    >"$work/gateway.log" 2>&1 &
  pid=$!
  # Up to 2 minutes; a gateway that exits is reported with its log.
  for _ in $(seq 1 1200); do
    [ -s "$work/data/port" ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/gateway.log" >&2; exit 1; }
    sleep 0.1
  done
  [ -s "$work/data/port" ] || { echo "the gateway did not start" >&2; exit 1; }
  token=$(cat "$work/data/admin.token")
}

# setup_gateway DATA_DIR: once the gateway started with --data-dir DATA_DIR
# has written its port, adds the "fast" account (the fast upstream) and a key
# whose rate limit and budget never refuse; sets oh_port and key, and
# defines admin METHOD PATH [BODY].
setup_gateway() {
  wait_file "$1/port"
  oh_port=$(cat "$1/port")
  token=$(cat "$1/admin.token")
  admin() { curl -sf -H "Authorization: Bearer $token" -X "$1" "http://127.0.0.1:$oh_port$2" -d "${3:-}"; }
  admin POST /admin/providers "{\"name\":\"fast\",\"type\":\"openai\",\"priority\":10,\"base_url\":\"http://127.0.0.1:$up_port\",\"credentials\":{\"api_key\":\"sk-bench\"},\"config\":{\"default_model\":\"gpt-4o-mini\"}}" >/dev/null
  key=$(admin POST /admin/keys '{"name":"bench","rate_limit_rpm":1000000000,"daily_budget_cents":100000000}' | sed 's/.*"key":"\([^"]*\)".*/\1/')
}
