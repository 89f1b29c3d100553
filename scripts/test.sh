#!/usr/bin/env bash
# Every test, in the order a failure is cheapest to find: formatting, lints for both
# targets, unit and integration tests (real SQLite file and real PostgreSQL server),
# then end-to-end tests in a real Chromium. CI (.ci/run) runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "cargo fmt --check"
cargo fmt --check

step "clippy, server (ssr)"
cargo clippy --features ssr --all-targets -- -D warnings

step "clippy, browser (hydrate, wasm32)"
cargo clippy --lib --features hydrate --target wasm32-unknown-unknown -- -D warnings

step "PostgreSQL for the integration tests"
TEST_POSTGRES_URL=$(scripts/postgres.sh | tail -n 1)
export TEST_POSTGRES_URL

# Each PostgreSQL test makes its own database (about 30 MB); drop them after the run, and
# first whatever an interrupted run left, so runs do not pile gigabytes on the server.
drop_test_databases() {
  psql -qAt "$TEST_POSTGRES_URL" -c "SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE);', datname) FROM pg_database WHERE datname LIKE 'pacesetter\_test\_%'" \
    | psql -q "$TEST_POSTGRES_URL" >/dev/null
}
drop_test_databases

step "unit and integration tests (SQLite and PostgreSQL)"
PACESETTER_OPENAPI_OUT="$(mktemp -d)/openapi.json"
export PACESETTER_OPENAPI_OUT
# cargo-nextest (.config/nextest.toml): a hanging test is stopped after 3 minutes and
# reported, not left to hold the run until CI's limit. Threads get 8 MB of stack: unoptimised,
# the server's render of /me (one typed view, no boxes) overflows tokio's default 2 MB in
# the debug test build; the release server does not come near it.
RUST_MIN_STACK=8388608 cargo nextest run --features ssr
drop_test_databases

step "the OpenAPI document validates (openapi-spec-validator)"
python3 -m openapi_spec_validator "$PACESETTER_OPENAPI_OUT"

step "build the app as it ships (scripts/build.sh: release, split bundle, precompressed)"
scripts/build.sh

step "end-to-end tests on the release build (Playwright, /usr/bin/chromium)"
E2E_PROFILE=release scripts/e2e.sh

step "hostile input on the API (Schemathesis on /api/v1/openapi.json): no 5xx, nothing partly written"
scripts/api-fuzz.sh

step "live streams: 1,000 TVs, clients that never read, 1,000 reconnects a second (scripts/stream-drill.sh)"
scripts/stream-drill.sh

step "backup while writes go on, restored into a fresh instance: every leaderboard matches (scripts/backup-drill.sh)"
scripts/backup-drill.sh sqlite

step "all tests passed"
