#!/usr/bin/env bash
# Makes sure a PostgreSQL server is running on localhost and has a `pacesetter` role that
# may create databases; prints the admin URL the tests use. Starts Debian's cluster when
# none is running.
set -euo pipefail
log() { printf '\033[1m[postgres]\033[0m %s\n' "$*" >&2; }
as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; elif [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$(printf '%q ' "$@")"; else sudo -u postgres "$@"; fi; }

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  cluster=$(pg_lsclusters --no-header 2>/dev/null | awk 'NR==1 { print $1 " " $2 }')
  if [ -z "$cluster" ]; then
    log "creating a PostgreSQL cluster"
    if [ "$(id -u)" = 0 ]; then pg_createcluster 15 main >&2; else sudo pg_createcluster 15 main >&2; fi
    cluster=$(pg_lsclusters --no-header | awk 'NR==1 { print $1 " " $2 }')
  fi
  log "starting PostgreSQL cluster $cluster"
  # pg_ctlcluster talks on stdout ("Removed stale pid file."); only the URL may go there.
  if [ "$(id -u)" = 0 ]; then pg_ctlcluster $cluster start >&2; else sudo pg_ctlcluster $cluster start >&2; fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
as_postgres psql -q -v ON_ERROR_STOP=1 -d postgres <<'SQL' >/dev/null
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pacesetter') THEN
    CREATE ROLE pacesetter LOGIN PASSWORD 'pacesetter' CREATEDB;
  END IF;
END $$;
SELECT 'CREATE DATABASE pacesetter OWNER pacesetter' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'pacesetter')\gexec
-- The scale bench flushes its bulk load before timing reads (CHECKPOINT), as a server's
-- data has long been written when its pages are read.
GRANT pg_checkpoint TO pacesetter;
SQL
echo "postgres://pacesetter:pacesetter@127.0.0.1:5432/pacesetter"
