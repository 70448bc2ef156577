#!/usr/bin/env bash
# Drives a running Patchbay QMP endpoint with socat, as a user would: JSON requests piped in one a
# line, replies checked with grep. The endpoint must offer the netdev type 'x' (txsession required).
# Usage: qmp-socat.sh SOCAT-ADDRESS   e.g. UNIX-CONNECT:/tmp/qmp.sock or TCP:127.0.0.1:4444
set -euo pipefail
target=${1:?usage: qmp-socat.sh SOCAT-ADDRESS}

out=$(socat -t 5 STDIO "$target" <<'REQUESTS'
{"execute": "query-version", "id": "early"}
{"execute": "qmp_capabilities"}
{"execute": "netdev_add", "arguments": {"type": "x", "id": "s0", "txsession": 1}, "id": 1}
{"execute": "netdev_add", "arguments": {"type": "x", "id": "s0", "txsession": 2}, "id": 2}
{"execute": "set_link", "arguments": {"name": "nosuch", "up": false}, "id": 3}
{"execute": }
{"execute": "human-monitor-command", "arguments": {"command-line": "info network"}, "id": 4}
{"execute": "netdev_del", "arguments": {"id": "s0"}, "id": 5}
REQUESTS
)

fail=0
expect() {
    if ! grep -qF -- "$1" <<<"$out"; then
        echo "qmp-socat: missing in output: $1" >&2
        fail=1
    fi
}
expect '{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}, "package": "patchbay-'
expect '{"id": "early", "error": {"class": "CommandNotFound", "desc": "Expecting capabilities negotiation with '"'"'qmp_capabilities'"'"'"}}'
expect '{"return": {}, "id": 1}'
expect '"event": "NETDEV_STREAM_CONNECTED", "data": {'
expect '{"id": 2, "error": {"class": "GenericError", "desc": "Duplicate ID '"'"'s0'"'"'"}}'
expect '{"id": 3, "error": {"class": "DeviceNotFound", "desc": "Device '"'"'nosuch'"'"' not found"}}'
expect '{"error": {"class": "GenericError", "desc": "JSON parse error, expecting value"}}'
expect '{"return": "s0: index=0,type=x,x: txsession=1\r\n", "id": 4}'
expect '{"return": {}, "id": 5}'
# Greeting, 8 replies and the event, each one line ending in CRLF.
if [[ $(grep -c $'\r$' <<<"$out") -ne 10 ]]; then
    echo "qmp-socat: expected 10 CRLF-terminated messages" >&2
    fail=1
fi
if ((fail)); then
    printf '%s\n' "$out" >&2
    exit 1
fi
echo "qmp-socat: ok"
