#!/usr/bin/env bash
# The SQLite outage drill (scripts/drills/outage.py): the database on a small tmpfs that the
# drill fills up while the server runs. Needs root (mount). The server log goes to
# /tmp/outage-drill-server.log.
# Usage: scripts/outage-drill.sh   (after `scripts/build.sh`)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bin=target/${E2E_PROFILE:-release}/pacesetter
[ -x "$bin" ] || { echo "outage-drill: $bin is missing; build first" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "outage-drill: needs root to mount a small file system" >&2; exit 1; }
work=$(mktemp -d)
mkdir -p "$work/fs"
mount -t tmpfs -o size=16m tmpfs "$work/fs"
trap 'umount "$work/fs" 2>/dev/null || true; rm -rf "$work"' EXIT
BIN="$bin" DIR="$work/fs" python3 scripts/drills/outage.py
