#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# make bench-callgrind: instructions per packet of each scenario under
# valgrind --tool=callgrind (repeatable on a noisy machine). plb-bench runs
# in repeatable mode (--packets N --lcores 1) and dumps two profiles: the
# window (exactly N packets) and an idle window (the worker polling an empty
# ring). Ir/pkt = (worker_main's inclusive Ir in the window - window loops x
# Ir of one empty poll loop) / N: the fixed cost of a poll loop (RX poll,
# TX flush, expiry check, RCU quiescent state) is left out, everything a
# packet costs (expiry of its conn included) stays in. Profiles and
# per-function listings stay in $BUILD/bench/cg/. The last lines compare
# scenario (d) (hook_acl every packet, 100k-prefix deny list) with (a), and
# name the git commit measured.
set -euo pipefail
BUILD=${BUILD:-build}
N=${CG_PACKETS:-20000}
OUT=$BUILD/bench/cg
mkdir -p "$OUT"
# scenario name | plb-bench arguments
RUNS=(
	"floor|--scenario floor --flows 1000"
	"fnat_tcp_est_1k|--scenario tcp --flows 1000"
	"fnat_tcp_est_100k|--scenario tcp --flows 100000"
	"fnat_tcp_both_1k|--scenario tcp_both --flows 1000"
	"fnat_tcp_acl_1k|--scenario acl --flows 1000"
	"fnat_tcp_acl_100k|--scenario acl --flows 100000"
	"fnat_udp_est_1k|--scenario udp --flows 1000"
	"newconn_rr_d10|--scenario newconn --sched rr --dests 10"
	"newconn_rr_d1000|--scenario newconn --sched rr --dests 1000"
	"newconn_wlc_d10|--scenario newconn --sched wlc --dests 10"
	"newconn_wlc_d1000|--scenario newconn --sched wlc --dests 1000"
	"newconn_mh_d1000|--scenario newconn --sched mh --dests 1000"
)
incl() {	# inclusive Ir of worker_main in callgrind file $1
	callgrind_annotate --inclusive=yes --threshold=100 --auto=no "$1" 2>/dev/null |
		awk '!done && /worker\.c:worker_main/ { gsub(",", "", $1); print $1; done = 1 }'
}
commit=${PLB_BENCH_COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}
if [ "$commit" != unknown ] && [ -z "${PLB_BENCH_COMMIT:-}" ] && [ -n "$(git status --porcelain 2>/dev/null)" ]; then
	commit+="+dirty"
fi
declare -A IR
printf '%-20s %8s %10s %10s %12s\n' scenario packets Ir/pkt loop_Ir window_loops
for run in "${RUNS[@]}"; do
	name=${run%%|*}
	args=${run#*|}
	rm -f "$OUT/$name.out" "$OUT/$name.out".*
	# shellcheck disable=SC2086
	line=$(valgrind --tool=callgrind --callgrind-out-file="$OUT/$name.out" \
		"$BUILD/plb-bench" $args --packets "$N" --lcores 1 --mem 1024 --json - \
		--build "$BUILD" 2>"$OUT/$name.log" | grep '^plb-bench-cg:' || true)
	if [ -z "$line" ] || [ ! -f "$OUT/$name.out.1" ] || [ ! -f "$OUT/$name.out.2" ]; then
		echo "$name: run failed, see $OUT/$name.log" >&2
		exit 1
	fi
	pkts=$(sed 's/.*window_pkts=\([0-9]*\).*/\1/' <<<"$line")
	wl=$(sed 's/.*window_loops=\([0-9]*\).*/\1/' <<<"$line")
	il=$(sed 's/.*idle_loops=\([0-9]*\).*/\1/' <<<"$line")
	w=$(incl "$OUT/$name.out.1")
	i=$(incl "$OUT/$name.out.2")
	callgrind_annotate --threshold=100 --auto=no "$OUT/$name.out.1" >"$OUT/$name.txt" 2>/dev/null
	row=$(awk -v n="$name" -v p="$pkts" -v w="$w" -v i="$i" -v wl="$wl" -v il="$il" 'BEGIN {
		e = i / il; printf "%-20s %8d %10.0f %10.0f %12d\n", n, p, (w - wl * e) / p, e, wl }')
	echo "$row"
	IR[$name]=$(awk '{ print $3 }' <<<"$row")
done
for f in 1k 100k; do
	a=${IR[fnat_tcp_est_$f]:-} d=${IR[fnat_tcp_acl_$f]:-}
	[ -n "$a" ] && [ -n "$d" ] && awk -v f="$f" -v a="$a" -v d="$d" 'BEGIN {
		printf "(d) vs (a), %s flows: %d vs %d Ir/pkt = %.2fx (+%d Ir for hook_acl)\n", f, d, a, d / a, d - a }'
done
echo "commit $commit (N = $N packets per scenario)"
echo "profiles: $OUT/<scenario>.out.1 (window), .out.2 (idle); listings: $OUT/<scenario>.txt"
