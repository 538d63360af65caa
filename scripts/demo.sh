#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# demo.sh (`make demo`): plb balancing real HTTP through full NAT. Builds the
# topology of docs/demo.md with tests/e2e/lib.sh (a client namespace, plb's
# namespace with two veth ports, a bridge, three backends running
# python3 -m http.server that answer with their own name), starts build/plb
# on conf/plb.conf, sends 12 curl requests (a new connection each) to
# http://192.0.2.100/, prints which backend answered each one and plb's
# per-dest counters, stops plb with SIGTERM. Everything is removed on any
# exit. Exits non-zero if a request failed or plb did not stop with 0.
set -u

E2E_ID=plb-demo			# namespaces plb-demo-cli, plb-demo-lb, ...
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/e2e/lib.sh"

CONF=${PLB_CONF:-conf/plb.conf}
PLB_SOCK=/run/plb/plb.sock	# control.socket in conf/plb.conf
N=${DEMO_REQUESTS:-12}
DPORT=8080			# the dests' port in conf/plb.conf
S=$E2E_TMP

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

e2e_require_root
e2e_require_cmd ip ethtool curl
[ -x "$E2E_PLB" ] && [ -x "$E2E_PLBCTL" ] || e2e_fail "build first: make all"
cd "$E2E_ROOT" || e2e_fail "cannot cd to $E2E_ROOT"

say "topology (docs/demo.md)"
ns_purge			# what an interrupted run left behind
topo_lb_build 3
for i in "${!TOPO_RS_NS[@]}"; do
	http_server_start "${TOPO_RS_NS[$i]}" "${TOPO_RS_ADDR[$i]}" "$DPORT" \
		"${TOPO_RS_NS[$i]} (${TOPO_RS_ADDR[$i]}:$DPORT)" python
	e2e_log "backend ${TOPO_RS_NS[$i]}: python3 -m http.server on ${TOPO_RS_ADDR[$i]}:$DPORT"
done

say "starting: ip netns exec $(ns_name lb) $E2E_PLB -c $CONF"
mkdir -p "$(dirname "$PLB_SOCK")"
plb_start demo lb "$CONF"
grep -E 'module|service|ready' "$(plb_log_of demo)" | sed 's/^/  /'
stats_save demo "$S/before.json"

say "$N requests: curl http://$TOPO_VIP/ from $(ns_name cli) ($TOPO_CLI), a new connection each"
declare -A split
fails=0
for i in $(seq 1 "$N"); do
	if body=$(http_get cli "http://$TOPO_VIP/" 2>"$S/curl.err"); then
		printf '  request %2d: answered by %s\n' "$i" "$body"
		split[${body%% *}]=$(( ${split[${body%% *}]:-0} + 1 ))
	else
		printf '  request %2d: FAILED: %s\n' "$i" "$(cat "$S/curl.err")"
		fails=$((fails + 1))
	fi
done

say "plb's services and dests (plbctl stats --json)"
stats_save demo "$S/after.json"
services_print "$S/after.json"

say "counters that moved"
/usr/bin/python3 - "$S/before.json" "$S/after.json" <<'EOF'
import json, sys
b, a = (json.load(open(f)) for f in sys.argv[1:3])
for p_old, p in zip(b["ports"], a["ports"]):
    print("  port %-3s rx +%d  tx +%d" % (p["name"], p["rx_packets"] - p_old["rx_packets"],
                                       p["tx_packets"] - p_old["tx_packets"]))
for w in a["workers"]:
    print("  worker %d conns now %d (they expire after the TCP timeouts)" % (w["id"], w["conns"]))
for name in sorted(a["counters"]):
    d = a["counters"][name] - b["counters"].get(name, 0)
    if d:
        print("  %-28s +%d" % (name, d))
EOF

say "summary"
for rs in "${TOPO_RS_NS[@]}"; do
	printf '  %-4s answered %2d of %d requests\n' "$rs" "${split[$rs]:-0}" "$N"
done
echo "  failed: $fails"

say "stopping plb (SIGTERM)"
plb_stop demo 10
tail -n 3 "$(plb_log_of demo)" | sed 's/^/  /'

[ "$fails" = 0 ] || e2e_fail "$fails of $N requests failed"
[ "$E2E_RC" = 0 ] || e2e_fail "plb exited with status $E2E_RC after SIGTERM"
say "demo OK: $N requests through FNAT, split ${TOPO_RS_NS[*]} = $(for rs in "${TOPO_RS_NS[@]}"; do printf '%s ' "${split[$rs]:-0}"; done)and plb exited 0"
