# Sourced by relay.sh and scale.sh: starting a relay pinned to RELAY_CPUS, waiting for its sockets,
# and framegen. The caller sets OUT, HARNESS, FG_DIR, RELAY_CPUS and CLIENT_CPUS first.

FG=$FG_DIR/framegen
PORT_BASE=$(( (RANDOM % 200) * 100 + 20000 ))
port() { echo $(( PORT_BASE + $1 )); }
PIN_RELAY="taskset -c $RELAY_CPUS"
PIN_FG="taskset -c $CLIENT_CPUS"

# Builds framegen from the harness when it is missing or older than its source.
build_framegen() {
    mkdir -p "$FG_DIR"
    [ "$FG" -nt "$HARNESS/framegen.c" ] || gcc -O2 -Wall -o "$FG" "$HARNESS/framegen.c"
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
