#!/usr/bin/env python3
"""The crash drill (a drill, not a test; started by scripts/crash-drill.sh).

Starts the release server on a fresh database, sends a steady stream of writes through every
door at once (API single writes, API batches, the quick log as the page sends it, CSV imports
as the admin page sends them), kills the server with SIGKILL at a random moment, restarts it,
and sends again every write that was not acknowledged, with the same key. After every run it
checks that every acknowledged write is stored exactly once, that the rollups equal a recount
of the raw rows (`pacesetter verify-rollups`), and on SQLite that `PRAGMA integrity_check`
passes. Prints runs, acknowledged writes, lost and duplicated; exits 1 on any loss or double.

Environment: BIN (the server binary), DATABASE_URL (sqlite://… or postgres://…; a fresh
database), RUNS (default 10), PORT (default 3937).
"""
import http.cookiejar
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import common

BIN = os.environ["BIN"]
DB = os.environ["DATABASE_URL"]
RUNS = int(os.environ.get("RUNS", "10"))
PORT = int(os.environ.get("PORT", "3937"))
BASE = f"http://127.0.0.1:{PORT}"
PASSWORD = "crash-drill-password"


def cli(*args, stdin=None):
    return common.cli(BIN, DB, *args, stdin=stdin)


def query(sql):
    """One integer from the database."""
    if DB.startswith("sqlite:"):
        con = sqlite3.connect(DB.split("://", 1)[1])
        try:
            return con.execute(sql).fetchone()[0]
        finally:
            con.close()
    out = subprocess.run(["psql", "-At", DB, "-c", sql], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[0])


def start_server():
    return common.start_server(BIN, DB, PORT, f"/tmp/crash-drill-{PORT}.log")


def session(email):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    data = urllib.parse.urlencode({"email": email, "password": PASSWORD}).encode()
    try:
        opener.open(urllib.request.Request(BASE + "/api/sign_in", data=data), timeout=10).read()
    except urllib.error.HTTPError as e:
        if e.code not in (302, 303):
            raise
    return opener


def post(opener, path, body, token=None, form=False, timeout=10):
    """True when the server acknowledged the write (2xx)."""
    if form:
        data = urllib.parse.urlencode(body).encode()
        headers = {"content-type": "application/x-www-form-urlencoded"}
    else:
        data = json.dumps(body).encode()
        headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = "Bearer " + token
    try:
        with opener.open(urllib.request.Request(BASE + path, data=data, headers=headers), timeout=timeout) as r:
            r.read()
            return 200 <= r.status < 300
    except Exception:
        return False


def activity(key, day):
    return {"rep_email": "rep@drill.test", "type": "call", "quantity": 1,
            "occurred_at": f"2026-06-{day:02d}T10:00:00Z", "source": "drill", "external_id": key}


class Doors:
    """Every write as a (door, key, send) triple; `acked` holds the keys acknowledged."""

    def __init__(self, token):
        self.token = token
        self.acked = {}  # key -> door
        self.sent = {}  # key -> (door, send function)
        self.lock = threading.Lock()
        self.n = 0

    def next(self):
        with self.lock:
            self.n += 1
            return self.n

    def single(self, opener):
        key = f"single-{self.next()}"
        body = activity(key, 1 + self.n % 28)
        return key, "api single", lambda: post(opener, "/api/v1/activities", body, self.token)

    def batch(self, opener):
        n = self.next()
        keys = [f"batch-{n}-{i}" for i in range(20)]
        body = {"items": [activity(k, 1 + i % 28) for i, k in enumerate(keys)]}
        return keys, "api batch", lambda: post(opener, "/api/v1/activities/batch", body, self.token)

    def tap(self, opener):
        key = f"tap-{self.next()}"
        body = {"type_key": "call", "client_key": key}
        return key, "quick log", lambda: post(opener, "/api/log_activity", body, form=True)

    def csv(self, opener):
        n = self.next()
        keys = [f"csv-{n}-{i}" for i in range(25)]
        lines = ["rep_email,type,occurred_at,quantity,duration_seconds,note,account,source,external_id"]
        lines += [f"rep@drill.test,call,2026-06-{1 + i % 28:02d}T11:00:00Z,1,,,,drill,{k}" for i, k in enumerate(keys)]
        body = {"kind": "activities", "csv": "\n".join(lines) + "\n", "dry_run": "false"}
        return keys, "csv import", lambda: post(opener, "/api/admin_import_csv", body, form=True, timeout=30)


def writer(doors, make, opener, stop):
    while not stop.is_set():
        keys, door, send = make(opener)
        keys = keys if isinstance(keys, list) else [keys]
        with doors.lock:
            for k in keys:
                doors.sent[k] = (door, send)
        if send():
            with doors.lock:
                for k in keys:
                    doors.acked[k] = door


def stored_counts():
    """How many times each key is stored (external id or the tap's client key), in one read."""
    sql = ("SELECT COALESCE(external_id, client_key), COUNT(*) FROM activities "
           "WHERE source = 'drill' OR client_key IS NOT NULL GROUP BY 1")
    if DB.startswith("sqlite:"):
        con = sqlite3.connect(DB.split("://", 1)[1])
        try:
            return dict(con.execute(sql).fetchall())
        finally:
            con.close()
    out = subprocess.run(["psql", "-At", "-F", "\t", DB, "-c", sql], capture_output=True, text=True, check=True)
    counts = {}
    for line in out.stdout.splitlines():
        key, n = line.rsplit("\t", 1)
        counts[key] = int(n)
    return counts


def main():
    cli("create-user", "--email", "admin@drill.test", "--name", "Drill Admin", "--role", "admin",
        "--password-stdin", stdin=PASSWORD + "\n")
    cli("create-user", "--email", "rep@drill.test", "--name", "Drill Rep", "--role", "rep",
        "--password-stdin", stdin=PASSWORD + "\n")
    token = cli("tokens", "create", "--name", "drill", "--scope", "ingest")[-1]
    doors = Doors(token)
    kills = 0
    for run in range(1, RUNS + 1):
        server = start_server()
        rep, admin = session("rep@drill.test"), session("admin@drill.test")
        api = urllib.request.build_opener()
        # Retries of what the last crash left unacknowledged, with the same keys.
        with doors.lock:
            unacked = {k: v for k, v in doors.sent.items() if k not in doors.acked}
        for key, (door, send) in unacked.items():
            if key in doors.acked:
                continue
            if send():
                for k, (d, s) in unacked.items():
                    if s is send:
                        doors.acked[k] = d
        stop = threading.Event()
        threads = [threading.Thread(target=writer, args=(doors, make, opener, stop))
                   for make, opener in [(doors.single, api), (doors.single, api), (doors.batch, api),
                                        (doors.tap, rep), (doors.tap, rep), (doors.csv, admin)]]
        for t in threads:
            t.start()
        time.sleep(random.uniform(0.5, 2.5))
        server.send_signal(signal.SIGKILL)
        server.wait()
        kills += 1
        stop.set()
        for t in threads:
            t.join()
        print(f"run {run}: killed with {len(doors.acked)} writes acknowledged so far", flush=True)

    # Last restart: send what is still unacknowledged, then count.
    server = start_server()
    rep, admin = session("rep@drill.test"), session("admin@drill.test")
    for key, (door, send) in list(doors.sent.items()):
        if key not in doors.acked and send():
            doors.acked[key] = door
    server.send_signal(signal.SIGTERM)
    server.wait()

    lost, doubled, per_door = [], [], {}
    counts = stored_counts()
    for key, door in doors.acked.items():
        per_door[door] = per_door.get(door, 0) + 1
        n = counts.get(key, 0)
        if n == 0:
            lost.append(key)
        elif n > 1:
            doubled.append(key)
    verify = subprocess.run([BIN, "--database", DB, "verify-rollups"], capture_output=True, text=True)
    integrity = query("SELECT 1") if not DB.startswith("sqlite:") else None
    if DB.startswith("sqlite:"):
        con = sqlite3.connect(DB.split("://", 1)[1])
        integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
        con.close()
    print(f"runs: {RUNS} (SIGKILL each), acknowledged writes: {len(doors.acked)} "
          f"({', '.join(f'{d} {n}' for d, n in sorted(per_door.items()))}), "
          f"lost: {len(lost)}, duplicated: {len(doubled)}")
    print(f"rollups: {verify.stdout.strip() or verify.stderr.strip()}")
    if DB.startswith("sqlite:"):
        print(f"PRAGMA integrity_check: {integrity}")
    ok = not lost and not doubled and verify.returncode == 0 and integrity in ("ok", 1)
    if lost:
        print("lost:", lost[:20])
    if doubled:
        print("duplicated:", doubled[:20])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
