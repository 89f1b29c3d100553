#!/usr/bin/env python3
"""The live-stream drill (a drill, not a test; started by scripts/stream-drill.sh).

0. Many TVs that read (benchmark 5 of the "Speed at any size" issue): READERS connections
   hold a TV stream while the API sends FANOUT changes half a second apart. Prints the
   server's memory per open connection and the fan-out latency (from the API call to each
   TV hearing it) p50/p99.
1. Clients that never read: STALLED connections open an office-TV stream with a tiny receive
   buffer and never read a byte, while one well-behaved TV reads; the API then sends EVENTS
   changes. Prints the server's memory before and after, the bytes queued for the stalled
   clients, whether the reading TV heard every change, and how many stalled connections the
   server still holds once its send timeout has passed (it should hold none).
2. A reconnect storm: the server is killed (SIGKILL) and started again, and STORM_RATE new
   stream connections a second arrive for STORM_SECONDS, each waiting for its first message;
   meanwhile /healthz is asked every 100 ms. Prints answered, failed, time to the first
   message (p50/p99), /healthz latency (p50/max) and memory after.

Environment: BIN (the server binary), DIR (a scratch folder), PORT (default 3947), READERS
(default 1000), FANOUT (default 20), STALLED
(default 300), EVENTS (default 2000), STORM_RATE (default 1000), STORM_SECONDS (default 5),
SEND_TIMEOUT (the server's, default 30: how long to wait for it).
"""
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import common

BIN = os.environ["BIN"]
DIR = os.environ["DIR"]
PORT = int(os.environ.get("PORT", "3947"))
READERS = int(os.environ.get("READERS", "1000"))
FANOUT = int(os.environ.get("FANOUT", "20"))
STALLED = int(os.environ.get("STALLED", "300"))
EVENTS = int(os.environ.get("EVENTS", "2000"))
STORM_RATE = int(os.environ.get("STORM_RATE", "1000"))
STORM_SECONDS = int(os.environ.get("STORM_SECONDS", "5"))
SEND_TIMEOUT = int(os.environ.get("SEND_TIMEOUT", "30"))
DB = f"sqlite://{DIR}/stream.db"
LOG = "/tmp/stream-drill-server.log"
BASE = f"http://127.0.0.1:{PORT}"


def cli(*args, stdin=None):
    return common.cli(BIN, DB, *args, stdin=stdin)


def request_bytes(path):
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{PORT}\r\nAccept: text/event-stream\r\n\r\n".encode()


def server_connections():
    """Established connections on the server's side of PORT, and the bytes queued to send."""
    out = subprocess.run(["ss", "-Htn", "state", "established", f"( sport = :{PORT} )"],
                         capture_output=True, text=True).stdout.splitlines()
    queued = sum(int(line.split()[1]) for line in out if line.split())
    return len(out), queued


def post(path, body, token):
    req = urllib.request.Request(BASE + path, data=json.dumps(body).encode(), headers={
        "content-type": "application/json", "authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))]


async def reader(tv_path, heard, stop):
    """A TV that reads: counts the messages it hears."""
    r, w = await asyncio.open_connection("127.0.0.1", PORT)
    w.write(request_bytes(tv_path))
    await w.drain()
    while not stop.is_set():
        try:
            line = await asyncio.wait_for(r.readline(), 1)
        except asyncio.TimeoutError:
            continue
        if not line:
            heard["closed"] = True
            return
        if line.startswith(b"data:"):
            heard["messages"] += 1
    w.close()


async def listener(tv_path, arrivals, ready):
    """A TV that reads and notes when each message after the first arrives."""
    r, w = await asyncio.open_connection("127.0.0.1", PORT)
    w.write(request_bytes(tv_path))
    await w.drain()
    first = True
    try:
        while True:
            line = await r.readline()
            if not line:
                return
            if line.startswith(b"data:"):
                if first:
                    first = False
                    ready.append(1)
                else:
                    arrivals.append(time.time())
    except (asyncio.CancelledError, ConnectionError):
        w.close()


async def phase_zero(server, tv_path, token):
    print(f"0. {READERS} TVs that read, {FANOUT} changes half a second apart", flush=True)
    await asyncio.sleep(0.5)
    before = common.rss_mb(server.pid)
    logs = [[] for _ in range(READERS)]
    ready = []
    tasks = []
    for i in range(READERS):
        tasks.append(asyncio.create_task(listener(tv_path, logs[i], ready)))
        if i % 100 == 99:
            await asyncio.sleep(0.05)
    for _ in range(300):
        if len(ready) >= READERS:
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(1)
    held = common.rss_mb(server.pid)
    print(f"   {len(ready)} streams open; server memory {before:.1f} -> {held:.1f} MB: "
          f"{(held - before) * 1024 / max(1, len(ready)):.1f} KB a connection", flush=True)
    loop = asyncio.get_running_loop()
    sent = []
    for i in range(FANOUT):
        body = {"rep_email": "rep@drill.test", "type": "call", "quantity": 1,
                "occurred_at": "2026-06-02T10:00:00Z", "source": "drill", "external_id": f"fan-{i}"}
        sent.append(time.time())
        await loop.run_in_executor(None, post, "/api/v1/activities", body, token)
        await asyncio.sleep(0.5)
    await asyncio.sleep(2)
    latencies = []
    missed = 0
    for log in logs[:len(ready)]:
        for i, at in enumerate(sent):
            heard = [t for t in log if t >= at and (i + 1 == len(sent) or t < sent[i + 1])]
            if heard:
                latencies.append(heard[0] - at)
            else:
                missed += 1
    print(f"   fan-out: {len(latencies)} deliveries, {missed} missed; p50 "
          f"{percentile(latencies, 50) * 1000:.0f} ms, p99 {percentile(latencies, 99) * 1000:.0f} ms; "
          f"memory {common.rss_mb(server.pid):.1f} MB", flush=True)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.sleep(1)
    return missed


def stalled_clients(tv_path):
    """Sockets with a 2 KB receive buffer that send the request and never read."""
    socks = []
    for _ in range(STALLED):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
        s.connect(("127.0.0.1", PORT))
        s.sendall(request_bytes(tv_path))
        socks.append(s)
    return socks


async def phase_one(server, tv_path, token):
    print(f"1. {STALLED} clients that never read, one TV that reads, {EVENTS} changes", flush=True)
    stop = asyncio.Event()
    heard = {"messages": 0, "closed": False}
    task = asyncio.create_task(reader(tv_path, heard, stop))
    await asyncio.sleep(0.5)
    before = common.rss_mb(server.pid)
    socks = stalled_clients(tv_path)
    await asyncio.sleep(1)
    held, _ = server_connections()
    print(f"   server memory {before:.1f} MB; {held} stream connections open", flush=True)

    started = time.time()
    loop = asyncio.get_running_loop()
    for i in range(EVENTS):
        body = {"rep_email": "rep@drill.test", "type": "call", "quantity": 1,
                "occurred_at": "2026-06-01T10:00:00Z", "source": "drill",
                "external_id": f"stream-{i}", "note": "x" * 200}
        await loop.run_in_executor(None, post, "/api/v1/activities", body, token)
    took = time.time() - started
    await asyncio.sleep(2)
    after = common.rss_mb(server.pid)
    held, queued = server_connections()
    print(f"   {EVENTS} changes sent in {took:.1f} s; the reading TV heard {heard['messages']} "
          f"messages{' (its stream closed)' if heard['closed'] else ''}", flush=True)
    print(f"   server memory {after:.1f} MB (+{after - before:.1f} MB); {queued / 1024:.0f} KB "
          f"queued in the kernel for {held} connections", flush=True)

    waited = 0
    while waited < SEND_TIMEOUT + 60:
        await asyncio.sleep(5)
        waited += 5
        held, queued = server_connections()
        if held <= 1:
            break
    print(f"   after {waited} s: the server holds {held} stream connection(s) "
          f"({queued / 1024:.0f} KB queued); memory {common.rss_mb(server.pid):.1f} MB", flush=True)
    stop.set()
    await task
    for s in socks:
        s.close()
    return held


async def storm_client(tv_path, results):
    started = time.time()
    try:
        r, w = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", PORT), 10)
        w.write(request_bytes(tv_path))
        await w.drain()
        while True:
            line = await asyncio.wait_for(r.readline(), 10)
            if not line:
                raise ConnectionError("closed before the first message")
            if line.startswith(b"data:"):
                break
        results["ok"].append(time.time() - started)
        w.close()
    except Exception as e:  # noqa: BLE001 (a drill counts every kind of failure)
        results["failed"] += 1
        results["errors"][type(e).__name__] = results["errors"].get(type(e).__name__, 0) + 1


async def health_probe(stop, latencies):
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        started = time.time()
        try:
            await loop.run_in_executor(None, lambda: urllib.request.urlopen(BASE + "/healthz", timeout=10).read())
            latencies.append(time.time() - started)
        except Exception:  # noqa: BLE001
            latencies.append(float("inf"))
        await asyncio.sleep(0.1)


async def phase_two(tv_path):
    print(f"2. SIGKILL, restart, then {STORM_RATE} reconnects a second for {STORM_SECONDS} s", flush=True)
    server = common.start_server(BIN, DB, PORT, LOG)
    server.send_signal(signal.SIGKILL)
    server.wait()
    server = common.start_server(BIN, DB, PORT, LOG)
    results = {"ok": [], "failed": 0, "errors": {}}
    stop = asyncio.Event()
    health = []
    probe = asyncio.create_task(health_probe(stop, health))
    clients = []
    started = time.time()
    for second in range(STORM_SECONDS):
        for i in range(STORM_RATE):
            clients.append(asyncio.create_task(storm_client(tv_path, results)))
            target = started + second + (i + 1) / STORM_RATE
            delay = target - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
    sent_in = time.time() - started
    await asyncio.gather(*clients)
    stop.set()
    await probe
    ok = results["ok"]
    print(f"   {len(clients)} connections opened in {sent_in:.1f} s: {len(ok)} heard their first "
          f"message, {results['failed']} failed {results['errors'] or ''}", flush=True)
    print(f"   time to the first message: p50 {percentile(ok, 50) * 1000:.0f} ms, "
          f"p99 {percentile(ok, 99) * 1000:.0f} ms", flush=True)
    print(f"   /healthz during the storm: p50 {percentile(health, 50) * 1000:.0f} ms, "
          f"max {max(health) * 1000:.0f} ms ({len(health)} probes)", flush=True)
    print(f"   server memory after: {common.rss_mb(server.pid):.1f} MB; still serving: "
          f"{urllib.request.urlopen(BASE + '/healthz', timeout=5).status == 200}", flush=True)
    return server, results


async def main():
    cli("create-user", "--email", "rep@drill.test", "--name", "Drill Rep", "--role", "rep",
        "--password-stdin", stdin="stream-drill-password\n")
    token = cli("tokens", "create", "--name", "drill", "--scope", "ingest")[-1]
    tv_path = cli("displays", "create", "--name", "Drill TV")[-1].strip() + "/events"
    open(LOG, "w").close()
    server = common.start_server(BIN, DB, PORT, LOG)
    try:
        missed = await phase_zero(server, tv_path, token)
        held = await phase_one(server, tv_path, token)
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait()
    server, results = await phase_two(tv_path)
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
    failed = missed > 0 or held > 1 or results["failed"] > 0
    print("stream drill: " + ("FAILED" if failed else "passed"), flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    asyncio.run(main())
