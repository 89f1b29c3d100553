#!/usr/bin/env bash
# The live-stream drill (scripts/drills/stream.py): clients that never read must not grow the
# server's memory and are dropped; 1,000 reconnects a second after a restart must not topple
# it. Usage: scripts/stream-drill.sh   (after scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bin=target/${E2E_PROFILE:-release}/pacesetter
[ -x "$bin" ] || { echo "stream-drill: $bin is missing; run scripts/build.sh first" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Thousands of connections at once, on both sides.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
BIN="$bin" DIR="$work" python3 scripts/drills/stream.py
