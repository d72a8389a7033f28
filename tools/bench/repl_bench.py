#!/usr/bin/python3
"""Replication benchmarks: erdtree-server vs redis-server, one run.

Same method as bench.py and persist_bench.py (machinery from benchlib.py):
every server on a free 127.0.0.1 port in its own temp dir, erdtree masters
with erdtree replicas and redis masters with redis replicas, measurements
alternating erdtree / redis with the order flipping every round, medians and
the median of the back-to-back ratios erdtree/redis.  Masters run on the
server CPU; replicas, redis-benchmark and this script on the client CPU.
See tools/bench/README.md.

Sections (--sections picks a subset):

fullsync    A master holding K keys (SET k:%08d v:%08d); a fresh, empty
            replica gets REPLICAOF; time until its INFO replication says
            master_link_status:up with no sync in progress, and DBSIZE = K.
            Both masters sync through a file on disk (redis-server with
            repl-diskless-sync no: erdtree's sync is disk-based).
lag         A master with one replica under redis-benchmark -t set -P 16;
            a probe client writes a timestamp key into the master every
            20 ms and polls the replica until the key is there: the
            replication delay (ms, median / p99 / max).  Also the byte lag
            (master_repl_offset - the replica's slave_repl_offset) sampled
            every 20 ms.
attached    redis-benchmark -t set -P 16 on a master with no replica, then
            on the same master with two replicas attached (online); the
            throughput with two replicas over without, per server (the cost
            of replication), and the server CPU per request.

All servers run with --save '' --appendonly no (no snapshot, no log: the
figures are about replication).  Every server is stopped on any exit and
every wait has a time limit.
"""

import argparse
import statistics
import subprocess
import sys
import threading
import time

from benchlib import (Conn, Server, add_common_args, check_common_args, fmt, load_units, log,
                      parse_info, print_elapsed, print_setup, print_summary, run_benchmark,
                      set_cmd, setup_process, spread, stop_all_servers)

SECTIONS = ["fullsync", "lag", "attached"]
NAMES = ("erdtree", "redis")
REDIS_ARGS = ["--repl-diskless-sync", "no"]


class Pair:
    """One flavour's binary: makes masters on the server CPU and replicas on
    the client CPU."""

    def __init__(self, name, binary, opts):
        self.name, self.binary, self.opts = name, binary, opts
        self.extra = REDIS_ARGS if name == "redis" else []

    def server(self, role, cpu):
        return Server("%s-%s" % (self.name, role), self.binary, cpu, self.opts.keep_dirs,
                      extra_args=self.extra, ready_timeout=self.opts.ready_timeout)

    def master(self):
        return self.server("master", self.opts.server_cpu).start()

    def replica(self, tag="replica"):
        return self.server(tag, self.opts.client_cpu).start()


def wait_until(pred, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.01)
    raise RuntimeError("timed out after %.0fs waiting for %s" % (timeout, what))


def replica_online(replica):
    info = parse_info(replica.call("INFO", "replication"))
    return info.get("master_link_status") == "up" and info.get("master_sync_in_progress") == "0"


def follow(replica, master, timeout):
    """REPLICAOF and wait until the link is up and the load is done;
    returns the seconds it took."""
    t0 = time.monotonic()
    replica.call("REPLICAOF", "127.0.0.1", str(master.port))
    wait_until(lambda: replica_online(replica), timeout, "%s to sync" % replica.name)
    return time.monotonic() - t0


def caught_up(master, replica):
    m = parse_info(master.call("INFO", "replication"))
    r = parse_info(replica.call("INFO", "replication"))
    return m.get("master_repl_offset") == r.get("slave_repl_offset")


def percentile(vals, p):
    s = sorted(vals)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))] if s else None


# --------------------------------------------------------------------------
# fullsync

def section_fullsync(opts, pairs, summary):
    print("\n== Full sync of %d keys (disk-based on both), %d rounds" % (opts.keys, opts.rounds))
    masters = {}
    for p in pairs:
        masters[p.name] = p.master()
        load_units(masters[p.name].port, opts.keys, set_cmd, b"+OK", opts.load_timeout)
    times = {p.name: [] for p in pairs}
    pair_ratios = []
    for rnd in range(opts.rounds):
        order = pairs if rnd % 2 == 0 else pairs[::-1]
        now = {}
        for p in order:
            rep = p.replica()
            try:
                secs = follow(rep, masters[p.name], opts.sync_timeout)
                n = rep.dbsize()
                if n != opts.keys:
                    raise RuntimeError("%s replica holds %s keys, expected %d" % (p.name, n, opts.keys))
            finally:
                rep.stop()
            times[p.name].append(secs)
            now[p.name] = secs
        pair_ratios.append(now["erdtree"] / now["redis"])
        log("  round %d/%d  erdtree %.2fs  redis %.2fs" % (rnd + 1, opts.rounds, now["erdtree"], now["redis"]))
    for m in masters.values():
        m.stop()
    med = {n: statistics.median(times[n]) for n in NAMES}
    r = statistics.median(pair_ratios)
    print("%-8s %8s %6s" % ("server", "s", "spread"))
    for n in NAMES:
        print("%-8s %8.3f %5s%%" % (n, med[n], fmt(spread(times[n]), "%.0f")))
    print("ratio erdtree/redis %.2f (lower is better)" % r)
    summary += ["fullsync_seconds erdtree %.3f" % med["erdtree"],
                "fullsync_seconds redis %.3f" % med["redis"],
                "fullsync_ratio %.3f" % r]


# --------------------------------------------------------------------------
# lag

class Prober(threading.Thread):
    """Every 20 ms: SET a probe key on the master, then poll GET on the
    replica until it is there; records the delay.  Also samples the byte
    lag between the master's and the replica's offsets."""

    def __init__(self, master, replica):
        super().__init__(daemon=True)
        self.master, self.replica = master, replica
        self.delays_ms, self.byte_lags = [], []
        self.stop_flag = threading.Event()
        self.error = None

    def run(self):
        try:
            mc, rc = Conn(self.master.port), Conn(self.replica.port)
            try:
                n = 0
                while not self.stop_flag.is_set():
                    key = "probe:%d" % n
                    n += 1
                    # Byte lag first, at a moment unrelated to the probe.
                    mo = parse_info(mc.call("INFO", "replication")).get("master_repl_offset")
                    ro = parse_info(rc.call("INFO", "replication")).get("slave_repl_offset")
                    if mo is not None and ro is not None:
                        self.byte_lags.append(max(0, int(mo) - int(ro)))
                    t0 = time.monotonic()
                    mc.call("SET", key, "1")
                    deadline = t0 + 30.0
                    while rc.call("EXISTS", key) != 1:
                        if time.monotonic() > deadline:
                            raise RuntimeError("probe key never reached the replica")
                        time.sleep(0.0002)
                    self.delays_ms.append((time.monotonic() - t0) * 1000.0)
                    self.stop_flag.wait(0.02)
            finally:
                mc.close()
                rc.close()
        except Exception as e:   # reported by the main thread
            self.error = e


def section_lag(opts, pairs, summary):
    print("\n== Replication delay under redis-benchmark -t set -P 16 -c 50, %d rounds" % opts.rounds)
    setups = {}
    for p in pairs:
        m = p.master()
        r = p.replica()
        follow(r, m, opts.sync_timeout)
        setups[p.name] = (m, r)
    stats = {n: {"delay": [], "bytes": [], "rps": []} for n in NAMES}
    for rnd in range(opts.rounds):
        order = pairs if rnd % 2 == 0 else pairs[::-1]
        for p in order:
            m, r = setups[p.name]
            prober = Prober(m, r)
            prober.start()
            res = run_benchmark(opts, m, "set", 16, opts.requests)
            prober.stop_flag.set()
            prober.join(timeout=40)
            if prober.error:
                raise RuntimeError("%s probe: %s" % (p.name, prober.error))
            wait_until(lambda: caught_up(m, r), opts.sync_timeout, "%s replica to catch up" % p.name)
            if res:
                stats[p.name]["rps"].append(res[0])
            stats[p.name]["delay"] += prober.delays_ms
            stats[p.name]["bytes"] += prober.byte_lags
            log("  round %d/%d %-7s rps %8.0f  probes %4d  delay median %.2f ms  max %.2f ms" % (
                rnd + 1, opts.rounds, p.name, res[0] if res else float("nan"), len(prober.delays_ms),
                statistics.median(prober.delays_ms) if prober.delays_ms else float("nan"),
                max(prober.delays_ms) if prober.delays_ms else float("nan")))
    for m, r in setups.values():
        r.stop()
        m.stop()
    print("%-8s %10s | %9s %9s %9s | %10s %10s" % (
        "server", "rps", "delay p50", "p99", "max ms", "bytes p50", "bytes max"))
    for n in NAMES:
        s = stats[n]
        d, b = s["delay"], s["bytes"]
        print("%-8s %10s | %9s %9s %9s | %10s %10s" % (
            n, fmt(statistics.median(s["rps"]) if s["rps"] else None, "%.0f"),
            fmt(statistics.median(d) if d else None), fmt(percentile(d, 99)), fmt(max(d) if d else None),
            fmt(statistics.median(b) if b else None, "%.0f"), fmt(max(b) if b else None, "%.0f")))
        summary += ["lag_rps %s %s" % (n, fmt(statistics.median(s["rps"]) if s["rps"] else None, "%.0f")),
                    "lag_delay_ms_p50 %s %s" % (n, fmt(statistics.median(d) if d else None, "%.3f")),
                    "lag_delay_ms_p99 %s %s" % (n, fmt(percentile(d, 99), "%.3f")),
                    "lag_delay_ms_max %s %s" % (n, fmt(max(d) if d else None, "%.3f")),
                    "lag_bytes_p50 %s %s" % (n, fmt(statistics.median(b) if b else None, "%.0f"))]


# --------------------------------------------------------------------------
# attached

def section_attached(opts, pairs, summary):
    print("\n== Master throughput, redis-benchmark -t set -P 16 -c 50: no replica vs two, %d rounds"
          % opts.rounds)
    masters = {p.name: p.master() for p in pairs}
    replicas = {p.name: [] for p in pairs}
    res = {(n, k): [] for n in NAMES for k in ("none", "two")}
    cpu = {(n, k): [] for n in NAMES for k in ("none", "two")}
    for phase in ("none", "two"):
        if phase == "two":
            for p in pairs:
                for i in range(2):
                    rep = p.replica("replica%d" % i)
                    replicas[p.name].append(rep)
                    follow(rep, masters[p.name], opts.sync_timeout)
        for rnd in range(opts.rounds):
            order = pairs if rnd % 2 == 0 else pairs[::-1]
            for p in order:
                m = masters[p.name]
                r = run_benchmark(opts, m, "set", 16, opts.requests)
                if r:
                    res[(p.name, phase)].append(r[0])
                    cpu[(p.name, phase)].append(r[1] * 1e6 / opts.requests)
                log("  %s round %d/%d %-7s rps %8.0f" % (phase, rnd + 1, opts.rounds, p.name,
                                                         r[0] if r else float("nan")))
        if phase == "two":
            for p in pairs:
                for rep in replicas[p.name]:
                    wait_until(lambda: caught_up(masters[p.name], rep), opts.sync_timeout,
                               "%s to catch up" % rep.name)
                    if rep.dbsize() != masters[p.name].dbsize():
                        raise RuntimeError("%s DBSIZE differs from its master's" % rep.name)
    for p in pairs:
        for rep in replicas[p.name]:
            rep.stop()
        masters[p.name].stop()
    print("%-8s %12s %12s %8s | %9s %9s" % ("server", "rps none", "rps two", "two/none", "cpu none", "cpu two"))
    med = {}
    for n in NAMES:
        a = statistics.median(res[(n, "none")]) if res[(n, "none")] else None
        b = statistics.median(res[(n, "two")]) if res[(n, "two")] else None
        ca = statistics.median(cpu[(n, "none")]) if cpu[(n, "none")] else None
        cb = statistics.median(cpu[(n, "two")]) if cpu[(n, "two")] else None
        med[n] = (a, b)
        keep = b / a if a and b else None
        print("%-8s %12s %12s %8s | %9s %9s" % (n, fmt(a, "%.0f"), fmt(b, "%.0f"), fmt(keep),
                                                fmt(ca, "%.3f"), fmt(cb, "%.3f")))
        summary += ["attached_rps_none %s %s" % (n, fmt(a, "%.0f")),
                    "attached_rps_two %s %s" % (n, fmt(b, "%.0f")),
                    "attached_keep %s %s" % (n, fmt(keep, "%.3f")),
                    "attached_cpu_us_none %s %s" % (n, fmt(ca, "%.4f")),
                    "attached_cpu_us_two %s %s" % (n, fmt(cb, "%.4f"))]
    if all(med[n][1] for n in NAMES):
        r = med["erdtree"][1] / med["redis"][1]
        print("with two replicas, throughput erdtree/redis %.2f" % r)
        summary.append("attached_ratio_two %.3f" % r)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(p)
    p.add_argument("--sections", default=",".join(SECTIONS))
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--keys", type=int, default=1000000)
    p.add_argument("--requests", type=int, default=1000000, help="per redis-benchmark run")
    p.add_argument("--sync-timeout", type=float, default=120.0)
    p.add_argument("--ready-timeout", type=float, default=30.0)
    p.add_argument("--quick", action="store_true", help="1 round, 100k keys, 200k requests")
    opts = p.parse_args()
    check_common_args(p, opts)
    if opts.quick:
        opts.rounds, opts.keys, opts.requests = 1, 100000, 200000
    sections = [s for s in opts.sections.split(",") if s]
    for s in sections:
        if s not in SECTIONS:
            p.error("unknown section %s" % s)
    setup_process(opts)
    t_start = time.monotonic()
    pairs = [Pair("erdtree", opts.erdtree, opts), Pair("redis", opts.redis, opts)]
    print_setup(opts, pairs[0].server("probe", None).flavor,
                ["replicas: same binary as their master, on the client CPU; redis with %s" % " ".join(REDIS_ARGS)])
    summary = []
    try:
        for s in sections:
            {"fullsync": section_fullsync, "lag": section_lag, "attached": section_attached}[s](opts, pairs, summary)
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    except (RuntimeError, OSError, subprocess.SubprocessError) as e:
        log("error: %s" % e)
        return 2
    finally:
        stop_all_servers()
    print_summary(summary)
    print_elapsed(t_start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
