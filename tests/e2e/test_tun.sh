#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# e2e: TUN (IP-in-IP) with real traffic. Routed topology as test_dr.sh (client
# behind a Linux router, backends reply through the router, not plb). The kernel
# here has no ipip module, so each backend runs tests/e2e/ipip_decap.py: a raw
# socket reads IP protocol 4, the inner packet goes into a TUN device tun0 that
# holds the VIP (arp_ignore=1, arp_announce=2). The client link's MTU is 1480 so
# a full-size client segment still fits 1500 bytes after plb adds the 20-byte
# outer header (plb does not fragment: tun.drop_too_big). Services: tcp/80 rr,
# tcp/5201 mh, udp/53 rr, all fwd tun. Checks: the backend sees the client; 500
# HTTP requests answered, rr split +-1; a 10 s iperf3 stream each way; 300 UDP
# exchanges answered, rr split; tun.xmit_in and the helpers' decap counts; plb's
# p1 received no replies; plb exits 0.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/traffic.sh"

e2e_require_root
e2e_require_cmd ip ethtool curl nginx iperf3 ss
[ -c /dev/net/tun ] || e2e_fail "/dev/net/tun missing: the user-space IPIP decap needs TUN devices"

N=${E2E_HTTP_REQUESTS:-500}
NU=${E2E_UDP_REQUESTS:-300}
S=$E2E_TMP
declare -A DECAP_PID

topo_rt_build 3
ns_exec cli ip link set cli0 mtu 1480 && ns_exec rt ip link set rtc mtu 1480 ||
	e2e_fail "cannot set MTU 1480 on the client link"
for i in "${!TOPO_RS_NS[@]}"; do
	rs=${TOPO_RS_NS[$i]}
	# not ns_exec: $! must be the helper itself (ip netns exec execs it), for SIGTERM
	ip netns exec "$(ns_name "$rs")" /usr/bin/python3 "$E2E_DIR/ipip_decap.py" tun0 >"$S/decap-$rs.log" 2>&1 &
	DECAP_PID[$rs]=$!
	E2E_PIDS+=($!)
	wait_for 10 "ipip_decap.py ready in $(ns_name "$rs")" grep -q '^ready' "$S/decap-$rs.log" ||
		e2e_fail "ipip_decap.py did not start in $(ns_name "$rs"): $(tail -n 5 "$S/decap-$rs.log")"
	ns_exec "$rs" ip link set tun0 up || e2e_fail "cannot bring tun0 up in $(ns_name "$rs")"
	sysctl_set "$rs" net.ipv4.conf.tun0.rp_filter=0
	rs_hold_vip "$rs" tun0
	http_server_start "$rs" "$TOPO_VIP" 80 "$rs" nginx
	iperf3_server_start "$rs" "$TOPO_VIP"
	udp_server_start "$rs" "$TOPO_VIP" 53 "$rs"
done
e2e_log "backends ${TOPO_RS_ADDR[*]}: ipip_decap.py -> tun0 holding VIP $TOPO_VIP; nginx :80, iperf3 :5201, UDP echo :53"

PLB_PORTS=$TOPO_PLB_PORTS
PLB_MODULES="proto_ipv4 proto_arp proto_icmp proto_tcp proto_udp hook_defence hook_vs"
PLB_CONF_EXTRA="$TOPO_PLB_ROUTES
$(svc_list \
	"$(svc_item tcp "$TOPO_VIP" 80 rr tun "" "${TOPO_RS_ADDR[@]}")" \
	"$(svc_item tcp "$TOPO_VIP" 5201 mh tun "" "${TOPO_RS_ADDR[@]}")" \
	"$(svc_item udp "$TOPO_VIP" 53 rr tun "" "${TOPO_RS_ADDR[@]}")")"
plb_start tun lb
stats_save tun "$S/s0.json"

# ---- the backend sees the client ------------------------------------------
body=$(ns_exec cli curl -sS --fail --max-time 5 -D "$S/hdr" "http://$TOPO_VIP/" 2>&1) ||
	e2e_fail "first request to http://$TOPO_VIP/ through TUN failed: $body"
peer=$(tr -d '\r' <"$S/hdr" | sed -n 's/^X-Peer: //Ip')
case $peer in
"$TOPO_CLI":*) e2e_log "ok: $body saw the request from the client $peer" ;;
*) e2e_fail "the backend saw the request from '$peer', expected the client $TOPO_CLI:<port> (TUN)" ;;
esac

# ---- HTTP ----------------------------------------------------------------
stats_save tun "$S/s1.json"
http_load cli "http://$TOPO_VIP/" "$N"
stats_save tun "$S/s2.json"
services_print "$S/s2.json"
expect_eq "TUN: failed HTTP requests (of $N)" "$HTTP_FAIL" 0
expect_split_rr "TUN rr split of $N" HTTP_SPLIT "$N" "${TOPO_RS_NS[@]}"
for i in "${!TOPO_RS_NS[@]}"; do
	expect_eq "plb dest ${TOPO_RS_ADDR[$i]}:80 conns (= requests ${TOPO_RS_NS[$i]} answered)" \
		"$(delta dest_conns "${TOPO_RS_ADDR[$i]}" "$S/s1.json" "$S/s2.json")" "${HTTP_SPLIT[${TOPO_RS_NS[$i]}]}"
done
expect_ge "tun.xmit_in delta (client -> backend, encapsulated)" "$(delta counter tun.xmit_in "$S/s1.json" "$S/s2.json")" $((4 * N))

# ---- iperf3 both ways -------------------------------------------------------
iperf3_check cli "$TOPO_VIP" 5201 "TUN iperf3 client -> backend (user-space decap)"
iperf3_check cli "$TOPO_VIP" 5201 "TUN iperf3 backend -> client (-R)" -R

# ---- UDP -----------------------------------------------------------------------
udp_load cli "$TOPO_VIP" 53 "$NU"
expect_eq "TUN: UDP datagrams answered (of $NU)" "$UDP_OK" "$NU"
expect_split_rr "TUN UDP rr split of $NU" UDP_SPLIT "$NU" "${TOPO_RS_NS[@]}"

stats_save tun "$S/s3.json"
services_print "$S/s3.json"
expect_eq "tun.drop_* counters" "$(json_eval "$S/s3.json" 'sum(v for k, v in j["counters"].items() if k.startswith("tun.drop"))')" 0
p1rx=$(json_eval "$S/s3.json" '[p["rx_packets"] for p in j["ports"] if p["name"] == "p1"][0]')
[ "$p1rx" -lt 100 ] || e2e_fail "TUN: plb's p1 received $p1rx frames, expected < 100 (ARP only: replies must not pass through plb)"
e2e_log "ok: plb p1 received $p1rx frames in all (no replies through plb)"
xmit=$(counter "$S/s3.json" tun.xmit_in)
decap=0
for rs in "${TOPO_RS_NS[@]}"; do
	kill -TERM "${DECAP_PID[$rs]}" 2>/dev/null
	wait_for 5 "ipip_decap.py in $(ns_name "$rs") to print its counts" grep -q '^ipip_decap:' "$S/decap-$rs.log" ||
		e2e_fail "ipip_decap.py in $(ns_name "$rs") did not report on SIGTERM"
	line=$(grep '^ipip_decap:' "$S/decap-$rs.log")
	e2e_log "measured: $rs $line"
	decap=$((decap + $(sed -n 's/.* decap=\([0-9]*\).*/\1/p' <<<"$line")))
done
e2e_log "measured: plb encapsulated $xmit packets, the backends decapsulated $decap"
# af_packet may drop under iperf3 load on either side; TCP recovers, so allow 1% loss
expect_ge "packets decapsulated by the backends (>= 99% of tun.xmit_in $xmit)" "$decap" $((xmit * 99 / 100))
plb_stop tun 10
expect_eq "plb exit status after SIGTERM" "$E2E_RC" 0
