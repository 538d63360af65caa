#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# e2e: save -> restart -> the same state, and ipvsadm's -S -> -C -> -R.
# Topology lib.sh topo_lb_build 3, nginx :8080 on rs1..rs3; plb starts with
# FNAT tcp/80 rr -> rs1, rs2. Changes through plbctl: rs3 added (weight 3,
# thresholds), rs1 weight 0, rs2 marked down then up, wrr, a second FNAT
# service with expire_quiescent, a UDP dr service with mh options. Then
# `plbctl save FILE`; `plb -t -c FILE` accepts it; plb is stopped and started
# with `plb -c FILE`: service.list is identical and traffic follows the saved
# weights (rs1 at weight 0 gets nothing). Then the state is made
# ipvsadm-expressible (no sched_opts, no expire_quiescent: -S has no form for
# them) and `plbctl -S` -> `plbctl -C` (nothing left) -> `plbctl -R` gives
# an identical service.list again, and traffic flows.
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
PLB_PORTS=$TOPO_PLB_PORTS
PLB_MODULES="proto_ipv4 proto_arp proto_icmp proto_tcp proto_udp hook_defence hook_vs"
PLB_CONF_EXTRA=$(svc_list "$(svc_item tcp "$V" 80 rr fnat "$TOPO_LADDR" "$RS1:8080" "$RS2:8080")")
plb_start sr lb
SOCK=${E2E_PLB_SOCK[sr]}

# ctl ARGS...: plbctl against plb 'sr', which must accept
ctl() { plbctl sr "$@" >"$S/ctl.out" 2>&1 || e2e_fail "plbctl $* failed: $(cat "$S/ctl.out")"; }
# list_to FILE: service.list (JSON) of plb 'sr' to FILE
list_to() { plbctl sr service list --json >"$1" || e2e_fail "plbctl service list --json failed"; }
# same_list WHAT A B: the two service.list files are equal JSON
same_list() {
	/usr/bin/python3 -c 'import json, sys; sys.exit(json.load(open(sys.argv[1])) != json.load(open(sys.argv[2])))' "$2" "$3" ||
		e2e_fail "$1: service.list differs:
$(diff <(/usr/bin/python3 -m json.tool --sort-keys "$2") <(/usr/bin/python3 -m json.tool --sort-keys "$3"))"
	e2e_log "ok: $1: service.list identical ($(json_eval "$3" 'len(j)') services, $(json_eval "$3" 'sum(len(s["dests"]) for s in j)') dests)"
}

# ---- changes through plbctl ---------------------------------------------------
ctl dest add tcp "$V:80" "$RS3:8080" --weight 3 --upper 1000 --lower 10
ctl dest edit tcp "$V:80" "$RS1:8080" --weight 0
ctl dest edit tcp "$V:80" "$RS2:8080" --down
ctl dest edit tcp "$V:80" "$RS2:8080" --up --weight 2
ctl service edit tcp "$V:80" --sched wrr
ctl service add tcp "$V:81" --sched wlc --fwd fnat --laddr "$TOPO_LADDR" --expire-quiescent
ctl dest add tcp "$V:81" "$RS1:8080" --weight 5
ctl service add udp "$V:53" --sched mh --fwd dr --sched-opt table_size=251 --ops
ctl dest add udp "$V:53" "$RS2"
ctl dest add udp "$V:53" "$RS3" --weight 2
list_to "$S/before.json"
e2e_log "state after 10 changes: $(json_eval "$S/before.json" '[(s["proto"], s["port"], s["scheduler"], s["fwd"], [(d["addr"], d["weight"]) for d in s["dests"]]) for s in j]')"

# ---- save, check, restart --------------------------------------------------
ctl save "$S/saved.conf"
grep -q 'table_size = 251' "$S/saved.conf" || e2e_fail "the saved file lacks mh's sched_opts: $(cat "$S/saved.conf")"
out=$(cd "$E2E_ROOT" && ip netns exec "$(ns_name lb)" "$E2E_PLB" -t -c "$S/saved.conf" 2>&1) ||
	e2e_fail "plb -t rejects the saved file: $out"
e2e_log "ok: plb -t: $(echo "$out" | tail -n 1)"
plb_stop sr 10
expect_eq "plb exit status after SIGTERM" "$E2E_RC" 0
PLB_SOCK=$SOCK plb_start sr lb "$S/saved.conf"
list_to "$S/after.json"
same_list "save -> plb -c FILE" "$S/before.json" "$S/after.json"

# traffic follows the saved state: wrr 0:2:3 over rs1:rs2:rs3
http_load cli "http://$V/" 50
expect_eq "after the restart: failed requests" "$HTTP_FAIL" 0
expect_split "after the restart: rs1 (weight 0)" HTTP_SPLIT rs1 0 0
expect_split "after the restart: rs2 (weight 2)" HTTP_SPLIT rs2 19 21
expect_split "after the restart: rs3 (weight 3)" HTTP_SPLIT rs3 29 31
http_load cli "http://$V:81/" 5
expect_split "after the restart: the second service" HTTP_SPLIT rs1 5 5

# ---- -S -> -C -> -R --------------------------------------------------------
# what -S cannot express goes first (docs/control.md: plbctl save writes everything)
ctl service edit tcp "$V:81" --no-expire-quiescent
ctl service del udp "$V:53"
ctl service add udp "$V:53" --sched mh --fwd dr --ops
ctl dest add udp "$V:53" "$RS2"
ctl dest add udp "$V:53" "$RS3" --weight 2
list_to "$S/before_S.json"
"$E2E_PLBCTL" --socket "$SOCK" -S -n >"$S/rules" 2>"$S/err" || e2e_fail "plbctl -S failed: $(cat "$S/err")"
e2e_log "plbctl -S -n:"
sed 's/^/    /' "$S/rules"
"$E2E_PLBCTL" --socket "$SOCK" -C 2>"$S/err" || e2e_fail "plbctl -C failed: $(cat "$S/err")"
list_to "$S/cleared.json"
expect_eq "services after -C" "$(json_eval "$S/cleared.json" 'len(j)')" 0
"$E2E_PLBCTL" --socket "$SOCK" -R <"$S/rules" 2>"$S/err" || e2e_fail "plbctl -R failed: $(cat "$S/err")"
list_to "$S/after_R.json"
same_list "-S -> -C -> -R" "$S/before_S.json" "$S/after_R.json"
http_load cli "http://$V/" 25
expect_eq "after -R: failed requests" "$HTTP_FAIL" 0
expect_split "after -R: rs1 (weight 0)" HTTP_SPLIT rs1 0 0

plb_stop sr 10
expect_eq "plb exit status after SIGTERM" "$E2E_RC" 0
