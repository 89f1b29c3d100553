#!/usr/bin/env bash
# HTTP benchmarks on the release build (a benchmark, not a test; figures printed):
#   4. server-rendered pages (leaderboard, /me, the TV) and the API leaderboard under 64
#      concurrent connections, against a static file and /healthz of the same server;
#   3. single quick-log writes over HTTP (the rep's tap, POST /api/log_activity): requests/s
#      and latency, one client and 16 at once; then checks that every answered tap is
#      stored exactly once.
# On a fresh SQLite demo database (24 reps). Needs wrk (Debian: apt-get install wrk).
# Usage: scripts/http-bench.sh   (after scripts/build.sh; DURATION=10 seconds per run)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bin=target/${E2E_PROFILE:-release}/pacesetter
[ -x "$bin" ] || { echo "http-bench: $bin is missing; run scripts/build.sh first" >&2; exit 1; }
command -v wrk >/dev/null || { echo "http-bench: wrk is missing (apt-get install wrk)" >&2; exit 1; }
duration=${DURATION:-10}
port=${PORT:-3957}
base=http://127.0.0.1:$port
work=$(mktemp -d)
db="sqlite://$work/bench.db"
"$bin" --database "$db" serve --addr "127.0.0.1:$port" --demo >"$work/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 600); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

sign_in() {
  curl -s -D - -o /dev/null -X POST -H "Origin: $base" \
    --data-urlencode "email=$1" --data-urlencode "password=$2" "$base/api/sign_in" |
    awk 'tolower($1) == "set-cookie:" { sub(/;.*/, "", $2); print $2; exit }'
}
rep=$(sign_in sam.rivera@demo.pacesetter.test demo-rep-password)
admin=$(sign_in admin@demo.pacesetter.test demo-admin-password)
[ -n "$rep" ] && [ -n "$admin" ] || { echo "http-bench: cannot sign in" >&2; exit 1; }
tv=$(grep -o '/tv/[A-Za-z0-9_-]*' "$work/server.log" | head -n 1)
css=$(curl -s -H "cookie: $rep" "$base/me" | grep -o '/v/[0-9a-f]*/pkg/pacesetter.css' | head -n 1)
token=$("$bin" --database "$db" tokens create --name bench --scope read | tail -n 1)

# One wrk run: prints requests/s, p50, p99 and the error count of its output.
row() {
  local label=$1
  shift
  local out
  out=$(wrk --latency -d"${duration}s" "$@")
  local rps p50 p99 bad
  rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
  p50=$(awk '$1 == "50%" { print $2 }' <<<"$out")
  p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
  bad=$(awk '/Non-2xx or 3xx responses:/ { print $5 }' <<<"$out")
  printf '| %-44s | %10s | %8s | %8s | %6s |\n' "$label" "$rps" "$p50" "$p99" "${bad:-0}"
}

echo "Release build, demo organisation (24 reps), SQLite, wrk ${duration} s per row, $(nproc) cores shared with wrk"
echo
echo "| what | requests/s | p50 | p99 | errors |"
echo "| --- | ---: | ---: | ---: | ---: |"
count() {
  python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" "$work/bench.db" "$1"
}
before=$(count "SELECT COUNT(*) FROM activities WHERE deleted_at IS NULL")
tap=(-s scripts/bench/quicklog.lua -H "cookie: $rep" -H "Origin: $base"
  -H "Content-Type: application/x-www-form-urlencoded" "$base/")
row "static file (the stylesheet), 64 conns" -t2 -c64 "$base$css"
row "/healthz, 64 conns" -t2 -c64 "$base/healthz"
row "leaderboard page (month), 64 conns" -t2 -c64 -H "cookie: $admin" "$base/?period=month"
row "/me (a rep's page), 64 conns" -t2 -c64 -H "cookie: $rep" "$base/me"
row "TV page, 64 conns" -t2 -c64 "$base$tv"
row "GET /api/v1/leaderboard?period=month, 64 conns" -t2 -c64 -H "authorization: Bearer $token" \
  "$base/api/v1/leaderboard?period=month"
# Last: tens of thousands of taps make the rep's own page (today's list) long.
row "quick-log tap, 1 client" -t1 -c1 "${tap[@]}"
row "quick-log tap, 16 clients" -t2 -c16 "${tap[@]}"
echo
taps=$(( $(count "SELECT COUNT(*) FROM activities WHERE deleted_at IS NULL") - before ))
twice=$(count "SELECT COUNT(*) - COUNT(DISTINCT client_key) FROM activities WHERE client_key LIKE 'wrk-%'")
echo "quick-log taps stored: $taps; stored twice: $twice"
echo "(SQLite in WAL mode with synchronous=NORMAL: a commit survives a crash of the server; see README, Backup and restore)"
