#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# e2e: DR (direct routing) with real traffic. Routed topology (traffic.sh
# topo_rt_build 3): the client 203.0.113.2 is behind a Linux router that reaches
# the VIP through plb's p0; the backends hold the VIP on lo (arp_ignore=1,
# arp_announce=2) and their default route is the router, so replies go backend ->
# router -> client and never through plb. Services: tcp/80 rr -> nginx on VIP:80,
# tcp/5201 mh -> iperf3, udp/53 rr -> udp_echo.py on VIP:53. Checks: the backend
# sees the client; 500 HTTP requests all answered, rr split +-1, dest conns equal
# the split; a 10 s iperf3 stream each way; 300 UDP exchanges answered, rr split;
# dr.xmit_in counted, plb's p1 received only a handful of frames (no replies) while
# the router forwarded the replies; plb exits 0.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/traffic.sh"

e2e_require_root
e2e_require_cmd ip ethtool curl nginx iperf3 ss

N=${E2E_HTTP_REQUESTS:-500}
NU=${E2E_UDP_REQUESTS:-300}
S=$E2E_TMP

topo_rt_build 3
for i in "${!TOPO_RS_NS[@]}"; do
	rs=${TOPO_RS_NS[$i]}
	rs_hold_vip "$rs" lo
	http_server_start "$rs" "$TOPO_VIP" 80 "$rs" nginx
	iperf3_server_start "$rs" "$TOPO_VIP"
	udp_server_start "$rs" "$TOPO_VIP" 53 "$rs"
done
e2e_log "backends ${TOPO_RS_ADDR[*]}: VIP $TOPO_VIP on lo, nginx :80, iperf3 :5201, UDP echo :53"

PLB_PORTS=$TOPO_PLB_PORTS
PLB_MODULES="proto_ipv4 proto_arp proto_icmp proto_tcp proto_udp hook_defence hook_vs"
PLB_CONF_EXTRA="$TOPO_PLB_ROUTES
$(svc_list \
	"$(svc_item tcp "$TOPO_VIP" 80 rr dr "" "${TOPO_RS_ADDR[@]}")" \
	"$(svc_item tcp "$TOPO_VIP" 5201 mh dr "" "${TOPO_RS_ADDR[@]}")" \
	"$(svc_item udp "$TOPO_VIP" 53 rr dr "" "${TOPO_RS_ADDR[@]}")")"
plb_start dr lb
stats_save dr "$S/s0.json"

# rx packets of interface IF in namespace SHORT (kernel counters)
if_rx() { ns_exec "$1" cat "/sys/class/net/$2/statistics/rx_packets"; }

# ---- the backend sees the client ------------------------------------------
body=$(ns_exec cli curl -sS --fail --max-time 5 -D "$S/hdr" "http://$TOPO_VIP/" 2>&1) ||
	e2e_fail "first request to http://$TOPO_VIP/ through DR failed: $body"
peer=$(tr -d '\r' <"$S/hdr" | sed -n 's/^X-Peer: //Ip')
case $peer in
"$TOPO_CLI":*) e2e_log "ok: $body saw the request from the client $peer" ;;
*) e2e_fail "the backend saw the request from '$peer', expected the client $TOPO_CLI:<port> (DR)" ;;
esac

# ---- HTTP ----------------------------------------------------------------
stats_save dr "$S/s1.json"
rts0=$(if_rx rt rts)
http_load cli "http://$TOPO_VIP/" "$N"
rts1=$(if_rx rt rts)
stats_save dr "$S/s2.json"
services_print "$S/s2.json"
expect_eq "DR: failed HTTP requests (of $N)" "$HTTP_FAIL" 0
expect_split_rr "DR rr split of $N" HTTP_SPLIT "$N" "${TOPO_RS_NS[@]}"
for i in "${!TOPO_RS_NS[@]}"; do
	expect_eq "plb dest ${TOPO_RS_ADDR[$i]}:80 conns (= requests ${TOPO_RS_NS[$i]} answered)" \
		"$(delta dest_conns "${TOPO_RS_ADDR[$i]}" "$S/s1.json" "$S/s2.json")" "${HTTP_SPLIT[${TOPO_RS_NS[$i]}]}"
done
expect_ge "dr.xmit_in delta (client -> backend)" "$(delta counter dr.xmit_in "$S/s1.json" "$S/s2.json")" $((4 * N))
p1rx=$(json_eval "$S/s2.json" '[p["rx_packets"] for p in j["ports"] if p["name"] == "p1"][0]')
e2e_log "measured: plb p1 received $p1rx frames in all; the router's server leg received $((rts1 - rts0)) during the requests"
[ "$p1rx" -lt 100 ] || e2e_fail "DR: plb's p1 received $p1rx frames, expected < 100 (ARP only: replies must not pass through plb)"
expect_ge "router rts rx during the requests (the backends' replies)" "$((rts1 - rts0))" $((4 * N))

# ---- iperf3 both ways -------------------------------------------------------
iperf3_check cli "$TOPO_VIP" 5201 "DR iperf3 client -> backend"
iperf3_check cli "$TOPO_VIP" 5201 "DR iperf3 backend -> client (-R)" -R

# ---- UDP -----------------------------------------------------------------------
udp_load cli "$TOPO_VIP" 53 "$NU"
expect_eq "DR: UDP datagrams answered (of $NU)" "$UDP_OK" "$NU"
expect_split_rr "DR UDP rr split of $NU" UDP_SPLIT "$NU" "${TOPO_RS_NS[@]}"

stats_save dr "$S/s3.json"
services_print "$S/s3.json"
expect_eq "dr.drop_* counters" "$(json_eval "$S/s3.json" 'sum(v for k, v in j["counters"].items() if k.startswith("dr.drop"))')" 0
plb_stop dr 10
expect_eq "plb exit status after SIGTERM" "$E2E_RC" 0
