#!/usr/bin/env bash
# The backup and restore drill (scripts/drills/backup.py): a backup taken while writes go
# on, restored into a fresh instance; every acknowledged write sent again; every
# leaderboard of the two instances compared.
# Usage: scripts/backup-drill.sh [sqlite|postgres]   (after `scripts/build.sh`)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
engine=${1:-sqlite}
bin=target/${E2E_PROFILE:-release}/pacesetter
[ -x "$bin" ] || { echo "backup-drill: $bin is missing; build first" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
case "$engine" in
  sqlite)
    url="sqlite://$work/drill.db"
    restore="sqlite://$work/restored.db"
    backup="$work/backup.db" ;;
  postgres)
    admin=$(scripts/postgres.sh | tail -n 1)
    name="pacesetter_backup_$$"
    psql -q "$admin" -c "CREATE DATABASE $name" -c "CREATE DATABASE ${name}_restored" >/dev/null
    trap 'psql -q "$admin" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" -c "DROP DATABASE IF EXISTS ${name}_restored WITH (FORCE)" >/dev/null; rm -rf "$work"' EXIT
    url="${admin%/*}/$name"
    restore="${admin%/*}/${name}_restored"
    backup="$work/backup.dump" ;;
  *) echo "usage: $0 [sqlite|postgres]" >&2; exit 2 ;;
esac
echo "backup and restore drill on $engine"
BIN="$bin" DATABASE_URL="$url" RESTORE_URL="$restore" BACKUP_FILE="$backup" \
  python3 scripts/drills/backup.py
