#!/usr/bin/env bash
# Installs every Debian 12 package OpenHinge needs to build, test and run.
# Idempotent: packages already present are skipped by apt. Uses sudo when not root.
set -euo pipefail

packages=(
  build-essential g++ cmake ninja-build ccache pkg-config git curl ca-certificates
  libcaf-dev libboost1.81-dev rapidjson-dev libspdlog-dev libfmt-dev
  libsqlite3-dev sqlite3 libssl-dev libgtest-dev libgmock-dev
  nodejs npm
  chromium fonts-dejavu-core
  jq tmux systemd
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nodesource's nodejs bundles npm; do not ask apt for Debian's npm then.
if dpkg-query -W -f='${Version}' nodejs 2>/dev/null | grep -q nodesource; then
  missing=("${missing[@]/npm}")
fi
filtered=()
for p in "${missing[@]}"; do [ -n "$p" ] && filtered+=("$p"); done

if [ ${#filtered[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${filtered[@]}"
