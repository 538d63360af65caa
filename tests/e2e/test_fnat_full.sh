#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# e2e: FNAT with every kind of real traffic (test_fnat_http.sh covers the HTTP
# details: conn expiry, per-dest counters). Topology lib.sh topo_lb_build 3; the
# backends need no configuration. Services on the VIP, local address
# 198.51.100.200: tcp/80 rr -> nginx :8080, tcp/5201 mh -> iperf3 (a client's
# control and data conns on one backend), udp/53 rr -> udp_echo.py :5300.
# Checks: 500 HTTP requests all answered, rr split +-1; a 10 s iperf3 stream each
# way; 300 UDP exchanges answered, rr split; fnat.xmit_in/out counted, no drops
# for lack of local ports; plb exits 0.
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
	http_server_start "$rs" "$a" 8080 "$rs" nginx
	iperf3_server_start "$rs" "$a"
	udp_server_start "$rs" "$a" 5300 "$rs"
done
e2e_log "backends: nginx :8080, iperf3 :5201, UDP echo :5300 on ${TOPO_RS_ADDR[*]}"

PLB_PORTS=$TOPO_PLB_PORTS
PLB_MODULES="proto_ipv4 proto_arp proto_icmp proto_tcp proto_udp hook_defence hook_vs"
PLB_CONF_EXTRA=$(svc_list \
	"$(svc_item tcp "$TOPO_VIP" 80 rr fnat "$TOPO_LADDR" "${TOPO_RS_ADDR[@]/%/:8080}")" \
	"$(svc_item tcp "$TOPO_VIP" 5201 mh fnat "$TOPO_LADDR" "${TOPO_RS_ADDR[@]/%/:5201}")" \
	"$(svc_item udp "$TOPO_VIP" 53 rr fnat "$TOPO_LADDR" "${TOPO_RS_ADDR[@]/%/:5300}")")
plb_start fnat lb
stats_save fnat "$S/s0.json"

# ---- HTTP ----------------------------------------------------------------
http_load cli "http://$TOPO_VIP/" "$N"
stats_save fnat "$S/s1.json"
services_print "$S/s1.json"
expect_eq "FNAT: failed HTTP requests (of $N)" "$HTTP_FAIL" 0
expect_split_rr "FNAT rr split of $N" HTTP_SPLIT "$N" "${TOPO_RS_NS[@]}"
expect_ge "fnat.xmit_in delta (client -> backend)" "$(delta counter fnat.xmit_in "$S/s0.json" "$S/s1.json")" $((4 * N))
expect_ge "fnat.xmit_out delta (backend -> client)" "$(delta counter fnat.xmit_out "$S/s0.json" "$S/s1.json")" $((4 * N))

# ---- iperf3 both ways -----------------------------------------------------------
iperf3_check cli "$TOPO_VIP" 5201 "FNAT iperf3 client -> backend"
iperf3_check cli "$TOPO_VIP" 5201 "FNAT iperf3 backend -> client (-R)" -R

# ---- UDP -----------------------------------------------------------------------
udp_load cli "$TOPO_VIP" 53 "$NU"
expect_eq "FNAT: UDP datagrams answered (of $NU)" "$UDP_OK" "$NU"
expect_split_rr "FNAT UDP rr split of $NU" UDP_SPLIT "$NU" "${TOPO_RS_NS[@]}"

stats_save fnat "$S/s2.json"
services_print "$S/s2.json"
expect_eq "services' drop_no_port (local ports exhausted)" \
	"$(json_eval "$S/s2.json" 'sum(s["drop_no_port"] for s in j["services"])')" 0
expect_eq "fnat.drop_* counters" "$(json_eval "$S/s2.json" 'sum(v for k, v in j["counters"].items() if k.startswith("fnat.drop"))')" 0
plb_stop fnat 10
expect_eq "plb exit status after SIGTERM" "$E2E_RC" 0
