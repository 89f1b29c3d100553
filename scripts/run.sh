#!/usr/bin/env bash
# Builds Pacesetter (release), creates the SQLite database when missing, seeds the demo
# organisation when it is empty, and starts the server. Extra arguments go to `serve`,
# e.g. `scripts/run.sh --addr 0.0.0.0:3000`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --run
source scripts/env.sh
scripts/build.sh
exec target/release/pacesetter serve --demo "$@"
