#!/usr/bin/env bash
# Sets everything up on a fresh Debian 12 machine and runs the gateway on its
# embedded defaults: 127.0.0.1:3700, SQLite at ./data/openhinge.db.
# Extra arguments go to `openhinge serve` (e.g. --port 0, --log-level debug).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
dir=$(bash tools/build.sh --type Release --no-tests | tail -n 1)
exec "$dir/bin/openhinge" serve "$@"
