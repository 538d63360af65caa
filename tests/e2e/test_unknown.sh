#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# e2e: traffic plb balances nothing for. Topology lib.sh topo_lb_build 1, one
# FNAT service tcp/80 (nginx :8080) plus udp/53 on the VIP. plb runs twice:
#   unknown_port = "drop":   curl to VIP:81 times out (--max-time 2), UDP to VIP:54
#                            gets no answer; vs.drop_unknown_port counts them, no RST
#                            and no ICMP error is sent
#   unknown_port = "reject": curl to VIP:81 is refused at once (an RST, curl exit 7,
#                            < 1 s), UDP to VIP:54 is refused (ICMP port unreachable);
#                            tcp.rst_sent, udp.unreach_sent, vs.reject_unknown_port
# Both runs: the service port still answers, ping to the VIP answers, arping for the
# VIP answers with p0's MAC.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/traffic.sh"

e2e_require_root
e2e_require_cmd ip ethtool curl nginx arping ping

S=$E2E_TMP
PROBES=5

topo_lb_build 1
http_server_start rs1 "${TOPO_RS_ADDR[0]}" 8080 rs1 nginx
udp_server_start rs1 "${TOPO_RS_ADDR[0]}" 5300 rs1
PLB_MAC=$(ns_exec lb cat /sys/class/net/p0/address)
PLB_PORTS=$TOPO_PLB_PORTS
PLB_MODULES="proto_ipv4 proto_arp proto_icmp proto_tcp proto_udp hook_defence hook_vs"
PLB_CONF_EXTRA=$(svc_list \
	"$(svc_item tcp "$TOPO_VIP" 80 rr fnat "$TOPO_LADDR" "${TOPO_RS_ADDR[0]}:8080")" \
	"$(svc_item udp "$TOPO_VIP" 53 rr fnat "$TOPO_LADDR" "${TOPO_RS_ADDR[0]}:5300")")

# curl_probe URL: one curl from the client; sets CURL_RC and CURL_MS
curl_probe() {
	local t0=$(date +%s%N)
	ns_exec cli curl -sS --max-time 2 --connect-timeout 2 -o /dev/null "$1" 2>"$S/curl.err"
	CURL_RC=$?
	CURL_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
}

for mode in drop reject; do
	PLB_MODULE_CONF="	hook_vs = { unknown_port = \"$mode\"; };"
	plb_start "$mode" lb
	stats_save "$mode" "$S/$mode-0.json"

	# the service port works
	http_load cli "http://$TOPO_VIP/" 3
	expect_eq "$mode: requests to the service port answered" "$HTTP_OK" 3

	# TCP to a port without a service
	declare -A rcs=()
	ms_max=0
	for i in $(seq 1 "$PROBES"); do
		curl_probe "http://$TOPO_VIP:81/"
		rcs[$CURL_RC]=$(( ${rcs[$CURL_RC]:-0} + 1 ))
		[ "$CURL_MS" -gt "$ms_max" ] && ms_max=$CURL_MS
	done
	e2e_log "measured: $mode: $PROBES curl to $TOPO_VIP:81: exit codes $(split_str rcs), slowest ${ms_max} ms ($(head -c 120 "$S/curl.err"))"
	if [ "$mode" = drop ]; then
		expect_eq "drop: curl to a port without a service times out (exit 28) every time" "${rcs[28]:-0}" "$PROBES"
	else
		expect_eq "reject: curl to a port without a service is refused (exit 7) every time" "${rcs[7]:-0}" "$PROBES"
		[ "$ms_max" -lt 1000 ] || e2e_fail "reject: a refused curl took ${ms_max} ms, expected < 1000 ms (an immediate RST)"
		e2e_log "ok: reject: refused within ${ms_max} ms"
	fi
	unset rcs

	# UDP to a port without a service
	udp_load cli "$TOPO_VIP" 54 "$PROBES" --timeout 0.5
	if [ "$mode" = drop ]; then
		expect_eq "drop: UDP datagrams to a port without a service that got no answer" "$UDP_TIMEOUT" "$PROBES"
	else
		expect_eq "reject: UDP datagrams to a port without a service refused (ICMP port unreachable)" "$UDP_REFUSED" "$PROBES"
	fi

	# ping and ARP for the VIP
	ping_ok cli 5 "$TOPO_VIP"
	out=$(ns_exec cli arping -c 3 -w 5 -I cli0 "$TOPO_VIP" 2>&1)
	echo "$out" | sed -n 's/^/    /; /reply from/Ip; /Received/p'
	echo "$out" | grep -qi "reply from $TOPO_VIP \[$PLB_MAC\]" ||
		e2e_fail "$mode: arping $TOPO_VIP: expected replies from plb's p0 MAC $PLB_MAC"
	echo "$out" | grep -q "Received 3 response" ||
		e2e_fail "$mode: arping $TOPO_VIP: expected 3 responses, got: $(echo "$out" | grep -i received)"
	e2e_log "ok: $mode: ping and ARP for the VIP answered (MAC $PLB_MAC)"

	stats_save "$mode" "$S/$mode-1.json"
	d() { delta counter "$1" "$S/$mode-0.json" "$S/$mode-1.json"; }
	if [ "$mode" = drop ]; then
		# curl retransmits its SYN within the 2 s, so >= one packet per probe
		expect_ge "drop: vs.drop_unknown_port delta (TCP SYNs and UDP datagrams)" "$(d vs.drop_unknown_port)" $((2 * PROBES))
		expect_eq "drop: vs.reject_unknown_port delta" "$(d vs.reject_unknown_port)" 0
		expect_eq "drop: tcp.rst_sent delta" "$(d tcp.rst_sent)" 0
		expect_eq "drop: udp.unreach_sent delta" "$(d udp.unreach_sent)" 0
	else
		expect_eq "reject: tcp.rst_sent delta (one RST per SYN)" "$(d tcp.rst_sent)" "$PROBES"
		expect_eq "reject: udp.unreach_sent delta" "$(d udp.unreach_sent)" "$PROBES"
		expect_eq "reject: vs.reject_unknown_port delta" "$(d vs.reject_unknown_port)" $((2 * PROBES))
	fi
	expect_ge "$mode: icmp.tx_echo_reply delta" "$(d icmp.tx_echo_reply)" 5
	expect_ge "$mode: arp.tx_reply delta" "$(d arp.tx_reply)" 3
	plb_stop "$mode" 10
	expect_eq "$mode: plb exit status after SIGTERM" "$E2E_RC" 0
done
