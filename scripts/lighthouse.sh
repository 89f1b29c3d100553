#!/usr/bin/env bash
# Lighthouse (mobile preset, Debian's Chromium, offline) on the rep's /me page and on the
# leaderboard, against the release build on a fresh demo database. Prints the category
# scores; it is a measurement, not a test (scores move a little from run to run).
#   scripts/lighthouse.sh            # after scripts/build.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

bin=target/release/pacesetter
port=${LIGHTHOUSE_PORT:-3927}
[ -x "$bin" ] || { echo "lighthouse: $bin is missing; run scripts/build.sh first" >&2; exit 1; }
( cd scripts/lighthouse && { [ -x node_modules/.bin/lighthouse ] || npm ci --no-audit --no-fund; } )

work=$(mktemp -d)
"$bin" --database "sqlite://$work/lh.db" serve --addr "127.0.0.1:$port" --demo >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done

# A demo rep's session cookie, for /me.
curl -fsS -c "$work/jar" -o /dev/null -H 'Accept: application/json' \
  --data-urlencode 'email=sam.rivera@demo.pacesetter.test' \
  --data-urlencode 'password=demo-rep-password' \
  "http://127.0.0.1:$port/api/sign_in"
# (curl marks HttpOnly cookies with a "#HttpOnly_" prefix: they are cookies, not comments.)
cookie=$(awk '{ sub(/^#HttpOnly_/, "") } !/^#/ && NF >= 7 { printf "%s%s=%s", sep, $6, $7; sep="; " }' "$work/jar")

for path in /me /; do
  out="$work/report-$(echo "$path" | tr -c 'a-z' '_').json"
  scripts/lighthouse/node_modules/.bin/lighthouse "http://127.0.0.1:$port$path" \
    --quiet --output=json --output-path="$out" \
    --only-categories=performance,accessibility,best-practices \
    --extra-headers="{\"Cookie\": \"$cookie\"}" \
    --chrome-path=/usr/bin/chromium \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu" >/dev/null 2>"$work/lh.log" \
    || { cat "$work/lh.log" >&2; exit 1; }
  python3 - "$out" "$path" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
cats = r["categories"]; a = r["audits"]
final = r.get("finalDisplayedUrl") or r.get("finalUrl", "")
if not final.split("?")[0].endswith(sys.argv[2]):
    sys.exit(f"lighthouse: {sys.argv[2]} ended on {final}, not the page asked for (signed out?)")
scores = "  ".join(f"{k} {round(v['score'] * 100)}" for k, v in cats.items())
print(f"{sys.argv[2]:<4} {scores}  |  LCP {a['largest-contentful-paint']['displayValue']}, "
      f"TBT {a['total-blocking-time']['displayValue']}, CLS {a['cumulative-layout-shift']['displayValue']}, "
      f"weight {a['total-byte-weight']['displayValue']}")
PY
done
