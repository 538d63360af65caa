#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# plbctl end to end against a fake control socket (plbctl_fake.py, which
# logs every request): exit codes 0/1/2 and their messages, -a with a mode
# sending service.edit then dest.add (and plb's refusal once the service has
# dests), -S text, -C then -R of that text restoring the same state, -R
# stopping at the first refused line and naming it, save FILE, --json.
set -u
BUILD=${PLB_BUILD:-build}
PLBCTL=$BUILD/plbctl
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
SOCK=$TMP/plb.sock
LOG=$TMP/requests.log
FAKE_PID=
fail=0

cleanup() {
	[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null && wait "$FAKE_PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

[ -x "$PLBCTL" ] || { echo "FAIL: $PLBCTL not built"; exit 1; }
python3 "$HERE/plbctl_fake.py" "$SOCK" "$LOG" &
FAKE_PID=$!
for _ in $(seq 100); do
	[ -S "$SOCK" ] && break
	kill -0 "$FAKE_PID" 2>/dev/null || break
	timeout 0.1 tail -f /dev/null 2>/dev/null	# bounded wait between polls
done
[ -S "$SOCK" ] || { echo "FAIL: fake control socket did not appear"; exit 1; }
export PLB_SOCKET=$SOCK

# run EXPECTED_RC CMD...: output in $TMP/out, $TMP/err
run() {
	local want=$1 rc
	shift
	: > "$LOG"
	"$@" > "$TMP/out" 2> "$TMP/err"
	rc=$?
	if [ "$rc" != "$want" ]; then
		echo "FAIL: $* -> exit $rc, expected $want"; sed 's/^/  stderr: /' "$TMP/err"
		fail=1
	fi
}

# same FILE TEXT: FILE holds exactly TEXT
same() {
	if [ "$(cat "$1")" != "$2" ]; then
		echo "FAIL: $1 differs:"; diff <(printf '%s\n' "$2") "$1" | sed 's/^/  /'
		fail=1
	fi
}

run 0 "$PLBCTL" -A -t 192.0.2.100:80 -s rr
same "$LOG" '{"cmd": "service.add", "port": 80, "proto": "tcp", "scheduler": "rr", "v": 1, "vip": "192.0.2.100"}'
same "$TMP/out" ''

# the service is fnat: -m switches it to nat before the first dest
run 0 "$PLBCTL" -a -t 192.0.2.100:80 -r 198.51.100.11:8080 -m -w 2
same "$LOG" '{"cmd": "service.list", "v": 1}
{"cmd": "service.edit", "fwd": "nat", "port": 80, "proto": "tcp", "v": 1, "vip": "192.0.2.100"}
{"addr": "198.51.100.11", "cmd": "dest.add", "dport": 8080, "port": 80, "proto": "tcp", "v": 1, "vip": "192.0.2.100", "weight": 2}'
run 0 "$PLBCTL" -a -t 192.0.2.100:80 -r 198.51.100.12:8080 -m -x 100
same "$LOG" '{"cmd": "service.list", "v": 1}
{"addr": "198.51.100.12", "cmd": "dest.add", "dport": 8080, "port": 80, "proto": "tcp", "u_threshold": 100, "v": 1, "vip": "192.0.2.100"}'
# another mode once it has dests: refused by plb, exit 1, nothing added
run 1 "$PLBCTL" -a -t 192.0.2.100:80 -r 198.51.100.13:8080 -g
same "$TMP/err" 'plbctl: service.edit: fwd: cannot change the forwarding mode of a service that has dests'
run 0 "$PLBCTL" service add udp 192.0.2.100:53 --sched sh --laddr 198.51.100.200
run 0 "$PLBCTL" dest add udp 192.0.2.100:53 198.51.100.13
run 0 "$PLBCTL" service add tcp 192.0.2.101:443 --fwd dr

# usage errors: exit 2, the message, then the usage
run 2 "$PLBCTL" -A -t 192.0.2.100:80 -p 300
same <(head -1 "$TMP/err") 'plbctl: persistence (-p) is not supported yet'
grep -q '^usage: plbctl' "$TMP/err" || { echo "FAIL: no usage after a usage error"; fail=1; }
same "$LOG" ''
run 2 "$PLBCTL" service frob
same <(head -1 "$TMP/err") 'plbctl: service: unknown action "frob" (expected add, edit, del or list)'
run 0 "$PLBCTL" --help
grep -q '^usage: plbctl' "$TMP/out" || { echo "FAIL: --help prints no usage"; fail=1; }

run 0 "$PLBCTL" -S -n
RULES='-A -t 192.0.2.100:80 -s rr
-a -t 192.0.2.100:80 -r 198.51.100.11:8080 -m -w 2
-a -t 192.0.2.100:80 -r 198.51.100.12:8080 -m -w 1 -x 100
-A -u 192.0.2.100:53 -s sh --laddr 198.51.100.200
-a -u 192.0.2.100:53 -r 198.51.100.13 -b -w 1
-A -t 192.0.2.101:443 -s wlc -g'
same "$TMP/out" "$RULES"
cp "$TMP/out" "$TMP/rules"
run 0 "$PLBCTL" --json service list
cp "$TMP/out" "$TMP/before.json"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/before.json" ||
	{ echo "FAIL: --json output is not JSON"; fail=1; }

# -C, then -R of the -S text: the same state again
run 0 "$PLBCTL" -C
run 0 "$PLBCTL" -R < "$TMP/rules"
run 0 "$PLBCTL" --json service list
same "$TMP/out" "$(cat "$TMP/before.json")"

# -R stops at the first refused line and names it
printf '%s\n' '-D -t 192.0.2.101:443' '# comment' '-A -t 192.0.2.100:80 -s rr' \
	'-D -u 192.0.2.100:53' > "$TMP/bad"
run 1 "$PLBCTL" -R < "$TMP/bad"
same "$TMP/err" 'plbctl: -R: line 3: service.add: service tcp 192.0.2.100:80 exists'
same "$LOG" '{"cmd": "service.del", "port": 443, "proto": "tcp", "v": 1, "vip": "192.0.2.101"}
{"cmd": "service.add", "port": 80, "proto": "tcp", "scheduler": "rr", "v": 1, "vip": "192.0.2.100"}'
# a line that does not parse: exit 2 and nothing sent
printf '%s\n' '-D -u 192.0.2.100:53' '-a -t 192.0.2.100:80 -r 198.51.100.99 -w 99999' > "$TMP/bad"
run 2 "$PLBCTL" -R < "$TMP/bad"
same "$TMP/err" 'plbctl: -R: line 2: -w "99999": expected an integer 0..65535'
same "$LOG" ''

run 0 "$PLBCTL" save "$TMP/saved.conf"
same "$TMP/saved.conf" 'services = (); # 2 services'
same "$TMP/out" ''
run 0 "$PLBCTL" -L -n
same <(head -1 "$TMP/out") 'IP Virtual Server version 1.2.1 (size=4096)'
same <(sed -n 4p "$TMP/out") 'TCP  192.0.2.100:80 rr'

# plb not there: exit 1
run 1 "$PLBCTL" -s "$TMP/none.sock" stats
grep -q "cannot connect to $TMP/none.sock" "$TMP/err" || { echo "FAIL: no connect error"; fail=1; }

[ "$fail" = 0 ] && echo "test_plbctl_main: all passed"
exit $fail
