# SPDX-License-Identifier: BSD-3-Clause
# tests/e2e/lib.sh: topology and process helpers for every e2e test. Source it
# from a test script; it installs a cleanup trap at once. Every name it makes
# (namespaces, DPDK file prefixes, control sockets) carries this run's id
# (E2E_ID, from $$) so tests never collide with each other or with the demo.
# Needs root, iproute2, ethtool, python3. Run from anywhere: paths are
# resolved from the repository root (PLB_BUILD overrides the build folder).

E2E_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
E2E_BUILD=${PLB_BUILD:-build}
case $E2E_BUILD in /*) ;; *) E2E_BUILD=$E2E_ROOT/$E2E_BUILD ;; esac
E2E_PLB=$E2E_BUILD/plb
E2E_PLBCTL=$E2E_BUILD/plbctl
E2E_ID=plbt$$				# prefix of every name this run makes
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
	local rc=$? name pid ns
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
	for ns in $(ip netns list 2>/dev/null | awk -v p="$E2E_ID-" 'index($1, p) == 1 { print $1 }'); do
		# processes left in the namespace (a client that hung) go first
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
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
