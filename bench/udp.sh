#!/usr/bin/env bash
# udp.sh - the paced UDP ladder (issue 22): QEMU 7.2's hub and Patchbay relaying 64 B datagrams
# between two `socket,udp=` netdevs on one hub, at rising offered rates, back to back.
#
# The load is bench/udpgen.c (compiled on first use next to framegen): tx paced with sendmmsg
# batches, rx with recvmmsg, both pinned to CLIENT_CPUS; the relay to RELAY_CPUS (relay.sh's
# conventions). Every rung is REPS runs of DURATION seconds against the same relay process (after
# a warm-up run), loss % = datagrams sent but never received, median of the runs. Also measured:
# the load with no relay at all (tx and rx on the load CPU: the ceiling of any relay row) and
# udpgen's own rate with rx on the other CPU. Prints a markdown table (loss % and the relay's CPU
# per rung, the highest rate with median loss <= 0.1 % per relay, Patchbay / QEMU) and writes it
# between the udp-table markers in docs/performance.md. About 6 minutes with the defaults.
#
# RELAYS lists what to measure: qemu, patchbay, direct (no relay), baseline (BASELINE: another
# Patchbay command, e.g. a build of main, for a before/after in one run); NAME@SYSCTL=V,... runs NAME
# with those sysctls set around it (root; put back afterwards), to measure kernel levers without
# changing the relay, e.g. "patchbay@net.core.busy_read=50,net.core.busy_poll=50".
#
# Env: PATCHBAY (default ./patchbay), BASELINE, QEMU, RELAYS ("direct qemu patchbay"), LADDER (pps list),
#      SIZE (64), DURATION (3), REPS (3), RELAY_CPUS (1), CLIENT_CPUS (0), OTHER_CPU (1: rx of
#      the generator's own check), TX_OPTS / RX_OPTS (more udpgen options, e.g. "-g" / "-p"),
#      FG_DIR (/tmp/framegen-build), OUT, DOC ("" = print only).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
RELAYS=${RELAYS:-"direct qemu patchbay"}
LADDER=${LADDER:-"25000 50000 75000 100000 150000 200000 300000 500000"}
SIZE=${SIZE:-64}
DURATION=${DURATION:-3}
REPS=${REPS:-3}
RELAY_CPUS=${RELAY_CPUS:-1}
CLIENT_CPUS=${CLIENT_CPUS:-0}
OTHER_CPU=${OTHER_CPU:-1}
TX_OPTS=${TX_OPTS--g}
RX_OPTS=${RX_OPTS-}
FG_DIR=${FG_DIR:-/tmp/framegen-build}
OUT=${OUT:-$(mktemp -d /tmp/udp.XXXX)}
DOC=${DOC-$ROOT/docs/performance.md}
mkdir -p "$OUT"
log() { echo "[udp] $*" >&2; }
. "$HERE/relay-common.sh"
. "$HERE/doc-table.sh"
relay_commands
PIN_LOAD=$PIN_FG

SAVED=()
restore_sysctls() {
    local kv
    for kv in "${SAVED[@]}"; do sysctl -qw "$kv"; done
    SAVED=()
}
cleanup() {
    kill_started
    restore_sysctls
}
trap cleanup EXIT
trap 'exit 130' INT TERM

build_udpgen || exit 1
"$UG" test >/dev/null || { log "udpgen's own check failed"; exit 1; }
case " $RELAYS " in *" patchbay"*)
    log "preparing: $PATCHBAY --version (builds the jar if stale)"
    "$PATCHBAY" --version >&2 || { log "Patchbay does not start"; exit 1; } ;;
esac

C1=$(port 1); P1=$(port 2); C2=$(port 3); P2=$(port 4)
RAW=$OUT/raw.tsv # relay rate rep sent unique tx_pps relay_cpu_%
: >"$RAW"

cpu_ticks() { [ -n "${RPID:-}" ] && awk '{print $14+$15}' "/proc/$RPID/stat" 2>/dev/null || echo 0; }

# one run: udpgen tx (C1 -> P1) and rx (C2 <- P2) on the load CPU; appends a row to RAW
run() { # relay rate rep [rx-cpu] [tx-dst-port] [rx-src-port]
    local name=$1 rate=$2 rep=$3 rxcpu=${4:-$CLIENT_CPUS} dst=${5:-$P1} src=${6:-$P2} t0 t1 tx rx
    taskset -c "$rxcpu" "$UG" rx -u "127.0.0.1:$C2,127.0.0.1:$src" -t $(( DURATION + 3 )) -i 500 $RX_OPTS \
        >"$OUT/rx.out" 2>>"$OUT/rx.err" &
    local rxp=$!
    PIDS+=("$rxp")
    udp_bound "$C2"
    t0=$(cpu_ticks)
    tx=$($PIN_LOAD "$UG" tx -u "127.0.0.1:$C1,127.0.0.1:$dst" -s "$SIZE" -r "$rate" -d "$DURATION" $TX_OPTS 2>>"$OUT/tx.err")
    t1=$(cpu_ticks)
    wait "$rxp"
    rx=$(cat "$OUT/rx.out")
    echo "$name $rate $rep $tx $rx" >>"$OUT/runs.log"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$rate" "$rep" "$(kv sent "$tx")" "$(kv unique "$rx")" \
        "$(kv pps "$tx")" "$(awk -v t=$(( t1 - t0 )) -v hz="$(getconf CLK_TCK)" -v d="$DURATION" \
        'BEGIN{printf "%.0f", t / hz / d * 100}')" >>"$RAW"
}

ladder() { # NAME[@sysctl=v,...]
    local spec=$1 name=${1%%@*} sysctls="" kv rate rep cmd
    [ "$spec" != "$name" ] && sysctls=${spec#*@}
    for kv in ${sysctls//,/ }; do
        SAVED+=("${kv%%=*}=$(sysctl -n "${kv%%=*}")")
        sysctl -qw "$kv" || { log "$spec: cannot set $kv"; restore_sysctls; return; }
    done
    RPID=""
    case $name in
        direct) ;;
        qemu) cmd=$QM ;;
        patchbay) cmd=$PB ;;
        baseline) cmd="${BASELINE:?set BASELINE to measure a baseline} -qmp none --no-console --deploy $OUT/deploy-baseline" ;;
        *) log "unknown relay $name"; restore_sysctls; return ;;
    esac
    if [ "$name" = direct ]; then
        log "$spec: no relay, tx and rx on CPU $CLIENT_CPUS"
    else
        log "$spec: relay on CPU $RELAY_CPUS"
        local nd=$UDP_NETDEVS
        nd=${nd//\{C1\}/$C1}; nd=${nd//\{P1\}/$P1}; nd=${nd//\{C2\}/$C2}; nd=${nd//\{P2\}/$P2}
        start "$OUT/$spec.log" "$cmd $nd"
        udp_bound "$P1" "$P2" || { log "$spec: relay did not bind"; cat "$OUT/$spec.log" >&2; stop; restore_sysctls; return; }
    fi
    local dst=$P1 src=$P2
    [ "$name" = direct ] && { dst=$C2; src=$C1; }
    run "$spec-warmup" 100000 0 "$CLIENT_CPUS" "$dst" "$src"
    for rate in $LADDER; do
        for rep in $(seq "$REPS"); do run "$spec" "$rate" "$rep" "$CLIENT_CPUS" "$dst" "$src"; done
        log "$spec $rate pps: loss % $(loss "$spec" "$rate")"
    done
    [ -n "$RPID" ] && stop
    restore_sysctls
}

# median over the reps of one rung
median_of() { # relay rate awk-expression-over-$4..$7
    awk -F'\t' -v r="$1" -v q="$2" "\$1==r && \$2==q {v[++n]=$3}
        END{ if(!n){print \"nan\"; exit} for(i=1;i<=n;i++) for(j=i+1;j<=n;j++) if(v[j]<v[i]){t=v[i];v[i]=v[j];v[j]=t}; print v[int((n+1)/2)] }" "$RAW"
}
loss() { median_of "$1" "$2" '($4>0 ? ($4-$5)*100/$4 : 100)'; }
offered() { median_of "$1" "$2" '$6'; }
relay_cpu() { median_of "$1" "$2" '$7'; }
lossfree() { # relay: highest rung offered in full with median loss <= 0.1 %, 0 when none
    local best=0 rate
    for rate in $LADDER; do
        awk -v l="$(loss "$1" "$rate")" -v o="$(offered "$1" "$rate")" -v r="$rate" \
            'BEGIN{exit !(l != "nan" && l <= 0.1 && o >= 0.98 * r)}' && best=$rate
    done
    echo "$best"
}

START=$SECONDS
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
for r in $RELAYS; do ladder "$r"; done
# udpgen's own rate, the receiver on the other CPU: what one CPU of load offers
log "udpgen alone: tx on CPU $CLIENT_CPUS, rx on CPU $OTHER_CPU"
TOP=${LADDER##* }
for rep in $(seq "$REPS"); do run split "$TOP" "$rep" "$OTHER_CPU" "$C2" "$C1"; done
log "measured in $(( SECONDS - START )) s; runs in $OUT/runs.log"

# ---------------------------------------------------------------- the table
kp() { awk -v v="$1" 'BEGIN{ if (v == "nan" || v == "") print "n/a"; else printf "%.0f", v / 1000 }'; }
TABLE=$OUT/table.md
{
    head="| offered, kpps |"; rule="|---|"
    for r in $RELAYS; do
        case $r in direct) t="no relay";; qemu) t="QEMU 7.2 hub";; patchbay) t="Patchbay";; baseline) t="Patchbay before";; *) t=$r;; esac
        head="$head $t: loss % (relay CPU %) |"; rule="$rule---|"
    done
    echo "$head"; echo "$rule"
    for rate in $LADDER; do
        line="| $(kp "$rate") |"
        for r in $RELAYS; do
            l=$(loss "$r" "$rate"); c=$(relay_cpu "$r" "$rate"); o=$(offered "$r" "$rate")
            cell=$(awk -v l="$l" 'BEGIN{ if (l == "nan") print "n/a"; else printf "%.2f", l }')
            [ "${r%%@*}" != direct ] && cell="$cell ($c)"
            # a rung the generator could not offer is no rung
            awk -v o="$o" -v r="$rate" 'BEGIN{exit !(o < 0.98 * r)}' && cell="$cell, offered $(kp "$o") only"
            line="$line $cell |"
        done
        echo "$line"
    done
    line="| **highest rate with loss ≤ 0.1 %, kpps** |"
    for r in $RELAYS; do line="$line **$(kp "$(lossfree "$r")")** |"; done
    echo "$line"
    q=$(lossfree qemu); p=$(lossfree patchbay)
    echo
    echo "Patchbay / QEMU, highest loss-free rate: **$(ratio "$p" "$q")×** (target ≥ 3×)." \
        "udpgen alone, tx on CPU $CLIENT_CPUS and rx on CPU $OTHER_CPU, $(kp "$TOP") kpps offered:" \
        "$(kp "$(offered split "$TOP")") kpps sent, loss $(loss split "$TOP") %."
    case " $RELAYS " in *" baseline "*)
        echo "Patchbay / Patchbay before ($BASELINE), highest loss-free rate: **$(ratio "$p" "$(lossfree baseline)")×**." ;;
    esac
    echo "$SIZE B frames, ${DURATION} s runs, medians of $REPS; relay on CPU $RELAY_CPUS, load on CPU $CLIENT_CPUS;" \
        "$(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), kernel $(uname -r);" \
        "udpgen tx ${TX_OPTS:-(no options)}, rx ${RX_OPTS:-(no options)}; load average $LOAD0 before, $(cut -d' ' -f1-3 /proc/loadavg) after."
} >"$TABLE"
cat "$TABLE"
write_table "$DOC" udp-table "$(cat "$TABLE")" bench/udp.sh
[ -n "$DOC" ] && log "table written to $DOC (if it has the udp-table markers)"
