#!/usr/bin/env bash
# nic.sh - Patchbay's own NICs as benchmark endpoints (issue 17): frames per second from a TCP
# socket netdev through a hub into a `sink`, and ping-pong round trips with an `echo` NIC, on the
# hub and plugged straight into the socket netdev, next to the same ping-pong relayed to framegen's
# echo behind a second socket netdev (relay.sh's ping row, measured in the same minute). QEMU has no
# NIC that works without a guest, so there is no QEMU column.
#
# Same machinery as relay.sh: the team's framegen (../shared/bench), Patchbay pinned to CPU 1 and
# framegen to CPU 0, medians of REPS runs. Each run starts Patchbay afresh with a QMP socket; after
# a blast, the sink's receive counter (x-query-netdevs) is read until it stops growing and compared
# with what framegen sent: the loss column. framegen sends to broadcast, which every NIC model
# takes; to aim at one NIC send to its mac= instead. Prints one markdown table and writes it
# between the nic-table markers in docs/performance.md. About 2.5 minutes.
#
# Env: PATCHBAY (default: the repository's ./patchbay, which builds the jar if it is stale),
#      NIC_JAR (net.nic's bundle, dropped into the deploy directory when Patchbay does not embed
#      net.nic; default net.nic/target/net.nic-*.jar), HARNESS (/work/shared/bench), DURATION (3),
#      REPS (3), SIZES ("64 1514"), PING_N (20000), RELAY_CPUS (1), CLIENT_CPUS (0), OUT, DOC.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
HARNESS=${HARNESS:-$(cd "$ROOT/../shared/bench" 2>/dev/null && pwd || echo /work/shared/bench)}
PATCHBAY=${PATCHBAY:-$ROOT/patchbay}
NIC_JAR=${NIC_JAR:-$(ls "$ROOT"/net.nic/target/net.nic-*.jar 2>/dev/null | grep -v sources | head -1)}
DURATION=${DURATION:-3}
REPS=${REPS:-3}
SIZES=${SIZES:-"64 1514"}
PING_N=${PING_N:-20000}
RELAY_CPUS=${RELAY_CPUS:-1}
CLIENT_CPUS=${CLIENT_CPUS:-0}
OUT=${OUT:-$(mktemp -d /tmp/nic.XXXX)}
DOC=${DOC-$ROOT/docs/performance.md}
FG_DIR=${FG_DIR:-/tmp/framegen-build}
FG=$FG_DIR/framegen
mkdir -p "$OUT/deploy"
log() { echo "[nic] $*" >&2; }

RPID=""
cleanup() {
    [ -n "$RPID" ] && kill "$RPID" 2>/dev/null
    sleep 0.3
    [ -n "$RPID" ] && kill -9 "$RPID" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "preparing: $PATCHBAY --version (builds the jar if stale), framegen, net.nic"
"$PATCHBAY" --version >&2 || { log "Patchbay does not start"; exit 1; }
mkdir -p "$FG_DIR"
[ "$FG" -nt "$HARNESS/framegen.c" ] || gcc -O2 -Wall -o "$FG" "$HARNESS/framegen.c" || exit 1
if ! "$PATCHBAY" --deploy "$OUT/empty" -device help 2>/dev/null | grep -qw sink; then
    [ -f "$NIC_JAR" ] || { log "Patchbay has no sink model and there is no net.nic jar (NIC_JAR)"; exit 1; }
    cp "$NIC_JAR" "$OUT/deploy/"
    log "net.nic deployed from $NIC_JAR"
fi

PORT_BASE=$(( (RANDOM % 200) * 100 + 20000 ))
P=$(( PORT_BASE + 1 ))
Q=$(( PORT_BASE + 2 ))
PIN_FG="taskset -c $CLIENT_CPUS"

start() { # log-file -netdev/-device options...
    local logfile=$1; shift
    bash -c "exec taskset -c $RELAY_CPUS $PATCHBAY --no-console --deploy $OUT/deploy -qmp tcp:127.0.0.1:$Q,server=on,wait=off $*" \
        >"$logfile" 2>&1 &
    RPID=$!
    local deadline=$(( SECONDS + 30 ))
    until ss -Hltn "( sport = :$P )" | grep -q . && ss -Hltn "( sport = :$Q )" | grep -q .; do
        [ $SECONDS -lt $deadline ] && kill -0 "$RPID" 2>/dev/null || { log "Patchbay did not listen: $logfile"; return 1; }
        sleep 0.1
    done
}
stop() {
    kill "$RPID" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$RPID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$RPID" 2>/dev/null
    wait "$RPID" 2>/dev/null
    RPID=""
}
kv() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p" | head -1; }

rx_frames() { # NIC name -> its receive counter, once it has stopped growing (10 s at most)
    python3 - "$Q" "$1" <<'EOF'
import json, socket, sys, time
port, name = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port), timeout=10)
f = s.makefile("rw")
def call(cmd):
    f.write(json.dumps({"execute": cmd}) + "\n"); f.flush()
    while True:
        r = json.loads(f.readline())
        if "return" in r or "error" in r:
            return r.get("return")
f.readline()
call("qmp_capabilities")
last, deadline = -1, time.monotonic() + 10
while time.monotonic() < deadline:
    n = next(c for c in call("x-query-netdevs") if c["name"] == name)["counters"]["rx-frames"]
    if n == last:
        break
    last = n
    time.sleep(0.2)
print(last)
EOF
}

. "$HERE/median.sh"

declare -A R
sink_row() { # size
    local s=$1 i
    : >"$OUT/sink-$s.txt"
    for i in $(seq "$REPS"); do
        start "$OUT/sink-$s-$i.log" "-netdev socket,id=a,listen=127.0.0.1:$P -netdev hubport,id=ha,hubid=0,netdev=a" \
            "-netdev hubport,id=hk,hubid=0 -device sink,id=k0,netdev=hk" || return
        $PIN_FG "$FG" tx -c "127.0.0.1:$P" -s "$s" -d "$DURATION" -q >"$OUT/sink-$s-$i.tx" 2>&1
        local tx sent got
        tx=$(cat "$OUT/sink-$s-$i.tx"); sent=$(kv sent "$tx"); got=$(rx_frames k0)
        echo "$(kv pps "$tx") $(awk -v s="$sent" -v g="$got" 'BEGIN{printf "%.3f", (s>0)?(s-g)*100/s:0}')" >>"$OUT/sink-$s.txt"
        stop
    done
    R[sink.$s.pps]=$(awk '{print $1}' "$OUT/sink-$s.txt" | median)
    R[sink.$s.loss]=$(awk '{print $2}' "$OUT/sink-$s.txt" | sort -n | tail -1)
}

ping_row() { # name options-after-netdev-a [far-port: framegen echoes there instead of a NIC]
    local name=$1 far=${3:-} i epid=""
    : >"$OUT/ping-$name.txt"
    for i in $(seq "$REPS"); do
        start "$OUT/ping-$name-$i.log" "-netdev socket,id=a,listen=127.0.0.1:$P $2" || return
        if [ -n "$far" ]; then
            $PIN_FG "$FG" echo -c "127.0.0.1:$far" -t 120 -q >"$OUT/ping-$name-$i.echo" 2>&1 &
            epid=$!
        fi
        $PIN_FG "$FG" ping -c "127.0.0.1:$P" -s 64 -n "$PING_N" -q >"$OUT/ping-$name-$i.out" 2>&1
        local l; l=$(cat "$OUT/ping-$name-$i.out")
        echo "$(kv p50_us "$l") $(kv p99_us "$l") $(kv p999_us "$l") $(kv lost "$l")" >>"$OUT/ping-$name.txt"
        stop
        [ -n "$epid" ] && { kill "$epid" 2>/dev/null; wait "$epid" 2>/dev/null; epid=""; }
    done
    R[$name.p50]=$(awk '{print $1}' "$OUT/ping-$name.txt" | median)
    R[$name.p99]=$(awk '{print $2}' "$OUT/ping-$name.txt" | median)
    R[$name.p999]=$(awk '{print $3}' "$OUT/ping-$name.txt" | median)
    R[$name.lost]=$(awk '{s+=$4} END{print s+0}' "$OUT/ping-$name.txt")
}

START=$SECONDS
for s in $SIZES; do
    log "sink: TCP $s B through a hub, $REPS x ${DURATION} s"
    sink_row "$s"
done
log "echo: $REPS x $PING_N ping-pongs of 64 B, on a hub and straight on the socket netdev"
ping_row echo-hub "-netdev hubport,id=ha,hubid=0,netdev=a -netdev hubport,id=he,hubid=0 -device echo,id=e0,netdev=he"
ping_row echo-direct "-device echo,id=e0,netdev=a"
log "for comparison: the same ping-pong relayed through a hub to framegen's echo (relay.sh's ping row)"
F=$(( PORT_BASE + 3 ))
ping_row fg-echo "-netdev socket,id=b,listen=127.0.0.1:$F -netdev hubport,id=ha,hubid=0,netdev=a -netdev hubport,id=hb,hubid=0,netdev=b" "$F"
log "measured in $(( SECONDS - START )) s; logs in $OUT"

fmt() { awk -v v="$1" -v d="${2:-0}" 'BEGIN{ if (v=="" || v=="nan") print "n/a"; else printf "%.*f", d, v }'; }
TABLE="$OUT/table.md"
{
echo "Measured $(date -u +%F), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), Patchbay pinned to CPU $RELAY_CPUS, framegen on CPU $CLIENT_CPUS; ${DURATION} s blasts, medians of $REPS runs; Patchbay $("$PATCHBAY" --version 2>/dev/null | head -1 | awk '{print $NF}')."
echo
echo "| row | Patchbay |"
echo "|---|---|"
for s in $SIZES; do
    echo "| TCP $s B → hub → \`sink\`, kpps (frames the sink did not count, %) | $(fmt "$(awk -v v="${R[sink.$s.pps]:-nan}" 'BEGIN{print (v=="nan")?v:v/1000}')") ($(fmt "${R[sink.$s.loss]:-nan}" 3)) |"
done
for name in echo-hub echo-direct fg-echo; do
    case $name in
        echo-hub) where="with \`echo\` on a hub" ;;
        echo-direct) where="with \`echo\` as the socket netdev's peer" ;;
        fg-echo) where="relayed through a hub and a second socket netdev to framegen's echo" ;;
    esac
    echo "| TCP 64 B ping-pong $where, p50 / p99 / p99.9 µs (lost) | $(fmt "${R[$name.p50]:-nan}" 1) / $(fmt "${R[$name.p99]:-nan}" 1) / $(fmt "${R[$name.p999]:-nan}" 1) (${R[$name.lost]:-n/a}) |"
done
} >"$TABLE"
cat "$TABLE"

if [ -n "$DOC" ] && [ -f "$DOC" ] && grep -q '<!-- nic-table:begin -->' "$DOC"; then
    awk -v table="$TABLE" '/<!-- nic-table:begin -->/{print; while ((getline l < table) > 0) print l; skip=1; next}
        /<!-- nic-table:end -->/{skip=0} !skip' "$DOC" >"$OUT/doc.md" && cp "$OUT/doc.md" "$DOC"
    log "table written to $DOC"
fi
