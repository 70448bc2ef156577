#!/usr/bin/env python3
"""qmp_ready.py - seconds from exec to the QMP greeting, one line per start.

Usage: qmp_ready.py RUNS tcp|unix COMMAND...

Prints "WALL CPU" per start: seconds from exec to the greeting, and the CPU seconds (user + system,
all threads) the process had used by then, which a busy machine disturbs less than the wall time.

Each start gets a fresh QMP address: {Q} in COMMAND becomes a free 127.0.0.1 port (tcp) or a new
socket path (unix); the command must make the QMP server listen there. The clock starts just before
the exec and stops when the first line read from the server holds "QMP"; then the process is
terminated (killed after 10 s). A start that greets nobody within 30 s, or exits first, prints nan.
Used by relay.sh and startup.sh (medians of 10).
"""
import os, socket, subprocess, sys, tempfile, time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def connect(kind, address):
    if kind == "tcp":
        return socket.create_connection(("127.0.0.1", address), timeout=5)
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(5)
    try:
        s.connect(address)
    except OSError:
        s.close()
        raise
    return s


def cpu(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one(kind, template, workdir, n):
    address = free_port() if kind == "tcp" else os.path.join(workdir, "qmp-%d.sock" % n)
    cmd = [a.replace("{Q}", str(address)) for a in template]
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.monotonic() - t0 < 30:
            try:
                with connect(kind, address) as s:
                    data = b""
                    while b"\n" not in data:
                        chunk = s.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                    if b'"QMP"' in data:
                        return time.monotonic() - t0, cpu(p.pid)
            except OSError:
                if p.poll() is not None:
                    break  # it exited without greeting (say, a port in use): no use waiting
                time.sleep(0.002)
        return float("nan"), float("nan")
    finally:
        p.terminate()
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def main():
    runs, kind, template = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    with tempfile.TemporaryDirectory(prefix="qmp-ready.") as workdir:
        for n in range(runs):
            print("%.3f %.2f" % one(kind, template, workdir, n), flush=True)


if __name__ == "__main__":
    main()
