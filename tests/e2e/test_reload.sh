#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# e2e: reload of the services from a file, by `plbctl reload FILE` and by
# SIGHUP (the file plb started with). Topology lib.sh topo_lb_build 3, nginx
# :8080 on rs1..rs3; plb starts with FNAT tcp/80 rr -> rs1, rs2 and a Lua
# script that logs every "reload" event. Checks: a good changed file is
# applied (service.list, and the HTTP split follows: wrr 1:3 over rs2, rs3
# after plbctl reload; rr over rs1, rs3 after SIGHUP) and fires Lua's reload
# event; plbctl restore FILE does the same; a bad file (a syntax error, an
# unknown scheduler, a fnat service with dests but no laddrs) changes nothing
# (service.list identical, requests still answered with the same split) and
# says why: plbctl exits 1 with plb's message, SIGHUP logs it. Also plbctl's lua
# status and acl set/del from a 4001-line file (3 requests) against this plb.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/traffic.sh"

e2e_require_root
e2e_require_cmd ip ethtool curl nginx

S=$E2E_TMP
V=$TOPO_VIP

topo_lb_build 3
for i in "${!TOPO_RS_NS[@]}"; do
	http_server_start "${TOPO_RS_NS[$i]}" "${TOPO_RS_ADDR[$i]}" 8080 "${TOPO_RS_NS[$i]}" nginx
done
RS1=${TOPO_RS_ADDR[0]} RS2=${TOPO_RS_ADDR[1]} RS3=${TOPO_RS_ADDR[2]}
cat >"$S/policy.lua" <<'LUA'
plb.on("reload", function(e) plb.log("notice", "reload event: " .. e.what) end)
LUA
PLB_PORTS=$TOPO_PLB_PORTS
PLB_MODULES="proto_ipv4 proto_arp proto_icmp proto_tcp proto_udp hook_defence hook_vs"
LUA_CONF="lua = { scripts = [ \"$S/policy.lua\" ]; };"

# conf_with FILE SERVICES: the plb config of instance 'rl' with SERVICES (a services section)
conf_with() {
	PLB_CONF_EXTRA="$2
$LUA_CONF" plb_conf_write rl "$1"
}
conf_with "$S/rl.conf" "$(svc_list "$(svc_item tcp "$V" 80 rr fnat "$TOPO_LADDR" "$RS1:8080" "$RS2:8080")")"
plb_start rl lb "$S/rl.conf"
LOG=$(plb_log_of rl)

list_to() { plbctl rl service list --json >"$1" || e2e_fail "plbctl service list --json failed"; }
same_list() {
	/usr/bin/python3 -c 'import json, sys; sys.exit(json.load(open(sys.argv[1])) != json.load(open(sys.argv[2])))' "$2" "$3" ||
		e2e_fail "$1: service.list changed: $(diff "$2" "$3")"
	e2e_log "ok: $1: service.list unchanged"
}
# dests_are ADDR...: the service's dests are exactly ADDR... (for wait_for)
dests_are() {
	list_to "$S/now.json"
	[ "$(json_eval "$S/now.json" '" ".join(sorted(d["addr"] for d in j[0]["dests"]))')" = "$*" ]
}
events() { grep -c 'reload event: config' "$LOG"; }
events_ge() { [ "$(events)" -ge "$1" ]; }

http_load cli "http://$V/" 20
expect_split_rr "start: rr over rs1, rs2" HTTP_SPLIT 20 rs1 rs2

# ---- plbctl reload of a good file -------------------------------------------
conf_with "$S/b.conf" "$(svc_list "$(svc_item tcp "$V" 80 wrr fnat "$TOPO_LADDR" "$RS2:8080:1" "$RS3:8080:3")")"
out=$(plbctl rl reload "$S/b.conf" 2>&1) || e2e_fail "plbctl reload of a good file failed: $out"
expect_eq "plbctl reload's output" "$out" "reloaded $S/b.conf: 1 service"
dests_are "$RS2 $RS3" || e2e_fail "after plbctl reload the dests are $(json_eval "$S/now.json" '[d["addr"] for d in j[0]["dests"]]')"
expect_eq "scheduler after plbctl reload" "$(json_eval "$S/now.json" 'j[0]["scheduler"]')" wrr
http_load cli "http://$V/" 40
expect_eq "after plbctl reload: failed requests" "$HTTP_FAIL" 0
expect_split "after plbctl reload: rs2 (weight 1)" HTTP_SPLIT rs2 9 11
expect_split "after plbctl reload: rs3 (weight 3)" HTTP_SPLIT rs3 29 31
expect_split_only "after plbctl reload" HTTP_SPLIT rs2 rs3
wait_for 5 "Lua's reload event after plbctl reload" events_ge 1 ||
	e2e_fail "no 'reload event: config' line in plb's log after plbctl reload"
e2e_log "ok: Lua's reload handler ran: $(grep -m1 'reload event' "$LOG")"

# ---- SIGHUP: the start file, changed ---------------------------------------
conf_with "$S/rl.conf" "$(svc_list "$(svc_item tcp "$V" 80 rr fnat "$TOPO_LADDR" "$RS1:8080" "$RS3:8080")")"
kill -HUP "${E2E_PLB_PID[rl]}"
wait_for 10 "SIGHUP to apply rs1, rs3" dests_are "$RS1 $RS3" ||
	e2e_fail "after SIGHUP the dests are $(json_eval "$S/now.json" '[d["addr"] for d in j[0]["dests"]]')"
http_load cli "http://$V/" 20
expect_eq "after SIGHUP: failed requests" "$HTTP_FAIL" 0
expect_split_rr "after SIGHUP: rr over rs1, rs3" HTTP_SPLIT 20 rs1 rs3
wait_for 5 "Lua's reload event after SIGHUP" events_ge 2 || e2e_fail "no second reload event after SIGHUP"
list_to "$S/good.json"

# ---- bad files change nothing ------------------------------------------------
# bad_reload WHAT FILE REASON: plbctl reload FILE exits 1 with REASON and "(nothing
# changed)"; then the same text in the start file and SIGHUP: the log says REASON
# (@FILE@ in REASON: the file's name)
bad_reload() {
	local what=$1 file=$2 why=$3 out rc n reason
	reason=${why//@FILE@/$file}
	out=$(plbctl rl reload "$file" 2>&1)
	rc=$?
	expect_eq "plbctl reload ($what): exit status" "$rc" 1
	case $out in
	"plbctl: reload: "*"$reason"*"(nothing changed)") e2e_log "ok: plbctl says: $out" ;;
	*) e2e_fail "plbctl reload ($what): expected 'plbctl: reload: ...$reason... (nothing changed)', got: $out" ;;
	esac
	list_to "$S/after.json"
	same_list "plbctl reload ($what)" "$S/good.json" "$S/after.json"
	cp "$file" "$S/rl.conf"
	n=$(grep -c 'SIGHUP: reload refused' "$LOG")
	kill -HUP "${E2E_PLB_PID[rl]}"
	wait_for 10 "the SIGHUP refusal in the log" bash -c "[ \$(grep -c 'SIGHUP: reload refused' '$LOG') -gt $n ]" ||
		e2e_fail "SIGHUP with a bad file ($what): no 'SIGHUP: reload refused' in the log"
	reason=${why//@FILE@/$S/rl.conf}
	grep 'SIGHUP: reload refused' "$LOG" | tail -n 1 | grep -qF -- "$reason" ||
		e2e_fail "SIGHUP ($what): the log does not say '$reason': $(grep 'SIGHUP: reload refused' "$LOG" | tail -n 1)"
	e2e_log "ok: SIGHUP logs: $(grep 'SIGHUP: reload refused' "$LOG" | tail -n 1)"
	list_to "$S/after.json"
	same_list "SIGHUP ($what)" "$S/good.json" "$S/after.json"
	http_load cli "http://$V/" 10
	expect_eq "after the bad reloads ($what): failed requests" "$HTTP_FAIL" 0
	expect_split_rr "after the bad reloads ($what): still rr over rs1, rs3" HTTP_SPLIT 10 rs1 rs3
}

sed 's/port = 80;/port = = 80;/' "$S/b.conf" >"$S/bad_syntax.conf"
bad_reload "syntax error" "$S/bad_syntax.conf" \
	"@FILE@:$(grep -n 'port = = 80' "$S/bad_syntax.conf" | cut -d: -f1): syntax error"
conf_with "$S/bad_sched.conf" "$(svc_list "$(svc_item tcp "$V" 80 fastest fnat "$TOPO_LADDR" "$RS1:8080")")"
bad_reload "unknown scheduler" "$S/bad_sched.conf" \
	"@FILE@:$(grep -n 'fastest' "$S/bad_sched.conf" | cut -d: -f1): services[0].scheduler: $E2E_BUILD/modules/sched_fastest.so: cannot load: No such file or directory"
conf_with "$S/bad_fnat.conf" "$(svc_list "$(svc_item tcp "$V" 80 rr fnat "" "$RS1:8080")")"
bad_reload "fnat with dests, no laddrs" "$S/bad_fnat.conf" \
	"@FILE@:$(grep -n 'fnat' "$S/bad_fnat.conf" | cut -d: -f1): services[0] $V:80/tcp: fnat: needs laddrs (local addresses towards the real servers"

# ---- restore FILE: the same as reload ------------------------------------------
out=$(plbctl rl restore "$S/b.conf" 2>&1) || e2e_fail "plbctl restore failed: $out"
expect_eq "plbctl restore's output" "$out" "reloaded $S/b.conf: 1 service"
dests_are "$RS2 $RS3" || e2e_fail "after plbctl restore the dests are $(json_eval "$S/now.json" '[d["addr"] for d in j[0]["dests"]]')"
http_load cli "http://$V/" 8
expect_eq "after restore: failed requests" "$HTTP_FAIL" 0
expect_split_only "after restore" HTTP_SPLIT rs2 rs3

# ---- the other new verbs against this plb: lua status, acl from a file ------------
out=$(plbctl rl lua status 2>&1) || e2e_fail "plbctl lua status failed: $out"
echo "$out" | grep -q "^scripts  *$S/policy.lua\$" || e2e_fail "plbctl lua status does not list the script: $out"
echo "$out" | grep -q '^handlers  *1$' || e2e_fail "plbctl lua status: expected 1 handler: $out"
e2e_log "ok: plbctl lua status: $(echo "$out" | tr -s ' ' | tr '\n' ';')"
/usr/bin/python3 -c 'for i in range(4001): print("10.%d.%d.0/24  # host %d" % (i // 256, i % 256, i))' >"$S/deny.txt"
out=$(plbctl rl acl add deny tcp "$V:80" 198.18.0.0/15 2>&1) || e2e_fail "plbctl acl add failed: $out"
expect_eq "plbctl acl add" "$out" "tcp $V:80 deny list: 1 prefix"
out=$(plbctl rl acl set deny tcp "$V:80" --file "$S/deny.txt" 2>&1) || e2e_fail "plbctl acl set --file failed: $out"
expect_eq "plbctl acl set of 4001 prefixes (3 requests: set, add, add)" "$out" "tcp $V:80 deny list: 4001 prefixes"
plbctl rl --json acl list deny tcp "$V:80" >"$S/acl.json" || e2e_fail "plbctl acl list failed"
expect_eq "198.18.0.0/15 replaced by the set" \
	"$(json_eval "$S/acl.json" '"198.18.0.0/15" in j[0]["deny"]["prefixes"]')" False
out=$(plbctl rl acl del deny tcp "$V:80" 10.0.0.0/24 10.15.160.0/24 2>&1) || e2e_fail "plbctl acl del failed: $out"
expect_eq "plbctl acl del of 2" "$out" "tcp $V:80 deny list: 3999 prefixes"
out=$(plbctl rl acl set deny tcp "$V:80" 2>&1) || e2e_fail "plbctl acl set (clear) failed: $out"
expect_eq "plbctl acl set with no prefixes" "$out" "tcp $V:80 deny list: 0 prefixes"

cp "$S/b.conf" "$S/rl.conf"
plb_stop rl 10
expect_eq "plb exit status after SIGTERM" "$E2E_RC" 0
