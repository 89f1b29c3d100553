#!/usr/bin/env bash
# Installs what building and testing Pacesetter needs, skipping each step quickly when it
# is already there. Safe to run again. Debian + rustup + node/npm assumed.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# 1. The browser target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 2. cargo-leptos 0.3.10 (0.3.11 needs rustc 1.96); no_downloads: never fetch tools from GitHub.
if ! cargo leptos --version 2>/dev/null | grep -q '0\.3\.10'; then
  log "installing cargo-leptos 0.3.10 (about 40 minutes on 2 cores, once)"
  cargo install cargo-leptos --version =0.3.10 --locked --features no_downloads
fi

# 3. wasm-bindgen-cli at exactly the version in Cargo.lock (a mismatch breaks the bundle).
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q " $want\$"; then
  log "installing wasm-bindgen-cli $want"
  cargo install wasm-bindgen-cli --version "=$want"
fi

# 3b. cargo-nextest runs the Rust tests (a hanging test is stopped and reported).
if ! cargo nextest --version >/dev/null 2>&1; then
  log "installing cargo-nextest"
  cargo install cargo-nextest --locked
fi

# 4. npm packages: wasm-opt from binaryen (never Debian's binaryen) and Playwright.
if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ ! -d end2end/node_modules/@playwright/test ]; then
  log "installing npm packages in end2end/"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
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
