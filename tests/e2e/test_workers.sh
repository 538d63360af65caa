#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# e2e: two workers with real traffic. Topology lib.sh topo_lb_build 3, plb's
# af_packet ports with qpairs=2 (the kernel spreads frames over the two RX queues
# by its own flow hash, worker w polls queue w), the backends' default route via
# plb so NAT replies come back. Services: tcp/80 rr fnat (replies steered by the
# local port: lport % 2) and tcp/81 rr nat (replies steered by the client
# endpoint). For each: 200 HTTP requests all answered, rr split within +-2 (each
# worker runs its own rr cursor: +-1 each), and the workers' handover_out counters
# moved (packets that landed on the non-owning worker were handed over), with
# handover_in = handover_out and no handover_drop; both workers received packets and hold conns.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/traffic.sh"

e2e_require_root
e2e_require_cmd ip ethtool curl nginx

N=${E2E_WORKERS_REQUESTS:-200}
S=$E2E_TMP

topo_lb_build 3
for i in "${!TOPO_RS_NS[@]}"; do
	rs_route_via_plb "${TOPO_RS_NS[$i]}"
	http_server_start "${TOPO_RS_NS[$i]}" "${TOPO_RS_ADDR[$i]}" 8080 "${TOPO_RS_NS[$i]}" nginx
done

PLB_WORKERS=2
PLB_PORTS="p0|net_af_packet0,iface=p0,qpairs=2|$TOPO_P0_ADDR/24
p1|net_af_packet1,iface=p1,qpairs=2|$TOPO_P1_ADDR/24"
PLB_MODULES="proto_ipv4 proto_arp proto_icmp proto_tcp proto_udp hook_defence hook_vs"
PLB_CONF_EXTRA=$(svc_list \
	"$(svc_item tcp "$TOPO_VIP" 80 rr fnat "$TOPO_LADDR" "${TOPO_RS_ADDR[@]/%/:8080}")" \
	"$(svc_item tcp "$TOPO_VIP" 81 rr nat "" "${TOPO_RS_ADDR[@]/%/:8080}")")
plb_start workers lb
stats_save workers "$S/s0.json"
expect_eq "workers in plb stats" "$(json_eval "$S/s0.json" 'len(j["workers"])')" 2

# workers_print FILE_BEFORE FILE_AFTER: per-worker deltas for the log
workers_print() {
	/usr/bin/python3 - "$1" "$2" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
for wa, wb in zip(a["workers"], b["workers"]):
    d = {k: wb[k] - wa[k] for k in ("rx", "handover_out", "handover_in", "handover_drop")}
    print("    worker %d: rx %d  handover_out %d  handover_in %d  handover_drop %d  conns now %d"
          % (wb["id"], d["rx"], d["handover_out"], d["handover_in"], d["handover_drop"], wb["conns"]))
PY
}

# handover_settled: true once every handed-over packet has been taken in (the
# last FIN/ACKs may still sit in a ring right after the client is done)
handover_settled() {
	stats_save workers "$S/h.json" &&
		[ "$(workers_sum "$S/h.json" handover_in)" = "$(workers_sum "$S/h.json" handover_out)" ]
}

n=0
for mode in fnat:80 nat:81; do
	name=${mode%%:*} port=${mode#*:}
	n=$((n + 1))
	stats_save workers "$S/a$n.json"
	http_load cli "http://$TOPO_VIP:$port/" "$N"
	wait_for 5 "handover_in to catch up with handover_out" handover_settled
	stats_save workers "$S/b$n.json"
	workers_print "$S/a$n.json" "$S/b$n.json"
	expect_eq "$name with 2 workers: failed requests (of $N)" "$HTTP_FAIL" 0
	for rs in "${TOPO_RS_NS[@]}"; do
		expect_split "$name with 2 workers: rr split of $N (+-2: one rr cursor per worker)" HTTP_SPLIT "$rs" \
			$((N / 3 - 2)) $(( (N + 2) / 3 + 2))
	done
	expect_gt "$name: handover_out delta, all workers (packets that landed on the non-owner)" \
		"$(delta workers_sum handover_out "$S/a$n.json" "$S/b$n.json")" 0
	expect_eq "$name: handover_in delta = handover_out delta" \
		"$(delta workers_sum handover_in "$S/a$n.json" "$S/b$n.json")" \
		"$(delta workers_sum handover_out "$S/a$n.json" "$S/b$n.json")"
	expect_eq "$name: handover_drop delta" "$(delta workers_sum handover_drop "$S/a$n.json" "$S/b$n.json")" 0
	for w in 0 1; do
		expect_gt "$name: worker $w received packets" \
			"$(( $(json_eval "$S/b$n.json" "j['workers'][$w]['rx']") - $(json_eval "$S/a$n.json" "j['workers'][$w]['rx']") ))" 0
		expect_gt "$name: worker $w holds conns (closed ones wait in TIME_WAIT)" \
			"$(json_eval "$S/b$n.json" "j['workers'][$w]['conns']")" 0
	done
done
stats_save workers "$S/end.json"
services_print "$S/end.json"
plb_stop workers 10
expect_eq "plb exit status after SIGTERM" "$E2E_RC" 0
