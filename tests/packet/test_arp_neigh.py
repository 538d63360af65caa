# SPDX-License-Identifier: BSD-3-Clause
"""
proto_arp as a neighbour subsystem, packets in and packets out: requests
answered for port addresses only on their own port and for VIPs / local
addresses on every port; replies and gratuitous ARP learned into every
worker's table (PLB_STEER_ALL); neigh_output through a NAT service: static
entry, learned entry (VLAN-tagged input leaves untagged), miss -> exact ARP
request then the held packet once the reply comes, queue bound and request
rate limit; settings checked by `plb -t` and at start-up.

Ordering of the two-phase exchange: with ONE worker the frames of a burst
are handled in arrival order and the ARP request is buffered for TX before
the reply behind it is handled, so "request, then the released packet" is
deterministic even in one burst. Ports are polled in config order every loop
(p0 then p1), so a reply in p1's capture is never handled before the packet
in p0's. With two workers this does not hold (a PLB_STEER_ALL packet is
delivered on the receiving worker at once, overtaking earlier packets of its
burst), hence workers=1 there.
"""
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pktlib  # noqa: E402
from pktlib import PEER_MAC, port_mac  # noqa: E402
from scapy.all import ARP, Dot1Q, Ether, IP, UDP, Raw  # noqa: E402

P0, P1 = port_mac(0), port_mac(1)
P0_IP, P1_IP = "192.0.2.1", "198.51.100.1"
CLIENT = "192.0.2.2"
VIP, LADDR = "192.0.2.100", "198.51.100.5"
SRV, SRV_MAC = "198.51.100.11", "02:00:00:00:00:11"
SRV0 = "192.0.2.11"            # a real server on p0's link
BCAST, ZERO = "ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00"

MODS = ("proto_ipv4", "proto_arp", "proto_icmp", "proto_udp", "hook_vs")
HAVE_VS = all(os.path.exists(os.path.join(pktlib.BUILD, "modules", m + ".so"))
              for m in ("hook_vs", "fwd_nat", "proto_udp", "sched_rr"))


def req(tip, sip=CLIENT, mac=PEER_MAC):
    return Ether(src=mac, dst=BCAST) / ARP(op=1, hwsrc=mac, psrc=sip, pdst=tip)


def reply_from(port_mac_, ip, peer_ip, peer_mac=PEER_MAC):
    return bytes(Ether(src=port_mac_, dst=peer_mac) /
                 ARP(op=2, hwsrc=port_mac_, psrc=ip, hwdst=peer_mac, pdst=peer_ip))


def garp(ip, mac, op=1):
    return Ether(src=mac, dst=BCAST) / ARP(op=op, hwsrc=mac, psrc=ip, hwdst=BCAST if op == 2 else ZERO, pdst=ip)


def udp(sport=40000, vlan=None, payload=b"plb-neigh"):
    l2 = Ether(src=PEER_MAC, dst=P0)
    if vlan is not None:
        l2 = l2 / Dot1Q(vlan=vlan)
    return l2 / IP(src=CLIENT, dst=VIP) / UDP(sport=sport, dport=53) / payload


def nat_service(dest):
    return ('services = ( { proto = "udp"; vip = "%s"; port = 53; scheduler = "rr"; fwd = "nat";\n'
            '  dests = ( { addr = "%s"; port = 5353; } ); } );\n' % (VIP, dest))


def two_ports(p1_frames=()):
    return ({"addresses": [P1_IP + "/24"], "frames": list(p1_frames)},)


class ArpAnswers(unittest.TestCase):
    def test_ifaddr_answered_only_on_its_own_port(self):
        r = pktlib.run([req(P0_IP), req(P1_IP)], addresses=(P0_IP + "/24",),
                       more_ports=two_ports([req(P1_IP, sip="198.51.100.2"),
                                             req(P0_IP, sip="198.51.100.2")]))
        self.assertEqual(r.port_out[0], [reply_from(P0, P0_IP, CLIENT)],
                         "p0 answers for its own address only, from its own MAC")
        self.assertEqual(r.port_out[1], [reply_from(P1, P1_IP, "198.51.100.2")],
                         "p1 answers for its own address only, from its own MAC")
        self.assertEqual(r.counter("arp.rx_request"), 4)
        self.assertEqual(r.counter("arp.tx_reply"), 2)
        self.assertEqual(r.counter("arp.drop_not_for_us"), 2)
        self.assertEqual(r.counter("arp.learned"), 2, "the senders of the two answered requests")
        self.assertEqual(r.rc, 0)

    @unittest.skipUnless(HAVE_VS, "needs hook_vs, fwd_nat, proto_udp, sched_rr")
    def test_vip_and_laddr_answered_on_every_port(self):
        svc = ('services = ( { proto = "udp"; vip = "%s"; port = 53; scheduler = "rr"; fwd = "fnat";\n'
               '  laddrs = [ "%s" ]; dests = ( { addr = "%s"; port = 53; } ); } );\n' % (VIP, LADDR, SRV))
        r = pktlib.run([req(VIP), req(LADDR)], modules=MODS, extra_conf=svc,
                       more_ports=two_ports([req(VIP, sip="198.51.100.2"), req(LADDR, sip="198.51.100.2")]))
        self.assertEqual(r.port_out[0], [reply_from(P0, VIP, CLIENT), reply_from(P0, LADDR, CLIENT)])
        self.assertEqual(r.port_out[1], [reply_from(P1, VIP, "198.51.100.2"),
                                         reply_from(P1, LADDR, "198.51.100.2")])
        self.assertEqual(r.counter("arp.tx_reply"), 4)
        self.assertEqual(r.counter("arp.drop_not_for_us"), 0)


class ArpLearning(unittest.TestCase):
    def test_gratuitous_and_replies_learned_on_every_worker(self):
        frames = [
            garp("192.0.2.50", "02:00:00:00:00:50", op=1),           # announcement (request)
            garp("192.0.2.51", "02:00:00:00:00:51", op=2),           # announcement (reply)
            Ether(src="02:00:00:00:00:52", dst=P0) /                 # a reply to us
            ARP(op=2, hwsrc="02:00:00:00:00:52", psrc="192.0.2.52", hwdst=P0, pdst=P0_IP),
            Ether(src="02:00:00:00:00:53", dst="02:00:00:00:00:99") /  # a reply to someone else
            ARP(op=2, hwsrc="02:00:00:00:00:53", psrc="192.0.2.53", hwdst="02:00:00:00:00:99",
                pdst="192.0.2.99"),
            garp(P0_IP, "02:00:00:00:00:66"),                         # claims our address
        ]
        r = pktlib.run(frames, workers=2)
        self.assertEqual(r.out, [], "ARP that is not a request for us is never answered")
        self.assertEqual(r.counter("arp.rx_gratuitous"), 3, "counted once per packet, not per worker")
        self.assertEqual(r.counter("arp.rx_reply"), 3)
        self.assertEqual(r.counter("arp.learned"), 6, "3 neighbours x 2 workers: every table learns")
        self.assertEqual(r.counter("arp.drop_not_for_us"), 1)
        self.assertEqual(r.counter("arp.drop_bad"), 1, "an address conflict is dropped")
        self.assertGreaterEqual(r.worker_sum("handover_out"), 3, "broadcast to the other worker")
        self.assertIn("address conflict: 192.0.2.1 claimed by 02:00:00:00:00:66", r.log)
        self.assertEqual(r.rc, 0)


@unittest.skipUnless(HAVE_VS, "needs hook_vs, fwd_nat, proto_udp, sched_rr")
class NeighOutput(unittest.TestCase):
    def check_nat_out(self, frame, src_mac, dst_mac, daddr, sport=40000):
        self.assertEqual(frame[:14], bytes(Ether(src=src_mac, dst=dst_mac, type=0x0800))[:14],
                         "untagged Ethernet header: our port's MAC -> the neighbour's")
        p = Ether(frame)
        self.assertEqual((p[IP].src, p[IP].dst, p[UDP].sport, p[UDP].dport), (CLIENT, daddr, sport, 5353))
        self.assertEqual(bytes(p[UDP].payload), b"plb-neigh")

    def test_static_entry(self):
        arp = 'proto_arp = { static = ( { ip = "%s"; mac = "%s"; port = "p1"; } ); };' % (SRV, SRV_MAC)
        r = pktlib.run([udp()], modules=MODS, extra_conf=nat_service(SRV), module_conf=arp,
                       more_ports=two_ports())
        self.assertEqual(r.port_out[0], [])
        self.assertEqual(len(r.port_out[1]), 1, r.log)
        self.check_nat_out(r.port_out[1][0], P1, SRV_MAC, SRV)
        self.assertEqual(r.counter("arp.tx_request"), 0)

    def test_learned_entry_used_and_vlan_tag_dropped(self):
        srv_mac = "02:00:00:00:00:0b"
        r = pktlib.run([garp(SRV0, srv_mac), udp(sport=40001), udp(sport=40002, vlan=7)],
                       modules=MODS, extra_conf=nat_service(SRV0))
        self.assertEqual(len(r.out), 2, r.log)
        self.check_nat_out(r.out[0], P0, srv_mac, SRV0, sport=40001)
        self.check_nat_out(r.out[1], P0, srv_mac, SRV0, sport=40002)
        self.assertEqual(r.counter("arp.learned"), 1)
        self.assertEqual(r.counter("arp.tx_request"), 0)

    def test_next_hop_cache_follows_a_new_mac(self):
        """NAT's in-direction sends through the dest's next-hop cache (nh.fill counts the
        full-path sends): a new MAC for the server (gratuitous ARP) invalidates it at once."""
        mac1, mac2 = "02:00:00:00:00:0b", "02:00:00:00:00:0c"
        first = [udp(sport=41000 + i) for i in range(10)]
        then = [udp(sport=42000 + i) for i in range(5)]
        r = pktlib.run([garp(SRV0, mac1)] + first + [garp(SRV0, mac2)] + then,
                       modules=MODS, extra_conf=nat_service(SRV0))
        self.assertEqual(len(r.out), 15, r.log)
        for i, f in enumerate(r.out[:10]):
            self.check_nat_out(f, P0, mac1, SRV0, sport=41000 + i)
        for i, f in enumerate(r.out[10:]):
            self.check_nat_out(f, P0, mac2, SRV0, sport=42000 + i)
        # one fill per MAC; the once-a-second move may add one while the frames pass
        self.assertIn(r.counter("nh.fill"), (2, 3), "the cache served the other packets")
        self.assertEqual(r.counter("arp.learned"), 2)

    def test_route_next_hop_cache_follows_the_gateway(self):
        """Replies to a client behind a gateway go through the route's next-hop cache:
        a gratuitous ARP with the gateway's new MAC redirects the very next reply."""
        gw, gw1, gw2 = "192.0.2.254", "02:00:00:00:00:f1", "02:00:00:00:00:f2"
        cli, srv_mac = "203.0.113.7", "02:00:00:00:00:0b"

        def request(sport):
            return Ether(src=gw1, dst=P0) / IP(src=cli, dst=VIP) / UDP(sport=sport, dport=53) / b"q"

        def reply(sport):
            return Ether(src=srv_mac, dst=P0) / IP(src=SRV0, dst=cli) / UDP(sport=5353, dport=sport) / b"r"

        frames = ([garp(gw, gw1), garp(SRV0, srv_mac)] + [request(43000 + i) for i in range(3)] +
                  [reply(43000 + i) for i in range(3)] + [garp(gw, gw2)] + [reply(43000 + i) for i in range(3)])
        conf = nat_service(SRV0) + 'routes = ( { prefix = "203.0.113.0/24"; via = "%s"; port = "p0"; } );\n' % gw
        r = pktlib.run(frames, modules=MODS, extra_conf=conf)
        self.assertEqual(len(r.out), 9, r.log)
        for f in r.out[:3]:
            self.assertEqual(Ether(f).dst, srv_mac)
        for i, f in enumerate(r.out[3:]):
            p = Ether(f)
            self.assertEqual((p.src, p.dst), (P0, gw1 if i < 3 else gw2), "reply %d" % i)
            self.assertEqual((p[IP].src, p[IP].dst, p[UDP].sport, p[UDP].dport),
                             (VIP, cli, 53, 43000 + i % 3))
        # fills: the dest's cache once, the route's once per gateway MAC (+1 if a second turned)
        self.assertIn(r.counter("nh.fill"), (3, 4), "the caches served the other packets")

    def test_miss_sends_request_then_releases_the_packet(self):
        reply = (Ether(src=SRV_MAC, dst=P1) /
                 ARP(op=2, hwsrc=SRV_MAC, psrc=SRV, hwdst=P1, pdst=P1_IP))
        r = pktlib.run([udp()], modules=MODS, extra_conf=nat_service(SRV), more_ports=two_ports([reply]))
        want_req = bytes(Ether(src=P1, dst=BCAST) / ARP(op=1, hwsrc=P1, psrc=P1_IP, hwdst=ZERO, pdst=SRV))
        self.assertEqual(len(r.port_out[1]), 2, r.log)
        self.assertEqual(r.port_out[1][0], want_req, "who-has from p1's MAC and first address")
        self.check_nat_out(r.port_out[1][1], P1, SRV_MAC, SRV)
        self.assertEqual(r.port_out[0], [])
        self.assertEqual(r.counter("arp.tx_request"), 1)
        self.assertEqual(r.counter("arp.learned"), 1)
        self.assertEqual(r.counter("arp.resolved_queued"), 1)

    def test_queue_bound_and_request_rate_limit(self):
        r = pktlib.run([udp(sport=40000 + i) for i in range(5)], modules=MODS, extra_conf=nat_service(SRV),
                       module_conf="proto_arp = { queue = 2; };", more_ports=two_ports())
        want_req = bytes(Ether(src=P1, dst=BCAST) / ARP(op=1, hwsrc=P1, psrc=P1_IP, hwdst=ZERO, pdst=SRV))
        self.assertEqual(r.port_out[1], [want_req], "one request per entry per second, nothing else")
        self.assertEqual(r.counter("arp.tx_request"), 1)
        self.assertEqual(r.counter("arp.drop_queue_full"), 3)
        self.assertEqual(r.counter("arp.resolved_queued"), 0)
        self.assertEqual(r.rc, 0, "plb stops cleanly with packets still held")


class ArpSettings(unittest.TestCase):
    def check(self, arp_conf, ports='( { name = "p0"; dev = "net_null0"; } )', run=False):
        """plb -t (or a real start when @run) on a config with @arp_conf; (rc, output)."""
        with tempfile.TemporaryDirectory(prefix="plb-arp-") as tmp:
            conf = os.path.join(tmp, "plb.conf")
            with open(conf, "w") as f:
                f.write('eal = ["--no-huge", "-m", "256", "--no-pci", "--file-prefix=plbarp%d"];\n' % os.getpid())
                f.write('modules = { path = "%s"; load = ["proto_ipv4", "proto_arp"];\n'
                        '  proto_arp = %s; };\n' % (os.path.join(pktlib.BUILD, "modules"), arp_conf))
                f.write('ports = %s;\ncontrol = { socket = "%s/plb.sock"; };\n' % (ports, tmp))
            args = [os.path.join(pktlib.BUILD, "plb"), "-c", conf] + ([] if run else ["-t"])
            # a valid config starts and runs: the check is for configs that must fail first
            p = subprocess.run(args, capture_output=True, text=True, timeout=30)
            return p.returncode, p.stdout + p.stderr, conf

    def test_valid_settings_pass_check(self):
        rc, out, _ = self.check('{ entries = 8; queue = 0; timeout = 1; static = ( { ip = "198.51.100.11"; '
                                'mac = "02:00:00:00:00:11"; port = "p9"; } ); }')
        self.assertEqual(rc, 0, "plb -t checks syntax only: port names are not known yet\n" + out)

    def test_errors_name_file_and_line(self):
        cases = [
            ('{ entrys = 8; }', "entrys: unknown key (expected one of: entries, queue, timeout, static)"),
            ('{ entries = 0; }', "expected an integer 1..4194304, got 0"),
            ('{ timeout = "5"; }', "expected an integer 1..86400"),
            ('{ static = ( { ip = "198.51.100.11"; } ); }', "missing key 'mac'"),
            ('{ static = ( { ip = "198.51.100.11"; mac = "02:00:00:00:00:11"; dev = "p0"; } ); }',
             "dev: unknown key (expected one of: ip, mac, port)"),
            ('{ static = ( { ip = "198.51.100.300"; mac = "02:00:00:00:00:11"; } ); }',
             'expected an IPv4 address "a.b.c.d", got "198.51.100.300"'),
            ('{ static = ( { ip = "198.51.100.11"; mac = "01:00:00:00:00:11"; } ); }',
             'expected a unicast MAC "xx:xx:xx:xx:xx:xx", got "01:00:00:00:00:11"'),
            ('{ static = ( { ip = "198.51.100.11"; mac = "02:00:00:00:00:11"; port = "p0"; },\n'
             '  { ip = "198.51.100.11"; mac = "02:00:00:00:00:12"; port = "p0"; } ); }',
             "plb.conf:4: modules.proto_arp.static[1]: duplicate static entry (also static[0], line 3)"),
        ]
        for arp_conf, want in cases:
            with self.subTest(arp_conf=arp_conf):
                rc, out, conf = self.check(arp_conf)
                self.assertNotEqual(rc, 0, out)
                self.assertIn(want, out)
                self.assertRegex(out, r"plb\.conf:\d+: modules\.proto_arp")

    def test_unknown_port_fails_at_start(self):
        rc, out, _ = self.check('{ static = ( { ip = "198.51.100.11"; mac = "02:00:00:00:00:11"; port = "p9"; } ); }',
                                run=True)
        self.assertNotEqual(rc, 0, out)
        self.assertIn('no port named "p9" in ports', out)
        rc, out, _ = self.check('{ static = ( { ip = "198.51.100.11"; mac = "02:00:00:00:00:11"; } ); }',
                                run=True)
        self.assertNotEqual(rc, 0, out)
        self.assertIn('no port has a prefix holding 198.51.100.11: set port = "name"', out)


if __name__ == "__main__":
    unittest.main()
