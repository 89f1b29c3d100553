#!/usr/bin/env bash
# Installs what building and testing Pacesetter needs, skipping each step quickly when it
# is already there. Safe to run again. Debian + rustup + node/npm assumed. With --run, only
# what building and running needs (scripts/run.sh): no browser, no PostgreSQL, no test tools.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# 1. The browser target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 2. Nothing to install for the build itself: scripts/build.sh builds its small helper
#    (tools/site: split + wasm-bindgen, on the libraries cargo-leptos uses) with cargo.
#    Developers who want `cargo leptos watch` install cargo-leptos 0.3.10 themselves:
#    `cargo install cargo-leptos --version =0.3.10 --locked --features no_downloads`.

# 3. npm packages: wasm-opt from binaryen (never Debian's binaryen), esbuild (minifies the
#    script and the styles) and Playwright.
if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ ! -x end2end/node_modules/.bin/esbuild ] ||
  [ ! -d end2end/node_modules/@playwright/test ]; then
  log "installing npm packages in end2end/"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

# What running needs ends here (scripts/run.sh passes --run): the rest is for the tests.
if [ "${1:-}" = "--run" ]; then
  exit 0
fi

# 4. cargo-nextest runs the Rust tests (a hanging test is stopped and reported).
if ! cargo nextest --version >/dev/null 2>&1; then
  log "installing cargo-nextest"
  cargo install cargo-nextest --locked
fi

# 5. Debian packages: Chromium for the end-to-end tests, PostgreSQL for the second engine.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
# Activity icons are emoji: without a colour emoji font, screenshots show empty boxes.
[ -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || missing+=(fonts-noto-color-emoji)
command -v pg_ctlcluster >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}"
fi

# 6. PyPI: the OpenAPI validator the tests run on /api/v1/openapi.json.
if ! python3 -c 'import openapi_spec_validator' 2>/dev/null; then
  log "installing openapi-spec-validator"
  python3 -m pip install --quiet openapi-spec-validator
fi
# 7. PyPI: Schemathesis, the hostile-input run on the API (scripts/api-fuzz.sh).
if ! command -v schemathesis >/dev/null 2>&1; then
  log "installing schemathesis"
  python3 -m pip install --quiet schemathesis
fi
