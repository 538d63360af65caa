# SPDX-License-Identifier: BSD-3-Clause
# tests/e2e/traffic.sh: real-traffic helpers for the e2e tests, sourced after
# lib.sh: a routed topology for DR and TUN (the client behind a Linux router, the
# backends' replies going back through that router, not plb), service blocks with
# several services and weights, and load generators that count exactly and print
# what they measured: HTTP (curl, one connection per request), TCP throughput
# (iperf3, JSON output) and UDP request/response (udp_echo.py). Every helper fails
# the test through e2e_fail with the expectation that broke.

E2E_DIR=$E2E_ROOT/tests/e2e
IPERF_SECS=${E2E_IPERF_SECS:-10}	# length of each iperf3 stream
IPERF_MIN_MBIT=${E2E_IPERF_MIN_MBIT:-20}	# a stream slower than this fails
declare -A HTTP_SPLIT UDP_SPLIT
UDP_SPORT_NEXT=20000			# next source port udp_load uses

# ---- the routed topology (DR, TUN) -----------------------------------------
#
#  cli                  rt (Linux router)            lb (plb)                 sw        rs1..rsN
#  cli0 203.0.113.2 --- rtc 203.0.113.1
#                       rtl 192.0.2.254 ----------- p0 [plb 192.0.2.1, VIP 192.0.2.100]
#                       rts 198.51.100.254 --+      p1 [plb 198.51.100.1] --- swlb  br0 -- eth0 .11..
#                                            +-------------------------------- swrt  br0
#
# The client's default route is the router; the router reaches the VIP on-link
# through p0 (plb answers its ARP); the backends' default route is the router's
# 198.51.100.254, so their replies go backend -> router -> client and never
# through plb. rp_filter is off on the router (it sees the VIP as a source on
# its server leg) and on the backends (TUN: packets arrive on the TUN device).

TOPO_RT_CLI=203.0.113.1			# router, client side
TOPO_RT_LB=192.0.2.254			# router, on plb's p0 network
TOPO_RT_SRV=198.51.100.254		# router, on the backends' network

# sysctl_set SHORT KEY=VALUE...: sysctl in namespace SHORT, or fail naming it.
sysctl_set() {
	local ns=$1
	shift
	ns_exec "$ns" sysctl -qw "$@" || e2e_fail "sysctl $* failed in $(ns_name "$ns")"
}

# topo_rt_build [N]: the topology drawn above with N backends (default 3).
# Sets TOPO_CLI (203.0.113.2), TOPO_RS_NS, TOPO_RS_ADDR, TOPO_PLB_PORTS and
# TOPO_PLB_ROUTES (plb's route back to the client network, for PLB_CONF_EXTRA).
topo_rt_build() {
	local n=${1:-3} i
	[ "$n" -ge 1 ] && [ "$n" -le 9 ] || e2e_fail "topo_rt_build: 1..9 backends, got $n"
	TOPO_CLI=203.0.113.2
	for i in cli rt lb sw; do ns_create "$i"; ipv6_off "$i"; done
	veth_create cli cli0 rt rtc
	veth_create rt rtl lb p0
	veth_create lb p1 sw swlb
	veth_create rt rts sw swrt
	addr_add cli cli0 "$TOPO_CLI/24"
	ns_exec cli ip route add default via "$TOPO_RT_CLI" || e2e_fail "cannot route the client via the router"
	addr_add rt rtc "$TOPO_RT_CLI/24"
	addr_add rt rtl "$TOPO_RT_LB/24"
	addr_add rt rts "$TOPO_RT_SRV/24"
	sysctl_set rt net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv4.conf.rts.rp_filter=0 net.ipv4.conf.rtl.rp_filter=0 net.ipv4.conf.rtc.rp_filter=0
	bridge_create sw br0
	bridge_attach sw br0 swlb
	bridge_attach sw br0 swrt
	TOPO_RS_NS=()
	TOPO_RS_ADDR=()
	for i in $(seq 1 "$n"); do
		ns_create "rs$i"; ipv6_off "rs$i"
		veth_create "rs$i" eth0 sw "swrs$i"
		bridge_attach sw br0 "swrs$i"
		addr_add "rs$i" eth0 "198.51.100.1$i/24"
		ns_exec "rs$i" ip route add default via "$TOPO_RT_SRV" ||
			e2e_fail "cannot route rs$i via the router"
		sysctl_set "rs$i" net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
		TOPO_RS_NS+=("rs$i")
		TOPO_RS_ADDR+=("198.51.100.1$i")
	done
	TOPO_PLB_PORTS="p0|net_af_packet0,iface=p0|$TOPO_P0_ADDR/24
p1|net_af_packet1,iface=p1|$TOPO_P1_ADDR/24"
	TOPO_PLB_ROUTES="routes = ( { prefix = \"203.0.113.0/24\"; via = \"$TOPO_RT_LB\"; port = \"p0\"; } );"
	e2e_log "topology: cli $TOPO_CLI -> rt [$TOPO_RT_CLI | $TOPO_RT_LB | $TOPO_RT_SRV] -> lb p0 [plb $TOPO_P0_ADDR, VIP $TOPO_VIP] p1 [plb $TOPO_P1_ADDR] -> sw br0 -> ${TOPO_RS_ADDR[*]}; replies: backends -> rt $TOPO_RT_SRV -> cli"
}

# rs_hold_vip SHORT DEV: put the VIP on DEV (lo for DR, the TUN device for TUN)
# of backend SHORT and keep it from answering or announcing ARP for it.
rs_hold_vip() {
	ns_exec "$1" ip addr add "$TOPO_VIP/32" dev "$2" || e2e_fail "cannot add the VIP to $2 in $(ns_name "$1")"
	sysctl_set "$1" net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
}

# rs_route_via_plb SHORT: backend SHORT's default route is plb's p1 address (NAT).
rs_route_via_plb() {
	ns_exec "$1" ip route replace default via "$TOPO_P1_ADDR" ||
		e2e_fail "cannot route $(ns_name "$1") via plb $TOPO_P1_ADDR"
}

# ---- services ------------------------------------------------------------

# svc_item PROTO VIP PORT SCHED FWD LADDRS DEST...: one service group for
# svc_list; LADDRS space separated (may be empty); DEST = addr[:port[:weight]]
# (port default 0 = the service's port, weight default 1).
svc_item() {
	local proto=$1 vip=$2 port=$3 sched=$4 fwd=$5 laddrs=$6 d a p w sep=""
	shift 6
	printf '{ proto = "%s"; vip = "%s"; port = %s; scheduler = "%s"; fwd = "%s";' \
		"$proto" "$vip" "$port" "$sched" "$fwd"
	if [ -n "$laddrs" ]; then
		printf ' laddrs = [ '
		for a in $laddrs; do printf '%s"%s"' "$sep" "$a"; sep=", "; done
		printf ' ];'
	fi
	printf '\n\tdests = ( '
	sep=""
	for d in "$@"; do
		IFS=: read -r a p w <<<"$d"
		printf '%s{ addr = "%s"; port = %s; weight = %s; }' "$sep" "$a" "${p:-0}" "${w:-1}"
		sep=", "
	done
	printf ' ); }'
}

# svc_list ITEM...: the `services = ( ... );` section from svc_item outputs.
svc_list() {
	local sep="" it
	printf 'services = (\n'
	for it in "$@"; do printf '%s\t%s\n' "$sep" "$it"; sep=","; done
	printf ');\n'
}

# ---- HTTP ----------------------------------------------------------------

# http_load SHORT URL N [CURL_ARGS...]: N GETs of URL from namespace SHORT, curl
# with a new connection each (one loop inside the namespace). Counts exactly:
# sets HTTP_OK, HTTP_FAIL, HTTP_MS and HTTP_SPLIT (answer body -> count); prints
# the measured line, the split and the first failures. After HTTP_MAX_FAILS (10)
# failures it stops and counts the requests not sent as failed, so a broken
# datapath fails the test in seconds, not N x HTTP_TIMEOUT.
http_load() {
	local ns=$1 url=$2 n=$3 out=$E2E_TMP/http_load.out line body
	shift 3
	local t0=$(date +%s%N)
	ns_exec "$ns" bash -c '
		url=$1 n=$2 to=$3 maxf=$4 f=0; shift 4
		for ((i = 1; i <= n; i++)); do
			if out=$(curl -sS --fail --max-time "$to" --connect-timeout "$to" "$@" "$url" 2>&1); then
				echo "ok $out"
			else
				echo "fail $i: $(echo "$out" | tr "\n" " ")"
				f=$((f + 1))
				[ "$f" -ge "$maxf" ] && { echo "abort $((n - i))"; break; }
			fi
		done' _ "$url" "$n" "${HTTP_TIMEOUT:-5}" "${HTTP_MAX_FAILS:-10}" "$@" >"$out" 2>&1
	HTTP_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
	HTTP_SPLIT=()
	HTTP_OK=0 HTTP_FAIL=0
	while IFS= read -r line; do
		case $line in
		"ok "*)
			body=${line#ok }
			HTTP_OK=$((HTTP_OK + 1))
			HTTP_SPLIT[$body]=$(( ${HTTP_SPLIT[$body]:-0} + 1 ))
			;;
		"abort "*)
			HTTP_FAIL=$((HTTP_FAIL + ${line#abort }))
			e2e_log "    stopped after ${HTTP_MAX_FAILS:-10} failures: ${line#abort } requests not sent, counted as failed"
			;;
		*)
			HTTP_FAIL=$((HTTP_FAIL + 1))
			[ "$HTTP_FAIL" -le 5 ] && e2e_log "    request $line"
			;;
		esac
	done <"$out"
	[ $((HTTP_OK + HTTP_FAIL)) = "$n" ] || e2e_fail "http_load: $((HTTP_OK + HTTP_FAIL)) results for $n requests: $(tail -n 3 "$out")"
	e2e_log "measured: HTTP $url from $(ns_name "$ns")${*:+ ($*)}: $n requests, $HTTP_OK answered, $HTTP_FAIL failed, ${HTTP_MS} ms ($(( n * 1000 / (HTTP_MS ? HTTP_MS : 1) )) req/s); split: $(split_str HTTP_SPLIT)"
}

# split_str ARRAY_NAME: "key=count ..." of an associative array, sorted by key.
split_str() {
	local -n arr=$1
	local k s=""
	for k in $(printf '%s\n' "${!arr[@]}" | sort); do s+="$k=${arr[$k]} "; done
	echo "${s:-(none)}"
}

# expect_split WHAT ARRAY_NAME KEY MIN MAX: fail unless ARRAY[KEY] is MIN..MAX.
expect_split() {
	local -n arr=$2
	local got=${arr[$3]:-0}
	[ "$got" -ge "$4" ] && [ "$got" -le "$5" ] ||
		e2e_fail "$1: $3 got $got, expected $4..$5 (split: $(split_str "$2"))"
	e2e_log "ok: $1: $3 = $got (expected $4..$5)"
}

# expect_split_rr WHAT ARRAY_NAME TOTAL KEY...: round robin over the KEYs: each
# got TOTAL/K rounded down or up, and nothing else answered. (A client port
# reused after a teardown is a new connection and takes its own turn: the
# tcp module's conn_reused; without it this split was off by one now and then.)
expect_split_rr() {
	local what=$1 arr=$2 total=$3 k
	shift 3
	local n=$# min max
	min=$((total / n)) max=$(( (total + n - 1) / n ))
	for k in "$@"; do expect_split "$what" "$arr" "$k" "$min" "$max"; done
	expect_split_only "$what" "$arr" "$@"
}

# expect_split_only WHAT ARRAY_NAME KEY...: fail if a key not listed answered.
expect_split_only() {
	local -n arr=$2
	local what=$1 k
	shift 2
	for k in "${!arr[@]}"; do
		case " $* " in *" $k "*) ;; *) e2e_fail "$what: unexpected answer '$k' (${arr[$k]} times; expected only: $*)" ;; esac
	done
}

# ---- TCP throughput (iperf3) ------------------------------------------------

# tcp_listening SHORT ADDR PORT: true if something listens on ADDR:PORT in SHORT.
tcp_listening() {
	ns_exec "$1" ss -Hltn "sport = :$3" | grep -q "$2:$3 "
}

# iperf3_server_start SHORT ADDR: `iperf3 -s` on ADDR:5201 in SHORT; waits until it listens.
iperf3_server_start() {
	local log=$E2E_TMP/iperf3-$1.log
	ns_exec "$1" iperf3 -s -B "$2" -p 5201 >"$log" 2>&1 &
	E2E_PIDS+=($!)
	wait_for 10 "iperf3 -s on $2:5201 in $(ns_name "$1")" tcp_listening "$1" "$2" 5201 ||
		e2e_fail "iperf3 server on $2 in $(ns_name "$1") did not start: $(tail -n 3 "$log")"
}

# iperf3_check SHORT DST PORT WHAT [-R]: an IPERF_SECS s iperf3 TCP stream from
# SHORT to DST:PORT (with -R the server sends). Prints the receiver's goodput in
# Gbit/s and the sender's retransmits; fails if it did not run or stayed below
# IPERF_MIN_MBIT. Sets IPERF_MBIT.
iperf3_check() {
	local ns=$1 dst=$2 port=$3 what=$4 json=$E2E_TMP/iperf3.json res
	shift 4
	timeout $((IPERF_SECS + 20)) ip netns exec "$(ns_name "$ns")" \
		iperf3 -c "$dst" -p "$port" -t "$IPERF_SECS" --connect-timeout 3000 -J "$@" >"$json" 2>&1
	res=$(/usr/bin/python3 - "$json" <<'PY'
import json, sys
try:
    j = json.load(open(sys.argv[1]))
except Exception as e:
    print("ERR iperf3 printed no JSON (%s): %s" % (e, open(sys.argv[1]).read()[-300:].replace("\n", " ")))
    sys.exit()
if "error" in j:
    print("ERR iperf3: %s" % j["error"])
    sys.exit()
e = j["end"]
print("%d %.3f %d %d" % (e["sum_received"]["bits_per_second"] / 1e6, e["sum_received"]["bits_per_second"] / 1e9,
                         e["sum_sent"].get("retransmits", -1), e["sum_received"]["bytes"]))
PY
)
	case $res in ERR*) e2e_fail "$what: ${res#ERR }" ;; esac
	local mbit gbit retr bytes
	read -r mbit gbit retr bytes <<<"$res"
	IPERF_MBIT=$mbit
	e2e_log "measured: $what: $gbit Gbit/s over ${IPERF_SECS} s ($bytes bytes received, $retr retransmits)"
	[ "$mbit" -ge "$IPERF_MIN_MBIT" ] ||
		e2e_fail "$what: $mbit Mbit/s, expected at least $IPERF_MIN_MBIT Mbit/s"
}

# ---- UDP request/response ----------------------------------------------------

# udp_server_start SHORT ADDR PORT NAME: udp_echo.py on ADDR:PORT answering
# "NAME <datagram>"; waits until it answers from inside SHORT.
udp_server_start() {
	local log=$E2E_TMP/udp-$1-$3.log
	ns_exec "$1" /usr/bin/python3 "$E2E_DIR/udp_echo.py" serve "$2" "$3" "$4" >"$log" 2>&1 &
	E2E_PIDS+=($!)
	wait_for 10 "UDP echo on $2:$3 in $(ns_name "$1")" udp_answers "$1" "$2" "$3" ||
		e2e_fail "UDP echo on $2:$3 in $(ns_name "$1") does not answer: $(tail -n 3 "$log")"
}

# udp_answers SHORT DST PORT: true if one datagram to DST:PORT from SHORT is echoed.
udp_answers() {
	ns_exec "$1" /usr/bin/python3 "$E2E_DIR/udp_echo.py" client "$2" "$3" 1 --timeout 0.5 | grep -q '"ok": 1'
}

# udp_load SHORT DST PORT N [--src ADDR] [--timeout S]: N datagrams from SHORT to
# DST:PORT, each from a new socket and a source port never used before in this
# test (UDP_SPORT_NEXT, from 20000 up: a reused port would meet plb's old conn
# and not be scheduled again); sets UDP_OK, UDP_TIMEOUT, UDP_REFUSED, UDP_BAD,
# UDP_MS, UDP_SPLIT (replies per backend name) and prints them.
udp_load() {
	local ns=$1 dst=$2 port=$3 n=$4 res k v
	shift 4
	res=$(ns_exec "$ns" /usr/bin/python3 "$E2E_DIR/udp_echo.py" client "$dst" "$port" "$n" \
		--sport "$UDP_SPORT_NEXT" "$@") ||
		e2e_fail "udp_echo.py client to $dst:$port failed: $res"
	eval "$(/usr/bin/python3 -c '
import json, sys
r = json.loads(sys.argv[1])
print("UDP_OK=%d UDP_TIMEOUT=%d UDP_REFUSED=%d UDP_BAD=%d UDP_MS=%d" % (r["ok"], r["timeout"], r["refused"], r["bad"], r["ms"]))
print("UDP_SPLIT=(" + " ".join("[%s]=%d" % (k, v) for k, v in r["split"].items()) + ")")
' "$res")" || e2e_fail "udp_load: cannot read the client result: $res"
	UDP_SPORT_NEXT=$((UDP_SPORT_NEXT + n))
	e2e_log "measured: UDP $dst:$port from $(ns_name "$ns")${*:+ ($*)}: $n datagrams, $UDP_OK answered, $UDP_TIMEOUT timed out, $UDP_REFUSED refused, $UDP_BAD bad, ${UDP_MS} ms; split: $(split_str UDP_SPLIT)"
}
