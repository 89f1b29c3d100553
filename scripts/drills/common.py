"""Helpers the drills share: the command line, the server process, its memory."""
import subprocess
import time
import urllib.request


def cli(bin_path, database, *args, stdin=None):
    """Runs `pacesetter --database DATABASE ARGS…`; its output lines, or exits on failure."""
    out = subprocess.run([bin_path, "--database", database, *args], input=stdin,
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"pacesetter {' '.join(args)} failed: {out.stdout}{out.stderr}")
    return out.stdout.strip().splitlines()


def start_server(bin_path, database, port, log_path, *extra):
    """Starts `pacesetter serve` on 127.0.0.1:PORT and waits until /healthz answers."""
    log = open(log_path, "a")
    proc = subprocess.Popen([bin_path, "--database", database, "serve", "--addr",
                             f"127.0.0.1:{port}", *extra], stdout=log, stderr=log)
    for _ in range(400):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            return proc
        except Exception:
            if proc.poll() is not None:
                raise SystemExit(f"the server exited at start; see {log_path}")
            time.sleep(0.05)
    raise SystemExit("the server did not start")


def rss_mb(pid):
    """Resident memory of a process, in MB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0
