# SPDX-License-Identifier: BSD-3-Clause
"""
The four forwarding modes (fwd_fnat, fwd_nat, fwd_dr, fwd_tun) through the
real pipeline (ipv4 -> hook_vs -> tcp/udp -> scheduler -> mode -> route ->
ARP), byte for byte. One port carries both sides: clients in 203.0.113.0/24
behind a router 192.0.2.254, real servers on the connected 198.51.100.0/24;
MACs come from static ARP entries. For every mode x {tcp, udp}: the first
packet of a new flow, the server's reply (fnat, nat) and a packet of the
established flow, each compared with a frame scapy builds (addresses, ports,
checksums, MACs; TUN's outer header). Also: DR refuses a server behind a
gateway, TUN's 1500-byte limit, FNAT refuses a service without laddrs, FNAT
services sharing a laddr share its port pool, and FNAT local ports steer
replies to the worker that owns the conn (two workers).
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pktlib  # noqa: E402
from pktlib import PLB_MAC  # noqa: E402
from scapy.all import IP, TCP, UDP, Ether, Raw  # noqa: E402

CLIENT, CPORT = "203.0.113.7", 40000
ROUTER, ROUTER_MAC = "192.0.2.254", "02:00:00:00:00:fe"
RS1, RS1_MAC = "198.51.100.11", "02:00:00:00:01:0b"
FAR_RS = "203.0.113.50"            # reached through the router: no L2 adjacency
VIP, LADDR = "192.0.2.100", "198.51.100.200"
PLB_CLIENT_SIDE, PLB_SERVER_SIDE = "192.0.2.1", "198.51.100.1"
VPORT = {"tcp": 80, "udp": 53}
DPORT = {"tcp": 8080, "udp": 5353}
MODULES = ("proto_ipv4", "proto_arp", "proto_icmp", "proto_tcp", "proto_udp", "hook_vs")
ARP_CONF = ('proto_arp = { static = ( { ip = "%s"; mac = "%s"; }, { ip = "%s"; mac = "%s"; } ); };'
            % (ROUTER, ROUTER_MAC, RS1, RS1_MAC))


def service(proto, fwd, dest=RS1, dport=None, laddrs=(LADDR,)):
    lad = "laddrs = [%s];" % ", ".join('"%s"' % a for a in laddrs) if fwd == "fnat" else ""
    return ('{ proto = "%s"; vip = "%s"; port = %d; scheduler = "rr"; fwd = "%s"; %s '
            'dests = ( { addr = "%s"; port = %d; weight = 1; } ); }'
            % (proto, VIP, VPORT[proto], fwd, lad, dest, dport or DPORT[proto]))


def run(frames, services, workers=1):
    conf = 'services = ( %s );\n' % ", ".join(services)
    conf += 'routes = ( { prefix = "203.0.113.0/24"; via = "%s"; port = "p0"; } );\n' % ROUTER
    r = pktlib.run(frames, workers=workers, modules=MODULES,
                   addresses=(PLB_CLIENT_SIDE + "/24", PLB_SERVER_SIDE + "/24"),
                   module_conf=ARP_CONF, extra_conf=conf)
    return r


def l4(proto, sport, dport, step):
    """Segment @step of a flow: 0 = first (SYN), 1 = reply (SYN-ACK), 2 = established (ACK + data)."""
    if proto == "tcp":
        flags, seq, ack = [("S", 1000, 0), ("SA", 5000, 1001), ("A", 1001, 5001)][step]
        seg = TCP(sport=sport, dport=dport, flags=flags, seq=seq, ack=ack, window=4096)
        return seg / Raw(b"GET / HTTP/1.0\r\n\r\n") if step == 2 else seg
    return UDP(sport=sport, dport=dport) / Raw(b"udp-%d" % step)


def frame(src_mac, dst_mac, src, dst, seg, ip_id, **ip):
    return Ether(src=src_mac, dst=dst_mac) / IP(src=src, dst=dst, id=ip_id, ttl=61, **ip) / seg


def from_client(proto, step, ip_id=None, **ip):
    return frame(ROUTER_MAC, PLB_MAC, CLIENT, VIP, l4(proto, CPORT, VPORT[proto], step),
                 ip_id if ip_id is not None else 10 + step, **ip)


def names(frames):
    return "\n".join(Ether(f).summary() for f in frames)


class Forwarding(unittest.TestCase):
    def assertFrames(self, got, want):
        want = [bytes(w) for w in want]
        self.assertEqual(got, want, "\ngot:\n%s\nwant:\n%s" % (names(got), names(want)))

    def check_nat_like(self, fwd, proto):
        """fnat / nat: first packet, reply, established packet; exact bytes each way."""
        lport = 1024 if fwd == "fnat" else CPORT
        laddr = LADDR if fwd == "fnat" else CLIENT
        dport = DPORT[proto]
        reply = frame(RS1_MAC, PLB_MAC, RS1, laddr, l4(proto, dport, lport, 1), 77)
        r = run([from_client(proto, 0), reply, from_client(proto, 2)], [service(proto, fwd)])
        self.assertFrames(r.out, [
            frame(PLB_MAC, RS1_MAC, laddr, RS1, l4(proto, lport, dport, 0), 10),
            frame(PLB_MAC, ROUTER_MAC, VIP, CLIENT, l4(proto, VPORT[proto], CPORT, 1), 77),
            frame(PLB_MAC, RS1_MAC, laddr, RS1, l4(proto, lport, dport, 2), 12),
        ])
        self.assertEqual(r.counter(fwd + ".xmit_in"), 2)
        self.assertEqual(r.counter(fwd + ".xmit_out"), 1)
        self.assertEqual(r.rc, 0)

    def test_fnat_tcp(self):
        self.check_nat_like("fnat", "tcp")

    def test_fnat_udp(self):
        self.check_nat_like("fnat", "udp")

    def test_nat_tcp(self):
        self.check_nat_like("nat", "tcp")

    def test_nat_udp(self):
        self.check_nat_like("nat", "udp")

    def check_dr(self, proto):
        """The packets leave unchanged but for the Ethernet header (server's MAC)."""
        r = run([from_client(proto, 0), from_client(proto, 2)],
                [service(proto, "dr", dport=VPORT[proto])])
        self.assertFrames(r.out, [
            frame(PLB_MAC, RS1_MAC, CLIENT, VIP, l4(proto, CPORT, VPORT[proto], 0), 10),
            frame(PLB_MAC, RS1_MAC, CLIENT, VIP, l4(proto, CPORT, VPORT[proto], 2), 12),
        ])
        self.assertEqual(r.counter("dr.xmit_in"), 2)

    def test_dr_tcp(self):
        self.check_dr("tcp")

    def test_dr_udp(self):
        self.check_dr("udp")

    def test_dr_needs_a_connected_server(self):
        r = run([from_client("udp", 0)], [service("udp", "dr", dest=FAR_RS, dport=VPORT["udp"])])
        self.assertFrames(r.out, [])
        self.assertEqual(r.counter("dr.drop_not_connected"), 1)
        self.assertEqual(r.counter("dr.xmit_in"), 0)

    def check_tun(self, proto):
        """IPIP: the client's packet unchanged inside a new header to the server."""
        inner = [from_client(proto, 0, flags="DF", tos=0x28), from_client(proto, 2)]
        r = run(inner, [service(proto, "tun", dport=VPORT[proto])])

        def outer(pkt, ip_id, df, tos):
            return (Ether(src=PLB_MAC, dst=RS1_MAC) /
                    IP(src=PLB_SERVER_SIDE, dst=RS1, proto=4, ttl=64, id=ip_id,
                       flags="DF" if df else 0, tos=tos) / pkt[IP])
        self.assertFrames(r.out, [outer(inner[0], 0, True, 0x28), outer(inner[1], 1, False, 0)])
        self.assertEqual(r.counter("tun.xmit_in"), 2)

    def test_tun_tcp(self):
        self.check_tun("tcp")

    def test_tun_udp(self):
        self.check_tun("udp")

    def test_tun_drops_what_exceeds_1500_bytes(self):
        def big(ip_len, sport):
            seg = UDP(sport=sport, dport=VPORT["udp"]) / Raw(b"x" * (ip_len - 28))
            return frame(ROUTER_MAC, PLB_MAC, CLIENT, VIP, seg, 5)
        fits, over = big(1480, 41000), big(1481, 41001)
        r = run([fits, over], [service("udp", "tun", dport=VPORT["udp"])])
        self.assertEqual(len(r.out), 1, names(r.out))
        self.assertEqual(len(r.out[0]), 14 + 1500, "20 + 1480 bytes: exactly the limit")
        self.assertEqual(r.counter("tun.drop_too_big"), 1)

    def test_fnat_refuses_a_service_without_laddrs(self):
        with self.assertRaises(AssertionError) as cm:
            run([], [service("tcp", "fnat", laddrs=())])
        self.assertIn("needs laddrs", str(cm.exception))

    def test_fnat_services_sharing_a_laddr_share_its_ports(self):
        """One pool per local address: a TCP and a UDP service listing the same
        laddr never hand out the same port (1024, then 1025)."""
        r = run([from_client("tcp", 0), from_client("udp", 0)],
                [service("tcp", "fnat"), service("udp", "fnat")])
        self.assertFrames(r.out, [
            frame(PLB_MAC, RS1_MAC, LADDR, RS1, l4("tcp", 1024, DPORT["tcp"], 0), 10),
            frame(PLB_MAC, RS1_MAC, LADDR, RS1, l4("udp", 1025, DPORT["udp"], 0), 10),
        ])

    def test_fnat_replies_steer_to_the_conn_owner(self):
        """Two workers: each conn gets a local port its worker owns (port % 2), and
        the server's reply to that port goes back to the right client out of the
        same worker. Client i's SYN carries seq 1000 + i; the reply to port p
        carries seq 50000 + p, so both can be told apart after the rewrite."""
        n = 16
        syns = [frame(ROUTER_MAC, PLB_MAC, "203.0.113.%d" % (10 + i), VIP,
                      TCP(sport=30000 + i, dport=80, flags="S", seq=1000 + i, window=4096), 1)
                for i in range(n)]
        # a reply to every port a conn may have taken; those nobody took are dropped
        replies = [frame(RS1_MAC, PLB_MAC, RS1, LADDR, TCP(sport=8080, dport=p, flags="SA",
                                                         seq=50000 + p, ack=1001, window=4096), 2)
                   for p in range(1024, 1024 + 2 * n)]
        r = run(syns + replies, [service("tcp", "fnat")], workers=2)
        lport, syn_q, reply = {}, {}, {}
        for q, frames in enumerate(r.per_queue):
            for f in frames:
                e = Ether(f)
                if e[IP].dst == RS1 and e[TCP].flags == "S":
                    i = e[TCP].seq - 1000
                    self.assertNotIn(i, lport, "one SYN out per client")
                    self.assertEqual(e[IP].src, LADDR)
                    lport[i], syn_q[i] = e[TCP].sport, q
                elif e[IP].dst.startswith("203.0.113.") and e[TCP].flags == "SA":
                    i = int(e[IP].dst.split(".")[3]) - 10
                    self.assertEqual((e[IP].src, e[TCP].sport, e[TCP].dport), (VIP, 80, 30000 + i))
                    reply[i] = (e[TCP].seq - 50000, q)
        self.assertEqual(sorted(lport), list(range(n)), "every SYN went out\n" + names(r.out))
        self.assertEqual(len(set(lport.values())), n, "no local port given out twice")
        self.assertEqual(set(syn_q.values()), {0, 1}, "both workers made conns")
        for i in range(n):
            self.assertEqual(lport[i] % 2, syn_q[i], "worker %d gave out port %d" % (syn_q[i], lport[i]))
            self.assertIn(i, reply, "client %d got its reply" % i)
            self.assertEqual(reply[i], (lport[i], syn_q[i]),
                             "client %d: the reply to its port, from the worker that owns it" % i)
        self.assertEqual(r.counter("fnat.xmit_out"), n)


if __name__ == "__main__":
    unittest.main(verbosity=2)
