#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# tests/e2e/udp_echo.py: the UDP side of the e2e tests (python3 standard library only).
#   serve ADDR PORT NAME      answer every datagram with "NAME <the datagram>" from ADDR:PORT
#   client DST PORT N [--src ADDR] [--sport P] [--timeout S] [--max-timeouts M]
#                             N request/response exchanges, each from a new socket (a new
#                             flow for plb): source ports P, P+1, ... (never one reused while
#                             plb may still hold its conn), or kernel-chosen ports if P is 0
#                             (the default; they may repeat); prints one JSON line:
#                             sent, ok, timeout, refused (ICMP port unreachable), bad, split
#                             (replies per NAME) and ms. After M timeouts (default 10) it
#                             stops and counts the datagrams not sent as timed out.
import argparse
import json
import socket
import sys
import time


def serve(addr, port, name):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    prefix = name.encode() + b" "
    while True:
        data, peer = s.recvfrom(65535)
        s.sendto(prefix + data, peer)


def client(dst, port, n, src, sport, timeout, max_timeouts):
    res = {"sent": 0, "ok": 0, "timeout": 0, "refused": 0, "bad": 0, "split": {}}
    t0 = time.monotonic()
    for i in range(n):
        payload = b"plb-e2e %d" % i
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(timeout)
        try:
            s.bind((src or "0.0.0.0", sport + i if sport else 0))
            s.connect((dst, port))	# connected: only replies from dst:port, ICMP errors reported
            s.send(payload)
            res["sent"] += 1
            data = s.recv(65535)
            name, _, echo = data.partition(b" ")
            if echo != payload:
                res["bad"] += 1
                continue
            res["ok"] += 1
            key = name.decode(errors="replace")
            res["split"][key] = res["split"].get(key, 0) + 1
        except socket.timeout:
            res["timeout"] += 1
            if res["timeout"] >= max_timeouts:
                res["timeout"] += n - 1 - i
                break
        except ConnectionRefusedError:
            res["refused"] += 1
        finally:
            s.close()
    res["ms"] = int((time.monotonic() - t0) * 1000)
    print(json.dumps(res, sort_keys=True))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="mode", required=True)
    sv = sub.add_parser("serve")
    sv.add_argument("addr")
    sv.add_argument("port", type=int)
    sv.add_argument("name")
    cl = sub.add_parser("client")
    cl.add_argument("dst")
    cl.add_argument("port", type=int)
    cl.add_argument("n", type=int)
    cl.add_argument("--src")
    cl.add_argument("--sport", type=int, default=0)
    cl.add_argument("--timeout", type=float, default=1.0)
    cl.add_argument("--max-timeouts", type=int, default=10)
    a = ap.parse_args()
    if a.mode == "serve":
        serve(a.addr, a.port, a.name)
    else:
        client(a.dst, a.port, a.n, a.src, a.sport, a.timeout, a.max_timeouts)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
