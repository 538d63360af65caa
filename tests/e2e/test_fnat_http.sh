#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# e2e: FNAT with real HTTP. A client namespace sends 200 curl requests (one
# new connection each) to the VIP 192.0.2.100:80; plb (two af_packet ports,
# one worker, rr, fnat, local address 198.51.100.200) spreads them over three
# nginx backends on 198.51.100.11-13:8080 behind a bridge. Checks: every
# request answered, rr split exact within +-1, each dest's conns counter in
# plb equal to the split, the backends saw the local address (not the
# client), the conns expire after the short TCP timeouts set here, and plb
# exits 0 on SIGTERM. Topology: tests/e2e/lib.sh topo_lb_build.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

e2e_require_root
e2e_require_cmd ip ethtool curl nginx

N=${E2E_FNAT_REQUESTS:-200}
PORT=8080
S=$E2E_TMP

topo_lb_build 3
for i in "${!TOPO_RS_NS[@]}"; do
	http_server_start "${TOPO_RS_NS[$i]}" "${TOPO_RS_ADDR[$i]}" "$PORT" "${TOPO_RS_NS[$i]}" nginx
done
e2e_log "nginx answers on ${TOPO_RS_ADDR[*]} port $PORT"

PLB_WORKERS=1
PLB_PORTS=$TOPO_PLB_PORTS
PLB_MODULES="proto_ipv4 proto_arp proto_icmp proto_tcp proto_udp hook_defence hook_vs"
# short timeouts for the closing states, so the conns expire within the test
PLB_MODULE_CONF='	proto_tcp = { timeouts = { time_wait = 2; close = 2; fin_wait = 2; close_wait = 2; last_ack = 2; }; };'
PLB_CONF_EXTRA=$(svc_conf tcp "$TOPO_VIP" 80 rr fnat "$TOPO_LADDR" "$PORT" "${TOPO_RS_ADDR[@]}")
plb_start fnat lb
stats_save fnat "$S/s0.json"

# ---- what the backend sees: the local address, not the client -------------
declare -A split
body=$(ns_exec cli curl -sS --fail --max-time 5 -D "$S/hdr" "http://$TOPO_VIP/" 2>&1) ||
	e2e_fail "first request to http://$TOPO_VIP/ failed: $body"
split[$body]=1
peer=$(tr -d '\r' <"$S/hdr" | sed -n 's/^X-Peer: //Ip')
e2e_log "first request: $body answered, it saw the request from $peer"
case $peer in
"$TOPO_LADDR":*) e2e_log "ok: the backend saw plb's local address $TOPO_LADDR (full NAT)" ;;
*) e2e_fail "the backend saw the request from '$peer', expected $TOPO_LADDR:<port> (FNAT local address)" ;;
esac

# ---- N requests, a new connection each ---------------------------------
e2e_log "$N requests to http://$TOPO_VIP/ (curl, one connection each)"
fails=0
t0=$(date +%s%N)
for i in $(seq 1 "$N"); do
	if body=$(http_get cli "http://$TOPO_VIP/" 2>"$S/curl.err"); then
		split[$body]=$(( ${split[$body]:-0} + 1 ))
	else
		fails=$((fails + 1))
		[ "$fails" -le 5 ] && e2e_log "    request $i failed: $(cat "$S/curl.err")"
	fi
done
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
e2e_log "measured: $N requests, $((N - fails)) answered, $fails failed, ${ms} ms ($(( N * 1000 / (ms ? ms : 1) )) req/s)"
for rs in "${TOPO_RS_NS[@]}"; do
	e2e_log "    $rs answered ${split[$rs]:-0} (the first request included)"
done
for body in "${!split[@]}"; do
	case " ${TOPO_RS_NS[*]} " in *" $body "*) ;; *) e2e_fail "unexpected answer body '$body'" ;; esac
done
stats_save fnat "$S/s1.json"
services_print "$S/s1.json"
expect_eq "failed requests" "$fails" 0

# rr: with the first request included, N+1 connections over 3 dests
total=$((N + 1))
min=$((total / 3)) max=$(( (total + 2) / 3 ))
for i in "${!TOPO_RS_NS[@]}"; do
	rs=${TOPO_RS_NS[$i]}
	got=$(( ${split[$rs]:-0} ))
	[ "$got" -ge "$min" ] && [ "$got" -le "$max" ] ||
		e2e_fail "rr split: $rs got $got of $total connections, expected $min..$max"
	e2e_log "ok: rr split $rs = $got (of $total, expected $min..$max)"
	expect_eq "plb dest ${TOPO_RS_ADDR[$i]}:$PORT conns (= connections $rs answered)" \
		"$(delta dest_conns "${TOPO_RS_ADDR[$i]}" "$S/s0.json" "$S/s1.json")" "$got"
done
expect_eq "service drop_no_dest" "$(json_eval "$S/s1.json" 'j["services"][0]["drop_no_dest"]')" 0
expect_eq "service drop_no_port" "$(json_eval "$S/s1.json" 'j["services"][0]["drop_no_port"]')" 0

# ---- conns: left after the requests, then expired --------------------------
left=$(workers_sum "$S/s1.json" conns)
e2e_log "measured: conns in plb right after the requests: $left (expired so far: $(workers_sum "$S/s1.json" conns_expired))"
wait_for 30 "every conn to expire (closing-state timeouts 2 s)" conns_now_is fnat 0 ||
	e2e_fail "conns did not expire within 30 s: $(plbctl fnat stats --json | /usr/bin/python3 -c 'import json,sys; print([(w["id"], w["conns"]) for w in json.load(sys.stdin)["workers"]])') (a conn stuck in ESTABLISHED?)"
stats_save fnat "$S/s2.json"
reused=$(delta counter vs.conn_reused "$S/s0.json" "$S/s2.json")
e2e_log "measured: conns now $(workers_sum "$S/s2.json" conns), expired $(workers_sum "$S/s2.json" conns_expired), ended by a reused client port $reused"
# a client may pick a port again while plb still holds its old conn in TIME_WAIT:
# that conn ends at once (vs.conn_reused, IPVS conn_reuse_mode) instead of expiring
expect_ge "conns expired or ended by a reused port" \
	"$(( $(delta workers_sum conns_expired "$S/s0.json" "$S/s2.json") + reused ))" "$total"

e2e_log "SIGTERM plb"
plb_stop fnat 10
expect_eq "plb exit status after SIGTERM" "$E2E_RC" 0
