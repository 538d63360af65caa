#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# e2e: every scheduler on real traffic. One plb (one worker, FNAT, local address
# 198.51.100.200) with five services on the VIP, each over the same three nginx
# backends (lib.sh topo_lb_build 3):
#   tcp/80 rr       300 connections: 100 each, exactly
#   tcp/81 wrr      weights 1,2,3, 300 connections: 50/100/150 +-1 (see below)
#   tcp/82 wlc      20 idle long-lived conns held on rs1 (it starts as the only dest with
#                   weight > 0; a SIGHUP reload then sets all weights to 1), then 60 new
#                   connections: none to rs1, rs2 and rs3 share them; the held conns still
#                   answer from rs1 afterwards
#   tcp/83 conhash  16 clients (source addresses) x 8 connections: each client on one
#   tcp/84 mh       backend every time, and the clients spread over >= 2 backends
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/traffic.sh"

e2e_require_root
e2e_require_cmd ip ethtool curl nginx ss

S=$E2E_TMP
NRR=300
NWRR=300
NWLC=60
HOLD=20
NCLI=16
PER_CLI=8

topo_lb_build 3
RS=("${TOPO_RS_ADDR[@]/%/:8080}")
R1=${TOPO_RS_ADDR[0]} R2=${TOPO_RS_ADDR[1]} R3=${TOPO_RS_ADDR[2]}
for i in "${!TOPO_RS_NS[@]}"; do
	http_server_start "${TOPO_RS_NS[$i]}" "${TOPO_RS_ADDR[$i]}" 8080 "${TOPO_RS_NS[$i]}" nginx
done
CLIENTS=()
for i in $(seq 1 "$NCLI"); do
	CLIENTS+=("192.0.2.$((100 + i * 3))")	# .103 .. .148: clear of plb's .1 and the VIP .100
	addr_add cli cli0 "${CLIENTS[-1]}/24"
done

# sched_services WLC_W2 WLC_W3: the services above; rs2 and rs3 have weight
# WLC_W2 and WLC_W3 in the wlc service
sched_services() {
	svc_list \
		"$(svc_item tcp "$TOPO_VIP" 80 rr fnat "$TOPO_LADDR" "${RS[@]}")" \
		"$(svc_item tcp "$TOPO_VIP" 81 wrr fnat "$TOPO_LADDR" "$R1:8080:1" "$R2:8080:2" "$R3:8080:3")" \
		"$(svc_item tcp "$TOPO_VIP" 82 wlc fnat "$TOPO_LADDR" "$R1:8080:1" "$R2:8080:$1" "$R3:8080:$2")" \
		"$(svc_item tcp "$TOPO_VIP" 83 conhash fnat "$TOPO_LADDR" "${RS[@]}")" \
		"$(svc_item tcp "$TOPO_VIP" 84 mh fnat "$TOPO_LADDR" "${RS[@]}")"
}
PLB_PORTS=$TOPO_PLB_PORTS
PLB_MODULES="proto_ipv4 proto_arp proto_icmp proto_tcp proto_udp hook_defence hook_vs"
PLB_CONF_EXTRA=$(sched_services 0 0)
plb_start sched lb

# ---- rr ------------------------------------------------------------------
e2e_log "rr: $NRR connections to :80"
http_load cli "http://$TOPO_VIP:80/" "$NRR"
expect_eq "rr: failed requests" "$HTTP_FAIL" 0
expect_split_rr "rr split of $NRR" HTTP_SPLIT "$NRR" "${TOPO_RS_NS[@]}"

# ---- wrr -----------------------------------------------------------------
# One worker runs IPVS wrr deterministically: the sequence repeats every
# sum(weights) = 6 connections (rs3 rs2 rs3 rs1 rs2 rs3), so 300 = 50 periods split
# exactly 50/100/150; +-1 admits an implementation that starts the period at
# another point. Workers each run their own sequence, hence one worker here.
e2e_log "wrr: $NWRR connections to :81, weights 1,2,3"
http_load cli "http://$TOPO_VIP:81/" "$NWRR"
expect_eq "wrr: failed requests" "$HTTP_FAIL" 0
for i in 0 1 2; do
	want=$((NWRR * (i + 1) / 6))
	expect_split "wrr split of $NWRR, weight $((i + 1))" HTTP_SPLIT "${TOPO_RS_NS[$i]}" $((want - 1)) $((want + 1))
done
expect_split_only "wrr" HTTP_SPLIT "${TOPO_RS_NS[@]}"

# ---- wlc -----------------------------------------------------------------
# wlc_active_is ADDR N: true once dest ADDR of the wlc service has N active conns
wlc_active_is() {
	stats_save sched "$S/w.json" && [ "$(dest_json "$S/w.json" "$TOPO_VIP" 82 "$1" active_conns)" = "$2" ]
}
# wlc_weights_are W1 W2 W3: true once the running service has these weights
wlc_weights_are() {
	stats_save sched "$S/w.json" &&
		[ "$(json_eval "$S/w.json" "[d['weight'] for s in j['services'] if s['port'] == 82 for d in s['dests']]")" = "[$1, $2, $3]" ]
}
e2e_log "wlc: $HOLD idle connections to :82 while only rs1 has a weight"
ns_exec cli /usr/bin/python3 "$E2E_DIR/tcp_hold.py" "$TOPO_VIP" 82 "$HOLD" "$S/go" >"$S/hold.out" 2>&1 &
HOLD_PID=$!
E2E_PIDS+=($HOLD_PID)
wait_for 15 "$HOLD connections held open" grep -q "^open $HOLD" "$S/hold.out" ||
	e2e_fail "wlc: tcp_hold.py could not open $HOLD connections to $TOPO_VIP:82: $(cat "$S/hold.out")"
wait_for 10 "rs1 to have $HOLD active conns in the wlc service" wlc_active_is "$R1" "$HOLD" ||
	e2e_fail "wlc: dest $R1 has $(dest_json "$S/w.json" "$TOPO_VIP" 82 "$R1" active_conns) active conns, expected the $HOLD held ones"
e2e_log "ok: wlc: rs1 holds $HOLD active conns; SIGHUP reload sets weights 1,1,1"
PLB_CONF_EXTRA=$(sched_services 1 1)
plb_conf_write sched "$S/sched.conf"
kill -HUP "${E2E_PLB_PID[sched]}"
wait_for 10 "the reload to publish weights 1,1,1" wlc_weights_are 1 1 1 ||
	e2e_fail "wlc: weights after SIGHUP are $(json_eval "$S/w.json" "[d['weight'] for s in j['services'] if s['port'] == 82 for d in s['dests']]"), expected [1, 1, 1] (log: $(tail -n 3 "$(plb_log_of sched)"))"
expect_eq "wlc: rs1 active conns after the reload (held conns kept)" \
	"$(dest_json "$S/w.json" "$TOPO_VIP" 82 "$R1" active_conns)" "$HOLD"
http_load cli "http://$TOPO_VIP:82/" "$NWLC"
stats_save sched "$S/s_wlc.json"
services_print "$S/s_wlc.json" | sed -n '/:82 /,/:83 /p' | sed '$d'
expect_eq "wlc: failed requests" "$HTTP_FAIL" 0
# rs1 costs 20 * 256 while busy; the new conns are short, so rs2 and rs3 stay far
# below that: every new conn must avoid rs1, and the two idle ones share them
# (alternately: +-5 allows a conn still counted active when the next one comes)
expect_split "wlc: new connections to the busy backend" HTTP_SPLIT rs1 0 0
expect_split "wlc: new connections to an idle backend" HTTP_SPLIT rs2 $((NWLC / 2 - 5)) $((NWLC / 2 + 5))
expect_split "wlc: new connections to an idle backend" HTTP_SPLIT rs3 $((NWLC / 2 - 5)) $((NWLC / 2 + 5))
touch "$S/go"
e2e_wait_pid_exit "$HOLD_PID" 20 || e2e_fail "wlc: the held connections did not finish within 20 s"
res=$(tail -n 1 "$S/hold.out")
e2e_log "measured: held connections answered: $res"
expect_eq "wlc: held connections answered, all by rs1" \
	"$(/usr/bin/python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(len(r["errors"]), sorted(set(r["bodies"])), len(r["bodies"]))' "$res")" \
	"0 ['rs1'] $HOLD"

# ---- conhash and mh: one client, one backend --------------------------------
for svc in 83:conhash 84:mh; do
	port=${svc%%:*} name=${svc#*:}
	declare -A per_rs=()
	map=""
	for c in "${CLIENTS[@]}"; do
		http_load cli "http://$TOPO_VIP:$port/" "$PER_CLI" --interface "$c" >"$S/load.log"
		[ "$HTTP_FAIL" = 0 ] || e2e_fail "$name: $HTTP_FAIL of $PER_CLI requests from $c failed: $(cat "$S/load.log")"
		[ "${#HTTP_SPLIT[@]}" = 1 ] ||
			e2e_fail "$name: client $c was sent to several backends: $(split_str HTTP_SPLIT) (expected one)"
		rs=${!HTTP_SPLIT[*]}
		per_rs[$rs]=$(( ${per_rs[$rs]:-0} + 1 ))
		map+="${c##*.}->$rs "
	done
	e2e_log "measured: $name: client (last octet) -> backend: $map"
	e2e_log "measured: $name: clients per backend: $(split_str per_rs)"
	e2e_log "ok: $name: each of $NCLI clients stayed on one backend for its $PER_CLI connections"
	[ "${#per_rs[@]}" -ge 2 ] || e2e_fail "$name: all $NCLI clients went to one backend ($(split_str per_rs)), expected a spread over >= 2"
	e2e_log "ok: $name: $NCLI clients spread over ${#per_rs[@]} backends"
	unset per_rs
done

stats_save sched "$S/end.json"
services_print "$S/end.json"
expect_eq "services' drop_no_dest" "$(json_eval "$S/end.json" 'sum(s["drop_no_dest"] for s in j["services"])')" 0
plb_stop sched 10
expect_eq "plb exit status after SIGTERM" "$E2E_RC" 0
