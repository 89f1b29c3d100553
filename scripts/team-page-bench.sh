#!/usr/bin/env bash
# The team view's page over HTTP on the release build (a benchmark, not a test; figures
# printed): a 1,000-rep organisation made by the data generator (`pacesetter generate`:
# teams of 25, a year of activity, deals, targets) on SQLite, an admin made with
# `create-user`, then the server-rendered `/team` page (HTML with the data for hydration)
# for the whole organisation (an admin's page: this month, quarter, fiscal year and rolling
# 90 and 30 days) and for
# one team (a manager's), each
# fetched RUNS times after two warm-ups: the median and the slowest
# total time of the answer on loopback, and its size. The page's data alone is
# `cargo bench --features ssr --bench team`.
# Usage: scripts/team-page-bench.sh   (after scripts/build.sh; REPS=1000 ACTIVITIES=1000000 RUNS=9)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bin=target/${E2E_PROFILE:-release}/pacesetter
[ -x "$bin" ] || { echo "team-page-bench: $bin is missing; run scripts/build.sh first" >&2; exit 1; }
reps=${REPS:-1000}
activities=${ACTIVITIES:-1000000}
runs=${RUNS:-9}
port=${PORT:-3958}
base=http://127.0.0.1:$port
work=$(mktemp -d)
db="sqlite://$work/org.db"
trap 'kill ${pid:-} 2>/dev/null || true; wait ${pid:-} 2>/dev/null || true; rm -rf "$work"' EXIT

"$bin" --database "$db" generate --reps "$reps" --activities "$activities" | tail -n 1
printf 'bench-admin-password\n' | "$bin" --database "$db" create-user --email admin@bench.test \
  --name "Bench Admin" --role admin --password-stdin >/dev/null
"$bin" --database "$db" serve --addr "127.0.0.1:$port" >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
admin=$(curl -s -D - -o /dev/null -X POST -H "Origin: $base" \
  --data-urlencode "email=admin@bench.test" --data-urlencode "password=bench-admin-password" \
  "$base/api/sign_in" | awk 'tolower($1) == "set-cookie:" { sub(/;.*/, "", $2); print $2; exit }')
[ -n "$admin" ] || { echo "team-page-bench: cannot sign in" >&2; exit 1; }
team=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT name FROM teams ORDER BY name LIMIT 1').fetchone()[0])" "$work/org.db")

# Fetches `path` RUNS times (after 2 warm-ups) and prints the median and the slowest total
# time in ms and the size of the answer.
# With a third argument, POSTs it as a form (a server function's call).
page() {
  local label=$1 path=$2 form=${3:-} args=() times
  args=(-s -H "cookie: $admin" -o /dev/null -w '%{http_code} %{time_total} %{size_download}\n')
  [ -z "$form" ] || args+=(-H "Origin: $base" --data "$form")
  times=$(for _ in $(seq 1 $((runs + 2))); do curl "${args[@]}" "$base$path"; done | tail -n "$runs")
  if awk '$1 != 200 { bad = 1 } END { exit !bad }' <<<"$times"; then
    echo "team-page-bench: $path answered $(awk '$1 != 200 { print $1; exit }' <<<"$times")" >&2
    exit 1
  fi
  python3 - "$label" "$times" <<'EOF'
import statistics, sys
label, rows = sys.argv[1], [l.split() for l in sys.argv[2].splitlines()]
ms = sorted(float(r[1]) * 1000 for r in rows)
size = int(rows[-1][2]) / 1024
print(f"| {label:<40} | {statistics.median(ms):8.1f} ms | {ms[-1]:8.1f} ms | {size:7.0f} KB |")
EOF
}

echo
echo "Release build, SQLite, $reps reps, $activities activities, $runs fetches after 2 warm-ups, $(nproc) cores"
echo
echo "| /team (this month unless said) | median | slowest | page size |"
echo "| --- | ---: | ---: | ---: |"
page "whole organisation ($reps reps)" "/team?period=month"
page "  its data alone (server function, JSON)" "/api/team_view" "period=month"
page "whole organisation, this quarter" "/team?period=quarter"
page "  its data alone (server function, JSON)" "/api/team_view" "period=quarter"
page "whole organisation, this fiscal year" "/team?period=year"
page "  its data alone (server function, JSON)" "/api/team_view" "period=year"
page "whole organisation, rolling 90 days" "/team?period=last_90"
page "  its data alone (server function, JSON)" "/api/team_view" "period=last_90"
page "whole organisation, rolling 30 days" "/team?period=last_30"
page "  its data alone (server function, JSON)" "/api/team_view" "period=last_30"
page "one team ($team)" "/team?period=month&team=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$team")"
