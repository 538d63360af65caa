# SPDX-License-Identifier: BSD-3-Clause
"""
Conn teardown and expiry for the modes that see only the client's side of a
connection (fwd_dr, fwd_tun; FNAT and NAT are in test_proto_l4.py), packets
in and packets out through the real pipeline, topology as test_fwd.py. DR and
TUN conns carry PLB_CONN_F_NO_OUT, so a TCP conn follows the input-only state
table of modules/proto/tcp.c: SYN -> SYN_RECV, ACK -> ESTABLISHED (active),
client FIN -> FIN_WAIT (the client's last ACK keeps it there), RST -> CLOSE.
For each mode x {tcp, udp}: every segment forwarded byte for byte (DR: the
Ethernet header only; TUN: the IPIP outer header), the conns counted on the
dest, the FIN and RST conns expiring by their states' timeouts while an
established one stays, and every conn expiring (conns == 0,
workers[].conns_expired) with short established/syn_recv/udp timeouts.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pktlib  # noqa: E402
from pktlib import PLB_MAC  # noqa: E402
from scapy.all import IP, TCP, UDP, Ether, Raw  # noqa: E402

CLIENT = "203.0.113.7"
ROUTER, ROUTER_MAC = "192.0.2.254", "02:00:00:00:00:fe"
RS1, RS1_MAC = "198.51.100.11", "02:00:00:00:01:0b"
VIP = "192.0.2.100"
PLB_CLIENT_SIDE, PLB_SERVER_SIDE = "192.0.2.1", "198.51.100.1"
VPORT = {"tcp": 80, "udp": 53}
MODULES = ("proto_ipv4", "proto_arp", "proto_icmp", "proto_tcp", "proto_udp", "hook_vs")
ARP_CONF = ('proto_arp = { static = ( { ip = "%s"; mac = "%s"; }, { ip = "%s"; mac = "%s"; } ); };'
            % (ROUTER, ROUTER_MAC, RS1, RS1_MAC))
HAVE_VS = os.path.exists(os.path.join(pktlib.BUILD, "modules", "hook_vs.so"))

# every TCP state lasts long unless a test shortens it
TCP_LONG = dict(established=900, syn_sent=900, syn_recv=900, fin_wait=900, time_wait=900,
                close=900, close_wait=900, last_ack=900, synack=900)


def run(fwd, proto, frames, tcp=None, udp_timeout=900, until=None):
    svc = ('services = ( { proto = "%s"; vip = "%s"; port = %d; scheduler = "rr"; fwd = "%s"; '
           'dests = ( { addr = "%s"; port = %d; weight = 1; } ); } );\n'
           % (proto, VIP, VPORT[proto], fwd, RS1, VPORT[proto]))
    svc += 'routes = ( { prefix = "203.0.113.0/24"; via = "%s"; port = "p0"; } );\n' % ROUTER
    svc += 'conns = { tick_ms = 20; };\n'
    timeouts = dict(TCP_LONG, **(tcp or {}))
    mc = ARP_CONF + " proto_tcp = { timeouts = { %s }; }; proto_udp = { timeout = %d; };" % (
        " ".join("%s = %d;" % kv for kv in sorted(timeouts.items())), udp_timeout)
    return pktlib.run(frames, modules=MODULES, addresses=(PLB_CLIENT_SIDE + "/24", PLB_SERVER_SIDE + "/24"),
                      module_conf=mc, extra_conf=svc, until=until)


def c2v(cport, flags, seq=0, ack=0, payload=b"", ip_id=1):
    p = (Ether(src=ROUTER_MAC, dst=PLB_MAC) / IP(src=CLIENT, dst=VIP, id=ip_id, ttl=61) /
         TCP(sport=cport, dport=80, flags=flags, seq=seq, ack=ack, window=4096))
    return p / Raw(payload) if payload else p


def udp(cport, payload, ip_id=1):
    return (Ether(src=ROUTER_MAC, dst=PLB_MAC) / IP(src=CLIENT, dst=VIP, id=ip_id, ttl=61) /
            UDP(sport=cport, dport=53) / Raw(payload))


def forwarded(fwd, frames):
    """@frames as @fwd sends them to RS1: DR rewrites the Ethernet header only;
    TUN wraps the client's IP packet in an outer header from plb's server-side
    address (TTL 64, TOS and DF copied, id counting from 0 per worker)."""
    out = []
    for i, f in enumerate(frames):
        if fwd == "dr":
            out.append(bytes(Ether(src=PLB_MAC, dst=RS1_MAC) / f[IP]))
        else:
            out.append(bytes(Ether(src=PLB_MAC, dst=RS1_MAC) /
                             IP(src=PLB_SERVER_SIDE, dst=RS1, proto=4, ttl=64, id=i,
                                flags=f[IP].flags, tos=f[IP].tos) / f[IP]))
    return out


def names(frames):
    return "\n".join(Ether(f).summary() for f in frames)


def conns(stats):
    return sum(w["conns"] for w in stats["workers"])


def expired(stats):
    return sum(w["conns_expired"] for w in stats["workers"])


def dest(stats, proto):
    svc = [s for s in stats["services"] if s["proto"] == proto and s["port"] == VPORT[proto]]
    return svc[0]["dests"][0]


def established(cport, seq):
    """SYN, the client's ACK of the (unseen) SYN-ACK, one request: ESTABLISHED."""
    return [c2v(cport, "S", seq=seq), c2v(cport, "A", seq=seq + 1, ack=9001),
            c2v(cport, "PA", seq=seq + 1, ack=9001, payload=b"GET / HTTP/1.0\r\n\r\n")]


@unittest.skipUnless(HAVE_VS, "build/modules/hook_vs.so is not built")
class InputOnlyTeardown(unittest.TestCase):
    def assertFrames(self, got, want):
        self.assertEqual(got, want, "\ngot:\n%s\nwant:\n%s" % (names(got), names(want)))

    def check_tcp_fin_rst(self, fwd):
        """Three connections: one stays established; one ends with the client's
        FIN and last ACK (FIN_WAIT in the input-only table: an input table would
        put it in CLOSE_WAIT, which lasts 900 s here); one ends with the client's
        RST (CLOSE). FIN_WAIT and CLOSE last 1 s: exactly those two expire."""
        est = established(41001, 100)
        fin = established(41002, 200) + [c2v(41002, "FA", seq=219, ack=9101),
                                          c2v(41002, "A", seq=220, ack=9102)]
        rst = established(41003, 300) + [c2v(41003, "R", seq=319)]
        frames = est + fin + rst
        for i, f in enumerate(frames):
            f[IP].id = 10 + i
        r = run(fwd, "tcp", frames, tcp={"fin_wait": 1, "close": 1},
                until=lambda s: conns(s) == 1 and expired(s) == 2)
        self.assertFrames(r.out, forwarded(fwd, frames))
        self.assertEqual(r.counter(fwd + ".xmit_in"), len(frames))
        self.assertEqual(r.counter("vs.conn_new"), 3)
        self.assertEqual(r.counter("vs.in"), len(frames), "every segment met its conn")
        d = dest(r.stats, "tcp")
        self.assertEqual(d["conns"], 3, "three connections scheduled to the dest")
        self.assertEqual(d["pkts_in"], len(frames))
        self.assertEqual((d["active_conns"], d["inactive_conns"]), (1, 0),
                         "only the established conn is left, and it is active")
        self.assertEqual(conns(r.stats), 1)
        self.assertEqual(expired(r.stats), 2, "the FIN_WAIT and the CLOSE conn expired")
        self.assertEqual(r.rc, 0)

    def test_dr_tcp_fin_and_rst(self):
        self.check_tcp_fin_rst("dr")

    def test_tun_tcp_fin_and_rst(self):
        self.check_tcp_fin_rst("tun")

    def check_tcp_expiry(self, fwd):
        """An established conn and a half-open one (SYN_RECV) expire after their
        1 s timeouts: the table empties."""
        frames = established(41010, 500) + [c2v(41011, "S", seq=600)]
        for i, f in enumerate(frames):
            f[IP].id = 20 + i
        r = run(fwd, "tcp", frames, tcp={"established": 1, "syn_recv": 1},
                until=lambda s: conns(s) == 0)
        self.assertFrames(r.out, forwarded(fwd, frames))
        d = dest(r.stats, "tcp")
        self.assertEqual(d["conns"], 2)
        self.assertEqual((d["active_conns"], d["inactive_conns"]), (0, 0), "nothing left on the dest")
        self.assertEqual(expired(r.stats), 2)
        self.assertEqual(r.rc, 0)

    def test_dr_tcp_expiry(self):
        self.check_tcp_expiry("dr")

    def test_tun_tcp_expiry(self):
        self.check_tcp_expiry("tun")

    def check_udp(self, fwd, timeout):
        """Two datagrams of one flow and one of another: two conns (the second
        datagram meets the first's conn), UDP conns count as inactive. With a
        long timeout both stay; with 1 s both expire."""
        frames = [udp(33001, b"q1", 30), udp(33001, b"q2", 31), udp(33002, b"q3", 32)]
        until = (lambda s: conns(s) == 0) if timeout == 1 else None
        r = run(fwd, "udp", frames, udp_timeout=timeout, until=until)
        self.assertFrames(r.out, forwarded(fwd, frames))
        self.assertEqual(r.counter(fwd + ".xmit_in"), 3)
        d = dest(r.stats, "udp")
        self.assertEqual(d["conns"], 2, "one conn per client port")
        self.assertEqual(d["pkts_in"], 3)
        if timeout == 1:
            self.assertEqual(conns(r.stats), 0)
            self.assertEqual((d["active_conns"], d["inactive_conns"]), (0, 0))
            self.assertEqual(expired(r.stats), 2)
        else:
            self.assertEqual(conns(r.stats), 2)
            self.assertEqual((d["active_conns"], d["inactive_conns"]), (0, 2))
            self.assertEqual(expired(r.stats), 0)
        self.assertEqual(r.rc, 0)

    def test_dr_udp_kept(self):
        self.check_udp("dr", 900)

    def test_dr_udp_expiry(self):
        self.check_udp("dr", 1)

    def test_tun_udp_kept(self):
        self.check_udp("tun", 900)

    def test_tun_udp_expiry(self):
        self.check_udp("tun", 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
