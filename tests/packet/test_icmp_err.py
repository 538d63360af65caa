# SPDX-License-Identifier: BSD-3-Clause
"""
ICMP errors that belong to a conn (proto_icmp, steered by proto_ipv4), byte
for byte through the real pipeline. One port carries both sides as in
test_fwd.py: clients in 203.0.113.0/24 behind the router 192.0.2.254, the
real server on the connected 198.51.100.0/24. Covers: FNAT and NAT, TCP and
UDP, an error from the server side about plb's packet to the server (the
client gets it from the VIP, quoting its own packet: addresses, ports, IP
and L4 checksums as it sent them), an error from the client side about a
reply (the server gets it, quoting its own reply), DR and TUN (client-side
errors sent on unchanged through the mode),
errors of no conn and malformed quotes (counted, dropped), and steering of
errors to the conn's worker with two workers (FNAT by local port, NAT by
the client endpoint, errors to the VIP by the quoted destination).
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pktlib  # noqa: E402
from pktlib import PLB_MAC  # noqa: E402
from scapy.all import ICMP, IP, TCP, UDP, Ether, Raw  # noqa: E402

CLIENT, CPORT = "203.0.113.7", 40000
CLIENT_HOP = "203.0.113.1"          # a router on the client's path, behind ROUTER
ROUTER, ROUTER_MAC = "192.0.2.254", "02:00:00:00:00:fe"
RS1, RS1_MAC = "198.51.100.11", "02:00:00:00:01:0b"
SRV_HOP, SRV_HOP_MAC = "198.51.100.254", "02:00:00:00:01:fe"   # a router on the server side
VIP, LADDR = "192.0.2.100", "198.51.100.200"
VPORT = {"tcp": 80, "udp": 53}
DPORT = {"tcp": 8080, "udp": 5353}
MODULES = ("proto_ipv4", "proto_arp", "proto_icmp", "proto_tcp", "proto_udp", "hook_vs")
ARP_CONF = ('proto_arp = { static = ( { ip = "%s"; mac = "%s"; }, { ip = "%s"; mac = "%s"; } ); };'
            % (ROUTER, ROUTER_MAC, RS1, RS1_MAC))


def service(proto, fwd, dport=None):
    lad = 'laddrs = [ "%s" ];' % LADDR if fwd == "fnat" else ""
    return ('{ proto = "%s"; vip = "%s"; port = %d; scheduler = "rr"; fwd = "%s"; %s '
            'dests = ( { addr = "%s"; port = %d; weight = 1; } ); }'
            % (proto, VIP, VPORT[proto], fwd, lad, RS1, dport or DPORT[proto]))


def run(frames, services, workers=1):
    conf = 'services = ( %s );\n' % ", ".join(services)
    conf += 'routes = ( { prefix = "203.0.113.0/24"; via = "%s"; port = "p0"; } );\n' % ROUTER
    return pktlib.run(frames, workers=workers, modules=MODULES,
                      addresses=("192.0.2.1/24", "198.51.100.1/24"),
                      module_conf=ARP_CONF, extra_conf=conf)


def seg(proto, sport, dport, reply=False, seq=1000):
    if proto == "tcp":
        if reply:
            return TCP(sport=sport, dport=dport, flags="SA", seq=5000, ack=seq + 1, window=4096)
        return TCP(sport=sport, dport=dport, flags="S", seq=seq, window=4096)
    return UDP(sport=sport, dport=dport) / Raw(b"query" if not reply else b"answer")


def ip_pkt(src, dst, l4, ip_id):
    return IP(src=src, dst=dst, id=ip_id, ttl=61) / l4


def frame(src_mac, dst_mac, ip):
    return Ether(src=src_mac, dst=dst_mac) / ip


def icmp_err(src, dst, quoted, qlen=None, type_=3, code=4, mtu=1400, ip_id=300):
    """An ICMP error from @src to @dst quoting the first @qlen bytes (all if None) of @quoted."""
    q = bytes(quoted)[:qlen] if qlen else bytes(quoted)
    return IP(src=src, dst=dst, id=ip_id, ttl=64) / \
        ICMP(type=type_, code=code, nexthopmtu=mtu if type_ == 3 and code == 4 else 0) / Raw(q)


def names(frames):
    return "\n".join(Ether(f).summary() for f in frames)


class IcmpErrors(unittest.TestCase):
    def assertFrames(self, got, want):
        want = [bytes(w) for w in want]
        self.assertEqual(got, want, "\ngot:\n%s\nwant:\n%s" % (names(got), names(want)))

    def check_out(self, fwd, proto, qlen, err_src, err_src_mac, type_=3, code=4):
        """Server side -> client: an error about plb's first packet to the server."""
        laddr, lport = (LADDR, 1024) if fwd == "fnat" else (CLIENT, CPORT)
        first = ip_pkt(CLIENT, VIP, seg(proto, CPORT, VPORT[proto]), 10)
        sent = ip_pkt(laddr, RS1, seg(proto, lport, DPORT[proto]), 10)   # what plb sends the server
        err = icmp_err(err_src, laddr, sent, qlen, type_, code)
        r = run([frame(ROUTER_MAC, PLB_MAC, first), frame(err_src_mac, PLB_MAC, err)],
                [service(proto, fwd)])
        self.assertFrames(r.out, [
            frame(PLB_MAC, RS1_MAC, sent),
            frame(PLB_MAC, ROUTER_MAC, icmp_err(VIP, CLIENT, first, qlen, type_, code)),
        ])
        self.assertEqual(r.counter("icmp.err_out_translated"), 1)
        self.assertEqual(r.counter("icmp.err_no_conn"), 0)
        self.assertEqual(r.rc, 0)
        return r

    def check_in(self, fwd, proto, qlen):
        """Client side -> server: an error about plb's translated reply to the client."""
        laddr, lport = (LADDR, 1024) if fwd == "fnat" else (CLIENT, CPORT)
        first = ip_pkt(CLIENT, VIP, seg(proto, CPORT, VPORT[proto]), 10)
        reply = ip_pkt(RS1, laddr, seg(proto, DPORT[proto], lport, reply=True), 77)
        sent = ip_pkt(VIP, CLIENT, seg(proto, VPORT[proto], CPORT, reply=True), 77)  # to the client
        err = icmp_err(CLIENT_HOP, VIP, sent, qlen)
        r = run([frame(ROUTER_MAC, PLB_MAC, first), frame(RS1_MAC, PLB_MAC, reply),
                 frame(ROUTER_MAC, PLB_MAC, err)], [service(proto, fwd)])
        # FNAT: from laddr (the server sees plb); NAT: the error keeps its source
        src = LADDR if fwd == "fnat" else CLIENT_HOP
        self.assertFrames(r.out, [
            frame(PLB_MAC, RS1_MAC, ip_pkt(laddr, RS1, seg(proto, lport, DPORT[proto]), 10)),
            frame(PLB_MAC, ROUTER_MAC, sent),
            frame(PLB_MAC, RS1_MAC, icmp_err(src, RS1, reply, qlen)),
        ])
        self.assertEqual(r.counter("icmp.err_in_translated"), 1)
        self.assertEqual(r.rc, 0)

    def test_fnat_tcp_frag_needed_from_server_side(self):
        """Minimal quote (IP header + 8 bytes): the TCP checksum is not in it."""
        self.check_out("fnat", "tcp", 28, SRV_HOP, SRV_HOP_MAC)

    def test_fnat_tcp_frag_needed_whole_quote(self):
        """The whole SYN quoted: its TCP checksum is restored to the client's."""
        self.check_out("fnat", "tcp", None, SRV_HOP, SRV_HOP_MAC)

    def test_fnat_udp_port_unreachable_from_server(self):
        """The server itself: UDP port unreachable (UDP checksum in the 8 bytes)."""
        self.check_out("fnat", "udp", 28, RS1, RS1_MAC, code=3)

    def test_fnat_time_exceeded_from_server_side(self):
        self.check_out("fnat", "tcp", 28, SRV_HOP, SRV_HOP_MAC, type_=11, code=0)

    def test_fnat_tcp_frag_needed_from_client_side(self):
        self.check_in("fnat", "tcp", 28)

    def test_fnat_udp_from_client_side_whole_quote(self):
        self.check_in("fnat", "udp", None)

    def test_nat_tcp_frag_needed_from_server_side(self):
        """Addressed to the client, not to plb: ipv4 hands it to proto_icmp."""
        r = self.check_out("nat", "tcp", None, SRV_HOP, SRV_HOP_MAC)
        self.assertEqual(r.counter("ipv4.icmp_err_forward"), 1)

    def test_nat_udp_from_server_side(self):
        self.check_out("nat", "udp", 28, RS1, RS1_MAC, code=3)

    def test_nat_tcp_frag_needed_from_client_side(self):
        self.check_in("nat", "tcp", None)

    def test_nat_udp_from_client_side(self):
        self.check_in("nat", "udp", 28)

    def test_dr_error_from_client_side_goes_on_unchanged(self):
        """DR: the server replied directly (VIP -> client); the client-side
        error to the VIP goes to the server's MAC as it is."""
        first = ip_pkt(CLIENT, VIP, seg("tcp", CPORT, 80), 10)
        direct = ip_pkt(VIP, CLIENT, seg("tcp", 80, CPORT, reply=True), 90)
        err = icmp_err(CLIENT_HOP, VIP, direct, 28)
        r = run([frame(ROUTER_MAC, PLB_MAC, first), frame(ROUTER_MAC, PLB_MAC, err)],
                [service("tcp", "dr", dport=80)])
        self.assertFrames(r.out, [frame(PLB_MAC, RS1_MAC, first), frame(PLB_MAC, RS1_MAC, err)])
        self.assertEqual(r.counter("icmp.err_in_forwarded"), 1)
        self.assertEqual(r.counter("dr.xmit_in"), 2)

    def test_tun_error_from_client_side_goes_on_encapsulated(self):
        """TUN: the client-side error goes to the server inside IPIP, unchanged."""
        first = ip_pkt(CLIENT, VIP, seg("udp", CPORT, 53), 10)
        direct = ip_pkt(VIP, CLIENT, seg("udp", 53, CPORT, reply=True), 90)
        err = icmp_err(CLIENT_HOP, VIP, direct, 28, code=3)
        r = run([frame(ROUTER_MAC, PLB_MAC, first), frame(ROUTER_MAC, PLB_MAC, err)],
                [service("udp", "tun", dport=53)])

        def outer(inner, ip_id):
            return frame(PLB_MAC, RS1_MAC, IP(src="198.51.100.1", dst=RS1, proto=4, ttl=64,
                                              id=ip_id) / inner)
        self.assertFrames(r.out, [outer(first, 0), outer(err, 1)])
        self.assertEqual(r.counter("icmp.err_in_forwarded"), 1)

    def test_errors_of_no_conn_are_dropped(self):
        first = ip_pkt(CLIENT, VIP, seg("tcp", CPORT, 80), 10)
        sent = ip_pkt(LADDR, RS1, seg("tcp", 1024, 8080), 10)
        errs = [
            icmp_err(SRV_HOP, LADDR, ip_pkt(LADDR, RS1, seg("tcp", 1025, 8080), 10), 28),  # other lport
            icmp_err(SRV_HOP, LADDR, ip_pkt(LADDR, RS1, seg("udp", 1024, 8080), 10), 28),  # other proto
            icmp_err(CLIENT_HOP, VIP, ip_pkt(VIP, CLIENT, seg("tcp", 80, CPORT + 1), 5), 28),
            icmp_err(SRV_HOP, CLIENT, ip_pkt(CLIENT, RS1, seg("tcp", CPORT, 8080), 5), 28),  # non-local
            icmp_err(SRV_HOP, VIP, sent, 28),   # the conn's reply key, but sent to the VIP
        ]
        r = run([frame(ROUTER_MAC, PLB_MAC, first)] +
                [frame(SRV_HOP_MAC, PLB_MAC, e) for e in errs], [service("tcp", "fnat")])
        self.assertFrames(r.out, [frame(PLB_MAC, RS1_MAC, sent)])
        self.assertEqual(r.counter("icmp.err_no_conn"), len(errs))
        self.assertEqual(r.counter("icmp.err_out_translated"), 0)
        self.assertEqual(r.counter("icmp.err_in_translated"), 0)

    def test_malformed_quotes_are_dropped(self):
        first = ip_pkt(CLIENT, VIP, seg("tcp", CPORT, 80), 10)
        sent = bytes(ip_pkt(LADDR, RS1, seg("tcp", 1024, 8080), 10))
        with_opts = bytes(IP(src=LADDR, dst=RS1, id=10, ttl=61, options=b"\x01\x01\x01\x01") /
                          seg("tcp", 1024, 8080))
        bad = [
            sent[:24],                                  # 4 bytes of TCP
            sent[:20],                                  # no L4 at all
            bytes([0x44]) + sent[1:28],                 # IHL 4
            bytes([0x65]) + sent[1:28],                 # version 6
            with_opts[:28],                             # IHL 6: 24-byte header, 4 bytes of TCP
            sent[:9] + b"\x01" + sent[10:28],           # quotes ICMP, not TCP/UDP
            sent[:6] + b"\x00\x10" + sent[8:28],        # a later fragment: no ports
        ]
        errs = [IP(src=SRV_HOP, dst=LADDR, id=1, ttl=64) / ICMP(type=3, code=4) / Raw(b)
                for b in bad]
        r = run([frame(ROUTER_MAC, PLB_MAC, first)] +
                [frame(SRV_HOP_MAC, PLB_MAC, e) for e in errs], [service("tcp", "fnat")])
        self.assertFrames(r.out, [frame(PLB_MAC, RS1_MAC, ip_pkt(LADDR, RS1, seg("tcp", 1024, 8080), 10))])
        self.assertEqual(r.counter("icmp.err_bad_inner"), len(bad))
        self.assertEqual(r.counter("icmp.err_out_translated"), 0)

    def test_options_in_the_quote(self):
        """A quoted header with IP options: the ports are found after them."""
        first = ip_pkt(CLIENT, VIP, seg("tcp", CPORT, 80), 10)
        sent = ip_pkt(LADDR, RS1, seg("tcp", 1024, 8080), 10)
        quoted = bytes(IP(src=LADDR, dst=RS1, id=10, ttl=61, options=b"\x01\x01\x01\x01") /
                       seg("tcp", 1024, 8080))
        err = IP(src=SRV_HOP, dst=LADDR, id=1, ttl=64) / ICMP(type=3, code=4) / Raw(quoted[:32])
        r = run([frame(ROUTER_MAC, PLB_MAC, first), frame(SRV_HOP_MAC, PLB_MAC, err)],
                [service("tcp", "fnat")])
        self.assertEqual(len(r.out), 2, names(r.out))
        self.assertEqual(r.out[0], bytes(frame(PLB_MAC, RS1_MAC, sent)))
        want_q = bytes(IP(src=CLIENT, dst=VIP, id=10, ttl=61, options=b"\x01\x01\x01\x01") /
                       seg("tcp", CPORT, 80))[:32]
        self.assertEqual(r.out[1], bytes(frame(PLB_MAC, ROUTER_MAC, IP(src=VIP, dst=CLIENT, id=1, ttl=64) /
                                               ICMP(type=3, code=4) / Raw(want_q))))

    def check_two_workers(self, fwd):
        """Errors reach the worker that owns the conn. Client i (SYN seq 1000 + i)
        gets an error from each side; FNAT errors go to every local port a
        conn may have taken (those nobody took match no conn)."""
        n = 16
        clients = [("203.0.113.%d" % (10 + i), 30000 + i) for i in range(n)]
        frames = [frame(ROUTER_MAC, PLB_MAC, ip_pkt(c, VIP, seg("tcp", p, 80, seq=1000 + i), 1))
                  for i, (c, p) in enumerate(clients)]
        if fwd == "fnat":
            quotes = [ip_pkt(LADDR, RS1, seg("tcp", lp, 8080), 1) for lp in range(1024, 1024 + 2 * n)]
            out_errs = [icmp_err(SRV_HOP, LADDR, q, 28) for q in quotes]
        else:
            out_errs = [icmp_err(SRV_HOP, c, ip_pkt(c, RS1, seg("tcp", p, 8080, seq=1000 + i), 1), 28)
                        for i, (c, p) in enumerate(clients)]
        in_errs = [icmp_err(CLIENT_HOP, VIP, ip_pkt(VIP, c, seg("tcp", 80, p, reply=True), 2), 28)
                   for c, p in clients]
        frames += [frame(SRV_HOP_MAC, PLB_MAC, e) for e in out_errs]
        frames += [frame(ROUTER_MAC, PLB_MAC, e) for e in in_errs]
        r = run(frames, [service("tcp", fwd)], workers=2)
        self.assertEqual(r.counter("icmp.err_out_translated"), n)
        self.assertEqual(r.counter("icmp.err_in_translated"), n)
        self.assertEqual(r.counter("icmp.err_no_conn"), len(out_errs) - n)
        got_out, got_in = set(), set()
        for f in r.out:
            e = Ether(f)
            if ICMP not in e:
                continue
            inner = IP(bytes(e[ICMP].payload))
            if e[IP].dst == RS1:
                self.assertEqual(inner.src, RS1)
                got_in.add(inner.dst if fwd == "nat" else inner[TCP].dport)
            else:
                self.assertEqual((e[IP].src, inner.src, inner.dst, inner[TCP].dport), (VIP, e[IP].dst, VIP, 80))
                got_out.add(inner.src)
        self.assertEqual(got_out, {c for c, _ in clients}, names(r.out))
        self.assertEqual(len(got_in), n, names(r.out))

    def test_fnat_two_workers(self):
        self.check_two_workers("fnat")

    def test_nat_two_workers(self):
        self.check_two_workers("nat")


if __name__ == "__main__":
    unittest.main()
