#!/usr/bin/env python3
"""reliability.py - hostile clients, exhausted limits, crashes and restarts: QEMU 7.2 and Patchbay
side by side, same input, same run. Prints one markdown table and writes it between the markers in
docs/reliability.md. About 3 minutes.

Each case starts a fresh server, does one thing to it and measures what a user would see: memory
(VmRSS of the server process), CPU time, log bytes, replies, frames. Cases QEMU has no counterpart
for (a deploy directory) show "-" in its column.

Env: PATCHBAY (default: the repository's ./patchbay, which builds the jar if stale - done once before
anything is measured), QEMU (qemu-system-x86_64), DOC (docs/reliability.md; "" = print only).
Arguments: words choosing cases by title (e.g. `stray`); then the table is printed only.
"""
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PATCHBAY = os.environ.get("PATCHBAY", os.path.join(ROOT, "patchbay"))
QEMU = os.environ.get("QEMU", "qemu-system-x86_64")
DOC = os.environ.get("DOC", os.path.join(ROOT, "docs", "reliability.md"))
BEGIN, END = "<!-- reliability.py begin -->", "<!-- reliability.py end -->"
TICKS = os.sysconf("SC_CLK_TCK")
WORK_DIRS = []  # removed at the end


def log(text):
    print("[reliability] " + text, file=sys.stderr, flush=True)


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("timed out after %s s waiting for %s" % (seconds, what))
        time.sleep(0.02)


def unix_listening(path):
    with open("/proc/net/unix") as table:
        for line in table.read().splitlines()[1:]:
            fields = line.split()
            if len(fields) >= 8 and fields[7] == path and int(fields[3], 16) & 0x10000:
                return True
    return False


def temp_dir(prefix):
    path = tempfile.mkdtemp(prefix=prefix)
    WORK_DIRS.append(path)
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One QEMU or Patchbay process with its QMP monitor on a unix socket in its own directory."""

    def __init__(self, kind, args, work=None, qmp=True):
        self.kind = kind
        self.work = work or temp_dir("rel-%s-" % kind)
        self.qmp_path = os.path.join(self.work, "qmp.sock")
        self.log_path = os.path.join(self.work, "stderr.log")
        if kind == "qemu":
            command = [QEMU, "-M", "none", "-nodefaults", "-display", "none"]
            if qmp:
                command += ["-qmp", "unix:%s,server=on,wait=off" % self.qmp_path]
        else:
            command = [PATCHBAY, "--no-console", "--deploy", os.path.join(self.work, "deploy")]
            command += ["-qmp", "unix:%s,server=on,wait=off" % self.qmp_path] if qmp else ["-qmp", "none"]
        command += [a.replace("{DIR}", self.work) for a in args]
        self.stderr = open(self.log_path, "wb")
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=self.stderr,
                                        stderr=self.stderr, cwd=self.work)
        if qmp:
            try:
                wait_for(lambda: unix_listening(self.qmp_path) or self.process.poll() is not None, 60,
                         kind + "'s QMP socket")
            except TimeoutError:
                self.process.kill()  # the caller gets no object to stop
                self.process.wait()
                raise
            if self.process.poll() is not None:
                raise RuntimeError(kind + " exited: " + self.log_text())

    @property
    def pid(self):
        return self.process.pid

    def log_text(self):
        self.stderr.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def log_bytes(self):
        return os.path.getsize(self.log_path)

    def rss_mb(self):
        with open("/proc/%d/status" % self.pid) as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0

    def cpu_seconds(self):
        with open("/proc/%d/stat" % self.pid) as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS

    def qmp(self, timeout=5):
        return Qmp(self.qmp_path, timeout)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.stderr.close()


class Qmp:
    """A negotiated QMP client; replies are read with a timeout, events skipped."""

    def __init__(self, path, timeout=5, negotiate=True):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buffer = b""
        if negotiate:
            self.line()
            self.execute("qmp_capabilities")

    def line(self):
        while b"\n" not in self.buffer:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("closed by the server")
            self.buffer += data
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode(errors="replace").strip()

    def reply(self):
        while True:
            line = self.line()
            if not line.startswith('{"event"') and not line.startswith('{"timestamp"'):
                return line

    def execute(self, command, arguments=None):
        text = '{"execute": "%s"%s}\n' % (command, "" if arguments is None else ', "arguments": ' + arguments)
        self.sock.sendall(text.encode())
        return self.reply()

    def close(self):
        self.sock.close()


class RssPeak:
    """Samples a server's VmRSS every 50 ms until stopped."""

    def __init__(self, server):
        self.server, self.peak, self.running = server, server.rss_mb(), True
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while self.running:
            try:
                self.peak = max(self.peak, self.server.rss_mb())
            except OSError:
                return
            time.sleep(0.05)

    def stop(self):
        self.running = False
        self.thread.join()
        return self.peak


def answers(server, seconds=5):
    """Whether a new client gets query-version answered in time."""
    try:
        q = server.qmp(seconds)
        try:
            return '"return"' in q.execute("query-version")
        finally:
            q.close()
    except (OSError, EOFError):
        return False


# ------------------------------------------------------------------------------------------ cases

def never_reading_client(kind):
    """A client that never reads sends 400 commands whose 1 MB name the error would echo."""
    server = Server(kind, [])
    try:
        base = server.rss_mb()
        peak = RssPeak(server)
        q = server.qmp(10)
        name = "x" * (1 << 20)
        command = ('{"execute": "%s"}\n' % name).encode()
        sent, cut = 0, False
        q.sock.settimeout(5)
        try:
            for _ in range(400):
                q.sock.sendall(command)
                sent += 1
        except (socket.timeout, OSError):
            cut = True  # blocked for 5 s (the server stopped reading) or disconnected
        second = answers(server, 5)
        q.close()
        time.sleep(10)
        after = server.rss_mb()
        top = peak.stop()
        return "RSS %.0f → peak %.0f → %.0f MB 10 s after; %d sent%s; another client %s" % (
            base, top, after, sent, " then cut or stalled" if cut else "",
            "answered" if second else "not answered")
    finally:
        server.stop()


def random_bytes(kind):
    """10 MB of random bytes on one connection, then a valid command."""
    server = Server(kind, [])
    try:
        base = server.rss_mb()
        peak = RssPeak(server)
        q = server.qmp(10)
        junk = os.urandom(10 << 20).replace(b"\xff", b"\x00")  # no resynchronising byte
        reader_done = threading.Event()
        replies = []

        def drain():
            try:
                while True:
                    replies.append(q.line())
            except (OSError, EOFError):
                pass
            reader_done.set()

        threading.Thread(target=drain, daemon=True).start()
        try:
            q.sock.sendall(junk)
            q.sock.sendall(b'\n{"execute": "query-version", "id": "after"}\n')
        except OSError:
            pass
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any('"after"' in r for r in replies) and not reader_done.is_set():
            time.sleep(0.05)
        answered = any('"after"' in r and '"return"' in r for r in replies)
        q.close()
        time.sleep(10)
        after = server.rss_mb()
        return "RSS %.0f → peak %.0f → %.0f MB 10 s after; %d replies; the next command %s" % (
            base, peak.stop(), after, len(replies), "answered" if answered else "not answered")
    finally:
        server.stop()


def stray(kind, char):
    """A stray character, then five valid commands."""
    server = Server(kind, [])
    try:
        q = server.qmp(2)
        q.sock.sendall(char.encode() + b"\n" + b'{"execute": "query-version"}\n' * 5)
        answered = 0
        try:
            while answered < 5:
                if '"return"' in q.reply():
                    answered += 1
        except (OSError, EOFError):
            pass
        q.close()
        return "%d of 5 answered" % answered
    finally:
        server.stop()


def fd_exhaustion(kind):
    """16 descriptors left free (prlimit on the running server), then 300 clients connect to QMP."""
    server = Server(kind, [])
    clients = []
    try:
        in_use = len(os.listdir("/proc/%d/fd" % server.pid))
        subprocess.run(["prlimit", "--pid", str(server.pid), "--nofile=%d" % (in_use + 16)], check=True)
        log_before = server.log_bytes()
        cpu_before = server.cpu_seconds()
        for _ in range(300):
            s = socket.socket(socket.AF_UNIX)
            s.settimeout(2)
            try:
                s.connect(server.qmp_path)
                clients.append(s)
            except OSError:
                s.close()
        time.sleep(5)
        cpu = server.cpu_seconds() - cpu_before
        log_growth = server.log_bytes() - log_before
        file_kept = os.path.exists(server.qmp_path)
        for s in clients:
            s.close()
        clients = []
        recovered = False
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not recovered:
            recovered = answers(server, 2)
        return "%.0f %% CPU over 5 s; log +%d B; socket file %s; QMP %s after they leave" % (
            cpu / 5 * 100, log_growth, "kept" if file_kept else "removed",
            "answers" if recovered else "does not answer")
    finally:
        for s in clients:
            s.close()
        server.stop()


def crowd(kind, count=200):
    """count clients connect at once, then each negotiates and asks query-version."""
    server = Server(kind, [])
    clients = []
    try:
        deadline = time.monotonic() + 10
        while len(clients) < count and time.monotonic() < deadline:
            s = socket.socket(socket.AF_UNIX)
            s.settimeout(5)
            try:
                s.connect(server.qmp_path)
                clients.append(s)
            except BlockingIOError:  # the listen backlog is full: a patient client tries again
                s.close()
                time.sleep(0.01)
            except OSError:
                s.close()
                break
        answered = [0]

        def ask(sock):
            try:
                q = Qmp.__new__(Qmp)
                q.sock, q.buffer = sock, b""
                q.line()
                q.execute("qmp_capabilities")
                if '"return"' in q.execute("query-version"):
                    answered[0] += 1
            except (OSError, EOFError):
                pass

        threads = [threading.Thread(target=ask, args=(s,), daemon=True) for s in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        return "%d connected, %d of %d answered while all are connected" % (len(clients), answered[0], count)
    finally:
        for s in clients:
            s.close()
        server.stop()


def slowloris(kind):
    """One client sends a command a byte every 100 ms; another asks meanwhile."""
    server = Server(kind, [])
    try:
        slow = server.qmp(10)
        stop = threading.Event()

        def trickle():
            try:
                for b in b'{"execute": "query-version"}\n':
                    if stop.wait(0.1):
                        return
                    slow.sock.sendall(bytes([b]))
            except OSError:
                pass

        threading.Thread(target=trickle, daemon=True).start()
        time.sleep(0.5)
        started = time.monotonic()
        other = answers(server, 2)
        took = time.monotonic() - started
        stop.set()
        slow.close()
        return "the other client %s" % ("answered in %.0f ms" % (took * 1000) if other else "not answered within 2 s")
    finally:
        server.stop()


def frame(payload):
    return struct.pack(">I", len(payload)) + payload


def read_frames(sock, count, seconds):
    """Reads QEMU-framed frames until count or timeout; returns how many."""
    sock.settimeout(0.2)
    buf, got, deadline = b"", 0, time.monotonic() + seconds
    while got < count and time.monotonic() < deadline:
        try:
            data = sock.recv(1 << 20)
        except socket.timeout:
            continue
        if not data:
            break
        buf += data
        while len(buf) >= 4 and len(buf) >= 4 + struct.unpack(">I", buf[:4])[0]:
            buf = buf[4 + struct.unpack(">I", buf[:4])[0]:]
            got += 1
    return got


def connect_tcp(port, seconds=20):
    deadline = time.monotonic() + seconds
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=2)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def restart_after_kill(kind):
    """kill -9, then start again on the same deploy directory: is the whole topology back?"""
    if kind == "qemu":
        return "-"
    work = temp_dir("rel-restart-")
    deploy = os.path.join(work, "deploy")
    os.makedirs(deploy)
    p1, p2 = free_port(), free_port()
    files = {"net.netdev-h2.cfg": "type=hubport\nhubid=1\nnetdev=s2\n",
             "net.netdev-h1.cfg": "type=hubport\nhubid=1\nnetdev=s1\n",
             "net.netdev-s1.cfg": "type=socket\nlisten=127.0.0.1:%d\n" % p1,
             "net.netdev-s2.cfg": "type=socket\nlisten=127.0.0.1:%d\n" % p2}
    for name, text in files.items():
        with open(os.path.join(deploy, name), "w") as f:
            f.write(text)
    temp_before = set(n for n in os.listdir(tempfile.gettempdir()) if n.startswith("patchbay-"))
    back, runs = 0, 4
    for _ in range(runs):
        server = Server(kind, [], work=work, qmp=False)
        try:
            a, b = connect_tcp(p1), connect_tcp(p2)
            a.sendall(frame(b"\xff" * 12 + b"\x88\xb5" + b"restart".ljust(46, b"\0")))
            if read_frames(b, 1, 5) == 1:
                back += 1
            a.close()
            b.close()
        except OSError:
            pass
        finally:
            server.process.kill()
            server.process.wait()
            server.stderr.close()
    killed_left = set(n for n in os.listdir(tempfile.gettempdir()) if n.startswith("patchbay-")) - temp_before
    last = Server(kind, [], work=work, qmp=False)  # one more start, stopped with SIGTERM once it serves
    try:
        connect_tcp(p1).close()
    finally:
        last.stop()
    left = set(n for n in os.listdir(tempfile.gettempdir()) if n.startswith("patchbay-")) - temp_before
    return ("topology back and carrying a frame in %d of %d starts; after the kills %d directories in %s, "
            "after one more start and SIGTERM %d") % (back, runs, len(killed_left), tempfile.gettempdir(), len(left))


def sigterm_under_traffic(kind):
    """SIGTERM while frames flow through a hub with a filter-dump on the sending netdev."""
    p1, p2 = free_port(), free_port()
    server = Server(kind, ["-netdev", "socket,id=a,listen=127.0.0.1:%d" % p1,
                           "-netdev", "socket,id=b,listen=127.0.0.1:%d" % p2,
                           "-netdev", "hubport,id=ha,hubid=0,netdev=a", "-netdev", "hubport,id=hb,hubid=0,netdev=b",
                           "-object", "filter-dump,id=f,netdev=a,file={DIR}/a.pcap"], qmp=False)
    a, b = connect_tcp(p1), connect_tcp(p2)
    received = [0]
    stop = threading.Event()

    def count():
        b.settimeout(0.2)
        buf = b""
        while True:
            try:
                data = b.recv(1 << 20)
            except socket.timeout:
                if stop.is_set():
                    break
                continue
            except OSError:
                break
            if not data:
                break
            buf += data
            while len(buf) >= 4 and len(buf) >= 4 + struct.unpack(">I", buf[:4])[0]:
                buf = buf[4 + struct.unpack(">I", buf[:4])[0]:]
                received[0] += 1

    reader = threading.Thread(target=count, daemon=True)
    reader.start()
    payload = frame(b"\xff" * 12 + b"\x88\xb5" + b"sigterm".ljust(46, b"\0")) * 64
    a.settimeout(2)
    sender_stop = threading.Event()

    def send():
        try:
            while not sender_stop.is_set():
                a.sendall(payload)
        except OSError:
            pass

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    wait_for(lambda: received[0] > 20000, 20, "traffic")
    started = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    try:
        server.process.wait(20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
    took = time.monotonic() - started
    sender_stop.set()
    stop.set()
    reader.join(5)
    a.close()
    b.close()
    server.stderr.close()
    captured = 0
    with open(os.path.join(server.work, "a.pcap"), "rb") as pcap:
        data = pcap.read()
    at = 24
    while at + 16 <= len(data):
        incl = struct.unpack("<I", data[at + 8:at + 12])[0]
        if at + 16 + incl > len(data):
            break
        captured += 1
        at += 16 + incl
    missing = max(0, received[0] - captured)
    return "exit after %.2f s (code %s); %d frames delivered, %d captured: %d delivered frames missing" % (
        took, server.process.returncode, received[0], captured, missing)


def info_network_at_scale(kind, count=10000):
    """count hubports added over QMP, then `info network` through human-monitor-command."""
    server = Server(kind, [])
    try:
        q = server.qmp(60)
        times = []
        for i in range(count):
            started = time.perf_counter()
            reply = q.execute("netdev_add", '{"type": "hubport", "id": "h%d", "hubid": %d}' % (i, i // 100))
            times.append(time.perf_counter() - started)
            if '"return"' not in reply:
                return "netdev_add failed: " + reply[:200]
        times.sort()
        queries = []
        for _ in range(50):  # a JVM compiles its hot code in the first few
            started = time.perf_counter()
            reply = q.execute("human-monitor-command", '{"command-line": "info network"}')
            queries.append(time.perf_counter() - started)
        q.close()
        return "netdev_add p50 %.2f ms p99 %.2f ms; info network first %.0f ms, median of 50 %.1f ms (%d kB)" % (
            times[len(times) // 2] * 1000, times[len(times) * 99 // 100] * 1000, queries[0] * 1000,
            sorted(queries)[25] * 1000, len(reply) // 1024)
    finally:
        server.stop()


def own_descriptor(kind):
    """netdev_add socket with fd= naming one of the server's own descriptors (epoll, eventfd)."""
    server = Server(kind, [])
    try:
        q = server.qmp(10)
        epoll, what = None, None
        for fd in sorted(os.listdir("/proc/%d/fd" % server.pid), key=int):
            try:
                if int(fd) > 2 and "anon_inode:" in os.readlink("/proc/%d/fd/%s" % (server.pid, fd)):
                    epoll, what = fd, os.readlink("/proc/%d/fd/%s" % (server.pid, fd)).split(":", 1)[1]
                    break
            except OSError:
                continue
        if epoll is None:
            return "no anonymous descriptor found"
        cpu_before, log_before = server.cpu_seconds(), server.log_bytes()
        try:
            reply = q.execute("netdev_add", '{"type": "socket", "id": "s", "fd": "%s"}' % epoll)
        except (socket.timeout, OSError, EOFError):
            reply = "no reply within 10 s"
        time.sleep(2)
        cpu = server.cpu_seconds() - cpu_before
        q.close()
        reply = re.sub(r'\{"error": \{"class": "GenericError", "desc": "(.*)"\}\}', r"\1", reply)
        return "fd %s %s: %s; %.1f s CPU, log +%d B" % (epoll, what, reply[:120], cpu, server.log_bytes() - log_before)
    finally:
        server.stop()


CASES = [
    ("a client that never reads sends 400 commands with a 1 MB name", never_reading_client),
    ("200 clients connected at once, each asks query-version", crowd),
    ("a client sends a command a byte every 100 ms, another asks", slowloris),
    ("10 MB of random bytes (no 0xFF), then a valid command", random_bytes),
    ("a stray `\"`, then 5 valid commands", lambda k: stray(k, '"')),
    ("a stray `[`, then 5 valid commands", lambda k: stray(k, "[")),
    ("16 descriptors left free, then 300 clients connect to the QMP socket", fd_exhaustion),
    ("`netdev_add socket,fd=N` naming one of the server's own", own_descriptor),
    ("10 000 hubports on 100 hubs over QMP", info_network_at_scale),
    ("SIGTERM under traffic, filter-dump on the sending netdev", sigterm_under_traffic),
    ("`kill -9`, start again on the same deploy/*.cfg (4 times)", restart_after_kill),
]


def main():
    log("preparing: %s --version (builds the jar if stale)" % PATCHBAY)
    subprocess.run([PATCHBAY, "--version"], check=True, stdout=subprocess.DEVNULL)
    qemu_version = subprocess.run([QEMU, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    patchbay_version = subprocess.run([PATCHBAY, "--version"], capture_output=True, text=True).stdout.strip()
    chosen = [c for c in CASES if not sys.argv[1:] or any(w in c[1].__name__ + c[0] for w in sys.argv[1:])]
    rows = ["| case | QEMU | Patchbay |", "|---|---|---|"]
    for title, case in chosen:
        cells = []
        for kind in ("qemu", "patchbay"):
            log("%s: %s" % (kind, title))
            try:
                cells.append(case(kind))
            except Exception as e:  # a case that fails is a result too
                cells.append("failed: %s" % e)
        rows.append("| %s | %s | %s |" % (title, cells[0], cells[1]))
    table = "\n".join(rows)
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    block = "%s\n_Last run %s: %s and %s, %d CPUs._\n\n%s\n%s" % (
        BEGIN, when, qemu_version, patchbay_version, os.cpu_count(), table, END)
    print(table)
    if DOC and len(chosen) == len(CASES):
        with open(DOC) as f:
            text = f.read()
        if BEGIN in text and END in text:
            text = text[:text.index(BEGIN)] + block + text[text.index(END) + len(END):]
            with open(DOC, "w") as f:
                f.write(text)
            log("wrote the table into " + DOC)
        else:
            log(DOC + " has no markers; printed only")


if __name__ == "__main__":
    try:
        main()
    finally:
        for path in WORK_DIRS:
            shutil.rmtree(path, ignore_errors=True)
