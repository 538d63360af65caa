# SPDX-License-Identifier: BSD-3-Clause
# tests/e2e/lib.sh: topology and process helpers for every e2e test. Source it
# from a test script; it installs a cleanup trap at once. Every name it makes
# (namespaces, DPDK file prefixes, control sockets) carries this run's id
# (E2E_ID, from $$) so tests never collide with each other or with the demo.
# The second half builds the load-balancing topology (client, plb with two
# ports, a bridge, N backends with HTTP servers) that the FNAT test and
# scripts/demo.sh share. Needs root, iproute2, ethtool, python3. Run from anywhere: paths are
# resolved from the repository root (PLB_BUILD overrides the build folder).

E2E_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
E2E_BUILD=${PLB_BUILD:-build}
case $E2E_BUILD in /*) ;; *) E2E_BUILD=$E2E_ROOT/$E2E_BUILD ;; esac
E2E_PLB=$E2E_BUILD/plb
E2E_PLBCTL=$E2E_BUILD/plbctl
E2E_ID=${E2E_ID:-plbt$$}		# prefix of every name this run makes (the demo sets it)
E2E_TMP=$(mktemp -d "/tmp/plb-e2e.$$.XXXXXX")
E2E_NAME=$(basename "$0" .sh)
E2E_FAILED=0
declare -A E2E_PLB_PID E2E_PLB_SOCK E2E_PLB_LOG E2E_PLB_NS
E2E_PIDS=()				# other background processes to kill

# e2e_log MSG...: a progress line on stdout.
e2e_log() { echo "[$E2E_NAME] $*"; }

# e2e_fail MSG...: report which expectation broke and exit 1 (cleanup runs).
e2e_fail() {
	echo "[$E2E_NAME] FAIL: $*" >&2
	E2E_FAILED=1
	exit 1
}

# e2e_skip MSG...: the host cannot run this test (not root, tool missing): exit 77.
e2e_skip() {
	echo "[$E2E_NAME] SKIP: $*" >&2
	exit 77
}

# e2e_require_root: skip unless running as root (namespaces need it).
e2e_require_root() { [ "$(id -u)" = 0 ] || e2e_skip "needs root"; }

# e2e_require_cmd CMD...: fail naming the first command that is not installed.
e2e_require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || e2e_fail "required command '$c' not found"
	done
}

# e2e_cleanup: [trap] stop every plb and helper process, delete this run's
# namespaces, show plb logs if the test failed, remove the temp folder.
e2e_cleanup() {
	local rc=$? name pid
	trap - EXIT INT TERM
	for name in "${!E2E_PLB_PID[@]}"; do
		pid=${E2E_PLB_PID[$name]}
		if kill -0 "$pid" 2>/dev/null; then
			kill -TERM "$pid" 2>/dev/null
			e2e_wait_pid_exit "$pid" 10 || kill -KILL "$pid" 2>/dev/null
		fi
		if [ "$rc" != 0 ] && [ -f "${E2E_PLB_LOG[$name]}" ]; then
			echo "---- plb '$name' log (last 40 lines) ----" >&2
			tail -n 40 "${E2E_PLB_LOG[$name]}" >&2
		fi
	done
	for pid in "${E2E_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	ns_purge
	rm -rf "$E2E_TMP"
	if [ "$rc" = 0 ]; then
		echo "[$E2E_NAME] PASS"
	elif [ "$rc" != 77 ]; then
		echo "[$E2E_NAME] FAILED (exit $rc)" >&2
	fi
	exit "$rc"
}
trap e2e_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# e2e_wait_pid_exit PID TIMEOUT_S: poll until PID is gone; 1 on timeout.
e2e_wait_pid_exit() {
	local pid=$1 deadline=$((SECONDS + $2))
	while kill -0 "$pid" 2>/dev/null; do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.1
	done
	return 0
}

# wait_for TIMEOUT_S DESCRIPTION CMD...: run CMD every 0.1 s until it succeeds;
# returns 1 (after saying what it waited for) if TIMEOUT_S passes first.
wait_for() {
	local timeout=$1 desc=$2 deadline
	shift 2
	deadline=$((SECONDS + timeout))
	until "$@" >/dev/null 2>&1; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "[$E2E_NAME] timed out after ${timeout}s waiting for: $desc" >&2
			return 1
		fi
		sleep 0.1
	done
}

# ns_purge: delete every namespace named "$E2E_ID-*" and kill what runs in
# it. Cleanup calls it; a script with a fixed E2E_ID (the demo) calls it first
# to remove what an interrupted run left behind.
ns_purge() {
	local ns pid
	for ns in $(ip netns list 2>/dev/null | awk -v p="$E2E_ID-" 'index($1, p) == 1 { print $1 }'); do
		# processes left in the namespace (a client that hung) go first
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
}

# ns_name SHORT: the full name of this run's namespace SHORT (e.g. plbt123-lb).
ns_name() { echo "$E2E_ID-$1"; }

# ns_create SHORT: create namespace SHORT with loopback up; cleanup deletes it.
ns_create() {
	local ns
	ns=$(ns_name "$1")
	ip netns add "$ns" || e2e_fail "cannot create namespace $ns"
	ip -n "$ns" link set lo up
}

# ns_exec SHORT CMD...: run CMD inside namespace SHORT.
ns_exec() {
	local ns
	ns=$(ns_name "$1")
	shift
	ip netns exec "$ns" "$@"
}

# veth_offloads_off SHORT IF: turn checksum/segmentation offloads off so
# every frame carries full checksums (af_packet sees what the wire would).
veth_offloads_off() {
	local f
	for f in tx rx tso gso gro; do
		ns_exec "$1" ethtool -K "$2" "$f" off >/dev/null 2>&1 ||
			e2e_fail "ethtool -K $2 $f off failed in $(ns_name "$1")"
	done
}

# veth_create NS_A IF_A NS_B IF_B: a veth pair IF_A (in NS_A) <-> IF_B (in NS_B),
# both up, offloads off. Interface names are per namespace, <= 15 chars.
veth_create() {
	local a b
	a=$(ns_name "$1")
	b=$(ns_name "$3")
	ip link add "$2" netns "$a" type veth peer name "$4" netns "$b" ||
		e2e_fail "cannot create veth $2/$4"
	ns_exec "$1" ip link set "$2" up
	ns_exec "$3" ip link set "$4" up
	veth_offloads_off "$1" "$2"
	veth_offloads_off "$3" "$4"
}

# addr_add SHORT IF CIDR...: add addresses (nodad for IPv6) to IF in SHORT.
addr_add() {
	local ns=$1 ifc=$2 a
	shift 2
	for a in "$@"; do
		case $a in
		*:*) ns_exec "$ns" ip addr add "$a" dev "$ifc" nodad ;;
		*) ns_exec "$ns" ip addr add "$a" dev "$ifc" ;;
		esac || e2e_fail "cannot add $a to $ifc in $(ns_name "$ns")"
	done
}

# plb_conf_write NAME FILE: write a plb config for instance NAME to FILE, from
# these variables (defaults in brackets):
#   PLB_WORKERS [1]  PLB_POLL [adaptive]  PLB_LOG_LEVEL [info]
#   PLB_MODULES ["proto_ipv4 proto_arp proto_icmp"]  PLB_EAL_EXTRA [] (space separated)
#   PLB_PORTS: one line per port, "name|devargs|addr/len[,addr/len...]" (required)
#   PLB_MODULE_CONF: extra text placed inside the modules group (optional)
#   PLB_CONF_EXTRA: extra top-level text, e.g. services and conns (optional)
# The EAL file prefix and the control socket are unique to this run and NAME.
plb_conf_write() {
	local name=$1 file=$2 m a line pname dev addrs first
	{
		echo "# generated by $E2E_NAME (tests/e2e/lib.sh) for plb instance '$name'"
		printf 'eal = [ "--no-huge", "-m", "512", "--no-pci", "--file-prefix=%s"' "$E2E_ID-$name"
		for a in ${PLB_EAL_EXTRA:-}; do printf ', "%s"' "$a"; done
		echo ' ];'
		echo "log_level = \"${PLB_LOG_LEVEL:-info}\";"
		echo "modules = {"
		echo "	path = \"$E2E_BUILD/modules\";"
		printf '\tload = [ '
		first=1
		for m in ${PLB_MODULES:-proto_ipv4 proto_arp proto_icmp}; do
			[ $first = 1 ] || printf ', '
			printf '"%s"' "$m"
			first=0
		done
		echo ' ];'
		[ -n "${PLB_MODULE_CONF:-}" ] && echo "$PLB_MODULE_CONF"
		echo "};"
		echo "workers = { count = ${PLB_WORKERS:-1}; poll = \"${PLB_POLL:-adaptive}\"; };"
		echo "mempool = { mbufs = 8191; };"
		echo "ports = ("
		first=1
		while IFS='|' read -r pname dev addrs; do
			[ -z "$pname" ] && continue
			[ $first = 1 ] || echo "	,"
			printf '\t{ name = "%s"; dev = "%s"; addresses = [ ' "$pname" "$dev"
			local f2=1
			for a in ${addrs//,/ }; do
				[ $f2 = 1 ] || printf ', '
				printf '"%s"' "$a"
				f2=0
			done
			echo ' ]; }'
			first=0
		done <<<"${PLB_PORTS:?PLB_PORTS must name at least one port}"
		echo ");"
		[ -n "${PLB_CONF_EXTRA:-}" ] && echo "$PLB_CONF_EXTRA"
		echo "control = { socket = \"$E2E_TMP/$name.sock\"; };"
	} >"$file"
}

# plb_start NAME SHORT_NS [CONF]: start plb instance NAME inside namespace
# SHORT_NS (config CONF, or one written now by plb_conf_write), log to
# $E2E_TMP/NAME.log, and wait until its control socket answers `stats`
# (fails fast, with the log, if plb exits first).
plb_start() {
	local name=$1 ns=$2 conf=${3:-$E2E_TMP/$1.conf} pid deadline
	[ -x "$E2E_PLB" ] || e2e_fail "$E2E_PLB not built"
	[ -n "${3:-}" ] || plb_conf_write "$name" "$conf"
	E2E_PLB_LOG[$name]=$E2E_TMP/$name.log
	E2E_PLB_SOCK[$name]=$(sed -n 's/^control = { socket = "\(.*\)"; };$/\1/p' "$conf")
	[ -n "${E2E_PLB_SOCK[$name]}" ] || E2E_PLB_SOCK[$name]=${PLB_SOCK:-/run/plb/plb.sock}
	E2E_PLB_NS[$name]=$ns
	(cd "$E2E_ROOT" && exec ip netns exec "$(ns_name "$ns")" "$E2E_PLB" -c "$conf") \
		>"${E2E_PLB_LOG[$name]}" 2>&1 &
	pid=$!
	E2E_PLB_PID[$name]=$pid
	deadline=$((SECONDS + ${PLB_START_TIMEOUT:-30}))
	until plbctl "$name" stats >/dev/null 2>&1; do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid"
			e2e_fail "plb '$name' exited (status $?) before its control socket answered; log:
$(tail -n 30 "${E2E_PLB_LOG[$name]}")"
		fi
		[ "$SECONDS" -ge "$deadline" ] &&
			e2e_fail "plb '$name' control socket ${E2E_PLB_SOCK[$name]} did not answer within ${PLB_START_TIMEOUT:-30}s"
		sleep 0.1
	done
	e2e_log "plb '$name' running (pid $pid, namespace $(ns_name "$ns"), workers ${PLB_WORKERS:-1})"
}

# plb_stop NAME [TIMEOUT_S]: SIGTERM plb NAME and wait for it (default 10 s).
# Sets E2E_RC to its exit status, or "timeout" (then it is killed). Do not
# call it in $(...): only this shell can wait for plb.
plb_stop() {
	local name=$1 timeout=${2:-10} pid
	pid=${E2E_PLB_PID[$name]}
	kill -TERM "$pid" 2>/dev/null
	if e2e_wait_pid_exit "$pid" "$timeout"; then
		wait "$pid"
		E2E_RC=$?
	else
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		E2E_RC=timeout
	fi
	unset "E2E_PLB_PID[$name]"
}

# plb_log_of NAME: path of plb NAME's log file (stderr and stdout).
plb_log_of() { echo "${E2E_PLB_LOG[$1]}"; }

# plbctl NAME ARGS...: run build/plbctl against plb instance NAME's socket.
plbctl() {
	local name=$1
	shift
	"$E2E_PLBCTL" -s "${E2E_PLB_SOCK[$name]}" "$@"
}

# stats_save NAME FILE: write `plbctl stats --json` of plb NAME to FILE.
stats_save() {
	plbctl "$1" stats --json >"$2" || e2e_fail "plbctl stats --json failed for plb '$1'"
}

# json_eval FILE EXPR: print python3 EXPR evaluated with j = the JSON in FILE,
# e.g. json_eval s.json 'sum(w["rx"] for w in j["workers"])'. Exit 1 (with a
# message on stderr) if the expression fails, e.g. on a missing key.
json_eval() {
	/usr/bin/python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
try:
    print(eval(sys.argv[2], {"j": j}))
except Exception as e:
    sys.exit("json_eval %s: %r: %s: %s" % (sys.argv[1], sys.argv[2], type(e).__name__, e))
' "$1" "$2"
}

# counter FILE NAME: value of counter NAME ("arp.tx_reply") in a stats file.
counter() { json_eval "$1" "j['counters']['$2']"; }

# workers_sum FILE FIELD: FIELD summed over all workers in a stats file.
workers_sum() { json_eval "$1" "sum(w['$2'] for w in j['workers'])"; }

# ports_sum FILE FIELD: FIELD summed over all ports in a stats file.
ports_sum() { json_eval "$1" "sum(p['$2'] for p in j['ports'])"; }

# expect_ge WHAT VALUE MIN: fail with "WHAT: expected >= MIN, got VALUE" unless VALUE >= MIN.
expect_ge() {
	[[ "$2" =~ ^[0-9]+$ ]] || e2e_fail "$1: expected a number >= $3, got '$2'"
	[ "$2" -ge "$3" ] || e2e_fail "$1: expected >= $3, got $2"
	e2e_log "ok: $1 = $2 (>= $3)"
}

# expect_gt WHAT VALUE MIN: fail unless VALUE > MIN.
expect_gt() {
	[[ "$2" =~ ^[0-9]+$ ]] || e2e_fail "$1: expected a number > $3, got '$2'"
	[ "$2" -gt "$3" ] || e2e_fail "$1: expected > $3, got $2"
	e2e_log "ok: $1 = $2 (> $3)"
}

# expect_eq WHAT VALUE WANT: fail unless VALUE equals WANT (as strings).
expect_eq() {
	[ "$2" = "$3" ] || e2e_fail "$1: expected $3, got '$2'"
	e2e_log "ok: $1 = $2"
}

# delta FUNC NAME BEFORE_FILE AFTER_FILE: print FUNC(AFTER, NAME) - FUNC(BEFORE,
# NAME), FUNC one of counter, workers_sum, ports_sum. Prints nothing and
# returns 1 if a value is missing (expect_* then names the expectation).
delta() {
	local b a
	b=$("$1" "$3" "$2") && a=$("$1" "$4" "$2") || return 1
	echo $((a - b))
}

# counter_now NAME CNAME: counter CNAME ("ipv4.rx") of the running plb NAME.
counter_now() {
	plbctl "$1" stats --json | /usr/bin/python3 -c \
		'import json, sys; print(json.load(sys.stdin)["counters"][sys.argv[1]])' "$2"
}

# counter_ge NAME CNAME MIN: true once counter CNAME of plb NAME is >= MIN
# (for wait_for: packets are counted asynchronously by the workers).
counter_ge() {
	local v
	v=$(counter_now "$1" "$2" 2>/dev/null) || return 1
	[ "$v" -ge "$3" ]
}

# ping_ok SHORT_NS COUNT DST [PING_ARGS...]: ping DST COUNT times from SHORT_NS
# (0.05 s apart); print ping's summary; fail unless all COUNT replies came back.
ping_ok() {
	local ns=$1 count=$2 dst=$3 out
	shift 3
	out=$(ns_exec "$ns" ping -n -q -c "$count" -i 0.05 -W 2 "$@" "$dst" 2>&1)
	echo "$out" | sed -n 's/^/    /; /transmitted/p; /rtt/p'
	echo "$out" | grep -q " $count received, 0% packet loss" ||
		e2e_fail "ping $* $dst from $(ns_name "$ns"): expected $count/$count replies (0% loss), got: $(echo "$out" | grep transmitted)"
}

# ---- the load-balancing topology (FNAT and friends) -----------------------
#
#  cli                       lb (plb)                 sw                rs1..rsN
#  cli0 192.0.2.2/24 ---- p0 [plb 192.0.2.1]                        +-- eth0 198.51.100.11
#                            [VIP 192.0.2.100]   swlb --+ br0 +-----+-- eth0 198.51.100.12
#                         p1 [plb 198.51.100.1] --------+     +-----+-- eth0 198.51.100.13
#                            [laddr 198.51.100.200]
#
# plb's ports p0/p1 carry no kernel address (plb owns them through
# af_packet); the bridge lives in its own namespace "sw", like a switch:
# the plb namespace holds nothing but plb's two ports, and the bridge has no
# address, so no kernel in the path answers for anything plb owns.

TOPO_VIP=192.0.2.100			# the service's virtual address
TOPO_CLI=192.0.2.2			# the client
TOPO_P0_ADDR=192.0.2.1			# plb's address on p0 (client side)
TOPO_P1_ADDR=198.51.100.1		# plb's address on p1 (server side)
TOPO_LADDR=198.51.100.200		# FNAT local address (not a port address)
TOPO_RS_NS=()				# backend namespaces (short names): rs1 rs2 ...
TOPO_RS_ADDR=()				# their addresses: 198.51.100.11 ...

# ipv6_off SHORT: no IPv6 in namespace SHORT (interfaces made after this
# inherit it): keeps neighbour discovery noise off plb's ports.
ipv6_off() {
	ns_exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 ||
		e2e_fail "cannot disable IPv6 in $(ns_name "$1")"
}

# bridge_create SHORT BR: an up bridge BR (no STP, no address) in SHORT.
bridge_create() {
	ns_exec "$1" ip link add "$2" type bridge stp_state 0 forward_delay 0 ||
		e2e_fail "cannot create bridge $2 in $(ns_name "$1")"
	ns_exec "$1" ip link set "$2" up
}

# bridge_attach SHORT BR IF: enslave IF to bridge BR in SHORT.
bridge_attach() {
	ns_exec "$1" ip link set "$3" master "$2" || e2e_fail "cannot attach $3 to $2 in $(ns_name "$1")"
}

# topo_lb_build [N]: build the topology drawn above with N backends
# (default 3, at most 9): namespaces cli, lb, sw, rs1..rsN, IPv6 off,
# offloads off on every veth. Sets TOPO_RS_NS, TOPO_RS_ADDR and
# TOPO_PLB_PORTS (a PLB_PORTS value for plb_conf_write).
topo_lb_build() {
	local n=${1:-3} i
	[ "$n" -ge 1 ] && [ "$n" -le 9 ] || e2e_fail "topo_lb_build: 1..9 backends, got $n"
	ns_create cli; ipv6_off cli
	ns_create lb; ipv6_off lb
	ns_create sw; ipv6_off sw
	veth_create lb p0 cli cli0
	veth_create lb p1 sw swlb
	addr_add cli cli0 "$TOPO_CLI/24"
	bridge_create sw br0
	bridge_attach sw br0 swlb
	TOPO_RS_NS=()
	TOPO_RS_ADDR=()
	for i in $(seq 1 "$n"); do
		ns_create "rs$i"; ipv6_off "rs$i"
		veth_create "rs$i" eth0 sw "swrs$i"
		bridge_attach sw br0 "swrs$i"
		addr_add "rs$i" eth0 "198.51.100.1$i/24"
		TOPO_RS_NS+=("rs$i")
		TOPO_RS_ADDR+=("198.51.100.1$i")
	done
	TOPO_PLB_PORTS="p0|net_af_packet0,iface=p0|$TOPO_P0_ADDR/24
p1|net_af_packet1,iface=p1|$TOPO_P1_ADDR/24"
	e2e_log "topology: cli $TOPO_CLI -> lb p0 [plb $TOPO_P0_ADDR, VIP $TOPO_VIP] p1 [plb $TOPO_P1_ADDR, laddr $TOPO_LADDR] -> sw br0 -> ${TOPO_RS_ADDR[*]}"
}

# svc_conf PROTO VIP PORT SCHED FWD LADDRS DPORT ADDR...: a `services` list
# with one service (LADDRS space separated, may be empty; every dest weight 1)
# for PLB_CONF_EXTRA.
svc_conf() {
	local proto=$1 vip=$2 port=$3 sched=$4 fwd=$5 laddrs=$6 dport=$7 a sep=""
	shift 7
	printf 'services = ( { proto = "%s"; vip = "%s"; port = %s; scheduler = "%s"; fwd = "%s";\n' \
		"$proto" "$vip" "$port" "$sched" "$fwd"
	if [ -n "$laddrs" ]; then
		printf '\tladdrs = [ '
		for a in $laddrs; do printf '%s"%s"' "$sep" "$a"; sep=", "; done
		printf ' ];\n'
	fi
	printf '\tdests = ( '
	sep=""
	for a in "$@"; do
		printf '%s{ addr = "%s"; port = %s; weight = 1; }' "$sep" "$a" "$dport"
		sep=", "
	done
	printf ' ); } );\n'
}

# http_server_start SHORT ADDR PORT BODY [KIND]: an HTTP server in SHORT on
# ADDR:PORT whose every answer is BODY (one line). KIND: nginx (the default
# for tests; Debian package nginx; it also sends the address it saw the
# request from in the header X-Peer) or python (python3 -m http.server serving
# an index.html). Waits until a request from inside SHORT gets BODY back.
http_server_start() {
	local ns=$1 addr=$2 port=$3 body=$4 kind=${5:-nginx} dir
	dir=$E2E_TMP/http-$ns
	mkdir -p "$dir"
	case $kind in
	nginx)
		e2e_require_cmd nginx
		cat >"$dir/nginx.conf" <<NGINX
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log stderr warn;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $dir/body;
	proxy_temp_path $dir/proxy;
	fastcgi_temp_path $dir/fastcgi;
	uwsgi_temp_path $dir/uwsgi;
	scgi_temp_path $dir/scgi;
	keepalive_timeout 0;
	server {
		listen $addr:$port;
		location / {
			default_type text/plain;
			add_header X-Peer "\$remote_addr:\$remote_port" always;
			return 200 "$body\n";
		}
	}
}
NGINX
		ns_exec "$ns" nginx -p "$dir" -e stderr -c "$dir/nginx.conf" >"$dir/server.log" 2>&1 &
		;;
	python)
		printf '%s\n' "$body" >"$dir/index.html"
		ns_exec "$ns" /usr/bin/python3 -m http.server --bind "$addr" --directory "$dir" "$port" \
			>"$dir/server.log" 2>&1 &
		;;
	*) e2e_fail "http_server_start: unknown server kind '$kind'" ;;
	esac
	E2E_PIDS+=($!)
	wait_for 10 "$kind on $addr:$port in $(ns_name "$ns")" http_body_is "$ns" "http://$addr:$port/" "$body" ||
		e2e_fail "$kind on $addr:$port in $(ns_name "$ns") did not answer '$body'; log: $(tail -n 5 "$dir/server.log")"
}

# http_get SHORT URL: one request with curl from SHORT (a new connection);
# prints the body, returns curl's status (0 only for a 2xx answer).
http_get() {
	ns_exec "$1" curl -sS --fail --max-time "${HTTP_TIMEOUT:-5}" --connect-timeout "${HTTP_TIMEOUT:-5}" "$2"
}

# http_body_is SHORT URL BODY: true if a GET of URL from SHORT returns BODY.
http_body_is() {
	[ "$(http_get "$1" "$2" 2>/dev/null)" = "$3" ]
}

# dest_json FILE VIP PORT ADDR FIELD: FIELD ("conns", "pkts_in", ...) of the
# dest ADDR of the service VIP:PORT in a stats file.
dest_json() {
	json_eval "$1" "[d['$5'] for s in j['services'] if s['vip'] == '$2' and s['port'] == $3 for d in s['dests'] if d['addr'] == '$4'][0]"
}

# services_print FILE: the services and their dests' counters in a stats
# file, one line per dest, for the log.
services_print() {
	/usr/bin/python3 - "$1" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
for s in j["services"]:
    print("    service %s %s:%d  sched %s  fwd %s  drop_no_dest %d drop_no_port %d drop_not_syn %d drop_conn_full %d"
          % (s["proto"], s["vip"], s["port"], s["scheduler"], s["fwd"], s["drop_no_dest"],
             s["drop_no_port"], s["drop_not_syn"], s["drop_conn_full"]))
    print("      %-20s %6s %6s %8s %6s %8s %8s %10s %10s" % ("dest", "weight", "active", "inactive",
          "conns", "pkts_in", "pkts_out", "bytes_in", "bytes_out"))
    for d in s["dests"]:
        print("      %-20s %6d %6d %8d %6d %8d %8d %10d %10d" % ("%s:%d" % (d["addr"], d["port"]),
              d["weight"], d["active_conns"], d["inactive_conns"], d["conns"], d["pkts_in"],
              d["pkts_out"], d["bytes_in"], d["bytes_out"]))
PY
}

# dest_conns FILE ADDR: conns of the dest ADDR summed over all services in a
# stats file (for delta).
dest_conns() {
	json_eval "$1" "sum(d['conns'] for s in j['services'] for d in s['dests'] if d['addr'] == '$2')"
}

# conns_now_is NAME COUNT: true if plb NAME holds COUNT conns over all
# workers (for wait_for).
conns_now_is() {
	local v
	v=$(plbctl "$1" stats --json | /usr/bin/python3 -c \
		'import json, sys; print(sum(w["conns"] for w in json.load(sys.stdin)["workers"]))') || return 1
	[ "$v" = "$2" ]
}
