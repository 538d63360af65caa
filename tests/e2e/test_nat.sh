#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# e2e: NAT (masquerade) with real traffic. Topology of test_fnat_http.sh
# (lib.sh topo_lb_build 3), but the backends' default route is plb's p1 address
# 198.51.100.1, so their replies come back through plb. Services on the VIP:
# tcp/80 rr -> nginx :8080, tcp/5201 mh -> iperf3 (control and data conns of a
# client on one backend), udp/53 rr -> udp_echo.py :5300. Checks: the backend
# sees the real client address; 500 HTTP requests all answered, rr split +-1,
# plb's per-dest conns equal the split; a 10 s iperf3 stream each way; 300 UDP
# request/response exchanges all answered, rr split; nat.xmit_in/out counted;
# plb exits 0.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/traffic.sh"

e2e_require_root
e2e_require_cmd ip ethtool curl nginx iperf3 ss

N=${E2E_HTTP_REQUESTS:-500}
NU=${E2E_UDP_REQUESTS:-300}
S=$E2E_TMP

topo_lb_build 3
for i in "${!TOPO_RS_NS[@]}"; do
	rs=${TOPO_RS_NS[$i]} a=${TOPO_RS_ADDR[$i]}
	rs_route_via_plb "$rs"
	http_server_start "$rs" "$a" 8080 "$rs" nginx
	iperf3_server_start "$rs" "$a"
	udp_server_start "$rs" "$a" 5300 "$rs"
done
e2e_log "backends: nginx :8080, iperf3 :5201, UDP echo :5300 on ${TOPO_RS_ADDR[*]}; default route via plb $TOPO_P1_ADDR"

PLB_PORTS=$TOPO_PLB_PORTS
PLB_MODULES="proto_ipv4 proto_arp proto_icmp proto_tcp proto_udp hook_defence hook_vs"
PLB_CONF_EXTRA=$(svc_list \
	"$(svc_item tcp "$TOPO_VIP" 80 rr nat "" "${TOPO_RS_ADDR[@]/%/:8080}")" \
	"$(svc_item tcp "$TOPO_VIP" 5201 mh nat "" "${TOPO_RS_ADDR[@]/%/:5201}")" \
	"$(svc_item udp "$TOPO_VIP" 53 rr nat "" "${TOPO_RS_ADDR[@]/%/:5300}")")
plb_start nat lb
stats_save nat "$S/s0.json"

# ---- the backend sees the client, not plb -----------------------------------
body=$(ns_exec cli curl -sS --fail --max-time 5 -D "$S/hdr" "http://$TOPO_VIP/" 2>&1) ||
	e2e_fail "first request to http://$TOPO_VIP/ through NAT failed: $body"
peer=$(tr -d '\r' <"$S/hdr" | sed -n 's/^X-Peer: //Ip')
case $peer in
"$TOPO_CLI":*) e2e_log "ok: $body saw the request from the client $peer (NAT keeps the source)" ;;
*) e2e_fail "the backend saw the request from '$peer', expected the client $TOPO_CLI:<port> (NAT)" ;;
esac

# ---- HTTP ----------------------------------------------------------------
stats_save nat "$S/s1.json"
http_load cli "http://$TOPO_VIP/" "$N"
expect_eq "NAT: failed HTTP requests (of $N)" "$HTTP_FAIL" 0
expect_split_rr "NAT rr split of $N" HTTP_SPLIT "$N" "${TOPO_RS_NS[@]}"
stats_save nat "$S/s2.json"
services_print "$S/s2.json"
for i in "${!TOPO_RS_NS[@]}"; do
	expect_eq "plb dest ${TOPO_RS_ADDR[$i]}:8080 conns (= requests ${TOPO_RS_NS[$i]} answered)" \
		"$(delta dest_conns "${TOPO_RS_ADDR[$i]}" "$S/s1.json" "$S/s2.json")" "${HTTP_SPLIT[${TOPO_RS_NS[$i]}]}"
done
# each request is at least SYN, ACK, request, FIN, ACK in and as many replies out
expect_ge "nat.xmit_in delta (client -> backend)" "$(delta counter nat.xmit_in "$S/s1.json" "$S/s2.json")" $((4 * N))
expect_ge "nat.xmit_out delta (backend -> client)" "$(delta counter nat.xmit_out "$S/s1.json" "$S/s2.json")" $((4 * N))

# ---- iperf3 both ways ----------------------------------------------------------
iperf3_check cli "$TOPO_VIP" 5201 "NAT iperf3 client -> backend"
iperf3_check cli "$TOPO_VIP" 5201 "NAT iperf3 backend -> client (-R)" -R

# ---- UDP -----------------------------------------------------------------------
udp_load cli "$TOPO_VIP" 53 "$NU"
expect_eq "NAT: UDP datagrams answered (of $NU)" "$UDP_OK" "$NU"
expect_split_rr "NAT UDP rr split of $NU" UDP_SPLIT "$NU" "${TOPO_RS_NS[@]}"

stats_save nat "$S/s3.json"
services_print "$S/s3.json"
expect_eq "nat.drop_* counters" "$(json_eval "$S/s3.json" 'sum(v for k, v in j["counters"].items() if k.startswith("nat.drop"))')" 0
plb_stop nat 10
expect_eq "plb exit status after SIGTERM" "$E2E_RC" 0
