#!/usr/bin/env bash
# startup.sh - exec to QMP greeting (on a unix socket), cold starts: a new JVM each time, with
# whatever caches an earlier start of the same build left. Prints median, min and max of RUNS
# starts with one netdev and with 1000 socket netdevs (each on a hub port, as relay.sh's idle row),
# for each command given; the commands' starts are interleaved, so a busy machine hits them alike.
#
# Usage: bench/startup.sh [COMMAND...]   (default: the repository's ./patchbay; one word each,
#        say "java -XX:AOTCache=/tmp/a.aot -jar launcher/target/patchbay.jar")
# Env: RUNS (10), PORT_BASE (31000: 1000 listening ports from there), QEMU (qemu-system-x86_64;
#      "" = no QEMU row).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
RUNS=${RUNS:-10}
PORT_BASE=${PORT_BASE:-31000}
QEMU=${QEMU-qemu-system-x86_64}
OUT=$(mktemp -d /tmp/startup.XXXX)
trap 'rm -rf "$OUT"' EXIT
(( $# )) || set -- "$ROOT/patchbay"
"$ROOT/patchbay" --version >/dev/null || exit 1 # builds the jar if stale, untimed

ONE="-netdev socket,id=s0,listen=127.0.0.1:$PORT_BASE -netdev hubport,id=h0,hubid=0,netdev=s0"
MANY=""
for i in $(seq 0 999); do
    MANY="$MANY -netdev socket,id=s$i,listen=127.0.0.1:$(( PORT_BASE + i )) -netdev hubport,id=h$i,hubid=$(( i % 10 )),netdev=s$i"
done

commands=("$@")
[ -n "$QEMU" ] && commands+=("$QEMU -M none -nodefaults -display none")
for ((r = 0; r < RUNS; r++)); do
    for c in "${!commands[@]}"; do
        cmd=${commands[$c]}
        case $cmd in
        "$QEMU"*) qmp="-qmp unix:{Q},server=on,wait=off" ;;
        *) qmp="--no-console --deploy $OUT/deploy-$c -qmp unix:{Q},server=on,wait=off" ;;
        esac
        # shellcheck disable=SC2086 # commands are words
        python3 "$HERE/qmp_ready.py" 1 unix $cmd $qmp $ONE >>"$OUT/$c.one"
        # shellcheck disable=SC2086
        python3 "$HERE/qmp_ready.py" 1 unix $cmd $qmp $MANY >>"$OUT/$c.many"
    done
done

. "$HERE/median.sh"
stats() { # file -> wall median, min, max; CPU median
    printf '%s %s %s %s' "$(cut -d' ' -f1 "$1" | median)" "$(sort -n "$1" | head -1 | cut -d' ' -f1)" \
        "$(sort -n "$1" | tail -1 | cut -d' ' -f1)" "$(cut -d' ' -f2 "$1" | median)"
}
echo "exec to QMP greeting, $RUNS cold starts each, seconds: wall median min max, CPU median"
for c in "${!commands[@]}"; do
    echo "${commands[$c]}"
    echo "    1 netdev:     $(stats "$OUT/$c.one")"
    echo "    1000 netdevs: $(stats "$OUT/$c.many")"
done
