#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# plb's command line and start-up failures: `plb -t` accepts a good file and
# refuses a bad one with file:line; a module the config asks for that cannot
# load stops start-up (in -t mode and for real, after EAL is up) with one line
# naming the file and the reason and a non-zero exit; bad arguments exit 2.
set -u
B=${PLB_BUILD:-build}
T=$(mktemp -d /tmp/plb-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
ok()   { echo "  ok: $*"; }
fail() { echo "  FAIL: $*"; fails=$((fails + 1)); }

# expect RC PATTERN -- CMD...: exit code RC and a line of output matching PATTERN
expect() {
	local want_rc=$1 pat=$2; shift 3
	"$@" >"$T/out" 2>&1; local rc=$?
	if [ "$rc" != "$want_rc" ]; then fail "$* exited $rc, expected $want_rc"; sed 's/^/    /' "$T/out"; return; fi
	if ! grep -qE -- "$pat" "$T/out"; then fail "$*: no line matching /$pat/"; sed 's/^/    /' "$T/out"; return; fi
	ok "$* -> $rc, /$pat/"
}

cat >"$T/good.conf" <<CONF
eal = ["--no-huge", "-m", "256", "--no-pci", "--file-prefix=plbcli$$"];
modules = { path = "$B/modules"; load = ["proto_ipv4", "proto_arp", "proto_icmp"]; };
CONF
expect 0 "configuration ok" -- "$B/plb" -t -c "$T/good.conf"

cat >"$T/badkey.conf" <<CONF
workers = { count = 1; };
worker = { count = 2; };
CONF
expect 1 "badkey.conf:2: worker: unknown key" -- "$B/plb" -t -c "$T/badkey.conf"
expect 1 "cannot read" -- "$B/plb" -t -c "$T/nonexistent.conf"

cat >"$T/nomod.conf" <<CONF
modules = { path = "$B/modules"; load = ["proto_ipv4", "sched_nosuch"]; };
CONF
expect 1 "nomod.conf:1: modules.load\[1\]: $B/modules/sched_nosuch.so: cannot load: No such file" \
	-- "$B/plb" -t -c "$T/nomod.conf"

cat >"$T/broken.conf" <<CONF
modules = { path = "$B/tests/broken"; load = ["sched_initfail"]; };
CONF
expect 1 "init failed: threshold must be below 10" -- "$B/plb" -t -c "$T/broken.conf"
n=$(grep -c "plb: err" "$T/out"); [ "$n" = 1 ] && ok "one error line" || fail "expected one error line, got $n"

# for real: EAL up, port up, then the module fails: exit 1, nothing left behind
cat >"$T/broken-run.conf" <<CONF
eal = ["--no-huge", "-m", "256", "--no-pci", "--file-prefix=plbcli$$", "--vdev=net_null0"];
modules = { path = "$B/tests/broken"; load = ["sched_initfail"]; };
ports = ( { name = "p0"; dev = "net_null0"; } );
control = { socket = "$T/plb.sock"; };
CONF
expect 1 "modules.load\[0\]: .*sched_initfail.so: init failed" -- timeout 30 "$B/plb" -c "$T/broken-run.conf"
[ ! -e "$T/plb.sock" ] && ok "no control socket left" || fail "control socket left behind"

# a port that cannot be probed: named with file and line
cat >"$T/badport.conf" <<CONF
eal = ["--no-huge", "-m", "256", "--no-pci", "--file-prefix=plbcli$$"];
modules = { path = "$B/modules"; load = []; };
ports = (
  { name = "p0"; dev = "net_nosuchpmd0"; }
);
CONF
expect 1 "badport.conf:4: ports: port p0: cannot probe device \"net_nosuchpmd0\"" -- timeout 30 "$B/plb" -c "$T/badport.conf"

# two workers on a device with one TX queue (a pcap vdev with one tx_pcap): refused,
# with the fix in the message
printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x01\x00\x00\x00' >"$T/empty.pcap"
cat >"$T/queues.conf" <<CONF
eal = ["--no-huge", "-m", "256", "--no-pci", "--file-prefix=plbcli$$"];
workers = { count = 2; };
ports = ( { name = "p0"; dev = "net_pcap0,rx_pcap=$T/empty.pcap,tx_pcap=$T/out.pcap"; } );
control = { socket = "$T/plb.sock"; };
CONF
expect 1 "offers 1 TX queue\(s\), the 2 workers need one each" -- timeout 30 "$B/plb" -c "$T/queues.conf"

# control socket ownership and mode: control.owner / control.group / control.mode
cat >"$T/owner.conf" <<CONF
eal = ["--no-huge", "-m", "256", "--no-pci", "--file-prefix=plbcli$$", "--vdev=net_null0"];
ports = ( { name = "p0"; dev = "net_null0"; } );
workers = { count = 1; poll = "adaptive"; };
control = { socket = "$T/own.sock"; owner = "0"; group = "daemon"; mode = "0660"; };
CONF
timeout 30 "$B/plb" -c "$T/owner.conf" >"$T/own.log" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -S "$T/own.sock" ] && break; sleep 0.1; done
got=$(stat -c '%U:%G %a' "$T/own.sock" 2>/dev/null)
kill -TERM $pid 2>/dev/null; wait $pid
[ "$got" = "root:daemon 660" ] && ok "control socket is root:daemon 660" || { fail "control socket is '$got', expected root:daemon 660"; cat "$T/own.log"; }
sed -i 's/group = "daemon"/group = "no_such_group_plb"/' "$T/owner.conf"
expect 1 "control.group: no group \"no_such_group_plb\"" -- timeout 30 "$B/plb" -c "$T/owner.conf"

# EAL override after --: a bad option from the command line reaches EAL and fails it
expect 1 "rte_eal_init failed" -- timeout 30 "$B/plb" -c "$T/good.conf" -- --no-such-eal-option
expect 2 "usage: plb" -- "$B/plb" -x
expect 2 "unexpected argument" -- "$B/plb" -c "$T/good.conf" stray
expect 0 "usage: plb" -- "$B/plb" -h

[ "$fails" = 0 ] && echo "test_plb_cli: all passed" || { echo "test_plb_cli: $fails failed"; exit 1; }
