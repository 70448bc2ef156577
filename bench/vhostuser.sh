#!/usr/bin/env bash
# vhostuser.sh - frames per second from a vhost-user back end into a hub (issue 20), QEMU 7.2 and
# Patchbay with the same options, one after the other in one run.
#
# Load: DPDK's testpmd in txonly mode (64-byte frames, as fast as it can) on a net_vhost port, the
# vhost-user server. The relay under test connects as the front end, puts the port on hub 0 with a
# UDP socket netdev, and the rate is what that socket netdev sends to a sink that never reads: the
# kernel counts each datagram it cannot queue as a drop of the sink's socket (/proc/net/udp), so
# the sink costs no CPU and counts exactly.
#
#   vhost-user:  -chardev socket,id=c0,path=SOCK -netdev vhost-user,id=v0,chardev=c0
#                -netdev socket,id=s,udp=127.0.0.1:SINK,localaddr=127.0.0.1:P -netdev hubport x2
#   socket path: the same UDP load (Patchbay's vhost-user output above) offered to a relay's
#                socket netdev: -netdev socket,udp=..,localaddr=127.0.0.1:IN -> hub -> socket,udp -> sink
#
# testpmd busy-polls CPU 1 (its forwarding core) and sleeps on CPU 0; relays run on RELAY_CPUS.
# Medians of REPS runs of DURATION seconds (after WARMUP seconds). Prints a markdown table and
# writes it between the vhostuser-table markers in docs/performance.md.
#
# Env: JAR (default launcher/target/patchbay.jar; mvn -o -q package -pl launcher -am -DskipTests),
#      DURATION (5), WARMUP (3), REPS (3), RELAY_CPUS (0), DOC.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/doc-table.sh"
ROOT=$(cd "$HERE/.." && pwd)
JAR=${JAR:-$ROOT/launcher/target/patchbay.jar}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-3}
REPS=${REPS:-3}
RELAY_CPUS=${RELAY_CPUS:-0}
DOC=${DOC-$ROOT/docs/performance.md}
JAVA=${JAVA:-$(ls -d /usr/lib/jvm/*25*/bin/java 2>/dev/null | head -1)}
log() { echo "[vhostuser] $*" >&2; }

for p in dpdk-testpmd qemu-system-x86_64 taskset python3; do
    command -v $p >/dev/null || { log "$p not installed"; exit 1; }
done
[ -f "$JAR" ] || { log "no $JAR"; exit 1; }

OUT=$(mktemp -d /tmp/vhostuser-bench.XXXX)
SOCK=$OUT/vh0.sock
PREFIX=pbbench$$
BASE=$(( (RANDOM % 200) * 100 + 40000 ))
SINK=$BASE; OUT1=$((BASE + 1)); IN2=$((BASE + 2)); OUT2=$((BASE + 3))
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
    rm -rf "/var/run/dpdk/$PREFIX"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A UDP socket that never reads, with the smallest receive buffer: what reaches it is counted as drops.
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
time.sleep(1e9)' "$SINK" &
PIDS+=($!)

# Datagrams that reached the sink: its socket's drops plus what sits in its queue (~0).
sunk() {
    local hex; hex=$(printf '%04X' "$SINK")
    awk -v p=":$hex" '$2 == "0100007F" p { print $NF }' /proc/net/udp
}

start_testpmd() {
    rm -f "$SOCK"
    dpdk-testpmd --no-huge -m 256 --no-pci --file-prefix "$PREFIX" \
        --vdev "net_vhost0,iface=$SOCK,queues=1" -l 0,1 -- --forward-mode=txonly \
        --total-num-mbufs=4096 --stats-period 1 </dev/null >"$OUT/testpmd.log" 2>&1 &
    TPID=$!
    PIDS+=($TPID)
    for _ in $(seq 1 100); do grep -q "$SOCK" /proc/net/unix && return; sleep 0.1; done
    log "testpmd did not listen"; cat "$OUT/testpmd.log" >&2; exit 1
}

stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

# relay name options...: starts it pinned; sets RPID
RUN=0
relay() {
    local name=$1; shift
    RUN=$((RUN + 1))
    case $name in
        qemu) taskset -c "$RELAY_CPUS" qemu-system-x86_64 -M none -nodefaults -display none "$@" \
                  >"$OUT/$name-$RUN.log" 2>&1 & ;;
        patchbay) taskset -c "$RELAY_CPUS" "$JAVA" --enable-native-access=ALL-UNNAMED \
                  --sun-misc-unsafe-memory-access=allow -jar "$JAR" -qmp none --no-console \
                  --deploy "$OUT/deploy-$RUN" "$@" >"$OUT/$name-$RUN.log" 2>&1 & ;;
    esac
    RPID=$!
    PIDS+=($RPID)
}

# Frames per second into the sink over DURATION, once every Patchbay started runs and WARMUP later.
rate() {
    local f
    for _ in $(seq 1 300); do
        local ready=1
        for f in "$OUT"/patchbay-*.log; do
            [ -e "$f" ] && ! grep -q running "$f" && ready=0
        done
        [ $ready = 1 ] && break
        sleep 0.1
    done
    sleep "$WARMUP"
    local a b; a=$(sunk); sleep "$DURATION"; b=$(sunk)
    echo $(( (b - a) / DURATION ))
}

. "$HERE/median.sh"

VHOST=(-chardev "socket,id=c0,path=$SOCK" -netdev vhost-user,id=v0,chardev=c0
       -netdev "socket,id=s,udp=127.0.0.1:$SINK,localaddr=127.0.0.1:$OUT1"
       -netdev hubport,id=h0,hubid=0,netdev=v0 -netdev hubport,id=h1,hubid=0,netdev=s)
# QEMU's vhost-user needs memory it can share (it has no guest here, so it never uses it).
QEMU_MEM=(-object memory-backend-memfd,id=mem,size=64M,share=on)
# The socket path: Patchbay's vhost-user output goes to IN2 instead of the sink.
FEED=(-chardev "socket,id=c0,path=$SOCK" -netdev vhost-user,id=v0,chardev=c0
      -netdev "socket,id=s,udp=127.0.0.1:$IN2,localaddr=127.0.0.1:$OUT1"
      -netdev hubport,id=h0,hubid=0,netdev=v0 -netdev hubport,id=h1,hubid=0,netdev=s)
SOCKET=(-netdev "socket,id=a,udp=127.0.0.1:$OUT1,localaddr=127.0.0.1:$IN2"
        -netdev "socket,id=b,udp=127.0.0.1:$SINK,localaddr=127.0.0.1:$OUT2"
        -netdev hubport,id=ha,hubid=0,netdev=a -netdev hubport,id=hb,hubid=0,netdev=b)

declare -A RESULT
measure() { # key relay-args...
    local key=$1; shift
    local runs="" r
    for _ in $(seq 1 "$REPS"); do
        start_testpmd
        "$@"
        r=$(rate)
        for p in $STOPS; do stop "$p"; done
        mkdir -p "$OUT/done"; mv "$OUT"/*-*.log "$OUT/done/" 2>/dev/null
        stop "$TPID"
        rm -rf "/var/run/dpdk/$PREFIX"
        log "$key: $r fps"
        runs="$runs $r"
    done
    RESULT[$key]=$(echo $runs | tr ' ' '\n' | median)
}

vhost_qemu() { relay qemu "${QEMU_MEM[@]}" "${VHOST[@]}"; STOPS=$RPID; }
vhost_patchbay() { relay patchbay "${VHOST[@]}"; STOPS=$RPID; }
# The feeder runs unpinned on CPU 0 with the relay: the relay under test is the second process.
socket_qemu() {
    relay qemu "${SOCKET[@]}"; local q=$RPID
    relay patchbay "${FEED[@]}"; STOPS="$RPID $q"
}
socket_patchbay() {
    relay patchbay "${SOCKET[@]}"; local q=$RPID
    relay patchbay "${FEED[@]}"; STOPS="$RPID $q"
}

for row in ${ROWS:-qemu-vhost patchbay-vhost qemu-socket patchbay-socket}; do
    case $row in
        qemu-vhost) measure $row vhost_qemu ;;
        patchbay-vhost) measure $row vhost_patchbay ;;
        qemu-socket) measure $row socket_qemu ;;
        patchbay-socket) measure $row socket_patchbay ;;
    esac
done

TABLE=$(cat <<EOF
| testpmd txonly, 64 B frames, into hub 0 and out of a UDP socket netdev | QEMU 7.2 | Patchbay | Patchbay / QEMU |
|---|---|---|---|
| vhost-user front end -> hub -> socket (frames/s) | ${RESULT[qemu-vhost]:-0} | ${RESULT[patchbay-vhost]:-0} | $(ratio "${RESULT[patchbay-vhost]:-0}" "${RESULT[qemu-vhost]:-0}") |
| that load (Patchbay's output above) offered to socket -> hub -> socket (frames/s) | ${RESULT[qemu-socket]:-0} | ${RESULT[patchbay-socket]:-0} | $(ratio "${RESULT[patchbay-socket]:-0}" "${RESULT[qemu-socket]:-0}") |
EOF
)
echo "$TABLE"
write_table "$DOC" vhostuser-table "$TABLE" bench/vhostuser.sh
