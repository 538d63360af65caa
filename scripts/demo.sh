#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# demo.sh (`make demo`): plb answers ARP and ping. Builds two namespaces
# joined by a veth pair: plb-demo holds plb0 (no kernel address: plb owns
# 192.0.2.1 through af_packet) and plb-demo-cli holds cli0 (192.0.2.2/24).
# Starts build/plb -c conf/plb.conf in plb-demo, arpings and pings it from
# the client, shows the counters that moved, stops plb with SIGTERM and
# removes everything on any exit. Exits non-zero if ARP or ping got no answer
# or plb did not stop cleanly. Run as root from anywhere.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${PLB_BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
CONF=${PLB_CONF:-conf/plb.conf}
NS_LB=plb-demo
NS_CLI=plb-demo-cli
VIP=192.0.2.1
SOCK=/run/plb/plb.sock		# control.socket in conf/plb.conf
START_TIMEOUT=30
STOP_TIMEOUT=10
TMP=$(mktemp -d /tmp/plb-demo.XXXXXX)
LOG=$TMP/plb.log
PLB_PID=

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
die() { echo "demo: FAIL: $*" >&2; exit 1; }

# [trap] stop plb if it still runs, remove the namespaces and temp files
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [ -n "$PLB_PID" ] && kill -0 "$PLB_PID" 2>/dev/null; then
		kill -TERM "$PLB_PID" 2>/dev/null
		wait_gone "$PLB_PID" "$STOP_TIMEOUT" || kill -KILL "$PLB_PID" 2>/dev/null
	fi
	if [ "$rc" != 0 ] && [ -s "$LOG" ]; then
		echo "---- plb log (last 30 lines) ----" >&2
		tail -n 30 "$LOG" >&2
	fi
	ip netns del "$NS_CLI" 2>/dev/null
	ip netns del "$NS_LB" 2>/dev/null
	rm -rf "$TMP"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# wait_gone PID TIMEOUT_S: poll until PID has exited; 1 on timeout
wait_gone() {
	local deadline=$((SECONDS + $2))
	while kill -0 "$1" 2>/dev/null; do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.1
	done
}

plbctl() { "$BUILD/plbctl" -s "$SOCK" "$@"; }

[ "$(id -u)" = 0 ] || die "run as root (network namespaces)"
for c in ip ethtool arping ping python3; do
	command -v "$c" >/dev/null || die "'$c' not found (make deps installs it)"
done
[ -x "$BUILD/plb" ] && [ -x "$BUILD/plbctl" ] || die "build first: make all"
cd "$ROOT" || die "cannot cd to $ROOT"

say "topology: $NS_LB/plb0 (plb, $VIP) <-veth-> $NS_CLI/cli0 (192.0.2.2/24)"
# leftovers of an interrupted run would make `ip netns add` fail
ip netns del "$NS_CLI" 2>/dev/null
ip netns del "$NS_LB" 2>/dev/null
ip netns add "$NS_LB" && ip netns add "$NS_CLI" || die "cannot create namespaces"
ip -n "$NS_LB" link set lo up
ip -n "$NS_CLI" link set lo up
ip link add plb0 netns "$NS_LB" type veth peer name cli0 netns "$NS_CLI" ||
	die "cannot create the veth pair"
# plb0 stays without addresses: the kernel must not answer for plb
ip netns exec "$NS_LB" sysctl -qw net.ipv6.conf.plb0.disable_ipv6=1
ip -n "$NS_LB" link set plb0 up
ip -n "$NS_CLI" addr add 192.0.2.2/24 dev cli0
ip -n "$NS_CLI" link set cli0 up
for pair in "$NS_LB plb0" "$NS_CLI cli0"; do
	set -- $pair
	ip netns exec "$1" ethtool -K "$2" tx off rx off tso off gso off gro off >/dev/null ||
		die "cannot turn offloads off on $2"
done

say "starting: ip netns exec $NS_LB $BUILD/plb -c $CONF"
mkdir -p "$(dirname "$SOCK")"
ip netns exec "$NS_LB" "$BUILD/plb" -c "$CONF" >"$LOG" 2>&1 &
PLB_PID=$!
deadline=$((SECONDS + START_TIMEOUT))
until plbctl stats >/dev/null 2>&1; do
	kill -0 "$PLB_PID" 2>/dev/null || { wait "$PLB_PID"; die "plb exited (status $?) during start-up"; }
	[ "$SECONDS" -ge "$deadline" ] && die "plb's control socket $SOCK did not answer within ${START_TIMEOUT}s"
	sleep 0.1
done
grep -E 'module|ready' "$LOG" | sed 's/^/  /'

say "plbctl stats (before)"
plbctl stats
plbctl stats --json >"$TMP/before.json" || die "plbctl stats --json failed"

say "arping -c 3 -I cli0 $VIP  (from $NS_CLI)"
ip netns exec "$NS_CLI" arping -c 3 -w 5 -I cli0 "$VIP"
arp_rc=$?

say "ping -c 5 -i 0.2 $VIP  (from $NS_CLI)"
ip netns exec "$NS_CLI" ping -c 5 -i 0.2 -W 2 "$VIP"
ping_rc=$?

say "plbctl stats (after)"
plbctl stats
plbctl stats --json >"$TMP/after.json" || die "plbctl stats --json failed"

say "what moved (after - before)"
python3 - "$TMP/before.json" "$TMP/after.json" <<'EOF'
import json, sys
b, a = (json.load(open(f)) for f in sys.argv[1:3])
def rows(kind, fields):
    for old, new in zip(b[kind], a[kind]):
        moved = ["%s +%d" % (f, new[f] - old[f]) for f in fields
                 if f in new and new[f] != old.get(f, 0)]
        label = new.get("name", new.get("id"))
        print("  %-7s %-4s %s" % (kind[:-1], label, ", ".join(moved) or "(unchanged)"))
rows("ports", ["rx_packets", "tx_packets", "rx_dropped", "tx_dropped"])
# drop_no_l3: frames of an ethertype no loaded module handles (the client
# kernel's IPv6 neighbour discovery: this config loads no ipv6 module)
rows("workers", ["rx", "tx", "handover_out", "handover_in", "drop", "drop_no_l3", "drop_l3"])
for name in sorted(a["counters"]):
    d = a["counters"][name] - b["counters"].get(name, 0)
    if d:
        print("  counter %-24s +%d" % (name, d))
EOF

say "stopping plb (SIGTERM)"
kill -TERM "$PLB_PID"
wait_gone "$PLB_PID" "$STOP_TIMEOUT" || die "plb did not exit within ${STOP_TIMEOUT}s of SIGTERM"
wait "$PLB_PID"
plb_rc=$?
PLB_PID=
tail -n 5 "$LOG" | sed 's/^/  /'

[ "$arp_rc" = 0 ] || die "arping got no reply from $VIP"
[ "$ping_rc" = 0 ] || die "ping got no reply from $VIP"
[ "$plb_rc" = 0 ] || die "plb exited with status $plb_rc after SIGTERM"
say "demo OK: plb answered ARP and ping, and exited 0"
