#!/usr/bin/env python3
"""qmp-netdevs.py - adds idle socket netdevs over one QMP connection and times each round trip
(bench/scale.sh drives it).

Usage: qmp-netdevs.py QMP-SOCKET HUBS RAW-TSV [PORT-BASE]
Reads commands on stdin, answers each with one line on stdout:
  add N   adds `netdev_add type=socket,id=sI,listen=127.0.0.1:P` and
          `netdev_add type=hubport,id=hI,hubid=1+I%HUBS,netdev=sI` until N socket netdevs exist, then
          prints: count errors seconds, then p50 and p99 in ms of socket netdev_add over the batch, over
          the batch's last 1000, and of hubport netdev_add over the batch. Stops a batch at the first
          error (its text on stderr) or after BATCH_SECONDS (600). P is 0 (a port the kernel picks)
          without PORT-BASE, else the next port from PORT-BASE on, skipping ports in use.
  quit    closes the connection.
Hub 0 is left to the relay's own two ports. Every reply is waited for at most 30 s. RAW-TSV gets one
line per netdev: index, socket ms, hubport ms.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reliability import Qmp  # noqa: E402  (the same small QMP client)

BATCH_SECONDS = float(os.environ.get("BATCH_SECONDS", "600"))


def percentile(values, p):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def timed(qmp, arguments):
    started = time.perf_counter()
    reply = qmp.execute("netdev_add", arguments)
    return (time.perf_counter() - started) * 1000, reply


def main():
    path, hubs, raw_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    next_port = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    qmp = Qmp(path, timeout=30)
    count = 0
    with open(raw_path, "w") as raw:
        print("ready", flush=True)
        for line in sys.stdin:
            words = line.split()
            if not words or words[0] == "quit":
                break
            target, errors, sockets, hubports = int(words[1]), 0, [], []
            started = time.monotonic()
            while count < target and time.monotonic() - started < BATCH_SECONDS:
                socket_ms, reply = timed(qmp, '{"type": "socket", "id": "s%d", "listen": "127.0.0.1:%d"}'
                                         % (count, next_port))
                if next_port and "in use" in reply and next_port < 65535:
                    next_port += 1  # another process's port: not counted, the next one is tried
                    continue
                next_port += 1 if next_port else 0
                if '"return"' not in reply:
                    errors += 1
                    print("netdev_add socket s%d: %s" % (count, reply[:300]), file=sys.stderr, flush=True)
                    break
                hubport_ms, reply = timed(qmp, '{"type": "hubport", "id": "h%d", "hubid": %d, "netdev": "s%d"}'
                                          % (count, 1 + count % hubs, count))
                if '"return"' not in reply:
                    errors += 1
                    print("netdev_add hubport h%d: %s" % (count, reply[:300]), file=sys.stderr, flush=True)
                    break
                sockets.append(socket_ms)
                hubports.append(hubport_ms)
                raw.write("%d\t%.4f\t%.4f\n" % (count, socket_ms, hubport_ms))
                count += 1
            raw.flush()
            last = sockets[-1000:]
            print("%d %d %.1f %.3f %.3f %.3f %.3f %.3f %.3f" % (
                count, errors, time.monotonic() - started, percentile(sockets, 50), percentile(sockets, 99),
                percentile(last, 50), percentile(last, 99), percentile(hubports, 50), percentile(hubports, 99)),
                flush=True)
    qmp.close()


if __name__ == "__main__":
    main()
