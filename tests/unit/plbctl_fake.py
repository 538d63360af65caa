# SPDX-License-Identifier: BSD-3-Clause
# A stand-in for plb's control socket, for test_plbctl_main.sh: speaks
# protocol v1 (docs/control.md) for the service and dest commands on an
# in-memory state, with plb's rule that a service's forwarding mode cannot
# change while it has dests, and logs every request as one JSON line.
# usage: plbctl_fake.py SOCKET LOGFILE
import json
import os
import socketserver
import sys

SOCK, LOG = sys.argv[1], sys.argv[2]
services = []


def key(o):
    return (o.get("proto"), o.get("vip"), o.get("port"))


def find(req):
    for s in services:
        if key(s) == key(req):
            return s
    return None


def find_dest(s, req):
    port = req.get("dport") or s["port"]
    for d in s["dests"]:
        if d["addr"] == req.get("addr") and (d["port"] or s["port"]) == port:
            return d
    return None


def name(o):
    return "%s %s:%s" % key(o)


SVC_KEYS = ("scheduler", "fwd", "laddrs", "ops", "expire_quiescent", "sched_opts")
DEST_KEYS = ("weight", "u_threshold", "l_threshold")


def handle(req):
    cmd = req.get("cmd")
    if req.get("v") != 1:
        raise ValueError('request: "v" must be 1')
    if cmd == "service.list":
        return services
    if cmd == "stats":
        return {"services": [dict(s, dests=[dict(d, active_conns=0, inactive_conns=0)
                                           for d in s["dests"]]) for s in services]}
    if cmd == "save":
        return {"text": "services = (); # %d services\n" % len(services)}
    if cmd == "clear":
        services.clear()
        return None
    if cmd not in ("service.add", "service.edit", "service.del", "dest.add",
                   "dest.edit", "dest.del"):
        raise ValueError('request: unknown command "%s"' % cmd)
    s = find(req)
    if cmd == "service.add":
        if s is not None:
            raise ValueError("%s: service %s exists" % (cmd, name(req)))
        s = {"proto": req["proto"], "vip": req["vip"], "port": req["port"],
             "scheduler": "wlc", "fwd": "fnat", "laddrs": [], "ops": False,
             "expire_quiescent": False, "sched_opts": {}, "dests": []}
        s.update({k: req[k] for k in SVC_KEYS if k in req})
        services.append(s)
        return None
    if s is None:
        raise ValueError("%s: no service %s" % (cmd, name(req)))
    if cmd == "service.edit":
        if "fwd" in req and req["fwd"] != s["fwd"] and s["dests"]:
            raise ValueError("%s: fwd: cannot change the forwarding mode of a service "
                             "that has dests" % cmd)
        s.update({k: req[k] for k in SVC_KEYS if k in req})
    elif cmd == "service.del":
        services.remove(s)
    elif cmd == "dest.add":
        if find_dest(s, req) is not None:
            raise ValueError("%s: dest %s exists" % (cmd, req["addr"]))
        d = {"addr": req["addr"], "port": req.get("dport", 0), "weight": 1,
             "u_threshold": 0, "l_threshold": 0}
        d.update({k: req[k] for k in DEST_KEYS if k in req})
        s["dests"].append(d)
    else:
        d = find_dest(s, req)
        if d is None:
            raise ValueError("%s: no dest %s" % (cmd, req.get("addr")))
        if cmd == "dest.edit":
            d.update({k: req[k] for k in DEST_KEYS if k in req})
        else:
            s["dests"].remove(d)
    return None


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        line = self.rfile.readline()
        req = json.loads(line)
        with open(LOG, "a") as f:
            f.write(json.dumps(req, sort_keys=True) + "\n")
        try:
            res = {"v": 1, "ok": True, "result": handle(req)}
        except ValueError as e:
            res = {"v": 1, "ok": False, "error": str(e)}
        self.wfile.write((json.dumps(res) + "\n").encode())


if os.path.exists(SOCK):
    os.unlink(SOCK)
with socketserver.UnixStreamServer(SOCK, Handler) as srv:
    srv.serve_forever()
