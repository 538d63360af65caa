#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# e2e: weight 0 (quiesce) on a live backend, with the control CLI. Topology lib.sh
# topo_lb_build 3, FNAT rr tcp/80 -> nginx :8080. Six idle connections are held
# open (tcp_hold.py: rr puts two on each backend); then
# `plbctl dest edit tcp VIP:80 rs2:8080 --weight 0`. Checks: the command succeeds
# and the running service shows weight 0; 60 new connections avoid rs2 (rs1 and
# rs3 get 30 each, +-1); rs2 keeps its 2 established conns, which then send their
# requests and are answered by rs2 (established conns finish) and close (rs2's
# active conns drop to 0); `--weight 1` brings rs2 back for new connections.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/traffic.sh"

e2e_require_root
e2e_require_cmd ip ethtool curl nginx

S=$E2E_TMP
HOLD=6
N=60

topo_lb_build 3
R2=${TOPO_RS_ADDR[1]}
for i in "${!TOPO_RS_NS[@]}"; do
	http_server_start "${TOPO_RS_NS[$i]}" "${TOPO_RS_ADDR[$i]}" 8080 "${TOPO_RS_NS[$i]}" nginx
done
PLB_PORTS=$TOPO_PLB_PORTS
PLB_MODULES="proto_ipv4 proto_arp proto_icmp proto_tcp proto_udp hook_defence hook_vs"
PLB_CONF_EXTRA=$(svc_list "$(svc_item tcp "$TOPO_VIP" 80 rr fnat "$TOPO_LADDR" "${TOPO_RS_ADDR[@]/%/:8080}")")
plb_start w0 lb

# dest_is ADDR FIELD VALUE: true once dest ADDR's FIELD in the running plb is VALUE
dest_is() {
	stats_save w0 "$S/now.json" && [ "$(dest_json "$S/now.json" "$TOPO_VIP" 80 "$1" "$2")" = "$3" ]
}

# ---- established conns on every backend ---------------------------------------
ns_exec cli /usr/bin/python3 "$E2E_DIR/tcp_hold.py" "$TOPO_VIP" 80 "$HOLD" "$S/go" >"$S/hold.out" 2>&1 &
HOLD_PID=$!
E2E_PIDS+=($HOLD_PID)
wait_for 15 "$HOLD connections held open" grep -q "^open $HOLD" "$S/hold.out" ||
	e2e_fail "tcp_hold.py could not open $HOLD connections: $(cat "$S/hold.out")"
for a in "${TOPO_RS_ADDR[@]}"; do
	wait_for 10 "$a to have $((HOLD / 3)) active conns" dest_is "$a" active_conns $((HOLD / 3)) ||
		e2e_fail "dest $a has $(dest_json "$S/now.json" "$TOPO_VIP" 80 "$a" active_conns) active conns, expected $((HOLD / 3)) of the $HOLD held (rr)"
done
e2e_log "ok: $HOLD idle connections held, $((HOLD / 3)) on each backend"

# ---- quiesce rs2 -------------------------------------------------------------
out=$(plbctl w0 dest edit tcp "$TOPO_VIP:80" "$R2:8080" --weight 0 2>&1) ||
	e2e_fail "plbctl dest edit tcp $TOPO_VIP:80 $R2:8080 --weight 0 failed: $out"
wait_for 5 "rs2's weight to be 0" dest_is "$R2" weight 0 ||
	e2e_fail "after dest edit --weight 0, rs2's weight is $(dest_json "$S/now.json" "$TOPO_VIP" 80 "$R2" weight)"
e2e_log "ok: rs2 ($R2:8080) quiesced: weight 0"
http_load cli "http://$TOPO_VIP/" "$N"
expect_eq "weight 0: failed requests" "$HTTP_FAIL" 0
expect_split "weight 0: new connections to the quiesced backend" HTTP_SPLIT rs2 0 0
expect_split_rr "weight 0: rr over the other two" HTTP_SPLIT "$N" rs1 rs3
expect_eq "weight 0: rs2 active conns (its established ones stay)" \
	"$(stats_save w0 "$S/q.json"; dest_json "$S/q.json" "$TOPO_VIP" 80 "$R2" active_conns)" $((HOLD / 3))

# ---- the established conns finish ------------------------------------------------
touch "$S/go"
e2e_wait_pid_exit "$HOLD_PID" 20 || e2e_fail "the held connections did not finish within 20 s"
res=$(tail -n 1 "$S/hold.out")
e2e_log "measured: held connections answered: $res"
expect_eq "held connections: errors, answers per backend" \
	"$(/usr/bin/python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(len(r["errors"]), [r["bodies"].count(b) for b in ("rs1", "rs2", "rs3")])' "$res")" \
	"0 [$((HOLD / 3)), $((HOLD / 3)), $((HOLD / 3))]"
wait_for 10 "rs2's established conns to close" dest_is "$R2" active_conns 0 ||
	e2e_fail "rs2 still has $(dest_json "$S/now.json" "$TOPO_VIP" 80 "$R2" active_conns) active conns after its connections closed"
e2e_log "ok: rs2's established conns finished and closed"

# ---- back to weight 1 --------------------------------------------------------------
out=$(plbctl w0 dest edit tcp "$TOPO_VIP:80" "$R2:8080" --weight 1 2>&1) ||
	e2e_fail "plbctl dest edit ... --weight 1 failed: $out"
wait_for 5 "rs2's weight to be 1" dest_is "$R2" weight 1 || e2e_fail "rs2's weight did not return to 1"
http_load cli "http://$TOPO_VIP/" 30
expect_eq "weight back to 1: failed requests" "$HTTP_FAIL" 0
expect_split_rr "weight back to 1: rr over all three" HTTP_SPLIT 30 rs1 rs2 rs3

stats_save w0 "$S/end.json"
services_print "$S/end.json"
plb_stop w0 10
expect_eq "plb exit status after SIGTERM" "$E2E_RC" 0
