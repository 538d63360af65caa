# SPDX-License-Identifier: BSD-3-Clause
"""
The core pipeline with the first L3/L4 modules, packets in and packets out:
ARP and ICMP echo answered with exact bytes, every malformed input dropped
and counted under its own reason, and software steering with two workers
(worker 0 polls the only RX queue; packets owned by worker 1 are handed over
and answered from worker 1's TX queue).
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pktlib  # noqa: E402
from pktlib import PLB_MAC, PEER_MAC  # noqa: E402
from scapy.all import ARP, Ether, ICMP, IP, Raw, UDP  # noqa: E402

PLB_IP = "192.0.2.1"
PEER_IP = "192.0.2.2"


def echo(src=PEER_IP, seq=1, payload=b"plb-echo", **ip):
    return Ether(src=PEER_MAC, dst=PLB_MAC) / IP(src=src, dst=PLB_IP, **ip) / ICMP(id=0x42, seq=seq) / payload


def echo_reply(dst=PEER_IP, seq=1, payload=b"plb-echo", ip_id=1):
    return bytes(Ether(src=PLB_MAC, dst=PEER_MAC) / IP(src=PLB_IP, dst=dst, ttl=64, id=ip_id) /
                 ICMP(type=0, id=0x42, seq=seq) / payload)


def corrupt(pkt, off, value):
    b = bytearray(bytes(pkt))
    b[off] = value
    return bytes(b)


class CorePipeline(unittest.TestCase):
    def test_arp_request_gets_exact_reply(self):
        req = Ether(src=PEER_MAC, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=PEER_MAC, psrc=PEER_IP, pdst=PLB_IP)
        other = Ether(src=PEER_MAC, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=PEER_MAC, psrc=PEER_IP, pdst="192.0.2.99")
        r = pktlib.run([req, other])
        want = bytes(Ether(src=PLB_MAC, dst=PEER_MAC) /
                     ARP(op=2, hwsrc=PLB_MAC, psrc=PLB_IP, hwdst=PEER_MAC, pdst=PEER_IP))
        self.assertEqual(r.out, [want], "one ARP reply, byte for byte, and nothing for 192.0.2.99")
        self.assertEqual(r.counter("arp.tx_reply"), 1)
        self.assertEqual(r.counter("arp.drop_not_for_us"), 1)
        self.assertEqual(r.rc, 0, "plb exits 0 on SIGTERM")

    def test_echo_request_gets_exact_reply(self):
        r = pktlib.run([echo(seq=1), echo(seq=2, payload=b"x" * 1000)])
        self.assertEqual(r.out, [echo_reply(seq=1), echo_reply(seq=2, payload=b"x" * 1000)])
        self.assertEqual(r.counter("icmp.tx_echo_reply"), 2)
        self.assertEqual(r.stats["ports"][0]["tx_packets"], 2)
        self.assertEqual(r.worker_sum("tx"), 2)

    def test_malformed_input_is_counted_and_dropped(self):
        good = echo(seq=9)
        ip_off = 14
        cases = [
            (b"\x02" * 10, "worker", "drop_runt"),
            (bytes(Ether(src=PEER_MAC, dst=PLB_MAC, type=0x88b5) / Raw(b"?" * 46)), "worker", "drop_no_l3"),
            (bytes(Ether(src=PEER_MAC, dst=PLB_MAC, type=0x0800) / Raw(b"\x45\x00")), "counter", "ipv4.drop_truncated"),
            (corrupt(echo(), ip_off, 0x65), "counter", "ipv4.drop_bad_version"),
            (corrupt(echo(), ip_off, 0x44), "counter", "ipv4.drop_bad_ihl"),
            (bytes(echo())[:ip_off + 24], "counter", "ipv4.drop_bad_len"),
            (bytes(Ether(src=PEER_MAC, dst=PLB_MAC) / IP(src=PEER_IP, dst=PLB_IP, chksum=0x1234) / ICMP()),
             "counter", "ipv4.drop_bad_csum"),
            (bytes(echo(flags="MF")), "counter", "ipv4.drop_frag_local"),
            (bytes(Ether(src=PEER_MAC, dst=PLB_MAC) / IP(src=PEER_IP, dst=PLB_IP) / ICMP(chksum=0x1111)),
             "counter", "icmp.drop_bad_csum"),
            (bytes(Ether(src=PEER_MAC, dst=PLB_MAC) / IP(src=PEER_IP, dst=PLB_IP) / UDP(dport=9)),
             "counter", "ipv4.drop_no_proto"),
            (bytes(Ether(src=PEER_MAC, dst=PLB_MAC) / IP(src=PEER_IP, dst="198.51.100.7") / ICMP()),
             "counter", "ipv4.drop_not_local"),
        ]
        r = pktlib.run([c[0] for c in cases] + [good])
        for frame, where, name in cases:
            if where == "worker":
                got = r.worker_sum(name)
            else:
                got = r.counter(name)
            self.assertEqual(got, 1, "%s should count exactly one drop (input %s)" % (name, frame.hex()))
        self.assertEqual(r.out, [echo_reply(seq=9)], "only the good echo after the bad input is answered")
        self.assertEqual(r.rc, 0)

    def test_two_workers_hand_over_to_the_owner(self):
        n = 32
        frames = [echo(src="192.0.2.%d" % (10 + i), seq=i) for i in range(n)]
        r = pktlib.run(frames, workers=2)
        want = sorted(echo_reply(dst="192.0.2.%d" % (10 + i), seq=i) for i in range(n))
        self.assertEqual(sorted(r.out), want, "every echo answered exactly once")
        w = {x["id"]: x for x in r.stats["workers"]}
        print("\n  two workers: rx %s, handover_out %s, handover_in %s, tx per queue %s" % (
            [w[0]["rx"], w[1]["rx"]], [w[0]["handover_out"], w[1]["handover_out"]],
            [w[0]["handover_in"], w[1]["handover_in"]], [len(q) for q in r.per_queue]))
        self.assertEqual(w[1]["rx"], 0, "worker 1 polls no RX queue: the port has one")
        self.assertGreater(w[0]["handover_out"], 0, "some flows are owned by worker 1")
        self.assertEqual(w[0]["handover_out"], w[1]["handover_in"], "what worker 0 handed over, worker 1 took")
        self.assertEqual(len(r.per_queue[1]), w[1]["handover_in"], "worker 1 answers on its own TX queue")
        self.assertEqual(w[0]["handover_drop"], 0)

    def test_poll_modes(self):
        busy = pktlib.run([echo()], poll="busy")
        adaptive = pktlib.run([echo()], poll="adaptive")
        self.assertEqual(busy.out, [echo_reply()])
        self.assertEqual(adaptive.out, [echo_reply()])
        self.assertEqual(busy.worker_sum("idle_sleeps"), 0, "busy polling never sleeps")
        self.assertGreater(adaptive.worker_sum("idle_sleeps"), 0, "adaptive polling sleeps when idle")


if __name__ == "__main__":
    unittest.main(verbosity=2)
