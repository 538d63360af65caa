# SPDX-License-Identifier: BSD-3-Clause
"""
Packets in, packets out, through the real plb pipeline: a case writes its
input frames to a pcap, runs build/plb on a net_pcap vdev (EAL --no-huge),
waits until the workers have read every frame (plbctl stats), stops plb with
SIGTERM and returns what it transmitted (one pcap per TX queue = per worker)
and its counters. Run with Debian's /usr/bin/python3 (scapy).
"""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

from scapy.all import PcapWriter, rdpcap

BUILD = os.environ.get("PLB_BUILD", "build")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

PLB_MAC = "02:70:63:61:70:00"   # what net_pcap gives its first device
PEER_MAC = "02:00:00:00:00:02"


class Result:
    def __init__(self, out, stats, log, rc):
        self.out = out          # list of frames (bytes), all TX queues
        self.per_queue = None   # list of lists, one per TX queue
        self.stats = stats      # plbctl stats --json result
        self.log = log
        self.rc = rc

    def counter(self, name):
        return self.stats["counters"].get(name, 0)

    def worker_sum(self, field):
        return sum(w[field] for w in self.stats["workers"])


def _wait(cond, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = cond()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError("timed out after %ss waiting for %s" % (timeout, what))


def port_mac(i):
    """The MAC net_pcap gives port p<i> (02:70:63:61:70:<i>)."""
    return "02:70:63:61:70:%02x" % i


def run(frames, workers=1, poll="adaptive", modules=("proto_ipv4", "proto_arp", "proto_icmp"),
        addresses=("192.0.2.1/24",), extra_conf="", module_path=None, timeout=30, more_ports=(),
        module_conf="", until=None, control_conf=""):
    """Send @frames (scapy packets or bytes) into port p0; return a Result.
    @more_ports: ports p1, p2, ... as dicts {"addresses": [...], "frames": [...]}
    (both optional); Result.port_out[i] is what went out of p<i>.
    @module_conf goes inside the modules group (module settings, e.g.
    'proto_tcp = { mss_clamp = 1400; };'); @until(stats) -> bool, if given,
    is waited for once the counters settled, before plb stops (the Result's
    stats are the ones that satisfied it). @control_conf goes inside the
    control group (e.g. 'metrics = "127.0.0.1:9100";')."""
    tmp = tempfile.mkdtemp(prefix="plb-pkt-")
    try:
        specs = [{"addresses": addresses, "frames": frames}] + list(more_ports)
        txs, port_confs = [], []
        for i, spec in enumerate(specs):
            inp = os.path.join(tmp, "in%d.pcap" % i)
            with PcapWriter(inp, linktype=1, sync=True) as w:  # 1 = Ethernet
                w.write_header(None)    # an empty capture still needs its file header
                for f in spec.get("frames", ()):
                    w.write(bytes(f))
            txs.append([os.path.join(tmp, "out%d_%d.pcap" % (i, q)) for q in range(workers)])
            dev = "net_pcap%d,rx_pcap=%s,%s" % (i, inp, ",".join("tx_pcap=" + t for t in txs[i]))
            port_confs.append('{ name = "p%d"; dev = "%s"; addresses = [%s]; }' % (
                i, dev, ", ".join('"%s"' % a for a in spec.get("addresses", ()))))
        sock = os.path.join(tmp, "plb.sock")
        prefix = "plbpkt%d" % os.getpid()
        conf = os.path.join(tmp, "plb.conf")
        with open(conf, "w") as f:
            f.write('eal = ["--no-huge", "-m", "256", "--no-pci", "--file-prefix=%s", "--log-level=*:warning"];\n' % prefix)
            f.write('modules = { path = "%s"; load = [%s]; %s };\n' % (
                module_path or os.path.join(BUILD, "modules"), ", ".join('"%s"' % m for m in modules),
                module_conf))
            f.write('workers = { count = %d; poll = "%s"; };\n' % (workers, poll))
            f.write('ports = ( %s );\n' % ", ".join(port_confs))
            f.write('control = { socket = "%s"; %s };\n' % (sock, control_conf))
            f.write(extra_conf)
        logf = open(os.path.join(tmp, "plb.log"), "w+")
        p = subprocess.Popen([os.path.join(BUILD, "plb"), "-c", conf], stdout=logf, stderr=subprocess.STDOUT)
        try:
            def stats():
                if p.poll() is not None:
                    logf.seek(0)
                    raise AssertionError("plb exited early (%d):\n%s" % (p.returncode, logf.read()))
                r = subprocess.run([os.path.join(BUILD, "plbctl"), "-s", sock, "--json", "stats"],
                                   capture_output=True, text=True)
                return json.loads(r.stdout) if r.returncode == 0 else None

            n = sum(len(spec.get("frames", ())) for spec in specs)
            _wait(lambda: (lambda s: s and sum(w["rx"] for w in s["workers"]) >= n)(stats()),
                  timeout, "plb to read %d frames" % n)

            # everything read; wait until the workers are done with it (counters stop moving)
            def settled():
                a = stats()
                time.sleep(0.1)
                b = stats()
                return b if _busy(a) == _busy(b) and a["counters"] == b["counters"] else None
            st = _wait(settled, timeout, "counters to settle")
            if until is not None:
                st = _wait(lambda: (lambda s: s if s and until(s) else None)(stats()),
                           timeout, "the test's condition on the stats")
        finally:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
            try:
                rc = p.wait(timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                rc = p.wait()
            logf.seek(0)
            log = logf.read()
            logf.close()    # also when the run failed early
        read = lambda t: [bytes(x) for x in rdpcap(t)] if os.path.getsize(t) > 24 else []
        per_port_queue = [[read(t) for t in port_txs] for port_txs in txs]
        res = Result([f for port in per_port_queue for q in port for f in q], st, log, rc)
        res.per_queue = per_port_queue[0]
        res.port_out = [[f for q in port for f in q] for port in per_port_queue]
        return res
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _busy(st):
    """The worker fields that move only when packets move."""
    return [{k: v for k, v in w.items() if k not in ("loops", "idle_sleeps")} for w in st["workers"]]

