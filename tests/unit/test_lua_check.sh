#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# plb -t runs the Lua scripts' top level (plb_lua_check): a good script that
# changes a configured service's weight, marks a dest down and sets a deny
# list exits 0 ("configuration ok"); a script with a syntax error, and one
# failing at load (an unknown dest), exit 1 with the script's file:line; a
# missing script exits 1 naming it. Runs build/plb: no EAL, no network.
set -u
BUILD=${PLB_BUILD:-build}
PLB=$BUILD/plb
TMP=$(mktemp -d)
fail=0

cleanup() {
	rm -rf "$TMP"
}
trap cleanup EXIT

[ -x "$PLB" ] || { echo "FAIL: $PLB not built"; exit 1; }
MODS=$(cd "$BUILD/modules" && pwd)

# conf NAME SCRIPT: a config with one service and lua.scripts = [ SCRIPT ].
conf() {
	cat >"$TMP/$1.conf" <<EOF
modules = { path = "$MODS"; };
services = (
  { proto = "tcp"; vip = "192.0.2.100"; port = 80; scheduler = "rr"; fwd = "dr";
    dests = ( { addr = "198.51.100.11"; weight = 2; }, { addr = "198.51.100.12"; } ); }
);
lua = { scripts = [ "$2" ]; };
EOF
}

# check NAME WANT_RC WANT_TEXT: plb -t on NAME.conf exits WANT_RC and says WANT_TEXT.
check() {
	local rc
	"$PLB" -t -c "$TMP/$1.conf" >"$TMP/out" 2>&1
	rc=$?
	if [ "$rc" != "$2" ]; then
		echo "FAIL: $1: plb -t exited $rc, expected $2:"; cat "$TMP/out"; fail=1
	elif ! grep -qF -- "$3" "$TMP/out"; then
		echo "FAIL: $1: output lacks \"$3\":"; cat "$TMP/out"; fail=1
	else
		echo "ok: $1: exit $rc, \"$3\""
	fi
}

cat >"$TMP/good.lua" <<'EOF'
local s = plb.services()
assert(#s == 1 and s[1].name == "tcp:192.0.2.100:80" and s[1].dests[1].weight == 2)
plb.set_weight("tcp:192.0.2.100:80", "198.51.100.11", 5)
plb.down("tcp:192.0.2.100:80", "198.51.100.12")
plb.set_deny({ "203.0.113.0/24" })
plb.every(1, function() error("timers never run under plb -t") end)
EOF
conf good "$TMP/good.lua"
check good 0 "configuration ok"

printf 'plb.log("info", "line 1")\nplb.set_weight("tcp:192.0.2.100:80",\n  "198.51.100.11" 7)\n' \
	>"$TMP/syntax.lua"
conf syntax "$TMP/syntax.lua"
check syntax 1 "$TMP/syntax.lua:3: ')' expected (to close '(' at line 2) near '7'"

printf 'local x = 1\n\nplb.down("tcp:192.0.2.100:80", "198.51.100.99")\n' >"$TMP/runtime.lua"
conf runtime "$TMP/runtime.lua"
check runtime 1 "$TMP/runtime.lua:3: plb.down: unknown dest 198.51.100.99:80 in service tcp:192.0.2.100:80"

conf missing "$TMP/none.lua"
check missing 1 "$TMP/none.lua: cannot read"

exit $fail
