#!/usr/bin/env bash
# Checks tools/openhinge.service with systemd-analyze verify (syntax, known
# directives, an executable ExecStart) and that its hardening is in place.
#   verify_service.sh <source dir> <openhinge binary>
set -euo pipefail
src="$1"
binary="$2"
unit="$src/tools/openhinge.service"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

command -v systemd-analyze >/dev/null || {
  echo "systemd-analyze is missing (Debian package systemd; tools/install-deps.sh installs it)" >&2
  exit 1
}
# The unit names /usr/local/bin/openhinge; verify the built binary instead.
sed "s#^ExecStart=/usr/local/bin/openhinge#ExecStart=$binary#" "$unit" \
  > "$work/openhinge.service"
grep -q "^ExecStart=$binary serve" "$work/openhinge.service" || {
  echo "ExecStart was not rewritten: does the unit still start /usr/local/bin/openhinge serve?" >&2
  exit 1
}
out=$(cd "$work" && systemd-analyze verify ./openhinge.service 2>&1) || {
  echo "$out" >&2
  exit 1
}
# verify exits 0 on some warnings: any line about our unit is a failure.
if grep -q "openhinge.service" <<<"$out"; then
  echo "$out" >&2
  exit 1
fi
for directive in "User=openhinge" "ProtectSystem=strict" "StateDirectory=openhinge" \
                 "Restart=on-failure" "NoNewPrivileges=yes" "CapabilityBoundingSet=" \
                 "PrivateTmp=yes" "SystemCallFilter=@system-service"; do
  grep -qx "$directive" "$unit" || { echo "missing: $directive" >&2; exit 1; }
done
echo "openhinge.service verified"
