#!/usr/bin/env bash
# End-to-end tests: starts the server built by scripts/build.sh on a fresh SQLite
# database with the demo organisation, waits for /healthz, runs Playwright in the system
# Chromium, and stops the server. Exits non-zero when any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

profile=${E2E_PROFILE:-debug}
export E2E_PROFILE=$profile
bin=target/$profile/pacesetter
port=${E2E_PORT:-3917}
[ -x "$bin" ] || { echo "e2e: $bin is missing; run scripts/build.sh first" >&2; exit 1; }
[ -f target/site/pkg/pacesetter.wasm ] || { echo "e2e: target/site/pkg is missing; run scripts/build.sh first" >&2; exit 1; }

work=$(mktemp -d)
db="sqlite://$work/e2e.db"
tv_path=$("$bin" --database "$db" displays create --name "E2E TV" | tail -n 1)
api_token=$("$bin" --database "$db" tokens create --name "E2E" --scope ingest,read | tail -n 1)
"$bin" --database "$db" serve --addr "127.0.0.1:$port" --demo >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT

for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { echo "e2e: server did not become healthy" >&2; cat "$work/server.log" >&2; exit 1; }

cd end2end
BASE_URL="http://127.0.0.1:$port" TV_PATH="$tv_path" API_TOKEN="$api_token" npx playwright test "$@"
