#!/usr/bin/env bash
# The crash drill (scripts/drills/crash.py): SIGKILLs the server again and again in the
# middle of writes through every door, restarts it, and checks that every acknowledged
# write is stored exactly once, the rollups equal a recount and the file is intact.
# Usage: RUNS=10 scripts/crash-drill.sh [sqlite|postgres]   (after `scripts/build.sh`)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
engine=${1:-sqlite}
bin=target/${E2E_PROFILE:-release}/pacesetter
[ -x "$bin" ] || { echo "crash-drill: $bin is missing; build first" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
case "$engine" in
  sqlite) url="sqlite://$work/drill.db" ;;
  postgres)
    admin=$(scripts/postgres.sh | tail -n 1)
    name="pacesetter_drill_$$"
    psql -q "$admin" -c "CREATE DATABASE $name" >/dev/null
    trap 'psql -q "$admin" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null; rm -rf "$work"' EXIT
    url="${admin%/*}/$name" ;;
  *) echo "usage: $0 [sqlite|postgres]" >&2; exit 2 ;;
esac
echo "crash drill on $engine, ${RUNS:-10} runs"
BIN="$bin" DATABASE_URL="$url" python3 scripts/drills/crash.py
