# SPDX-License-Identifier: BSD-3-Clause
"""
The L4 protocols (proto_tcp, proto_udp) and the ipv4 handler's L4 work,
packets in and packets out through the real pipeline with hook_vs and a
one-dest NAT service (NAT keeps every address and port predictable, so each
forwarded frame is compared byte for byte with one scapy builds from
scratch: that checks the incremental checksum updates). Covers: the TCP
state machine through conn counts and expiry (handshake, FIN and RST
teardown, half-open), active/inactive accounting, MSS clamping at even and
odd option offsets, RST and ICMP port unreachable for VIP ports without a
service, malformed TCP/UDP lengths, UDP rewrite with and without checksum,
ping to a VIP, no route, steering of NAT replies with two workers, and
the modules' settings errors (file:line, key, reason) under `plb -t`.
"""
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pktlib  # noqa: E402
from pktlib import PLB_MAC, PEER_MAC  # noqa: E402
from scapy.all import Ether, ICMP, IP, Raw, TCP, UDP  # noqa: E402

PLB_IP = "192.0.2.1"
VIP = "192.0.2.100"
CLIENT = "192.0.2.50"
RS = "192.0.2.11"
RS_MAC = "02:00:00:00:00:11"
FAR_RS = "203.0.113.11"      # no route to it

MODULES = ("proto_ipv4", "proto_arp", "proto_icmp", "proto_tcp", "proto_udp", "hook_vs")
HAVE_VS = os.path.exists(os.path.join(pktlib.BUILD, "modules", "hook_vs.so"))

SERVICES = """
services = (
  { proto = "tcp"; vip = "%(vip)s"; port = 80; scheduler = "rr"; fwd = "nat";
    dests = ( { addr = "%(rs)s"; port = 8080; weight = 1; } ); },
  { proto = "tcp"; vip = "%(vip)s"; port = 443; scheduler = "rr"; fwd = "nat";
    dests = ( { addr = "%(far)s"; port = 443; weight = 1; } ); },
  { proto = "udp"; vip = "%(vip)s"; port = 53; scheduler = "rr"; fwd = "nat";
    dests = ( { addr = "%(rs)s"; port = 5353; weight = 1; } ); }
);
conns = { tick_ms = 20; };
""" % {"vip": VIP, "rs": RS, "far": FAR_RS}

# static neighbours: nothing in a pcap answers ARP
ARP_STATIC = ('proto_arp = { static = ( { ip = "%s"; mac = "%s"; port = "p0"; }, '
              '{ ip = "%s"; mac = "%s"; port = "p0"; } ); };' % (RS, RS_MAC, CLIENT, PEER_MAC))


def module_conf(tcp="", vs='unknown_port = "reject";', udp=""):
    return "%s proto_tcp = { %s }; proto_udp = { %s }; hook_vs = { %s };" % (ARP_STATIC, tcp, udp, vs)


def c2v(cport, flags, seq=0, ack=0, payload=b"", options=(), dport=80, client=CLIENT, smac=PEER_MAC):
    """A segment client -> VIP."""
    p = (Ether(src=smac, dst=PLB_MAC) / IP(src=client, dst=VIP, id=7, ttl=64) /
         TCP(sport=cport, dport=dport, seq=seq, ack=ack, flags=flags, window=4096, options=list(options)))
    return p / Raw(payload) if payload else p


def s2c(cport, flags, seq=0, ack=0, payload=b"", options=(), client=CLIENT):
    """A segment RS:8080 -> client (the NAT reply path)."""
    p = (Ether(src=RS_MAC, dst=PLB_MAC) / IP(src=RS, dst=client, id=9, ttl=64) /
         TCP(sport=8080, dport=cport, seq=seq, ack=ack, flags=flags, window=4096, options=list(options)))
    return p / Raw(payload) if payload else p


def rewrite(frame, smac, dmac, src=None, dst=None, sport=None, dport=None, l4=TCP, options=None):
    """@frame as plb should send it: new MACs, addresses and ports, every
    checksum computed from scratch by scapy."""
    p = Ether(bytes(frame))
    p.src, p.dst = smac, dmac
    if src:
        p[IP].src = src
    if dst:
        p[IP].dst = dst
    if sport:
        p[l4].sport = sport
    if dport:
        p[l4].dport = dport
    if options is not None:
        p[TCP].options = options
    del p[IP].chksum
    if l4 is TCP or p[UDP].chksum != 0:
        del p[l4].chksum
    return bytes(p)


def to_rs(frame, options=None):
    return rewrite(frame, PLB_MAC, RS_MAC, dst=RS, dport=8080, options=options)


def to_client(frame, options=None):
    return rewrite(frame, PLB_MAC, PEER_MAC, src=VIP, sport=80, options=options)


def dest(stats, vport, proto="tcp"):
    for s in stats["services"]:
        if s["port"] == vport and s["proto"] == proto:
            return s["dests"][0]
    raise AssertionError("no %s service on port %d in stats" % (proto, vport))


def conns(stats):
    return sum(w["conns"] for w in stats["workers"])


def run(frames, tcp="", vs='unknown_port = "reject";', udp="", until=None, workers=1):
    return pktlib.run(frames, workers=workers, modules=MODULES, extra_conf=SERVICES,
                      module_conf=module_conf(tcp, vs, udp), until=until)


class L4Parse(unittest.TestCase):
    """Malformed L4 headers: dropped in ipv4 parse, each counted by its protocol."""

    def test_bad_lengths_are_counted(self):
        ip = lambda proto: Ether(src=PEER_MAC, dst=PLB_MAC) / IP(src=CLIENT, dst=PLB_IP, proto=proto)
        bad_off = bytearray(bytes(ip(6) / TCP(sport=1, dport=2)))
        bad_off[14 + 20 + 12] = 0x40          # data offset 4 (16 bytes)
        long_off = bytearray(bytes(ip(6) / TCP(sport=1, dport=2)))
        long_off[14 + 20 + 12] = 0xf0         # data offset 15 (60 bytes) in a 20-byte segment
        cases = [
            (bytes(bad_off), "tcp.drop_bad_len"),
            (bytes(long_off), "tcp.drop_bad_len"),
            (bytes(ip(6) / Raw(b"x" * 10)), "tcp.drop_bad_len"),
            (bytes(ip(17) / UDP(sport=1, dport=2, len=100) / Raw(b"y" * 10)), "udp.drop_bad_len"),
            (bytes(ip(17) / UDP(sport=1, dport=2, len=4) / Raw(b"y" * 10)), "udp.drop_bad_len"),
            (bytes(ip(17) / Raw(b"z" * 5)), "udp.drop_bad_len"),
        ]
        good = Ether(src=PEER_MAC, dst=PLB_MAC) / IP(src=CLIENT, dst=PLB_IP) / ICMP(id=1, seq=1)
        r = pktlib.run([c[0] for c in cases] + [good],
                       modules=("proto_ipv4", "proto_arp", "proto_icmp", "proto_tcp", "proto_udp"))
        self.assertEqual(r.counter("tcp.drop_bad_len"), 3)
        self.assertEqual(r.counter("udp.drop_bad_len"), 3)
        self.assertEqual(r.counter("tcp.rx"), 3)
        self.assertEqual(r.counter("udp.rx"), 3)
        self.assertEqual(r.worker_sum("drop_l3"), 6, "the core counts each as an L3 drop too")
        self.assertEqual(len(r.out), 1, "only the ping after the bad input is answered")
        self.assertEqual(r.rc, 0)

    def test_udp_shorter_than_ip_payload_is_accepted(self):
        # a UDP length below the IP payload is legal (trailing bytes ignored)
        f = Ether(src=PEER_MAC, dst=PLB_MAC) / IP(src=CLIENT, dst=PLB_IP) / UDP(sport=1, dport=2, len=12) / Raw(b"a" * 20)
        r = pktlib.run([f], modules=("proto_ipv4", "proto_arp", "proto_icmp", "proto_tcp", "proto_udp"))
        self.assertEqual(r.counter("udp.rx"), 1)
        self.assertEqual(r.counter("udp.drop_bad_len"), 0)
        self.assertEqual(r.counter("ipv4.drop_no_proto"), 1, "UDP to plb's own address has no local_in")


@unittest.skipUnless(HAVE_VS, "build/modules/hook_vs.so is not built")
class TcpThroughNat(unittest.TestCase):
    def test_handshake_teardown_and_state_timeouts(self):
        """Five flows; ESTABLISHED and SYN_RECV last 900 s, every other state
        1 s: after the run exactly the established (active) and the half-open
        (inactive) conns remain; the FIN and the two RST teardowns expire."""
        tcp = ("timeouts = { established = 900; syn_recv = 900; syn_sent = 1; fin_wait = 1; "
               "time_wait = 1; close = 1; close_wait = 1; last_ack = 1; synack = 1; };")
        est = [c2v(40001, "S", seq=100), s2c(40001, "SA", seq=500, ack=101), c2v(40001, "A", seq=101, ack=501),
               c2v(40001, "PA", seq=101, ack=501, payload=b"GET / HTTP/1.0\r\n\r\n")]
        half = [c2v(40002, "S", seq=200)]
        fin = [c2v(40003, "S", seq=300), s2c(40003, "SA", seq=600, ack=301), c2v(40003, "A", seq=301, ack=601),
               c2v(40003, "FA", seq=301, ack=601), s2c(40003, "FA", seq=601, ack=302),
               c2v(40003, "A", seq=302, ack=602)]
        rst_c = [c2v(40004, "S", seq=400), s2c(40004, "SA", seq=700, ack=401), c2v(40004, "A", seq=401, ack=701),
                 c2v(40004, "R", seq=401)]
        rst_s = [c2v(40005, "S", seq=450), s2c(40005, "SA", seq=750, ack=451), s2c(40005, "R", seq=751)]
        frames = est + half + fin + rst_c + rst_s
        r = run(frames, tcp=tcp, until=lambda s: conns(s) == 2)
        want = [to_client(f) if f[IP].src == RS else to_rs(f) for f in frames]
        self.assertEqual(r.out, want, "every segment forwarded, rewritten, checksums exact")
        d = dest(r.stats, 80)
        self.assertEqual(d["active_conns"], 1, "the ESTABLISHED conn is the only active one")
        self.assertEqual(d["inactive_conns"], 1, "the half-open (SYN_RECV) conn is inactive")
        self.assertEqual(d["conns"], 5)
        self.assertEqual(sum(w["conns_expired"] for w in r.stats["workers"]), 3,
                         "TIME_WAIT after FINs and CLOSE after each RST expired")
        self.assertEqual(r.counter("tcp.drop_bad_len"), 0)
        self.assertEqual(r.rc, 0)

    def test_syn_on_a_closed_conn_is_a_new_connection(self):
        """A client port reused after a teardown: the SYN on the TIME_WAIT
        conn drops it and schedules a new one (IPVS conn_reuse_mode); a SYN
        retransmitted while the conn is still opening stays on its conn."""
        tcp = "timeouts = { time_wait = 900; syn_recv = 900; established = 900; };"
        first = [c2v(40040, "S", seq=300), s2c(40040, "SA", seq=600, ack=301), c2v(40040, "A", seq=301, ack=601),
                 c2v(40040, "FA", seq=301, ack=601), s2c(40040, "FA", seq=601, ack=302),
                 c2v(40040, "A", seq=302, ack=602)]
        again = [c2v(40040, "S", seq=9000)]
        retrans = [c2v(40041, "S", seq=50), c2v(40041, "S", seq=50)]
        r = run(first + again + retrans, tcp=tcp)
        want = [to_client(f) if f[IP].src == RS else to_rs(f) for f in first + again + retrans]
        self.assertEqual(r.out, want, "every SYN forwarded, rewritten exactly")
        self.assertEqual(r.counter("vs.conn_reused"), 1, "only the SYN on the closed conn")
        self.assertEqual(dest(r.stats, 80)["conns"], 3, "40040 twice, 40041 once")
        self.assertEqual(conns(r.stats), 2, "the closed conn was replaced, not kept beside the new one")

    def test_syn_ack_and_plain_ack_open_nothing(self):
        frames = [c2v(40010, "A", seq=1, ack=1), c2v(40011, "SA", seq=1, ack=1), c2v(40012, "SR", seq=1),
                  c2v(40013, "SF", seq=1)]
        r = run(frames)
        self.assertEqual(r.out, [])
        self.assertEqual(dest(r.stats, 80)["conns"], 0)
        svc = [s for s in r.stats["services"] if s["port"] == 80][0]
        self.assertEqual(svc["drop_not_syn"], 4, "only a SYN without ACK, RST and FIN may open a conn")

    def test_mss_clamp_even_and_odd_offsets(self):
        syn = c2v(40020, "S", seq=10, options=[("MSS", 1460), ("SAckOK", b""), ("NOP", None), ("NOP", None)])
        synack = s2c(40020, "SA", seq=20, ack=11, options=[("NOP", None), ("MSS", 8960), ("NOP", None),
                                                             ("NOP", None), ("NOP", None)])
        small = c2v(40021, "S", seq=30, options=[("MSS", 1200)])
        ack = c2v(40020, "A", seq=11, ack=21)
        r = run([syn, synack, small, ack], tcp="mss_clamp = 1400;")
        # the MSS value of synack sits at an odd offset of the TCP header (23)
        self.assertEqual(bytes(synack[TCP])[21:23], b"\x02\x04")
        want = [to_rs(syn, options=[("MSS", 1400), ("SAckOK", b""), ("NOP", None), ("NOP", None)]),
                to_client(synack, options=[("NOP", None), ("MSS", 1400), ("NOP", None), ("NOP", None),
                                           ("NOP", None)]),
                to_rs(small), to_rs(ack)]
        self.assertEqual(r.out, want)
        self.assertEqual(r.counter("tcp.mss_clamped"), 2)

    def test_no_route_to_dest_is_counted(self):
        r = run([c2v(40030, "S", seq=1, dport=443)])
        self.assertEqual(r.out, [])
        self.assertEqual(r.counter("ipv4.drop_no_route"), 1)

    def test_two_workers_replies_meet_their_conn(self):
        """NAT replies steer by (daddr, dport) = the client endpoint, the
        same owner as the client's packets: every SYN-ACK finds its conn."""
        n = 16
        clients = ["192.0.2.%d" % (60 + i) for i in range(n)]
        frames = [c2v(41000 + i, "S", seq=i, client=c) for i, c in enumerate(clients)]
        frames += [s2c(41000 + i, "SA", seq=1000 + i, ack=i + 1, client=c) for i, c in enumerate(clients)]
        static = ", ".join('{ ip = "%s"; mac = "%s"; port = "p0"; }' % (c, PEER_MAC) for c in clients)
        mc = module_conf().replace("static = ( ", "static = ( %s, " % static)
        r = pktlib.run(frames, workers=2, modules=MODULES, extra_conf=SERVICES, module_conf=mc)
        want = [to_rs(f) for f in frames[:n]] + [to_client(f) for f in frames[n:]]
        self.assertEqual(sorted(r.out), sorted(want), "every SYN and every SYN-ACK forwarded once")
        w = {x["id"]: x for x in r.stats["workers"]}
        self.assertGreater(w[0]["handover_out"], 0, "some clients are owned by worker 1")
        self.assertEqual(dest(r.stats, 80)["conns"], n)
        svc = [s for s in r.stats["services"] if s["port"] == 80][0]
        self.assertEqual(svc["drop_not_syn"], 0, "no SYN-ACK landed on a worker without its conn")


@unittest.skipUnless(HAVE_VS, "build/modules/hook_vs.so is not built")
class Reject(unittest.TestCase):
    def rst(self, cport, vport, seq, ack, flags):
        return bytes(Ether(src=PLB_MAC, dst=PEER_MAC) /
                     IP(src=VIP, dst=CLIENT, ttl=64, id=0, flags="DF", tos=0) /
                     TCP(sport=vport, dport=cport, seq=seq, ack=ack, flags=flags, window=0))

    def test_tcp_rst_exact(self):
        frames = [
            c2v(40100, "S", seq=1000, dport=81, options=[("MSS", 1460)]),
            c2v(40101, "PA", seq=7, ack=777, dport=81, payload=b"0123456789"),
            c2v(40102, "FP", seq=50, dport=81, payload=b"abcde"),
            c2v(40103, "R", seq=5, dport=81),
        ]
        r = run(frames)
        self.assertEqual(r.out, [
            self.rst(40100, 81, 0, 1001, "RA"),   # SYN: ack = seq + 1
            self.rst(40101, 81, 777, 0, "R"),     # ACK set: seq = their ack, no ACK
            self.rst(40102, 81, 0, 56, "RA"),     # 5 bytes + FIN
        ])
        self.assertEqual(r.counter("tcp.rst_sent"), 3)
        self.assertEqual(r.counter("tcp.drop_reject_rst"), 1, "an RST is never answered")

    def test_udp_port_unreachable_exact(self):
        q = Ether(src=PEER_MAC, dst=PLB_MAC) / IP(src=CLIENT, dst=VIP, id=11, ttl=60) / UDP(sport=5000, dport=54) / Raw(b"q" * 40)
        r = run([q])
        quote = bytes(q[IP])[:28]
        want = bytes(Ether(src=PLB_MAC, dst=PEER_MAC) / IP(src=VIP, dst=CLIENT, ttl=64, id=0, flags=0, proto=1) /
                     ICMP(type=3, code=3) / Raw(quote))
        self.assertEqual(r.out, [want])
        self.assertEqual(r.counter("udp.unreach_sent"), 1)

    def test_drop_when_configured(self):
        r = run([c2v(40110, "S", seq=1, dport=81)], vs='unknown_port = "drop";')
        self.assertEqual(r.out, [])
        self.assertEqual(r.counter("tcp.rst_sent"), 0)

    def test_ping_to_vip_is_answered(self):
        e = Ether(src=PEER_MAC, dst=PLB_MAC) / IP(src=CLIENT, dst=VIP) / ICMP(id=3, seq=1) / b"vip"
        r = run([e])
        want = bytes(Ether(src=PLB_MAC, dst=PEER_MAC) / IP(src=VIP, dst=CLIENT, ttl=64, id=1) /
                     ICMP(type=0, id=3, seq=1) / b"vip")
        self.assertEqual(r.out, [want])


@unittest.skipUnless(HAVE_VS, "build/modules/hook_vs.so is not built")
class UdpThroughNat(unittest.TestCase):
    def test_rewrite_with_and_without_checksum(self):
        ask = Ether(src=PEER_MAC, dst=PLB_MAC) / IP(src=CLIENT, dst=VIP, id=5) / UDP(sport=33000, dport=53) / b"question"
        nosum = Ether(src=PEER_MAC, dst=PLB_MAC) / IP(src=CLIENT, dst=VIP, id=6) / UDP(sport=33001, dport=53, chksum=0) / b"x"
        answer = Ether(src=RS_MAC, dst=PLB_MAC) / IP(src=RS, dst=CLIENT, id=8) / UDP(sport=5353, dport=33000) / b"answer"
        r = run([ask, nosum, answer], udp="timeout = 900;")
        want = [rewrite(ask, PLB_MAC, RS_MAC, dst=RS, dport=5353, l4=UDP),
                rewrite(nosum, PLB_MAC, RS_MAC, dst=RS, dport=5353, l4=UDP),
                rewrite(answer, PLB_MAC, PEER_MAC, src=VIP, sport=53, l4=UDP)]
        self.assertEqual(Ether(want[1])[UDP].chksum, 0, "a zero UDP checksum stays zero")
        self.assertEqual(r.out, want)
        d = dest(r.stats, 53, "udp")
        self.assertEqual((d["active_conns"], d["inactive_conns"]), (0, 2), "UDP conns count as inactive")

    def test_udp_conn_expires_after_timeout(self):
        ask = Ether(src=PEER_MAC, dst=PLB_MAC) / IP(src=CLIENT, dst=VIP) / UDP(sport=33002, dport=53) / b"q"
        r = run([ask], udp="timeout = 1;", until=lambda s: conns(s) == 0)
        self.assertEqual(len(r.out), 1)
        self.assertEqual(sum(w["conns_expired"] for w in r.stats["workers"]), 1)


class Settings(unittest.TestCase):
    """`plb -t`: every bad setting names file:line, the key and what is wrong."""

    def check(self, block, want):
        with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
            f.write('modules = { path = "%s"; load = ["proto_ipv4", "proto_tcp", "proto_udp"];\n'
                    % os.path.join(pktlib.BUILD, "modules"))
            f.write(block + "\n};\n")
            f.write('ports = ( { name = "p0"; dev = "net_null0"; addresses = ["192.0.2.1/24"]; } );\n')
            path = f.name
        try:
            r = subprocess.run([os.path.join(pktlib.BUILD, "plb"), "-t", "-c", path],
                               capture_output=True, text=True, timeout=30)
        finally:
            os.unlink(path)
        out = r.stdout + r.stderr
        if want is None:
            self.assertEqual(r.returncode, 0, out)
        else:
            self.assertNotEqual(r.returncode, 0, "expected a config error for: %s" % block)
            self.assertIn("%s:%s" % (path, want), out)

    def test_errors(self):
        ok = ("proto_tcp = { timeouts = { established = 60; syn_sent = 1; syn_recv = 2; fin_wait = 3; "
              "time_wait = 4; close = 5; close_wait = 6; last_ack = 7; synack = 8; }; mss_clamp = 1400; };"
              " proto_udp = { timeout = 0; };")
        self.check(ok, None)
        self.check("proto_tcp = {};  proto_udp = {};", None)
        self.check("proto_tcp = { timeouts = { established = 900;\n bogus = 1; }; };",
                   "3: modules.proto_tcp.timeouts.bogus: unknown key")
        self.check("proto_tcp = { timeout = 5; };", "2: modules.proto_tcp.timeout: unknown key")
        self.check("proto_tcp = { timeouts = { close = 31536001; }; };",
                   "2: modules.proto_tcp.timeouts.close: 31536001 out of range 0..31536000")
        self.check('proto_tcp = { timeouts = { close = "10"; }; };',
                   "2: modules.proto_tcp.timeouts.close: expected an integer")
        self.check("proto_tcp = { timeouts = 10; };", "2: modules.proto_tcp.timeouts: expected a group")
        self.check("proto_tcp = { mss_clamp = 87; };", "2: modules.proto_tcp.mss_clamp: 87 too small")
        self.check("proto_tcp = { mss_clamp = 65536; };", "2: modules.proto_tcp.mss_clamp: 65536 out of range")
        self.check("proto_udp = { timeout = -1; };", "2: modules.proto_udp.timeout: -1 out of range")
        self.check("proto_udp = { timeouts = 1; };", "2: modules.proto_udp.timeouts: unknown key")


if __name__ == "__main__":
    unittest.main(verbosity=2)
