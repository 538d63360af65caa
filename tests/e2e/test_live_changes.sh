#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# e2e: 200 live changes through plbctl under traffic, and not one failed
# request. Topology lib.sh topo_lb_build 4: FNAT tcp/80 (wrr, local address
# 198.51.100.200) -> nginx :8080 on rs1..rs3, rs4 idle at first. Two wrk
# clients run through plb for the whole test: keep-alive connections (their
# conns stay on their dest through every change, removals included) and a
# "Connection: close" run (a new conn, so a new scheduling decision, per
# request). Meanwhile a driver makes 200 changes with plbctl: re-weights
# (0..5, one dest always > 0), rs4 and rs3 removed and added back, a second
# service added and removed, the scheduler cycled rr -> wrr -> wlc. After
# each change it waits until plb schedules new conns (vs.conn_new moves), so
# every change meets traffic. Checks: wrk's socket errors and non-2xx
# answers are 0 for both runs, each ran many requests, service.list at the
# end is what the driver expects, and rs4 was scheduled while it was a dest.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/traffic.sh"

e2e_require_root
e2e_require_cmd ip ethtool curl nginx wrk

S=$E2E_TMP
CHANGES=${E2E_LIVE_CHANGES:-200}
PORT=8080

# nginx_ka_start SHORT ADDR BODY: nginx on ADDR:8080 in SHORT answering BODY,
# keep-alive on (lib.sh's http_server_start closes after every answer).
nginx_ka_start() {
	local ns=$1 addr=$2 body=$3 dir=$E2E_TMP/nginx-$1
	mkdir -p "$dir"
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
	keepalive_timeout 120s;
	keepalive_requests 10000000;
	server {
		listen $addr:$PORT;
		location / { default_type text/plain; return 200 "$body\n"; }
	}
}
NGINX
	ns_exec "$ns" nginx -p "$dir" -e stderr -c "$dir/nginx.conf" >"$dir/server.log" 2>&1 &
	E2E_PIDS+=($!)
	wait_for 10 "nginx on $addr:$PORT in $(ns_name "$ns")" http_body_is "$ns" "http://$addr:$PORT/" "$body" ||
		e2e_fail "nginx on $addr:$PORT did not answer: $(tail -n 5 "$dir/server.log")"
}

topo_lb_build 4
for i in "${!TOPO_RS_NS[@]}"; do
	nginx_ka_start "${TOPO_RS_NS[$i]}" "${TOPO_RS_ADDR[$i]}" "${TOPO_RS_NS[$i]}"
done
RS1=${TOPO_RS_ADDR[0]} RS2=${TOPO_RS_ADDR[1]} RS3=${TOPO_RS_ADDR[2]} RS4=${TOPO_RS_ADDR[3]}
PLB_PORTS=$TOPO_PLB_PORTS
PLB_MODULES="proto_ipv4 proto_arp proto_icmp proto_tcp proto_udp hook_defence hook_vs"
PLB_CONF_EXTRA=$(svc_list "$(svc_item tcp "$TOPO_VIP" 80 wrr fnat "$TOPO_LADDR" "$RS1:$PORT" "$RS2:$PORT" "$RS3:$PORT")")
plb_start live lb
http_body_is cli "http://$TOPO_VIP/" rs1 || http_body_is cli "http://$TOPO_VIP/" rs2 ||
	http_body_is cli "http://$TOPO_VIP/" rs3 || e2e_fail "no answer through plb before the test"
stats_save live "$S/s0.json"

# ---- traffic for the whole test ------------------------------------------------
# wrk_start NAME ARGS...: wrk in the client namespace until SIGINT; output in $S/wrk-NAME.out
wrk_start() {
	local name=$1
	shift
	# not through ns_exec: $! must be wrk itself (ip netns exec execs it) for the SIGINT
	ip netns exec "$(ns_name cli)" wrk -t1 -d300s --timeout 5s "$@" "http://$TOPO_VIP/" \
		>"$S/wrk-$name.out" 2>&1 &
	WRK_PID[$name]=$!
	E2E_PIDS+=(${WRK_PID[$name]})
}
declare -A WRK_PID
wrk_start keepalive -c8
wrk_start close -c4 -H "Connection: close"
wait_for 10 "traffic through plb (vs.conn_new >= 20)" counter_ge live vs.conn_new 20 ||
	e2e_fail "wrk's connections did not reach the backends"
e2e_log "wrk running: 8 keep-alive connections and 4 'Connection: close' connections"

# ---- the changes ---------------------------------------------------------------
t0=$(date +%s%N)
/usr/bin/python3 - "$E2E_PLBCTL" "${E2E_PLB_SOCK[live]}" "$TOPO_VIP" "$CHANGES" "$S/expect.json" \
	"$S/changes.log" "$TOPO_LADDR" "$RS1" "$RS2" "$RS3" "$RS4" <<'PY' || e2e_fail "the change driver failed: $(tail -n 5 "$S/changes.log")"
import json, random, subprocess, sys, time
plbctl, sock, vip, n, expect_file, log_file, laddr = sys.argv[1:8]
rs = sys.argv[8:12]
n = int(n)
rnd = random.Random(5)
log = open(log_file, "w")
svc = "%s:80" % vip
sched = "wrr"
weights = {rs[0]: 1, rs[1]: 1, rs[2]: 1}     # the main service's dests
second = False
scheds = ["rr", "wrr", "wlc"]

sched_to = {a: 0 for a in rs}   # conns plb scheduled to each backend, over every epoch
epoch = {}                      # conns of the dests as they are now

def ctl(*args):
    p = subprocess.run([plbctl, "-s", sock] + list(args), capture_output=True, text=True)
    if args[0] != "stats":
        log.write("plbctl %s -> %d %s\n" % (" ".join(args), p.returncode, p.stderr.strip()))
    if p.returncode != 0:
        sys.exit("plbctl %s failed: %s" % (" ".join(args), p.stderr.strip()))
    return p.stdout

def conn_new():
    st = json.loads(ctl("stats", "--json"))
    for s in st["services"]:
        if s["port"] == 80:
            for d in s["dests"]:
                epoch[d["addr"]] = d["conns"]
    return st["counters"].get("vs.conn_new", 0)

def dest_gone(addr):
    sched_to[addr] += epoch.pop(addr, 0)

def positive_after(addr, w):
    return any((w if a == addr else x) > 0 for a, x in weights.items())

done = 0
while done < n:
    before = conn_new()
    kind = rnd.choice(["weight", "weight", "weight", "sched", "rs4", "rs3", "second"])
    if kind == "weight":
        addr = rnd.choice(sorted(weights))
        w = rnd.randint(0, 5)
        if not positive_after(addr, w):
            w = rnd.randint(1, 5)
        ctl("dest", "edit", "tcp", svc, "%s:8080" % addr, "--weight", str(w))
        weights[addr] = w
    elif kind == "sched":
        sched = scheds[(scheds.index(sched) + 1) % 3]
        ctl("service", "edit", "tcp", svc, "--sched", sched)
    elif kind in ("rs4", "rs3"):
        addr = rs[3] if kind == "rs4" else rs[2]
        if addr in weights and positive_after(addr, 0):
            conn_new()
            ctl("dest", "del", "tcp", svc, "%s:8080" % addr)
            del weights[addr]
            dest_gone(addr)
        elif addr not in weights:
            w = rnd.randint(1, 5)
            ctl("dest", "add", "tcp", svc, "%s:8080" % addr, "--weight", str(w))
            weights[addr] = w
        else:
            continue        # the only dest with a weight: not removed
    else:
        if second:
            ctl("service", "del", "tcp", "%s:81" % vip)
        else:
            ctl("service", "add", "tcp", "%s:81" % vip, "--sched", "rr", "--fwd", "fnat",
                "--laddr", laddr)
        second = not second
    done += 1
    # every change meets new connections before the next one
    deadline = time.time() + 5
    while conn_new() < before + 10:
        if time.time() > deadline:
            sys.exit("change %d (%s): no new conns within 5 s" % (done, kind))
        time.sleep(0.01)
conn_new()
for a in list(epoch):
    dest_gone(a)
json.dump({"sched": sched, "weights": weights, "second": second, "changes": done,
           "sched_to": sched_to}, open(expect_file, "w"))
PY
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
e2e_log "measured: $(json_eval "$S/expect.json" 'j["changes"]') changes in ${ms} ms; $(wc -l <"$S/changes.log") plbctl change commands run"
# a last second of traffic after the last change, then stop wrk
before=$(counter_now live vs.conn_new)
wait_for 10 "traffic after the last change" counter_ge live vs.conn_new $((before + 20)) ||
	e2e_fail "no traffic after the last change"
for name in keepalive close; do
	kill -INT "${WRK_PID[$name]}"
	e2e_wait_pid_exit "${WRK_PID[$name]}" 10 || e2e_fail "wrk ($name) did not stop on SIGINT"
done
stats_save live "$S/s1.json"
services_print "$S/s1.json"

# ---- wrk's verdict -------------------------------------------------------------
# wrk_result NAME: "requests socket_errors non2xx rps" from wrk's output
wrk_result() {
	/usr/bin/python3 - "$S/wrk-$1.out" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
req = re.search(r"(\d+) requests in", t)
rps = re.search(r"Requests/sec:\s+([\d.]+)", t)
if not req or not rps:
    sys.exit("no summary in wrk's output: " + t[-300:].replace("\n", " | "))
se = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", t)
non = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
print(req.group(1), sum(int(x) for x in se.groups()) if se else 0, non.group(1) if non else 0,
      rps.group(1))
PY
}
for name in keepalive close; do
	res=$(wrk_result "$name") || e2e_fail "wrk ($name): $res"
	read -r reqs serr non2xx rps <<<"$res"
	e2e_log "measured: wrk $name: $reqs requests, $rps requests/s, socket errors $serr, non-2xx $non2xx"
	grep -E 'Socket errors|Non-2xx' "$S/wrk-$name.out" | sed 's/^/    /'
	expect_eq "wrk $name: socket errors (connect, read, write, timeout)" "$serr" 0
	expect_eq "wrk $name: non-2xx answers" "$non2xx" 0
	expect_ge "wrk $name: requests" "$reqs" 1000
done

# ---- the state is what the driver made -----------------------------------------
plbctl live service list --json >"$S/list.json" || e2e_fail "plbctl service list --json failed"
diff=$(/usr/bin/python3 - "$S/list.json" "$S/expect.json" "$TOPO_VIP" "$TOPO_LADDR" <<'PY'
import json, sys
got = json.load(open(sys.argv[1]))
exp = json.load(open(sys.argv[2]))
vip, laddr = sys.argv[3], sys.argv[4]
want = [{"proto": "tcp", "vip": vip, "port": 80, "scheduler": exp["sched"], "fwd": "fnat",
         "laddrs": [laddr], "ops": False, "expire_quiescent": False,
         "dests": sorted([{"addr": a, "port": 8080, "weight": w, "u_threshold": 0,
                           "l_threshold": 0, "down": False} for a, w in exp["weights"].items()],
                         key=lambda d: d["addr"])}]
if exp["second"]:
    want.append({"proto": "tcp", "vip": vip, "port": 81, "scheduler": "rr", "fwd": "fnat",
                 "laddrs": [laddr], "ops": False, "expire_quiescent": False, "dests": []})
for s in got:
    s["dests"].sort(key=lambda d: d["addr"])
got.sort(key=lambda s: s["port"])
if got != want:
    print("got %s\nexpected %s" % (json.dumps(got, sort_keys=True), json.dumps(want, sort_keys=True)))
PY
)
[ -z "$diff" ] || e2e_fail "service.list after the changes differs from the driver's model: $diff"
e2e_log "ok: service.list equals the driver's model ($(json_eval "$S/expect.json" 'j["sched"]'), weights $(json_eval "$S/expect.json" 'sorted(j["weights"].items())'), second service: $(json_eval "$S/expect.json" 'j["second"]'))"
e2e_log "measured: conns scheduled per backend during the changes: $(json_eval "$S/expect.json" 'sorted(j["sched_to"].items())')"
expect_gt "conns scheduled to rs4 (added and removed during the test)" \
	"$(json_eval "$S/expect.json" "j['sched_to']['$RS4']")" 0
expect_eq "service drop_no_dest" "$(json_eval "$S/s1.json" "sum(s['drop_no_dest'] for s in j['services'])")" 0
plb_stop live 10
expect_eq "plb exit status after SIGTERM" "$E2E_RC" 0
