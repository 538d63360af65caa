#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# tests/e2e/tcp_hold.py DST PORT N GO_FILE: long-lived TCP connections for the e2e
# tests (wlc, weight 0). Opens N connections to DST:PORT, one after the other, and
# keeps them open and idle (no request yet, so the HTTP server waits for one); prints
# "open N" when all are up. Once GO_FILE exists it sends one HTTP/1.0 GET on each,
# reads each answer to the end and prints one JSON line: {"bodies": [...], "errors":
# [...]} (the body's last line per connection, in order). Gives up after 120 s.
import json
import os
import socket
import sys
import time


def main():
    dst, port, n, go = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    conns = []
    for _ in range(n):
        conns.append(socket.create_connection((dst, port), timeout=5))
    print("open %d" % len(conns), flush=True)
    deadline = time.monotonic() + 120
    while not os.path.exists(go):
        if time.monotonic() > deadline:
            sys.exit("tcp_hold: %s did not appear within 120 s" % go)
        time.sleep(0.05)
    res = {"bodies": [], "errors": []}
    for i, s in enumerate(conns):
        try:
            s.sendall(b"GET / HTTP/1.0\r\nHost: e2e\r\n\r\n")
            data = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 200") and not head.startswith(b"HTTP/1.0 200"):
                res["errors"].append("conn %d: answer %r" % (i, head[:40]))
            else:
                res["bodies"].append(body.decode(errors="replace").strip())
        except OSError as e:
            res["errors"].append("conn %d: %s" % (i, e))
        finally:
            s.close()
    print(json.dumps(res), flush=True)


if __name__ == "__main__":
    main()
