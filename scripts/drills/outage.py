#!/usr/bin/env python3
"""The SQLite outage drill (a drill, not a test; started by scripts/outage-drill.sh, as root).

The database lives on a small tmpfs. With the server running it fills the disk, and checks that writes through the API and the quick log
are refused with 503 (`Retry-After` on the API) and a readable "can't save right now", that
nothing is half-written, and that once the disk has room again the same writes, retried with their keys, succeed without restarting the server and count once.

Environment: BIN (the server binary), DIR (a folder on a tmpfs; the drill mounts nothing
itself), PORT (default 3938).
"""
import http.cookiejar
import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import common

BIN = os.environ["BIN"]
DIR = os.environ["DIR"]
PORT = int(os.environ.get("PORT", "3938"))
BASE = f"http://127.0.0.1:{PORT}"
DB_FILE = os.path.join(DIR, "outage.db")
DB = "sqlite://" + DB_FILE
PASSWORD = "outage-drill-password"
failures = []


def check(what, ok, detail=""):
    print(f"  {'ok ' if ok else 'FAIL'} {what}{(': ' + detail) if detail and not ok else ''}", flush=True)
    if not ok:
        failures.append(what)


def cli(*args, stdin=None):
    return common.cli(BIN, DB, *args, stdin=stdin)


def request(opener, path, body=None, token=None, form=False):
    """(status, headers, text) of one request."""
    headers = {}
    data = None
    if body is not None:
        if form:
            data = urllib.parse.urlencode(body).encode()
            headers["content-type"] = "application/x-www-form-urlencoded"
        else:
            data = json.dumps(body).encode()
            headers["content-type"] = "application/json"
    if token:
        headers["authorization"] = "Bearer " + token
    try:
        with opener.open(urllib.request.Request(BASE + path, data=data, headers=headers), timeout=30) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def stored(key):
    con = sqlite3.connect(f"file:{DB_FILE}?mode=ro", uri=True)
    try:
        return con.execute("SELECT COUNT(*) FROM activities WHERE external_id = ? OR client_key = ?",
                           (key, key)).fetchone()[0]
    finally:
        con.close()


def writes(token, rep, tag):
    """The API write and the quick-log tap of this step, keyed by `tag`."""
    api = request(urllib.request.build_opener(), "/api/v1/activities",
                  {"rep_email": "rep@drill.test", "type": "call", "source": "drill", "external_id": tag,
                   "occurred_at": "2026-06-10T09:00:00Z"}, token)
    tap = request(rep, "/api/log_activity", {"type_key": "call", "client_key": tag + "-tap"}, form=True)
    return api, tap


def outage(name, token, rep, tag):
    print(f"{name}:")
    api, tap = writes(token, rep, tag)
    check("API answers 503", api[0] == 503, f"{api[0]} {api[2][:200]}")
    check("with Retry-After", api[1].get("Retry-After") or api[1].get("retry-after"), str(api[1]))
    check("and the code 'unavailable'", '"unavailable"' in api[2], api[2][:200])
    check("the quick log answers 503", tap[0] == 503, f"{tap[0]} {tap[2][:200]}")
    # The page shows the error the server function sends ("Unavailable") in words.
    check("as the unavailable error the page words as \"Can't save right now\"",
          tap[2].strip() == '"Unavailable"', tap[2][:200])


def recovered(name, token, rep, tag):
    ok = False
    for _ in range(50):
        api, tap = writes(token, rep, tag)
        if 200 <= api[0] < 300 and 200 <= tap[0] < 300:
            ok = True
            break
        time.sleep(0.2)
    check(f"{name}: the same writes succeed without a restart", ok, f"{api[0]} {tap[0]}")
    writes(token, rep, tag)  # and once more: retries count once
    check(f"{name}: each stored exactly once", stored(tag) == 1 and stored(tag + "-tap") == 1,
          f"{stored(tag)} {stored(tag + '-tap')}")


def main():
    cli("create-user", "--email", "rep@drill.test", "--name", "Drill Rep", "--role", "rep",
        "--password-stdin", stdin=PASSWORD + "\n")
    token = cli("tokens", "create", "--name", "drill", "--scope", "ingest")[-1]
    open("/tmp/outage-drill-server.log", "w").close()
    server = common.start_server(BIN, DB, PORT, "/tmp/outage-drill-server.log")
    try:
        jar = http.cookiejar.CookieJar()
        rep = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        status = request(rep, "/api/sign_in", {"email": "rep@drill.test", "password": PASSWORD}, form=True)[0]
        check("signed in", status in (200, 302, 303), str(status))
        api, tap = writes(token, rep, "before")
        check("writes work before the outage", api[0] < 300 and tap[0] < 300, f"{api[0]} {tap[0]}")

        # Disk full: a filler file takes every free byte.
        filler = os.path.join(DIR, "filler")
        subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=64k"], capture_output=True)
        outage("disk full", token, rep, "full")
        os.remove(filler)
        recovered("disk full", token, rep, "full")

    finally:
        server.terminate()
        server.wait()
    con = sqlite3.connect(DB_FILE)
    integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
    con.close()
    check("PRAGMA integrity_check", integrity == "ok", integrity)
    verify = subprocess.run([BIN, "--database", DB, "verify-rollups"], capture_output=True, text=True)
    check("rollups agree with the raw activities", verify.returncode == 0, verify.stdout + verify.stderr)
    print(f"outage drill: {len(failures)} failed checks")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
