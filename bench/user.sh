#!/usr/bin/env bash
# user.sh - bulk TCP through a tap and a `user` netdev on one hub (issue 18), QEMU 7.2 and Patchbay
# side by side in one run: a network namespace behind the tap takes a lease from libslirp
# (busybox udhcpc) and runs iperf3 against an iperf3 server on the host's loopback, reached
# through slirp's 10.0.2.2: upload (namespace -> host) and download (-R, host -> namespace).
# Both relays run the same libslirp; the difference is the relay around it.
#
#   QEMU:     qemu-system-x86_64 -M none -nodefaults -display none -netdev tap,... -netdev user,id=u
#             -netdev hubport,hubid=0,netdev=t -netdev hubport,hubid=0,netdev=u
#   Patchbay: java -jar launcher/target/patchbay.jar -qmp none --no-console with the same -netdev options
#
# Root (tap, namespace). The relay is pinned to RELAY_CPUS, iperf3 to CLIENT_CPUS. Medians of REPS
# runs of DURATION seconds each. Prints a markdown table and writes it between the user-table
# markers in docs/performance.md.
#
# Env: JAR (default launcher/target/patchbay.jar; build it with
#      mvn -o -q package -pl launcher -am -DskipTests), DURATION (5), REPS (3), RELAY_CPUS (1),
#      CLIENT_CPUS (0), DOC.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/doc-table.sh"
ROOT=$(cd "$HERE/.." && pwd)
JAR=${JAR:-$ROOT/launcher/target/patchbay.jar}
DURATION=${DURATION:-5}
REPS=${REPS:-3}
RELAY_CPUS=${RELAY_CPUS:-1}
CLIENT_CPUS=${CLIENT_CPUS:-0}
DOC=${DOC-$ROOT/docs/performance.md}
JAVA=${JAVA:-$(ls -d /usr/lib/jvm/*25*/bin/java 2>/dev/null | head -1)}
log() { echo "[user] $*" >&2; }

[ "$(id -u)" = 0 ] || { log "needs root (tap and a network namespace)"; exit 1; }
for p in busybox iperf3 qemu-system-x86_64 taskset; do
    command -v $p >/dev/null || { log "$p not installed"; exit 1; }
done
[ -f "$JAR" ] || { log "no $JAR"; exit 1; }

NS=pbub$$
TAP=pbub$$
OUT=$(mktemp -d /tmp/user-bench.XXXX)
PORT=$(( (RANDOM % 2000) + 30000 ))
RPID=""
SPID=""
cleanup() {
    [ -n "$RPID" ] && kill "$RPID" 2>/dev/null && wait "$RPID" 2>/dev/null
    [ -n "$SPID" ] && kill "$SPID" 2>/dev/null
    ip netns del "$NS" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cat > "$OUT/udhcpc.sh" <<'EOF'
#!/bin/sh
[ "$1" = bound ] || exit 0
ip addr add "$ip/$mask" dev "$interface"
ip route add default via "$router"
EOF
chmod +x "$OUT/udhcpc.sh"

NETDEVS=(-netdev "tap,id=t,ifname=$TAP,script=no,downscript=no" -netdev user,id=u
         -netdev hubport,id=h0,hubid=0,netdev=t -netdev hubport,id=h1,hubid=0,netdev=u)

# Starts one relay, puts its tap into a fresh namespace with a lease; prints nothing.
start() {
    ip netns add "$NS"
    ip -n "$NS" link set lo up
    case $1 in
        qemu) taskset -c "$RELAY_CPUS" qemu-system-x86_64 -M none -nodefaults -display none "${NETDEVS[@]}" \
                  > "$OUT/$1.log" 2>&1 & ;;
        patchbay) taskset -c "$RELAY_CPUS" "$JAVA" --enable-native-access=ALL-UNNAMED \
                  --sun-misc-unsafe-memory-access=allow -jar "$JAR" -qmp none --no-console "${NETDEVS[@]}" \
                  > "$OUT/$1.log" 2>&1 & ;;
    esac
    RPID=$!
    for _ in $(seq 1 100); do ip link show "$TAP" >/dev/null 2>&1 && break; sleep 0.1; done
    ip link set "$TAP" netns "$NS" || { cat "$OUT/$1.log" >&2; exit 1; }
    ip -n "$NS" link set "$TAP" up
    ip netns exec "$NS" busybox udhcpc -i "$TAP" -f -q -n -t 10 -T 1 -s "$OUT/udhcpc.sh" >/dev/null 2>&1 \
        || { log "$1: no lease"; cat "$OUT/$1.log" >&2; exit 1; }
}

stop() {
    kill "$RPID" 2>/dev/null; wait "$RPID" 2>/dev/null; RPID=""
    ip netns del "$NS"
}

# iperf3 in the namespace against the host's loopback server; prints Mbit/s.
rate() {
    ip netns exec "$NS" taskset -c "$CLIENT_CPUS" iperf3 -c 10.0.2.2 -p "$PORT" -t "$DURATION" -J $1 \
        > "$OUT/iperf.json" 2>&1
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("%.0f" % (d["end"]["sum_received"]["bits_per_second"]/1e6))' \
        "$OUT/iperf.json" 2>/dev/null || echo 0
}

. "$HERE/median.sh"

taskset -c "$CLIENT_CPUS" iperf3 -s -B 127.0.0.1 -p "$PORT" > "$OUT/server.log" 2>&1 &
SPID=$!
sleep 0.5

declare -A RESULT
for relay in qemu patchbay; do
    for dir in up down; do
        flag=""; [ $dir = down ] && flag=-R
        runs=""
        for _ in $(seq 1 "$REPS"); do
            start $relay
            r=$(rate "$flag")
            stop
            log "$relay $dir: $r Mbit/s"
            runs="$runs $r"
        done
        RESULT[$relay-$dir]=$(echo $runs | tr ' ' '\n' | median)
    done
done

TABLE=$(cat <<EOF
| tap + user on one hub, iperf3 TCP ${DURATION} s | QEMU 7.2 | Patchbay | Patchbay / QEMU |
|---|---|---|---|
| namespace -> host loopback (Mbit/s) | ${RESULT[qemu-up]} | ${RESULT[patchbay-up]} | $(ratio "${RESULT[patchbay-up]}" "${RESULT[qemu-up]}") |
| host loopback -> namespace (Mbit/s) | ${RESULT[qemu-down]} | ${RESULT[patchbay-down]} | $(ratio "${RESULT[patchbay-down]}" "${RESULT[qemu-down]}") |
EOF
)
echo "$TABLE"
write_table "$DOC" user-table "$TABLE" bench/user.sh
