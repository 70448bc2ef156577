#!/usr/bin/env bash
# scale.sh - many idle socket netdevs (issue 22, "Scale"), QEMU 7.2 and Patchbay back to back.
#
# Each relay starts with a QMP unix socket and a 2-port TCP relay on hub 0 (relay.sh's pair). One
# QMP connection (bench/qmp-netdevs.py) then adds idle listening socket netdevs, each with a
# hubport on hubs 1..HUBS, up to each count in COUNTS, timing every netdev_add's round trip. At the
# start and at each count: VmRSS and CPU time (utime+stime) over IDLE seconds of idleness, a JVM
# heap histogram (Patchbay, at the start and at the last count), and the TCP 64 B relay rate
# through hub 0 (framegen, median of REPS blasts of DURATION s; one unmeasured blast first, so the
# start's RSS already holds what a relay's first frames allocate). The relay is pinned to
# RELAY_CPUS, framegen and the QMP client to CLIENT_CPUS. RUNS runs per relay, alternating; the
# table shows medians across runs. Prints one markdown table and writes it between the
# scale-table markers in docs/performance.md. About 9 minutes per run, most of it QEMU adding
# netdevs.
#
# The idle netdevs listen on 127.0.0.1:0 (a port the kernel picks), or on ports from
# IDLE_PORT_BASE on. Both relays set SO_REUSEADDR before bind, so Linux picks port 0 from the
# lower half of ip_local_port_range, odd ports first: past about 7 000 netdevs (with 32768-60999)
# each bind walks all the taken odd ports before an even one, milliseconds per netdev_add.
#
# Env: PATCHBAY (default: the repository's ./patchbay, which builds the jar if it is stale - done
#      once before anything is measured), QEMU, HARNESS (/work/shared/bench), COUNTS ("1000 10000"),
#      HUBS (100), IDLE_PORT_BASE ("": port 0), RELAYS ("qemu patchbay"), RUNS (3), REPS (3),
#      DURATION (3), IDLE (10), RELAY_CPUS (1), CLIENT_CPUS (0), OUT (work directory, kept),
#      DOC (docs/performance.md; "" = print only).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
COUNTS=${COUNTS:-"1000 10000"}
HUBS=${HUBS:-100}
IDLE_PORT_BASE=${IDLE_PORT_BASE:-}
RELAYS=${RELAYS:-"qemu patchbay"}
RUNS=${RUNS:-3}
REPS=${REPS:-3}
DURATION=${DURATION:-3}
IDLE=${IDLE:-10}
RELAY_CPUS=${RELAY_CPUS:-1}
CLIENT_CPUS=${CLIENT_CPUS:-0}
OUT=${OUT:-$(mktemp -d /tmp/scale.XXXX)}
DOC=${DOC-$ROOT/docs/performance.md}
FG_DIR=${FG_DIR:-/tmp/framegen-build}
JCMD=${JCMD:-$(ls -d /usr/lib/jvm/*25*/bin/jcmd 2>/dev/null | head -1)}
mkdir -p "$OUT"
. "$HERE/relay-common.sh"
. "$HERE/doc-table.sh"
log() { echo "[scale] $*" >&2; }
trap kill_started EXIT
trap 'exit 130' INT TERM

MAX=${COUNTS##* }
# A listening socket is a descriptor in both relays; QEMU keeps the default soft limit otherwise.
ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -ge $(( MAX + 1000 )) ] || { log "ulimit -n $(ulimit -n) is below $(( MAX + 1000 ))"; exit 1; }

log "preparing: $PATCHBAY --version (builds the jar if stale), framegen"
"$PATCHBAY" --version >&2 || { log "Patchbay does not start"; exit 1; }
build_framegen || exit 1

A=$(port 1)
B=$(port 2)
PAIR="-netdev socket,id=a,listen=127.0.0.1:$A -netdev socket,id=b,listen=127.0.0.1:$B -netdev hubport,id=ha,hubid=0,netdev=a -netdev hubport,id=hb,hubid=0,netdev=b"
declare -A R

blast() { # -> rx pps of one TCP 64 B blast a -> hub 0 -> b
    $PIN_FG "$FG" rx -c "127.0.0.1:$B" -t 60 -i 1000 -q >"$OUT/rx" 2>&1 &
    local rxp=$!; PIDS+=($rxp)
    sleep 0.3
    $PIN_FG "$FG" tx -c "127.0.0.1:$A" -s 64 -d "$DURATION" -q >"$OUT/tx" 2>&1
    wait "$rxp"
    kv pps "$(cat "$OUT/rx")"
}
. "$HERE/median.sh"
rate() { # median of REPS blasts
    local i; for i in $(seq "$REPS"); do blast; done | median
}
idle_cpu() { # percent of one CPU over IDLE seconds
    local t0 t1
    t0=$(awk '{print $14+$15}' "/proc/$RPID/stat")
    sleep "$IDLE"
    t1=$(awk '{print $14+$15}' "/proc/$RPID/stat")
    awk -v t=$(( t1 - t0 )) -v hz="$(getconf CLK_TCK)" -v s="$IDLE" 'BEGIN{printf "%.3f", t/hz/s*100}'
}

checkpoint() { # key count
    sleep 5
    R[$1.$2.cpu]=$(idle_cpu)
    R[$1.$2.rss]=$(awk '/VmRSS/{print $2}' "/proc/$RPID/status")
    # jcmd's full GC comes after the RSS reading; only the first and last point get one
    if [[ $1 == patchbay* ]] && [ -n "$JCMD" ] && { [ "$2" = 0 ] || [ "$2" = "$MAX" ]; }; then
        "$JCMD" "$RPID" GC.class_histogram >"$OUT/$1-$2.histo" 2>&1
    fi
    R[$1.$2.pps]=$(rate)
    log "$1 at $2 netdevs: idle CPU ${R[$1.$2.cpu]} %, RSS ${R[$1.$2.rss]} kB, relay ${R[$1.$2.pps]} pps"
}

measure() { # name run relay-prefix
    local key=$1.$2 qmp=$OUT/$1-$2.qmp line n
    log "$key: starting"
    start "$OUT/$key.log" "$3 -qmp unix:$qmp,server=on,wait=off $PAIR"
    if ! listening "$A" "$B" || ! unix_listening "$qmp"; then
        log "$key did not start: $OUT/$key.log"; stop; return
    fi
    coproc CLIENT { exec taskset -c "$CLIENT_CPUS" python3 "$HERE/qmp-netdevs.py" "$qmp" "$HUBS" \
        "$OUT/$key-latency.tsv" $IDLE_PORT_BASE 2>"$OUT/$key-client.log"; }
    PIDS+=("$CLIENT_PID")
    local from=${CLIENT[0]} to=${CLIENT[1]}
    read -r -t 60 line <&"$from"
    blast >/dev/null  # the unmeasured first blast
    checkpoint "$key" 0
    for n in $COUNTS; do
        echo "add $n" >&"$to"
        line=""
        read -r -t 1200 line <&"$from"
        R[$key.$n.add]=$line
        log "$key: added to $n: $line (count errors s, socket p50 p99, last 1000 p50 p99, hubport p50 p99 ms)"
        [ "${line%% *}" = "$n" ] || { log "$key: stopped short, see $OUT/$key-client.log"; break; }
        checkpoint "$key" "$n"
    done
    echo quit >&"$to"
    wait "$CLIENT_PID" 2>/dev/null
    stop
}

START=$SECONDS
QM="$QEMU -M none -nodefaults -display none"
PB="$PATCHBAY --no-console --deploy $OUT/deploy"
declare -A CMD=([qemu]=$QM [patchbay]=$PB)
for run in $(seq "$RUNS"); do
    for relay in $RELAYS; do measure "$relay" "$run" "${CMD[$relay]}"; done
done
log "measured in $(( SECONDS - START )) s; logs in $OUT"

# ---------------------------------------------------------------- the table
runs() { # name key-suffix [field of an "add" line] -> median across runs
    local r; for r in $(seq "$RUNS"); do
        local v=${R[$1.$r.$2]:-}
        [ -n "${3:-}" ] && v=$(awk -v f="$3" '{print $f}' <<<"$v")
        echo "$v"
    done | median
}
f() { awk -v v="$1" -v d="${2:-0}" 'BEGIN{ if (v=="" || v=="nan") print "n/a"; else printf "%.*f", d, v }'; }
per_netdev() { # name count -> KB of RSS per netdev over the start
    runs "$1" "$2.rss" | awk -v b="$(runs "$1" 0.rss)" -v n="$2" '{printf "%.1f", ($1-b)/n}'
}
hist() { # GC.class_histogram top classes grown between 0 and MAX netdevs, per netdev, last run
    python3 - "$OUT/patchbay.$RUNS-0.histo" "$OUT/patchbay.$RUNS-$MAX.histo" "$MAX" <<'PY'
import re, sys
def read(path):
    rows = {}
    for line in open(path):
        m = re.match(r"\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)", line)
        if m:
            rows[m.group(3)] = (int(m.group(1)), int(m.group(2)))
        elif line.startswith("Total"):
            rows["(total)"] = tuple(int(x) for x in line.split()[1:3])
    return rows
before, after, n = read(sys.argv[1]), read(sys.argv[2]), int(sys.argv[3])
grown = sorted(((after[k][1] - before.get(k, (0, 0))[1], k) for k in after if k != "(total)"), reverse=True)
print("| class (JVM heap, live after a full GC) | instances per netdev | bytes per netdev |")
print("|---|---|---|")
for delta, k in grown[:12] + [(after["(total)"][1] - before["(total)"][1], "(total)")]:
    print("| `%s` | %.2f | %.0f |" % (k, (after[k][0] - before.get(k, (0, 0))[0]) / n, delta / n))
PY
}

TABLE="$OUT/table.md"
{
echo "Measured $(date -u +%F), $(nproc) CPUs, relay pinned to CPU $RELAY_CPUS, QMP client and framegen on CPU $CLIENT_CPUS; medians of $RUNS runs per relay (relay rates: medians of $REPS blasts of $DURATION s in each run); idle socket netdevs listen on 127.0.0.1:${IDLE_PORT_BASE:-0}${IDLE_PORT_BASE:+ and up}, each with a hubport on hubs 1–$HUBS; QEMU $($QEMU --version | head -1 | awk '{print $4}'), Patchbay $("$PATCHBAY" --version 2>/dev/null | head -1 | awk '{print $NF}')."
echo
echo "| row | QEMU 7.2 | Patchbay | Patchbay / QEMU | target | |"
echo "|---|---|---|---|---|---|"
declare -A X
prev=0
for n in $COUNTS; do
    lo=$(( n - 999 > prev + 1 ? n - 999 : prev + 1 ))
    for name in qemu patchbay; do
        read -r X[$name.p50] X[$name.p99] <<<"$(runs $name $n.add 6) $(runs $name $n.add 7)"
    done
    echo "| socket \`netdev_add\` round trip, netdevs $lo–$n, p50 / p99 ms | $(f "${X[qemu.p50]}" 2) / $(f "${X[qemu.p99]}" 2) | $(f "${X[patchbay.p50]}" 2) / $(f "${X[patchbay.p99]}" 2) | $(ratio "${X[patchbay.p50]}" "${X[qemu.p50]}") / $(ratio "${X[patchbay.p99]}" "${X[qemu.p99]}") | | |"
    prev=$n
done
prev=0
for n in $COUNTS; do
    q=$(runs qemu $n.add 3); p=$(runs patchbay $n.add 3)
    echo "| time to add netdevs $(( prev + 1 ))–$n (socket + hubport each), s | $(f "$q" 1) | $(f "$p" 1) | $(ratio "$p" "$q") | | |"
    q=$(runs qemu $n.add 8); p=$(runs patchbay $n.add 8)
    echo "| hubport \`netdev_add\` round trip, netdevs $(( prev + 1 ))–$n, p50 ms | $(f "$q" 2) | $(f "$p" 2) | $(ratio "$p" "$q") | | |"
    prev=$n
done
for n in 0 $COUNTS; do
    q=$(runs qemu $n.rss); p=$(runs patchbay $n.rss)
    echo "| RSS with $n idle netdevs, MB | $(f "$(awk -v v="$q" 'BEGIN{print v/1024}')") | $(f "$(awk -v v="$p" 'BEGIN{print v/1024}')") | $(ratio "$p" "$q") | | |"
done
for n in $COUNTS; do
    q=$(per_netdev qemu $n); p=$(per_netdev patchbay $n)
    echo "| RSS per idle socket netdev (and its hubport) at $n, KB | $(f "$q" 1) | $(f "$p" 1) | $(ratio "$p" "$q") | ≤ QEMU | $(awk -v q="$q" -v p="$p" 'BEGIN{print (p<=q) ? "met" : "**not met**"}') |"
done
for n in 0 $COUNTS; do
    q=$(runs qemu $n.cpu); p=$(runs patchbay $n.cpu)
    t=""; m=""
    [ "$n" = "$MAX" ] && { t="< 0.1 %"; m=$(awk -v p="$p" 'BEGIN{print (p<0.1) ? "met" : "**not met**"}'); }
    echo "| idle CPU over ${IDLE} s with $n netdevs, % of a CPU | $(f "$q" 2) | $(f "$p" 2) | | $t | $m |"
done
for n in 0 $COUNTS; do
    q=$(runs qemu $n.pps); p=$(runs patchbay $n.pps)
    echo "| TCP 64 B relay through hub 0 with $n idle netdevs, kpps | $(f "$(awk -v v="$q" 'BEGIN{print v/1000}')") | $(f "$(awk -v v="$p" 'BEGIN{print v/1000}')") | $(ratio "$p" "$q") | | |"
done
for n in $COUNTS; do
    q=$(ratio "$(runs qemu $n.pps)" "$(runs qemu 0.pps)"); p=$(ratio "$(runs patchbay $n.pps)" "$(runs patchbay 0.pps)")
    t=""; m=""
    [ "$n" = "$MAX" ] && { t="≥ 0.95"; m=$(awk -v p="$p" 'BEGIN{print (p>=0.95) ? "met" : "**not met**"}'); }
    echo "| relay rate with $n idle netdevs / without | $q | $p | | $t | $m |"
done
if [ -f "$OUT/patchbay.$RUNS-$MAX.histo" ]; then
    echo
    echo "Patchbay's heap, grown from 0 to $MAX idle socket netdevs (\`jcmd PID GC.class_histogram\`, last run):"
    echo
    hist
fi
} >"$TABLE"
cat "$TABLE"
write_table "$DOC" scale-table "$(cat "$TABLE")" bench/scale.sh
