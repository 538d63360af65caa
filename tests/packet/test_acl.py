# SPDX-License-Identifier: BSD-3-Clause
"""
hook_acl through the real pipeline (ipv4 -> defence -> acl -> vs -> tcp ->
rr -> nat -> route -> static ARP). The lists are set the way operators set
them, by a Lua script at start-up (plb.deny, plb.set_allow): a global deny
list and an allow list on one service. Covers: SYNs from a denied source make
no conn and are counted on the global deny list, other clients pass; the
per-service allow list refuses outsiders on that service only; new-flow mode
checks only packets without a conn (an established flow's packets are not
looked at), every_packet mode checks each packet to a service; replies from
servers are never checked; bad settings refused.

Not covered here: a list changed while a flow runs (pktlib feeds one pcap,
read at start-up, so nothing can change between two of its packets); the
unit tests (tests/unit/test_acl.c) cover changes, and every_packet is shown
here by what it counts on static lists.
"""
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pktlib  # noqa: E402
from pktlib import PLB_MAC  # noqa: E402
from scapy.all import IP, TCP, Ether, Raw  # noqa: E402

ROUTER, ROUTER_MAC = "192.0.2.254", "02:00:00:00:00:fe"
VIP = "192.0.2.100"
RS, RS_MAC = "198.51.100.11", "02:00:00:00:01:11"
DENIED = "203.0.113.200"        # in the global deny list 203.0.113.128/25
CLIENT = "203.0.113.7"          # passes the global lists; not in port 443's allow list
INSIDER = "203.0.113.70"        # in port 443's allow list 203.0.113.64/26
MODULES = ("proto_ipv4", "proto_arp", "proto_icmp", "proto_tcp", "hook_defence", "hook_acl",
           "hook_vs")
ARP_CONF = 'proto_arp = { static = ( { ip = "%s"; mac = "%s"; }, { ip = "%s"; mac = "%s"; } ); };' % (
    ROUTER, ROUTER_MAC, RS, RS_MAC)
SCRIPT = """
plb.deny({ "203.0.113.128/25" })
plb.set_allow({ "203.0.113.64/26" }, "tcp:192.0.2.100:443")
"""
HAVE = all(os.path.exists(os.path.join(pktlib.BUILD, "modules", m + ".so")) for m in MODULES)


def service(port):
    return ('{ proto = "tcp"; vip = "%s"; port = %d; scheduler = "rr"; fwd = "nat"; '
            'dests = ( { addr = "%s"; port = %d; } ); }' % (VIP, port, RS, port))


def run(frames, acl_conf="", script=SCRIPT):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
        lua = f.name
    try:
        conf = "services = ( %s, %s );\n" % (service(80), service(443))
        conf += 'routes = ( { prefix = "203.0.113.0/24"; via = "%s"; port = "p0"; } );\n' % ROUTER
        conf += 'lua = { scripts = [ "%s" ]; };\n' % lua
        mc = "%s hook_acl = { %s };" % (ARP_CONF, acl_conf)
        return pktlib.run(frames, modules=MODULES, addresses=("192.0.2.1/24", "198.51.100.1/24"),
                          module_conf=mc, extra_conf=conf)
    finally:
        os.unlink(lua)


def c2v(client, cport, vport=80, flags="S", seq=1000, ack=0, payload=b""):
    p = (Ether(src=ROUTER_MAC, dst=PLB_MAC) / IP(src=client, dst=VIP) /
         TCP(sport=cport, dport=vport, flags=flags, seq=seq, ack=ack, window=4096))
    return p / Raw(payload) if payload else p


def s2c(client, cport, vport=80, flags="SA"):
    """A server's reply under NAT: RS:port -> client (not to a VIP)."""
    return (Ether(src=RS_MAC, dst=PLB_MAC) / IP(src=RS, dst=client) /
            TCP(sport=vport, dport=cport, flags=flags, seq=5000, ack=1001, window=4096))


def flow(client, cport, vport=80):
    """SYN, the server's SYN-ACK, then the client's ACK and one data segment."""
    return [c2v(client, cport, vport), s2c(client, cport, vport),
            c2v(client, cport, vport, "A", 1001, 5001),
            c2v(client, cport, vport, "PA", 1001, 5001, b"GET /")]


def forwarded(frames):
    """(source, destination, destination port) of each frame plb sent."""
    return sorted((Ether(f)[IP].src, Ether(f)[IP].dst, Ether(f)[TCP].dport) for f in frames)


def dest_conns(stats, port):
    for s in stats["services"]:
        if s["port"] == port:
            return s["dests"][0]["conns"]
    raise AssertionError("no service on port %d" % port)


@unittest.skipUnless(HAVE, "hook_acl / hook_vs / hook_defence not built")
class Acl(unittest.TestCase):
    FRAMES = (flow(DENIED, 40000) + flow(CLIENT, 40001) +          # port 80: global lists only
              flow(CLIENT, 40002, 443) + flow(INSIDER, 40003, 443))  # port 443: its allow list

    def check_verdicts(self, r):
        # what got through: CLIENT on 80 and INSIDER on 443, each SYN, ACK and data
        # to the server and the server's SYN-ACK back to the client (NAT);
        # the refused clients' server replies pass too: replies are not checked
        want = []
        for client, cport, vport in ((CLIENT, 40001, 80), (INSIDER, 40003, 443)):
            want += [(client, RS, vport)] * 3 + [(VIP, client, cport)]
        self.assertEqual(forwarded(r.out), sorted(want))
        self.assertEqual(dest_conns(r.stats, 80), 1)
        self.assertEqual(dest_conns(r.stats, 443), 1)
        self.assertEqual(r.counter("vs.conn_new"), 2)
        # a refused client's ACK and data have no conn either: checked and refused
        self.assertEqual(r.counter("acl.drop_global_deny"), 3)
        self.assertEqual(r.counter("acl.drop_svc_allow"), 3)
        self.assertEqual(r.counter("acl.drop_global_allow"), 0)
        self.assertEqual(r.counter("acl.drop_svc_deny"), 0)
        self.assertEqual(r.counter("vs.drop_no_conn"), 0, "vs never saw the refused ones")
        self.assertEqual(r.rc, 0)

    def test_new_flows(self):
        """Default mode: only packets without a conn are checked, so each passing
        flow counts one pass (its SYN); its ACK and data go straight to vs."""
        r = run(self.FRAMES)
        self.check_verdicts(r)
        self.assertEqual(r.counter("acl.pass"), 2)

    def test_every_packet(self):
        """every_packet: each client packet to a service is checked: SYN, ACK and
        data of both passing flows count; server replies still are not."""
        r = run(self.FRAMES, "every_packet = true;")
        self.check_verdicts(r)
        self.assertEqual(r.counter("acl.pass"), 6)

    def test_no_lists(self):
        """With no list set the module passes everything it checks."""
        r = run(self.FRAMES, script="-- no lists\n")
        self.assertEqual(r.counter("vs.conn_new"), 4)
        self.assertEqual(r.counter("acl.pass"), 4)
        for c in ("drop_global_deny", "drop_global_allow", "drop_svc_deny", "drop_svc_allow"):
            self.assertEqual(r.counter("acl." + c), 0)

    def test_bad_settings(self):
        """Unknown keys and a non-boolean every_packet stop start-up with file:line."""
        for setting, msg in (("every_packet = 1;", "modules.hook_acl.every_packet: expected true or false"),
                             ("everypacket = true;", "everypacket")):
            with self.assertRaises(AssertionError) as cm:
                run([c2v(CLIENT, 40000)], setting)
            self.assertIn(msg, str(cm.exception))


if __name__ == "__main__":
    unittest.main(verbosity=2)
