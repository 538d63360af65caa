#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# bench/peers.sh (`make bench-peers`; never part of `make check`): plb against
# its peers on real traffic, same client, same backends, same run. The e2e
# topology (tests/e2e/lib.sh topo_lb_build: cli -- plb on af_packet -- bridge
# -- three nginx backends) gets two more load balancers beside plb, each with
# its own leg to the client and to the backends' bridge:
#   plb      192.0.2.100:80  FNAT, rr, one worker (af_packet ports p0/p1)
#   nft      192.0.2.101:80  a Linux router namespace, kube-proxy style: nftables
#                            DNAT by `numgen inc mod 3` + masquerade
#   haproxy  192.0.2.102:80  `mode tcp`, `balance roundrobin`
# wrk in the client namespace measures requests/s against each, keep-alive and
# with `Connection: close` (a new TCP connection per request), PEERS_DUR seconds
# each. Every peer runs PEERS_ROUNDS times (default 2), rounds interleaved
# (plb nft haproxy plb nft haproxy), because the 2-core machine is shared.
# Prints a table and, unless PEERS_APPEND=0, appends it with the command and
# the git commit to docs/performance.md.
#
# Settings (environment): PEERS_DUR [10] s per measurement, PEERS_CONNS [32]
# wrk connections, PEERS_THREADS [1] wrk threads, PEERS_ROUNDS [2],
# PEERS_PLB_POLL [adaptive] plb's workers.poll, PEERS_HAPROXY_THREADS [1],
# PEERS_APPEND [1], PEERS_DOC [docs/performance.md], PLB_BUILD [build].
. "$(dirname "${BASH_SOURCE[0]}")/../tests/e2e/lib.sh"
. "$E2E_ROOT/tests/e2e/traffic.sh"

e2e_require_root
e2e_require_cmd ip ethtool curl nginx wrk haproxy nft

DUR=${PEERS_DUR:-10}
CONNS=${PEERS_CONNS:-32}
THREADS=${PEERS_THREADS:-1}
ROUNDS=${PEERS_ROUNDS:-2}
PLB_POLL=${PEERS_PLB_POLL:-adaptive}	# lib.sh's plb_conf_write reads it
HAP_THREADS=${PEERS_HAPROXY_THREADS:-1}
DOC=${PEERS_DOC:-$E2E_ROOT/docs/performance.md}
PORT=8080
VIP_NFT=192.0.2.101
VIP_HAP=192.0.2.102
NFT_SRC=198.51.100.2			# the nft router's leg on the backends' network
HAP_SRC=198.51.100.3			# haproxy's
PLB_LADDRS="198.51.100.200 198.51.100.201 198.51.100.202 198.51.100.203"
S=$E2E_TMP
PEERS=(plb nft haproxy)
MODES=(keepalive close)
declare -A VIP=([plb]=$TOPO_VIP [nft]=$VIP_NFT [haproxy]=$VIP_HAP)
declare -A RPS ERR LAT			# [peer/mode/round]

commit=$(cd "$E2E_ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
[ "$commit" != unknown ] && [ -n "$(cd "$E2E_ROOT" && git status --porcelain 2>/dev/null)" ] &&
	commit+="+dirty"

# ---- backends: nginx with keep-alive (lib.sh's servers close every connection) ----

# rs_http_start SHORT ADDR BODY: nginx on ADDR:$PORT answering BODY, keep-alive on.
rs_http_start() {
	local ns=$1 addr=$2 body=$3 dir=$E2E_TMP/peers-$1
	mkdir -p "$dir"
	cat >"$dir/nginx.conf" <<NGINX
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log stderr warn;
events { worker_connections 8192; }
http {
	access_log off;
	client_body_temp_path $dir/body;
	proxy_temp_path $dir/proxy;
	fastcgi_temp_path $dir/fastcgi;
	uwsgi_temp_path $dir/uwsgi;
	scgi_temp_path $dir/scgi;
	keepalive_timeout 65;
	keepalive_requests 100000000;
	server {
		listen $addr:$PORT backlog=4096;
		location / {
			default_type text/plain;
			return 200 "$body\n";
		}
	}
}
NGINX
	sysctl_set "$ns" net.core.somaxconn=4096 net.ipv4.tcp_max_syn_backlog=4096
	ns_exec "$ns" nginx -p "$dir" -e stderr -c "$dir/nginx.conf" >"$dir/server.log" 2>&1 &
	E2E_PIDS+=($!)
	wait_for 10 "nginx on $addr:$PORT in $(ns_name "$ns")" http_body_is "$ns" "http://$addr:$PORT/" "$body" ||
		e2e_fail "nginx on $addr:$PORT did not answer; log: $(tail -n 5 "$dir/server.log")"
}

# ---- the topology: e2e's, plus the nft router and the haproxy namespace ----

# peer_leg SHORT CLI_IF PEER_IF VIP SRV_IF SW_IF SRC: namespace SHORT reachable
# from the client at VIP (a /32 over its own veth) and on the backends'
# bridge as SRC.
peer_leg() {
	local ns=$1 cif=$2 pif=$3 vip=$4 sif=$5 swif=$6 src=$7
	ns_create "$ns"; ipv6_off "$ns"
	veth_create cli "$cif" "$ns" "$pif"
	veth_create "$ns" "$sif" sw "$swif"
	bridge_attach sw br0 "$swif"
	addr_add "$ns" "$pif" "$vip/32"
	addr_add "$ns" "$sif" "$src/24"
	ns_exec "$ns" ip route add "$TOPO_CLI/32" dev "$pif" || e2e_fail "route to the client in $ns"
	ns_exec cli ip route add "$vip/32" dev "$cif" src "$TOPO_CLI" || e2e_fail "route to $vip in cli"
}

topo_lb_build 3
peer_leg nat cli1 nc0 "$VIP_NFT" ns0 swnat "$NFT_SRC"
peer_leg hap cli2 hc0 "$VIP_HAP" hs0 swhap "$HAP_SRC"
for n in cli nat hap; do
	sysctl_set "$n" net.ipv4.ip_local_port_range="1024 65535" net.ipv4.tcp_tw_reuse=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
done
for i in "${!TOPO_RS_NS[@]}"; do
	rs_http_start "${TOPO_RS_NS[$i]}" "${TOPO_RS_ADDR[$i]}" "${TOPO_RS_NS[$i]}"
done

# nft: kube-proxy's shape, a service chain picking an endpoint chain by numgen
sysctl_set nat net.ipv4.ip_forward=1
{
	echo "table ip peers {"
	for i in "${!TOPO_RS_ADDR[@]}"; do
		echo "	chain ep$i { meta l4proto tcp dnat to ${TOPO_RS_ADDR[$i]}:$PORT; }"
	done
	printf '\tchain svc { numgen inc mod %d vmap { ' "${#TOPO_RS_ADDR[@]}"
	sep=""
	for i in "${!TOPO_RS_ADDR[@]}"; do printf '%s%d : goto ep%d' "$sep" "$i" "$i"; sep=", "; done
	echo ' }; }'
	echo "	chain prerouting { type nat hook prerouting priority dstnat; policy accept;"
	echo "		ip daddr $VIP_NFT tcp dport 80 jump svc; }"
	echo "	chain postrouting { type nat hook postrouting priority srcnat; policy accept;"
	echo "		oifname \"ns0\" ip daddr 198.51.100.0/24 masquerade; }"
	echo "}"
} >"$S/peers.nft"
ns_exec nat nft -f "$S/peers.nft" || e2e_fail "nft -f $S/peers.nft: $(cat "$S/peers.nft")"

# haproxy: tcp mode, round robin, in its own namespace, running for the whole script
{
	echo "global"
	echo "	nbthread $HAP_THREADS"
	echo "	maxconn 9000"
	echo "defaults"
	echo "	mode tcp"
	echo "	timeout connect 5s"
	echo "	timeout client 60s"
	echo "	timeout server 60s"
	echo "frontend fe"
	echo "	bind $VIP_HAP:80"
	echo "	default_backend be"
	echo "backend be"
	echo "	balance roundrobin"
	for i in "${!TOPO_RS_ADDR[@]}"; do echo "	server rs$i ${TOPO_RS_ADDR[$i]}:$PORT"; done
} >"$S/haproxy.cfg"
ns_exec hap haproxy -db -f "$S/haproxy.cfg" >"$S/haproxy.log" 2>&1 &
E2E_PIDS+=($!)
wait_for 10 "haproxy on $VIP_HAP:80" tcp_listening hap "$VIP_HAP" 80 ||
	e2e_fail "haproxy did not listen: $(tail -n 5 "$S/haproxy.log")"

# plb: started for its own measurements only (its worker polls)
PLB_WORKERS=1
PLB_LOG_LEVEL=warning
PLB_PORTS=$TOPO_PLB_PORTS
PLB_MODULES="proto_ipv4 proto_arp proto_icmp proto_tcp proto_udp hook_defence hook_vs"
PLB_MODULE_CONF='	proto_tcp = { timeouts = { time_wait = 2; close = 2; fin_wait = 2; close_wait = 2; last_ack = 2; }; };'
PLB_CONF_EXTRA="$(svc_conf tcp "$TOPO_VIP" 80 rr fnat "$PLB_LADDRS" "$PORT" "${TOPO_RS_ADDR[@]}")
conns = { per_worker = 524288; };"

# rr_check PEER: six new connections reach all three backends and nothing else
rr_check() {
	local peer=$1 i b seen=""
	for i in 1 2 3 4 5 6; do
		b=$(http_get cli "http://${VIP[$peer]}/") || e2e_fail "$peer: request $i to ${VIP[$peer]} failed"
		case " ${TOPO_RS_NS[*]} " in *" $b "*) ;; *) e2e_fail "$peer: unexpected answer '$b'" ;; esac
		case " $seen " in *" $b "*) ;; *) seen+=" $b" ;; esac
	done
	[ "$(wc -w <<<"$seen")" = "${#TOPO_RS_NS[@]}" ] ||
		e2e_fail "$peer: six new connections reached only$seen"
}

# measure PEER MODE ROUND: one wrk run; fills RPS, ERR, LAT.
measure() {
	local peer=$1 mode=$2 round=$3 out=$S/wrk-$1-$2-$3.txt hdr=() rps errs lat non2xx
	[ "$mode" = close ] && hdr=(-H 'Connection: close')
	timeout $((DUR + 30)) ip netns exec "$(ns_name cli)" wrk -t"$THREADS" -c"$CONNS" -d"${DUR}s" \
		--timeout 5s "${hdr[@]}" "http://${VIP[$peer]}/" >"$out" 2>&1 ||
		e2e_fail "wrk against $peer ($mode) failed: $(tail -n 5 "$out")"
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
	lat=$(awk '$1 == "Latency" { print $2; exit }' "$out")
	errs=$(awk '/^  Socket errors:/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' "$out")
	non2xx=$(awk '/Non-2xx/ { print $NF }' "$out")
	[ -n "$rps" ] || e2e_fail "wrk against $peer ($mode) printed no Requests/sec: $(cat "$out")"
	RPS[$peer/$mode/$round]=${rps%.*}
	ERR[$peer/$mode/$round]=$(( ${errs:-0} + ${non2xx:-0} ))
	LAT[$peer/$mode/$round]=$lat
	e2e_log "measured: round $round, $peer, $mode: ${rps%.*} req/s, latency avg $lat, errors ${ERR[$peer/$mode/$round]}"
}

e2e_log "commit $commit; wrk -t$THREADS -c$CONNS -d${DUR}s; $ROUNDS rounds of ${PEERS[*]} x ${MODES[*]}"
for round in $(seq 1 "$ROUNDS"); do
	for peer in "${PEERS[@]}"; do
		[ "$peer" = plb ] && plb_start plb lb
		rr_check "$peer"
		for mode in "${MODES[@]}"; do measure "$peer" "$mode" "$round"; done
		if [ "$peer" = plb ]; then
			stats_save plb "$S/plb-$round.json"
			services_print "$S/plb-$round.json"
			plb_stop plb 10
			[ "$E2E_RC" = 0 ] || e2e_fail "plb exited with $E2E_RC after round $round"
		fi
	done
done

# ---- the table ----
desc() {
	case $1 in
	plb) echo "plb FNAT, rr, 1 worker (af_packet, poll $PLB_POLL)" ;;
	nft) echo "nftables DNAT numgen inc mod 3 + masquerade" ;;
	haproxy) echo "HAProxy $(haproxy -v 2>/dev/null | awk 'NR == 1 { print $3 }') mode tcp, roundrobin, nbthread $HAP_THREADS" ;;
	esac
}
table() {
	local peer mode r row
	printf '| peer | wrk | %s | errors |\n' "$(for r in $(seq 1 "$ROUNDS"); do printf 'run %d req/s (lat) | ' "$r"; done | sed 's/ | $//')"
	printf '|---|---|%s---:|\n' "$(for r in $(seq 1 "$ROUNDS"); do printf -- '---:|'; done)"
	for mode in "${MODES[@]}"; do
		for peer in "${PEERS[@]}"; do
			row="| $(desc "$peer") | $mode |"
			local e=0
			for r in $(seq 1 "$ROUNDS"); do
				row+=" ${RPS[$peer/$mode/$r]} (${LAT[$peer/$mode/$r]}) |"
				e=$((e + ${ERR[$peer/$mode/$r]}))
			done
			echo "$row $e |"
		done
	done
}
cmd="PEERS_DUR=$DUR PEERS_CONNS=$CONNS PEERS_THREADS=$THREADS PEERS_ROUNDS=$ROUNDS PEERS_PLB_POLL=$PLB_POLL PEERS_HAPROXY_THREADS=$HAP_THREADS make bench-peers"
block=$(
	echo
	echo "### Peers run $(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit"
	echo
	echo '```'
	echo "$cmd"
	echo "wrk -t$THREADS -c$CONNS -d${DUR}s --timeout 5s [-H 'Connection: close'] http://VIP/  (from the cli namespace)"
	echo '```'
	echo
	table
	echo
	echo "Machine load at the end: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min)."
)
echo "$block"
if [ "${PEERS_APPEND:-1}" = 1 ]; then
	echo "$block" >>"$DOC"
	e2e_log "appended to $DOC"
fi
