#!/usr/bin/env bash
# Builds Pacesetter as it ships, without cargo-leptos: the same site as
# `cargo leptos build --release --split --precompress` (which developers can still use, and
# `cargo leptos watch` too: `[package.metadata.leptos]` in Cargo.toml is unchanged).
#
#   target/release/pacesetter     the server
#   target/site/pkg/              the browser bundle: pacesetter.js, pacesetter.wasm, the
#                                 lazily loaded route chunks, pacesetter.css
#   target/site/                  public/ (icons, manifest, service worker, ECharts)
#
# and a brotli and a gzip copy of every file of the site. Steps: the browser bundle
# (cargo, wasm32) → split into route chunks and wasm-bindgen (tools/site, a small program
# on the libraries cargo-leptos uses) → wasm-opt -Oz (npm's binaryen) → the script and the
# styles minified (npm's esbuild) → public/ copied → precompressed; the server (cargo) builds
# in the background from the start (its log: target/server-build.log).
# Installing cargo-leptos took 14.5 minutes on 2 cores; tools/site builds in about 1.5.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

log() { printf '\033[1m[build]\033[0m %s\n' "$*" >&2; }
started=$SECONDS
name=pacesetter
site=target/site
pkg=$site/pkg

# What cargo-leptos tells the compiler about the site (leptos reads these at build time).
export LEPTOS_OUTPUT_NAME=$name LEPTOS_SITE_ROOT=$site LEPTOS_SITE_PKG_DIR=pkg \
  LEPTOS_SITE_ADDR=127.0.0.1:3000 LEPTOS_RELOAD_PORT=3001 LEPTOS_LIB_DIR=. LEPTOS_BIN_DIR=. \
  LEPTOS_JS_MINIFY=true LEPTOS_HASH_FILES=false

# The bundle's wasm-bindgen and tools/site's must be the same version, or the bundle breaks.
lock_version() { awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' "$1"; }
tool_version() { awk '/^name = "wasm-bindgen-cli-support"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' "$1"; }
app_bindgen=$(lock_version Cargo.lock)
tool_bindgen=$(tool_version tools/site/Cargo.lock)
if [ "$app_bindgen" != "$tool_bindgen" ]; then
  echo "build: Cargo.lock has wasm-bindgen $app_bindgen but tools/site uses $tool_bindgen;" \
    "set wasm-bindgen-cli-support = \"=$app_bindgen\" in tools/site/Cargo.toml" >&2
  exit 1
fi

# The server does not depend on the browser bundle: it builds beside it (its own target
# directory, so its own cargo lock), and the two keep both cores busy through each other's
# one-core stretches (the bundle's single codegen unit and LTO, wasm-opt on the main module,
# the server crate's type checking).
log "server (release), beside the browser bundle: target/server-build.log"
mkdir -p target
cargo build --locked --package=$name --bin=$name --no-default-features --features=ssr --release \
  >target/server-build.log 2>&1 &
server_build=$!
trap 'kill $server_build 2>/dev/null || true' EXIT

log "tools/site (split, wasm-bindgen, precompress)"
cargo build --release --locked --quiet --manifest-path tools/site/Cargo.toml --target-dir target/tools
tool=target/tools/release/pacesetter-site

log "browser bundle (wasm32, profile wasm-release)"
# --emit-relocs lets the splitter move each lazy route into its own chunk.
RUSTFLAGS="-Clink-args=--emit-relocs" cargo build --locked --package=$name --lib \
  --target-dir=target/front --target=wasm32-unknown-unknown \
  --no-default-features --features=hydrate --profile=wasm-release
rm -rf "$site"
mkdir -p "$pkg"
"$tool" front target/front/wasm32-unknown-unknown/wasm-release/$name.wasm "$pkg" $name >target/front/wasm-files

log "wasm-opt -Oz ($(wc -l <target/front/wasm-files) modules)"
# npm's binaryen through its library, every module in one of two processes (largest first,
# dealt in turn): its wasm-opt command starts in about 2 s, which for ~300 modules was most
# of this step. (binaryen 132 warns about a name subsection rustc writes and it does not
# know: noise.)
opt_half() {
  # shellcheck disable=SC2046
  node scripts/wasm-opt.mjs $(ls -S $(cat target/front/wasm-files) | awk -v k="$1" 'NR % 2 == k') 2>&1 |
    { grep -v "unknown name subsection" || true; }
}
opt_half 0 & opt_even=$!
opt_half 1
wait $opt_even

log "script and styles minified (esbuild)"
# (wasm-bindgen imports the split loader once per chunk under one key: harmless, and noise.)
esbuild "$pkg/$name.js" --minify --format=esm --log-level=warning --log-override:duplicate-object-key=silent --allow-overwrite --outfile="$pkg/$name.js"
esbuild style/main.css --bundle --minify --log-level=warning --outfile="$pkg/$name.css"
# A surface's own sheet (the TV, the desk, the team view: `components::page_sheet`).
for sheet in tv desk team; do
  esbuild "style/$sheet.css" --bundle --minify --log-level=warning --outfile="$pkg/$sheet.css"
done

cp -R public/. "$site/"
"$tool" compress "$site"

log "server (release): waiting for its build"
if ! wait $server_build; then
  cat target/server-build.log >&2
  echo "build: the server's build failed (above)" >&2
  exit 1
fi
trap - EXIT
tail -n 1 target/server-build.log >&2

log "done in $((SECONDS - started)) s: target/release/$name and $site/"
