#!/usr/bin/env python3
"""The backup and restore drill (a drill, not a test; started by scripts/backup-drill.sh).

Starts the release server on a fresh demo organisation and sends a steady stream of writes
(API single activities, API batches, deals won, lost and open), takes a backup in the middle
of it (SQLite: `pacesetter backup`; PostgreSQL: `pg_dump`), keeps writing for a while, then
restores the backup into a fresh database and starts a second instance on it. It checks that
the copy is sound (`pacesetter verify-rollups`, and `PRAGMA integrity_check` on SQLite) and
holds every write acknowledged before the backup began. Then it does what a team does after
a restore: the integrations send again what they sent (every acknowledged write, with the
same keys; those already in the copy must not count twice). Last, every leaderboard of the
two instances is compared: every period, several metrics, the organisation and each team.
Prints the figures; exits 1 on any missing write, unsound copy or leaderboard that differs.

Environment: BIN, DATABASE_URL (fresh), RESTORE_URL (fresh, same engine), BACKUP_FILE (where
the backup goes), PORT (default 3947; the restored instance uses PORT + 1), WRITE_SECONDS (of
writes before and after the backup, default 2).
"""
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone

import common

BIN = os.environ["BIN"]
DB = os.environ["DATABASE_URL"]
RESTORE = os.environ["RESTORE_URL"]
BACKUP = os.environ["BACKUP_FILE"]
PORT = int(os.environ.get("PORT", "3947"))
SECONDS = float(os.environ.get("WRITE_SECONDS", "2"))
SQLITE = DB.startswith("sqlite:")

PERIODS = ["day", "week", "month", "quarter", "year", "last_7", "last_30", "last_90"]
METRICS = ["activity_score", "activity_count:call", "turnover_won", "deals_won", "deals_lost",
           "win_rate", "lost_amount", "weighted_pipeline", "average_deal_size"]


def rows(database, sql):
    """Every row of a query, as tuples of strings."""
    if database.startswith("sqlite:"):
        con = sqlite3.connect(database.split("://", 1)[1])
        try:
            return [tuple(str(c) for c in r) for r in con.execute(sql).fetchall()]
        finally:
            con.close()
    out = subprocess.run(["psql", "-At", "-F", "\t", database, "-c", sql],
                         capture_output=True, text=True, check=True)
    return [tuple(line.split("\t")) for line in out.stdout.splitlines() if line]


def call(base, token, method, path, body=None, timeout=15):
    """(status, parsed JSON or None)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers={
        "authorization": "Bearer " + token, "content-type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, None
    except Exception:
        return 0, None


class Writes:
    """Every acknowledged write as (path, body, keys), in the order acknowledged."""

    def __init__(self, reps, types, currency):
        self.reps, self.types, self.currency = reps, types, currency
        self.acked = []
        self.lock = threading.Lock()
        self.n = 0
        self.refused = 0

    def key(self):
        with self.lock:
            self.n += 1
            return f"bk-{self.n}"

    def when(self):
        # up to 3 days back, never in the future: today's, this week's and this month's
        # boards all move
        at = datetime.now(timezone.utc) - timedelta(seconds=random.randint(60, 3 * 86400))
        return at.strftime("%Y-%m-%dT%H:%M:%SZ")

    def activity(self):
        k = self.key()
        return {"rep_email": random.choice(self.reps), "type": random.choice(self.types),
                "quantity": random.randint(1, 3), "occurred_at": self.when(),
                "duration_seconds": random.choice([None, 60, 300, 1800]),
                "source": "backup-drill", "external_id": k}, [k]

    def deal(self):
        k = self.key()
        status = random.choice(["won", "won", "lost", "open"])
        today = datetime.now(timezone.utc).date()
        body = {"rep_email": random.choice(self.reps), "name": f"Drill deal {k}",
                "account": f"Account {random.randint(1, 40)}",
                "amount": random.randint(1, 5_000_000), "currency": self.currency,
                "status": status, "created_on": str(today - timedelta(days=20)),
                "new_customer": random.random() < 0.3,
                "source": "backup-drill", "external_id": k}
        if status == "open":
            body["probability"] = random.choice([10, 50, 90])
            body["expected_close"] = str(today + timedelta(days=random.randint(5, 120)))
        else:
            body["closed_on"] = str(today - timedelta(days=random.randint(1, 3)))
        if status == "lost":
            body["lost_reason"] = random.choice(["Price", "Timing", "Competitor"])
        return body, [k]

    def send(self, base, token, kind, stop):
        while not stop.is_set():
            if kind == "single":
                body, keys = self.activity()
                path = "/api/v1/activities"
            elif kind == "batch":
                items = [self.activity() for _ in range(10)]
                body = {"items": [b for b, _ in items]}
                keys = [k for _, ks in items for k in ks]
                path = "/api/v1/activities/batch"
            else:
                body, keys = self.deal()
                path = "/api/v1/deals"
            status, _ = call(base, token, "POST", path, body)
            with self.lock:
                if 200 <= status < 300:
                    self.acked.append((path, body, keys))
                else:
                    self.refused += 1


def boards(base, token, teams):
    """Every leaderboard, by (period, metric, team)."""
    out = {}
    for period in PERIODS:
        for metric in METRICS:
            for team in [None, *teams]:
                q = {"period": period, "metric": metric}
                if team:
                    q["team"] = team
                status, body = call(base, token, "GET", "/api/v1/leaderboard?" + urllib.parse.urlencode(q))
                if status != 200:
                    raise SystemExit(f"leaderboard {q} answered {status}")
                out[(period, metric, team)] = body
    return out


def main():
    base = f"http://127.0.0.1:{PORT}"
    server = common.start_server(BIN, DB, PORT, f"/tmp/backup-drill-{PORT}.log", "--demo")
    token = common.cli(BIN, DB, "tokens", "create", "--name", "drill", "--scope", "ingest,read")[-1]
    reps = [r[0] for r in rows(DB, "SELECT u.email FROM users u WHERE u.active = TRUE "
                                   "AND u.sales_role_id IS NOT NULL ORDER BY u.email")]
    types = [r[0] for r in rows(DB, "SELECT key FROM activity_types WHERE active = TRUE")]
    teams = [r[0] for r in rows(DB, "SELECT name FROM teams ORDER BY name")]
    currency = rows(DB, "SELECT currency FROM settings")[0][0]
    print(f"demo organisation: {len(reps)} reps, {len(teams)} teams, {len(types)} activity types")

    writes = Writes(reps, types, currency)
    stop = threading.Event()
    threads = [threading.Thread(target=writes.send, args=(base, token, kind, stop))
               for kind in ["single", "single", "batch", "deal"]]
    for t in threads:
        t.start()
    time.sleep(SECONDS)
    with writes.lock:
        before = [k for _, _, keys in writes.acked for k in keys]
    started = time.monotonic()
    if SQLITE:
        common.cli(BIN, DB, "backup", BACKUP)
    else:
        subprocess.run(["pg_dump", "--format=custom", "--file", BACKUP, DB], check=True)
    took = time.monotonic() - started
    time.sleep(SECONDS)
    stop.set()
    for t in threads:
        t.join()
    acked_keys = [k for _, _, keys in writes.acked for k in keys]
    print(f"{len(acked_keys)} writes acknowledged ({len(before)} before the backup began, "
          f"{writes.refused} refused); the backup took {took * 1000:.0f} ms while they went on")

    # Restore into a fresh database.
    if SQLITE:
        shutil.copyfile(BACKUP, RESTORE.split("://", 1)[1])
    else:
        subprocess.run(["pg_restore", "--no-owner", "--dbname", RESTORE, BACKUP], check=True)
    problems = []
    verify = common.cli(BIN, RESTORE, "verify-rollups")
    print("restored copy: " + " ".join(verify))
    if SQLITE:
        check = rows(RESTORE, "PRAGMA integrity_check")
        print(f"restored copy: PRAGMA integrity_check = {check[0][0]}")
        if check != [("ok",)]:
            problems.append(f"integrity_check: {check}")
    held = {r[0] for r in rows(RESTORE, "SELECT external_id FROM activities WHERE source = 'backup-drill' "
                                        "UNION ALL SELECT external_id FROM deals WHERE source = 'backup-drill'")}
    missing = [k for k in before if k not in held]
    after = [k for k in acked_keys if k not in held]
    print(f"restored copy holds {len(held)} drill writes: {len(missing)} of those acknowledged "
          f"before the backup missing; {len(after)} acknowledged later, to be sent again")
    if missing:
        problems.append(f"{len(missing)} writes acknowledged before the backup are missing: {missing[:5]}")

    restored = common.start_server(BIN, RESTORE, PORT + 1, f"/tmp/backup-drill-{PORT + 1}.log")
    other = f"http://127.0.0.1:{PORT + 1}"
    try:
        resent = 0
        for path, body, _ in writes.acked:
            status, _ = call(other, token, "POST", path, body)
            if not 200 <= status < 300:
                problems.append(f"sending {path} again answered {status}")
                break
            resent += 1
        stored = int(rows(RESTORE, "SELECT COUNT(*) FROM activities WHERE source = 'backup-drill'")[0][0]) + \
            int(rows(RESTORE, "SELECT COUNT(*) FROM deals WHERE source = 'backup-drill'")[0][0])
        print(f"sent every acknowledged write again ({resent} requests): the restored instance "
              f"stores {stored} drill writes for {len(acked_keys)} acknowledged")
        if stored != len(acked_keys):
            problems.append(f"{stored} drill writes stored for {len(acked_keys)} acknowledged")
        verify = common.cli(BIN, RESTORE, "verify-rollups")
        print("restored instance after the resend: " + " ".join(verify))
        ours, theirs = boards(base, token, teams), boards(other, token, teams)
        differ = [k for k in ours if ours[k] != theirs[k]]
        entries = sum(len(b["entries"]) for b in ours.values())
        print(f"leaderboards compared: {len(ours)} ({len(PERIODS)} periods × {len(METRICS)} metrics × "
              f"{1 + len(teams)} scopes, {entries} ranked lines); differ: {len(differ)}")
        for k in differ[:3]:
            problems.append(f"leaderboard {k} differs")
            a = {e["rep_email"]: (e["rank"], e["value"]) for e in ours[k]["entries"]}
            b = {e["rep_email"]: (e["rank"], e["value"]) for e in theirs[k]["entries"]}
            for email in sorted(set(a) | set(b)):
                if a.get(email) != b.get(email):
                    print(f"  {k}: {email} original {a.get(email)} restored {b.get(email)}")
    finally:
        restored.terminate()
        server.terminate()
        restored.wait()
        server.wait()
    if problems:
        print("FAILED: " + "; ".join(problems))
        sys.exit(1)
    print("backup drill passed: nothing acknowledged was lost, nothing counted twice, "
          "every leaderboard matches")


if __name__ == "__main__":
    main()
