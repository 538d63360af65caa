#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# tests/e2e/ipip_decap.py TUN_NAME: IP-in-IP decapsulation in user space, for
# test_tun.sh on kernels without the ipip module. Creates the TUN device TUN_NAME
# (IFF_TUN | IFF_NO_PI: raw IPv4 packets, no header), reads every IP protocol 4
# packet addressed to this namespace from a raw socket, strips the outer IPv4 header
# and writes the inner packet into the TUN device, so the kernel receives it as if it
# had arrived on TUN_NAME (the test puts the VIP there). Prints "ready" when set up;
# on SIGTERM prints what it counted (decapsulated, dropped) and exits 0.
import fcntl
import os
import signal
import socket
import struct
import sys

TUNSETIFF = 0x400454ca
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
IPPROTO_IPIP = 4

counts = {"rx": 0, "decap": 0, "drop_short": 0, "drop_not_ipv4": 0, "drop_write": 0}


def stop(signum, frame):
    print("ipip_decap: %s" % " ".join("%s=%d" % kv for kv in counts.items()), flush=True)
    sys.exit(0)


def main():
    name = sys.argv[1]
    tun = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(tun, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, IPPROTO_IPIP)
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("ready", flush=True)
    while True:
        pkt = raw.recv(65535)		# an IPv4 raw socket returns the outer header too
        counts["rx"] += 1
        if len(pkt) < 40:
            counts["drop_short"] += 1
            continue
        inner = pkt[(pkt[0] & 0x0f) * 4:]
        if len(inner) < 20 or inner[0] >> 4 != 4:
            counts["drop_not_ipv4"] += 1
            continue
        try:
            os.write(tun, inner)
            counts["decap"] += 1
        except OSError:
            counts["drop_write"] += 1	# e.g. the device is not up yet


if __name__ == "__main__":
    main()
