# Sourced by relay.sh, scale.sh and udp.sh: starting a relay pinned to RELAY_CPUS, waiting for its
# sockets, framegen and udpgen. The caller sets ROOT, OUT, FG_DIR, RELAY_CPUS and CLIENT_CPUS first;
# HARNESS, PATCHBAY and QEMU default here (see each script's header).
HARNESS=${HARNESS:-$(cd "$ROOT/../shared/bench" 2>/dev/null && pwd || echo /work/shared/bench)}
PATCHBAY=${PATCHBAY:-$ROOT/patchbay}
QEMU=${QEMU:-qemu-system-x86_64}

FG=$FG_DIR/framegen
# Every port the scripts listen on (PORT_BASE + 0..1099) lies outside the kernel's range for the
# local ports of outgoing connections (32768-60999 by default): a client's connection there could
# hold one of the 1000 the start rows listen on, and every such start would fail. Below the range
# when there is room (a random hundred from 20000 on), else above it.
read -r LOCAL_LOW LOCAL_HIGH </proc/sys/net/ipv4/ip_local_port_range
if (( LOCAL_LOW >= 21300 )); then
    PORT_BASE=$(( (RANDOM % ((LOCAL_LOW - 21200) / 100)) * 100 + 20000 ))
elif (( LOCAL_HIGH + 1100 <= 65535 )); then
    PORT_BASE=$(( LOCAL_HIGH + 1 ))
else
    echo "bench: no 1100 ports outside ip_local_port_range ($LOCAL_LOW-$LOCAL_HIGH)" >&2
    exit 1
fi
port() { echo $(( PORT_BASE + $1 )); }
PIN_RELAY="taskset -c $RELAY_CPUS"
PIN_FG="taskset -c $CLIENT_CPUS"

# Builds framegen from the harness when it is missing or older than its source.
build_framegen() {
    mkdir -p "$FG_DIR"
    [ "$FG" -nt "$HARNESS/framegen.c" ] || gcc -O2 -Wall -o "$FG" "$HARNESS/framegen.c"
}

# Builds bench/udpgen.c (next to framegen) when it is missing or older than its source.
UG=$FG_DIR/udpgen
build_udpgen() {
    mkdir -p "$FG_DIR"
    [ "$UG" -nt "$(dirname "${BASH_SOURCE[0]}")/udpgen.c" ] || gcc -O2 -Wall -o "$UG" "$(dirname "${BASH_SOURCE[0]}")/udpgen.c"
}

# The two relays of a 2-port hub, same -netdev options ({P1} {P2} {C1} {C2} filled in by the caller);
# Patchbay gets its own deploy directory and no QMP/console, like QEMU with -M none.
relay_commands() { # needs PATCHBAY, QEMU
    PB="$PATCHBAY -qmp none --no-console --deploy $OUT/deploy"
    QM="$QEMU -M none -nodefaults -display none"
    HUB2="-netdev hubport,id=ha,hubid=0,netdev=a -netdev hubport,id=hb,hubid=0,netdev=b"
    TCP_NETDEVS="-netdev socket,id=a,listen=127.0.0.1:{P1} -netdev socket,id=b,listen=127.0.0.1:{P2} $HUB2"
    UDP_NETDEVS="-netdev socket,id=a,udp=127.0.0.1:{C1},localaddr=127.0.0.1:{P1} -netdev socket,id=b,udp=127.0.0.1:{C2},localaddr=127.0.0.1:{P2} $HUB2"
}

PIDS=()
kill_started() { # every process start() and the caller's PIDS+=() started
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    sleep 0.3
    for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
}

start() { # logfile command... ; sets RPID
    bash -c "exec $PIN_RELAY $2" >"$1" 2>&1 &
    RPID=$!
    PIDS+=("$RPID")
}
stop() {
    kill "$RPID" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$RPID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$RPID" 2>/dev/null
    wait "$RPID" 2>/dev/null
}
listening() { # port... : wait until all listen (30 s)
    local deadline=$(( SECONDS + 30 )) p ok
    while [ $SECONDS -lt $deadline ]; do
        ok=1
        for p in "$@"; do ss -Hltn "( sport = :$p )" | grep -q . || ok=0; done
        [ $ok = 1 ] && return 0
        sleep 0.1
    done
    return 1
}
udp_bound() { # port... : wait until UDP sockets are bound there, connected ones too (30 s)
    local deadline=$(( SECONDS + 30 )) p ok
    while [ $SECONDS -lt $deadline ]; do
        ok=1
        for p in "$@"; do ss -Huan "( sport = :$p )" | grep -q . || ok=0; done
        [ $ok = 1 ] && return 0
        sleep 0.1
    done
    return 1
}
unix_listening() { # path...
    local deadline=$(( SECONDS + 30 )) p ok
    while [ $SECONDS -lt $deadline ]; do
        ok=1
        for p in "$@"; do [ -S "$p" ] || ok=0; done
        [ $ok = 1 ] && return 0
        sleep 0.1
    done
    return 1
}
kv() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p" | head -1; }
