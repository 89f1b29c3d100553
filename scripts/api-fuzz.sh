#!/usr/bin/env bash
# Hostile input on the integration API: Schemathesis (PyPI) reads /api/v1/openapi.json and
# sends every operation generated valid and invalid input (examples, the schema's edge
# cases, then random data), with a token holding every scope. Fails on any answer in the
# 5xx range (the check `not_a_server_error`); afterwards the rollups must still equal a
# recount of the raw rows (`pacesetter verify-rollups`): nothing partly written.
# Usage: scripts/api-fuzz.sh   (after scripts/build.sh; EXAMPLES=40 cases per operation)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bin=target/${E2E_PROFILE:-release}/pacesetter
[ -x "$bin" ] || { echo "api-fuzz: $bin is missing; run scripts/build.sh first" >&2; exit 1; }
command -v schemathesis >/dev/null || { echo "api-fuzz: schemathesis is missing (scripts/setup.sh installs it)" >&2; exit 1; }
port=${PORT:-3967}
base=http://127.0.0.1:$port
work=$(mktemp -d)
db="sqlite://$work/fuzz.db"
"$bin" --database "$db" serve --addr "127.0.0.1:$port" --demo >"$work/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 600); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
token=$("$bin" --database "$db" tokens create --name fuzz --scope ingest,read,admin | tail -n 1)
status=0
schemathesis run "$base/api/v1/openapi.json" \
  --header "Authorization: Bearer $token" \
  --checks not_a_server_error \
  --phases examples,coverage,fuzzing \
  --max-examples "${EXAMPLES:-40}" \
  --workers 2 \
  --suppress-health-check all \
  --seed "${SEED:-1}" || status=$?
if grep -q "panicked" "$work/server.log"; then
  echo "api-fuzz: the server panicked:" >&2
  grep -A3 "panicked" "$work/server.log" >&2
  status=1
fi
kill $pid
wait $pid 2>/dev/null || true
"$bin" --database "$db" verify-rollups || status=1
exit $status
