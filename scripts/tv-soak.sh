#!/usr/bin/env bash
# The office TV soak (a benchmark, not a test): starts the server built by
# scripts/build.sh on a fresh SQLite demo database, opens one TV page in headless Chromium for
# MINUTES minutes (default 30) while the integration API sends about one event a second,
# and prints JS heap and DOM size at start and end and the update latency p50/p95.
# Usage: MINUTES=3 scripts/tv-soak.sh     (E2E_PROFILE=release for a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

profile=${E2E_PROFILE:-debug}
bin=target/$profile/pacesetter
port=${SOAK_PORT:-3927}
[ -x "$bin" ] || { echo "tv-soak: $bin is missing; run scripts/build.sh first" >&2; exit 1; }

work=$(mktemp -d)
db="sqlite://$work/soak.db"
tv_path=$("$bin" --database "$db" displays create --name "Soak TV" | tail -n 1)
api_token=$("$bin" --database "$db" tokens create --name "Soak" --scope ingest,read | tail -n 1)
"$bin" --database "$db" serve --addr "127.0.0.1:$port" --demo >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.5
done
cd end2end
BASE_URL="http://127.0.0.1:$port" TV_PATH="$tv_path" API_TOKEN="$api_token" MINUTES="${MINUTES:-30}" node tv-soak.mjs
