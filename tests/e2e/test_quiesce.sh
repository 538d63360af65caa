#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# e2e: expire_quiescent on real traffic. Topology lib.sh topo_lb_build 3, FNAT rr
# tcp/80 -> nginx :8080. Phase "expire" (expire_quiescent = true): six idle
# connections held open (tcp_hold.py, two per backend), `plbctl dest edit ... rs2
# --weight 0`; new connections never reach rs2; then each held connection sends a
# GET: rs2's two are dropped by plb at their first packet (vs.expire_quiescent = 2,
# the conn is deleted and a non-SYN cannot be scheduled anew, so nothing more
# reaches rs2 and the client gets no answer: its request times out after
# tcp_hold.py's 5 s), rs1's and rs3's are answered. Phase "keep" (expire_quiescent
# = false, a fresh plb on another laddr): rs2's held connections are answered by rs2
# (vs.expire_quiescent stays 0), as test_weight0.sh checks in more detail.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/traffic.sh"

e2e_require_root
e2e_require_cmd ip ethtool curl nginx

S=$E2E_TMP
HOLD=6		# held connections, HOLD / 3 per backend (rr)
N=30		# new connections while rs2 is quiesced

topo_lb_build 3
R2=${TOPO_RS_ADDR[1]}
for i in "${!TOPO_RS_NS[@]}"; do
	http_server_start "${TOPO_RS_NS[$i]}" "${TOPO_RS_ADDR[$i]}" 8080 "${TOPO_RS_NS[$i]}" nginx
done
PLB_PORTS=$TOPO_PLB_PORTS
PLB_MODULES="proto_ipv4 proto_arp proto_icmp proto_tcp proto_udp hook_vs"

# dest_is PLB ADDR FIELD VALUE: true once dest ADDR's FIELD in plb PLB is VALUE
dest_is() {
	stats_save "$1" "$S/now.json" && [ "$(dest_json "$S/now.json" "$TOPO_VIP" 80 "$2" "$3")" = "$4" ]
}

# svc_dest FILE ADDR FIELD: FIELD of dest ADDR of the service in a stats file
svc_dest() { dest_json "$1" "$TOPO_VIP" 80 "$2" "$3"; }

# phase NAME EXPIRE(true|false) LADDR: a fresh plb NAME with expire_quiescent = EXPIRE;
# hold, quiesce rs2, new connections, then the held ones send their requests.
# Sets HOLD_RES (tcp_hold.py's JSON line) and HOLD_SECS (how long the requests took).
phase() {
	local name=$1 expire=$2 laddr=$3 svc a t0
	svc=$(svc_item tcp "$TOPO_VIP" 80 rr fnat "$laddr" "${TOPO_RS_ADDR[@]/%/:8080}")
	PLB_CONF_EXTRA=$(svc_list "${svc/fwd = \"fnat\";/fwd = \"fnat\"; expire_quiescent = $expire;}")
	plb_start "$name" lb
	plbctl "$name" --json service list >"$S/$name-svc.json" || e2e_fail "$name: plbctl service list failed"
	expect_eq "$name: expire_quiescent of the running service" \
		"$(json_eval "$S/$name-svc.json" "str(j[0]['expire_quiescent']).lower()")" "$expire"

	rm -f "$S/go"
	ns_exec cli /usr/bin/python3 "$E2E_DIR/tcp_hold.py" "$TOPO_VIP" 80 "$HOLD" "$S/go" >"$S/$name-hold.out" 2>&1 &
	HOLD_PID=$!
	E2E_PIDS+=($HOLD_PID)
	wait_for 15 "$HOLD connections held open" grep -q "^open $HOLD" "$S/$name-hold.out" ||
		e2e_fail "$name: tcp_hold.py could not open $HOLD connections: $(cat "$S/$name-hold.out")"
	for a in "${TOPO_RS_ADDR[@]}"; do
		wait_for 10 "$a to have $((HOLD / 3)) active conns" dest_is "$name" "$a" active_conns $((HOLD / 3)) ||
			e2e_fail "$name: dest $a has $(svc_dest "$S/now.json" "$a" active_conns) active conns, expected $((HOLD / 3)) (rr)"
	done
	e2e_log "ok: $name: $HOLD idle connections held, $((HOLD / 3)) on each backend"

	out=$(plbctl "$name" dest edit tcp "$TOPO_VIP:80" "$R2:8080" --weight 0 2>&1) ||
		e2e_fail "$name: plbctl dest edit tcp $TOPO_VIP:80 $R2:8080 --weight 0 failed: $out"
	wait_for 5 "rs2's weight to be 0" dest_is "$name" "$R2" weight 0 ||
		e2e_fail "$name: after --weight 0, rs2's weight is $(svc_dest "$S/now.json" "$R2" weight)"
	stats_save "$name" "$S/$name-q.json"

	# new connections: never to rs2
	http_load cli "http://$TOPO_VIP/" "$N"
	expect_eq "$name: weight 0: failed new requests" "$HTTP_FAIL" 0
	expect_split_rr "$name: weight 0: new connections" HTTP_SPLIT "$N" rs1 rs3
	stats_save "$name" "$S/$name-load.json"
	expect_eq "$name: conns scheduled to rs2 while quiesced" \
		"$(( $(svc_dest "$S/$name-load.json" "$R2" conns) - $(svc_dest "$S/$name-q.json" "$R2" conns) ))" 0
	expect_eq "$name: rs2 active conns before the held ones speak (idle conns stay)" \
		"$(svc_dest "$S/$name-load.json" "$R2" active_conns)" $((HOLD / 3))

	# the held connections send their requests
	t0=$(date +%s%N)
	touch "$S/go"
	e2e_wait_pid_exit "$HOLD_PID" 40 || e2e_fail "$name: the held connections did not finish within 40 s"
	HOLD_SECS=$(( ($(date +%s%N) - t0) / 1000000000 ))
	HOLD_RES=$(tail -n 1 "$S/$name-hold.out")
	stats_save "$name" "$S/$name-end.json"
	e2e_log "measured: $name: held connections after the quiesce, ${HOLD_SECS} s: $HOLD_RES"
	e2e_log "measured: $name: vs.expire_quiescent $(delta counter vs.expire_quiescent "$S/$name-q.json" "$S/$name-end.json"), vs.drop_no_conn $(delta counter vs.drop_no_conn "$S/$name-q.json" "$S/$name-end.json"), rs2 pkts_in $(( $(svc_dest "$S/$name-end.json" "$R2" pkts_in) - $(svc_dest "$S/$name-q.json" "$R2" pkts_in) )) since the quiesce"
	services_print "$S/$name-end.json"
}

# hold_summary: "ERRORS [rs1, rs2, rs3]" from HOLD_RES, errors as a sorted set of kinds
hold_summary() {
	/usr/bin/python3 -c '
import json, re, sys
r = json.loads(sys.argv[1])
kinds = sorted(set(re.sub(r"^conn \d+: ", "", e) for e in r["errors"]))
print(len(r["errors"]), kinds, [r["bodies"].count(b) for b in ("rs1", "rs2", "rs3")])' "$HOLD_RES"
}

# ---- expire_quiescent = true ---------------------------------------------------------
phase exp true "$TOPO_LADDR"
expect_eq "expire: vs.expire_quiescent (one per held conn to rs2, at its first packet)" \
	"$(delta counter vs.expire_quiescent "$S/exp-q.json" "$S/exp-end.json")" $((HOLD / 3))
expect_eq "expire: held connections: failures, kinds, answers per backend (rs2's time out, unanswered)" \
	"$(hold_summary)" "$((HOLD / 3)) ['timed out'] [$((HOLD / 3)), 0, $((HOLD / 3))]"
expect_eq "expire: packets forwarded to rs2 after the quiesce" \
	"$(( $(svc_dest "$S/exp-end.json" "$R2" pkts_in) - $(svc_dest "$S/exp-q.json" "$R2" pkts_in) ))" 0
expect_ge "expire: client packets of the expired conns dropped as not-SYN (request + retransmits)" \
	"$(delta counter vs.drop_no_conn "$S/exp-q.json" "$S/exp-end.json")" $((HOLD / 3))
expect_eq "expire: rs2 active conns (deleted, not left to time out)" \
	"$(svc_dest "$S/exp-end.json" "$R2" active_conns)" 0
expect_ge "expire: seconds the held requests took (rs2's two wait out tcp_hold.py's 5 s each)" \
	"$HOLD_SECS" $((HOLD / 3 * 5))
# plb deletes the conn silently (no RST to either side): rs2 keeps its end open
e2e_log "measured: expire: rs2's connections from $TOPO_LADDR still established on rs2 after the expiry: $(ns_exec rs2 ss -Htn state established "( sport = :8080 and dst $TOPO_LADDR )" | wc -l)"
plb_stop exp 10
expect_eq "expire: plb exit status after SIGTERM" "$E2E_RC" 0

# ---- expire_quiescent = false: the established conns finish on rs2 ---------------------
# another laddr: a new plb hands out the same local ports again (1024 up) and rs2
# still holds two of them open from $TOPO_LADDR: a new conn to rs2 on one of those
# 4-tuples meets the stale socket (challenge ACK, client RST, its retried SYN is
# scheduled elsewhere), which would skew rr here
phase keep false 198.51.100.201
expect_eq "keep: vs.expire_quiescent" "$(delta counter vs.expire_quiescent "$S/keep-q.json" "$S/keep-end.json")" 0
expect_eq "keep: held connections: failures, kinds, answers per backend (rs2 answers its own)" \
	"$(hold_summary)" "0 [] [$((HOLD / 3)), $((HOLD / 3)), $((HOLD / 3))]"
plb_stop keep 10
expect_eq "keep: plb exit status after SIGTERM" "$E2E_RC" 0
