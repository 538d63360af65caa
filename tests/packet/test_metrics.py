# SPDX-License-Identifier: BSD-3-Clause
"""
control.metrics: the Prometheus listener of a running plb, scraped with curl
while known traffic has gone through (two workers, FNAT, rr over two dests,
a service without dests, a frame with a bad IPv4 checksum). Checks the
values against the frames sent and forwarded and against `plbctl stats`
(same numbers), the text format (HELP and TYPE for every family, families
contiguous, label syntax), 404 / 405 answers; and the start-up errors: a
bad control.metrics value (plb -t, FILE:LINE) and a port already in use.
"""
import os
import re
import socket
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pktlib  # noqa: E402
from pktlib import PLB_MAC  # noqa: E402
from scapy.all import IP, TCP, Ether  # noqa: E402

ROUTER, ROUTER_MAC = "192.0.2.254", "02:00:00:00:00:fe"
VIP, LADDR, CLIENT = "192.0.2.100", "198.51.100.200", "203.0.113.7"
RS = ["198.51.100.11", "198.51.100.12"]
RS_MAC = ["02:00:00:00:01:11", "02:00:00:00:01:12"]
MODULES = ("proto_ipv4", "proto_arp", "proto_icmp", "proto_tcp", "proto_udp", "hook_vs")
ARP_CONF = "proto_arp = { static = ( %s ); };" % ", ".join(
    '{ ip = "%s"; mac = "%s"; }' % a for a in [(ROUTER, ROUTER_MAC)] + list(zip(RS, RS_MAC)))
HAVE_VS = all(os.path.exists(os.path.join(pktlib.BUILD, "modules", m + ".so"))
              for m in ("hook_vs", "fwd_fnat", "sched_rr"))
WEIGHTS = (1, 2)

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9]+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"')


def free_port():
    """A TCP port free on 127.0.0.1 right now (one per test run)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse(text):
    """Exposition text -> {(name, frozenset(labels)): value}, checking the format:
    every sample's family has # HELP and # TYPE before it, a family's samples
    are contiguous, counters end in _total, no series twice."""
    helps, types, samples, seen_families, current = {}, {}, {}, [], None
    for n, line in enumerate(text.split("\n"), 1):
        if line == "":
            continue
        if line.startswith("# HELP "):
            name, _, doc = line[7:].partition(" ")
            assert name not in helps, "line %d: second HELP for %s" % (n, name)
            assert doc, "line %d: empty HELP for %s" % (n, name)
            helps[name] = doc
            continue
        if line.startswith("# TYPE "):
            name, _, typ = line[7:].partition(" ")
            assert name in helps, "line %d: TYPE before HELP for %s" % (n, name)
            assert typ in ("counter", "gauge"), "line %d: type %r" % (n, typ)
            assert name not in types, "line %d: second TYPE for %s" % (n, name)
            assert typ != "counter" or name.endswith("_total"), "line %d: counter %s" % (n, name)
            types[name] = typ
            current = name
            seen_families.append(name)
            continue
        m = SAMPLE.match(line)
        assert m, "line %d: not a sample: %r" % (n, line)
        name, labels, value = m.group(1), m.group(2), int(m.group(3))
        assert name == current, "line %d: %s outside its family (after TYPE %s)" % (n, name, current)
        lab = {}
        rest = labels or ""
        while rest:
            lm = LABEL.match(rest)
            assert lm, "line %d: bad labels %r" % (n, labels)
            assert lm.group(1) not in lab, "line %d: label %s twice" % (n, lm.group(1))
            lab[lm.group(1)] = lm.group(2).replace("\\n", "\n").replace('\\"', '"').replace("\\\\", "\\")
            rest = rest[lm.end():]
            assert rest == "" or rest.startswith(","), "line %d: bad labels %r" % (n, labels)
            rest = rest[1:]
        key = (name, frozenset(lab.items()))
        assert key not in samples, "line %d: series twice: %s" % (n, line)
        samples[key] = value
    assert len(seen_families) == len(set(seen_families))
    return samples, types


def get(samples, name, **labels):
    key = (name, frozenset((k, str(v)) for k, v in labels.items()))
    if key not in samples:
        raise AssertionError("no sample %s%s" % (name, labels))
    return samples[key]


def curl(url, *args):
    """(HTTP status, content type, body) of one curl request."""
    r = subprocess.run(["curl", "-sS", "--max-time", "5", "-o", "-", "-w",
                        "\n%{http_code} %{content_type}", *args, url],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return None, None, r.stderr
    body, _, tail = r.stdout.rpartition("\n")
    code, _, ctype = tail.partition(" ")
    return int(code), ctype, body


def syn(cport, vport=80):
    return (Ether(src=ROUTER_MAC, dst=PLB_MAC) / IP(src=CLIENT, dst=VIP) /
            TCP(sport=cport, dport=vport, flags="S", seq=1000, window=4096))


def service(port, dests):
    ds = ", ".join('{ addr = "%s"; port = 8080; weight = %d; }' % d for d in dests)
    return ('{ proto = "tcp"; vip = "%s"; port = %d; scheduler = "rr"; fwd = "fnat"; '
            'laddrs = [ "%s" ]; dests = ( %s ); }' % (VIP, port, LADDR, ds))


def conf_extra():
    conf = "services = ( %s, %s );\n" % (service(80, zip(RS, WEIGHTS)), service(81, ()))
    conf += 'routes = ( { prefix = "203.0.113.0/24"; via = "%s"; port = "p0"; } );\n' % ROUTER
    return conf


@unittest.skipUnless(HAVE_VS, "hook_vs / fwd_fnat / sched_rr not built")
class Scrape(unittest.TestCase):
    def test_scrape_matches_traffic_and_stats(self):
        port = free_port()
        url = "http://127.0.0.1:%d" % port
        syns = [syn(40000 + i) for i in range(6)]
        no_dest = [syn(41000 + i, vport=81) for i in range(2)]
        bad = Ether(bytes(syn(42000)))
        bad[IP].chksum = 0x1234
        frames = syns + no_dest + [bad]
        got = {}

        def scrape(stats):
            """until(): wait for a rendering (<= 1 s old) with every frame in it."""
            code, ctype, body = curl(url + "/metrics")
            if code != 200:
                return False
            samples, types = parse(body)
            rx = sum(v for (n, lab), v in samples.items()
                     if n == "plb_worker_packets_total" and ("direction", "rx") in lab)
            if rx < len(frames) or get(samples, "plb_port_packets_total", port="p0",
                                       direction="rx") < len(frames):
                return False
            got.update(stats=stats, samples=samples, types=types, ctype=ctype, body=body,
                       notfound=curl(url + "/other"), post=curl(url + "/metrics", "-X", "POST"),
                       head=curl(url + "/metrics", "-I"))
            return True

        r = pktlib.run(frames, workers=2, modules=MODULES,
                       addresses=("192.0.2.1/24", "198.51.100.1/24"), module_conf=ARP_CONF,
                       extra_conf=conf_extra(), until=scrape,
                       control_conf='metrics = "127.0.0.1:%d";' % port)
        self.assertEqual(r.rc, 0, r.log)
        self.assertIn("serving Prometheus metrics on http://127.0.0.1:%d/metrics" % port, r.log)
        s, st = got["samples"], got["stats"]
        self.assertEqual(got["ctype"], "text/plain; version=0.0.4; charset=utf-8")

        # against the traffic: frames in, SYNs forwarded to each dest
        sent_to = [sum(1 for f in r.out if Ether(f)[IP].dst == rs) for rs in RS]
        self.assertEqual(sum(sent_to), len(syns), "every SYN to port 80 was forwarded")
        self.assertEqual(get(s, "plb_port_packets_total", port="p0", direction="rx"), len(frames))
        self.assertEqual(sum(get(s, "plb_worker_packets_total", worker=w, direction="rx")
                             for w in (0, 1)), len(frames))
        svc80 = dict(vip=VIP, port=80, proto="tcp")
        svc81 = dict(vip=VIP, port=81, proto="tcp")
        for i, rs in enumerate(RS):
            d = dict(svc80, dest="%s:8080" % rs)
            self.assertEqual(get(s, "plb_dest_connections_total", **d), sent_to[i], rs)
            self.assertEqual(get(s, "plb_dest_packets_total", direction="in", **d), sent_to[i], rs)
            self.assertEqual(get(s, "plb_dest_packets_total", direction="out", **d), 0, rs)
            self.assertEqual(get(s, "plb_dest_weight", **d), WEIGHTS[i])
            self.assertEqual(get(s, "plb_dest_active_connections", **d) +
                             get(s, "plb_dest_inactive_connections", **d), sent_to[i])
        self.assertEqual(get(s, "plb_service_connections_total", **svc80), len(syns))
        self.assertEqual(get(s, "plb_service_packets_total", direction="in", **svc80), len(syns))
        self.assertEqual(get(s, "plb_service_connections_total", **svc81), 0)
        self.assertEqual(get(s, "plb_service_drops_total", reason="no_dest", **svc81), len(no_dest))
        self.assertEqual(get(s, "plb_service_drops_total", reason="no_dest", **svc80), 0)
        self.assertEqual(get(s, "plb_service_info", scheduler="rr", fwd="fnat", **svc80), 1)
        self.assertEqual(get(s, "plb_module_drops_total", module="ipv4", reason="bad_csum"), 1)
        self.assertEqual(get(s, "plb_module_counter_total", module="vs", counter="conn_new"),
                         len(syns))
        self.assertEqual(sum(get(s, "plb_conns", worker=w) for w in (0, 1)), len(syns))

        # against plbctl stats: the same numbers (levels and counters that settled)
        for w in st["workers"]:
            lw = dict(worker=w["id"])
            self.assertEqual(get(s, "plb_worker_packets_total", direction="tx", **lw), w["tx"])
            self.assertEqual(get(s, "plb_worker_handover_total", direction="out", **lw),
                             w["handover_out"])
            self.assertEqual(get(s, "plb_worker_handover_total", direction="in", **lw),
                             w["handover_in"])
            self.assertEqual(get(s, "plb_worker_drops_total", reason="l3", **lw), w["drop_l3"])
            self.assertEqual(get(s, "plb_conns", **lw), w["conns"])
        for svc in st["services"]:
            for d in svc["dests"]:
                lab = dict(vip=svc["vip"], port=svc["port"], proto=svc["proto"],
                           dest="%s:%d" % (d["addr"], d["port"]))
                self.assertEqual(get(s, "plb_dest_bytes_total", direction="in", **lab), d["bytes_in"])
                self.assertEqual(get(s, "plb_dest_active_connections", **lab), d["active_conns"])
        for name, v in st["counters"].items():
            mod, _, c = name.partition(".")
            if c.startswith("drop_"):
                self.assertEqual(get(s, "plb_module_drops_total", module=mod, reason=c[5:]), v, name)
            else:
                self.assertEqual(get(s, "plb_module_counter_total", module=mod, counter=c), v, name)
        self.assertEqual(got["types"]["plb_dest_active_connections"], "gauge")
        self.assertEqual(got["types"]["plb_dest_connections_total"], "counter")
        self.assertEqual(got["notfound"][0], 404)
        self.assertEqual(got["post"][0], 405)
        self.assertEqual(got["head"][0], 200)

    def test_port_in_use_fails_start_up(self):
        port = free_port()
        with socket.socket() as busy:
            busy.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            busy.bind(("127.0.0.1", port))
            busy.listen(1)
            with self.assertRaises(AssertionError) as e:
                pktlib.run([], control_conf='metrics = "127.0.0.1:%d";' % port, timeout=20)
        msg = str(e.exception)
        self.assertIn("plb exited early (1)", msg)
        self.assertIn("control.metrics 127.0.0.1:%d: cannot listen: Address already in use" % port,
                      msg)


class ConfigCheck(unittest.TestCase):
    def check(self, value):
        with tempfile.TemporaryDirectory(prefix="plb-metrics-") as tmp:
            conf = os.path.join(tmp, "plb.conf")
            with open(conf, "w") as f:
                f.write('modules = { path = "%s"; load = [ "proto_ipv4" ]; };\n'
                        % os.path.join(pktlib.BUILD, "modules"))
                f.write('control = { socket = "%s/plb.sock";\n  metrics = %s; };\n' % (tmp, value))
            r = subprocess.run([os.path.join(pktlib.BUILD, "plb"), "-t", "-c", conf],
                               capture_output=True, text=True, timeout=30)
            return r.returncode, (r.stdout + r.stderr).replace(conf, "FILE")

    def test_good_value_passes(self):
        for v in ('"127.0.0.1:9100"', '"0.0.0.0:1"', '"192.0.2.1:65535"'):
            rc, out = self.check(v)
            self.assertEqual(rc, 0, out)
            self.assertIn("configuration ok", out)

    def test_bad_values_name_file_and_line(self):
        want = '"HOST:PORT" (an IPv4 address and a port 1..65535, e.g. "127.0.0.1:9100"), got '
        for v, why in (('"localhost:9100"', 'got "localhost:9100": HOST is not an IPv4 address'),
                       ('"127.0.0.1"', 'got "127.0.0.1": no ":PORT"'),
                       ('"127.0.0.1:0"', 'PORT is not an integer 1..65535'),
                       ('"127.0.0.1:65536"', 'PORT is not an integer 1..65535'),
                       ('"127.0.0.1:91x"', 'PORT is not an integer 1..65535'),
                       ('"127.0.0.1:+91"', 'PORT is not an integer 1..65535'),
                       ('"[::1]:9100"', 'HOST is not an IPv4 address'),
                       ('":9100"', 'HOST is not an IPv4 address'),
                       ('9100', 'expected a string "HOST:PORT"')):
            rc, out = self.check(v)
            self.assertEqual(rc, 1, "%s: %s" % (v, out))
            self.assertIn("FILE:3: control.metrics: expected ", out, v)
            self.assertIn(want, out, v)
            self.assertIn(why, out, v)


if __name__ == "__main__":
    unittest.main(verbosity=2)
