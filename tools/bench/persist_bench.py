#!/usr/bin/python3
"""Durability benchmarks: erdtree-server vs redis-server, one run.

Same method as bench.py (whose machinery it imports from benchlib.py): both
servers run with the same settings, each in its own temp dir (both under one
parent dir, so on the same filesystem), on free 127.0.0.1 ports, pinned to the
server CPU; clients run on the client CPU; measurements alternate erdtree /
redis with the order flipping every step; medians and the median of the
back-to-back ratios erdtree/redis are reported.  See tools/bench/README.md.

Sections (--sections picks a subset):

throughput  redis-benchmark -t set,incr -P 16 -c 50 -r 1000000 with
            appendonly yes and appendfsync everysec, then always; requests/s
            and server CPU per request.
restart     K keys (SET k:%08d v:%08d) loaded with appendonly yes, everysec;
            time from process start to the first PONG when restarting on
            the same dir (a) from the log as written, (b) after BGREWRITEAOF
            (RDB-preamble base), (c) from dump.rdb (SAVE, appendonly no).
            DBSIZE and sample keys are checked after every restart.
rewrite     BGREWRITEAOF on a server holding K keys: time until INFO
            persistence shows the rewrite done, and the peak Private_Dirty
            of the fork child (/proc/<child>/smaps_rollup, sampled every
            20 ms); once with an RDB base, once with a RESP base.

All servers run with --save '' and --auto-aof-rewrite-percentage 0 (no
snapshot or rewrite the script did not ask for).  Every server is stopped on
any exit (Ctrl-C, SIGTERM, errors) and every wait has a time limit.
"""

import argparse
import os
import random
import socket
import threading
import shlex
import shutil
import statistics
import sys
import tempfile
import time

from benchlib import (Conn, Server, add_common_args, check_common_args, fmt, key_of, load_units, resp_bytes,
                      log, parse_info, print_elapsed, print_setup, print_summary, ratio,
                      set_cmd, setup_process, spread, stop_all_servers, throughput,
                      throughput_table, value_of, script_entry)

SECTIONS = ["throughput", "restart", "rewrite"]
FSYNC_MODES = ["everysec", "always"]
WRITE_TESTS = ["set", "incr"]
DEPTH = 16
NAMES = ("erdtree", "redis")

# Flags both servers get in every section: no snapshot and no automatic
# rewrite behind the script's back.
BASE_ARGS = ["--save", "", "--auto-aof-rewrite-percentage", "0"]
AOF_ARGS = ["--appendonly", "yes", "--appendfsync", "everysec", "--aof-use-rdb-preamble", "yes"]

RESTART_CASES = [
    ("aof", "from the log as written (incr records)"),
    ("aof-rdb-base", "from the log after BGREWRITEAOF (RDB base)"),
    ("rdb", "from dump.rdb (SAVE; appendonly no)"),
]
# (row, aof-use-rdb-preamble, overwrite existing keys during the rewrite)
REWRITE_ROWS = [("rdb", "yes", False), ("resp", "no", False), ("rdb+w", "yes", True)]
WRITE_BATCH = 1000          # SETs per pipelined batch of the concurrent writer

READY_POLL_S = 0.005        # PING every 5 ms while a server starts
INFO_POLL_S = 0.010         # INFO persistence every 10 ms during a rewrite
COW_SAMPLE_S = 0.020        # child Private_Dirty every 20 ms
SAMPLE_KEYS = 200           # keys read back (one MGET) after each load/restart
MB = 2.0 ** 20


# --------------------------------------------------------------------------
# Helpers

def make_server(opts, which, args):
    binary = opts.erdtree if which == "erdtree" else opts.redis
    return Server(which, binary, opts.server_cpu, opts.keep_dirs,
                  BASE_ARGS + args + shlex.split(opts.server_args),
                  base_dir=opts.work_dir, ready_timeout=opts.ready_timeout, ready_poll=READY_POLL_S)


def sample_indices(n):
    """Deterministic spread of key indices: both ends, the middle, and a
    stride through the whole range."""
    idx = {0, 1, n // 3, n // 2, n - 2, n - 1}
    step = max(1, n // SAMPLE_KEYS)
    idx.update(range(7 % n, n, step))
    return sorted(i for i in idx if 0 <= i < n)


def check_data(srv, n, when, values=True):
    """The server must hold exactly the n loaded keys: DBSIZE, a sample of
    values (one MGET; skipped when values is False, after the overwrites of
    the rewrite-under-load row), and the next key must not exist."""
    c = Conn(srv.port, timeout=30.0)
    try:
        size = c.call("DBSIZE")
        if size != n:
            raise RuntimeError("%s %s: DBSIZE %r, expected %d" % (srv.name, when, size, n))
        idx = sample_indices(n)
        got = c.call("MGET", *[key_of(i) for i in idx]) if values else []
        for i, v in zip(idx, got):
            if v != value_of(i).decode():
                raise RuntimeError("%s %s: GET %s returned %r" % (srv.name, when, key_of(i).decode(), v))
        if c.call("EXISTS", key_of(n)) != 0:
            raise RuntimeError("%s %s: unexpected key %s" % (srv.name, when, key_of(n).decode()))
    finally:
        c.close()


def load_keys(opts, srv):
    secs = load_units(srv.port, opts.keys, set_cmd, b"+OK", opts.load_timeout)
    check_data(srv, opts.keys, "after load")
    log("  %-7s loaded %d keys in %.1fs (%.0f/s); DBSIZE and %d sampled values ok" % (
        srv.name, opts.keys, secs, opts.keys / secs, len(sample_indices(opts.keys))))


def aof_dir(srv):
    return os.path.join(srv.dir, "appendonlydir")


def manifest_files(srv):
    """[(name, type)] of the files the manifest lists (b base, i incr, h history)."""
    out = []
    path = os.path.join(aof_dir(srv), "appendonly.aof.manifest")
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 6 and parts[0] == "file":
                kv = dict(zip(parts[2::2], parts[3::2]))
                out.append((parts[1].strip('"'), kv.get("type")))
    return out


def log_bytes(srv, types="bi"):
    """Bytes of the files the manifest lists with a type in `types`."""
    return sum(os.path.getsize(os.path.join(aof_dir(srv), name))
               for name, t in manifest_files(srv) if t in types)


def base_file(srv):
    for name, t in manifest_files(srv):
        if t == "b":
            return name, os.path.getsize(os.path.join(aof_dir(srv), name))
    return None, None


def child_pids(pid):
    """Children of any thread of pid (/proc/<pid>/task/<tid>/children)."""
    kids = []
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return kids
    for tid in tids:
        try:
            with open("/proc/%d/task/%s/children" % (pid, tid)) as f:
                kids += [int(x) for x in f.read().split()]
        except OSError:
            pass
    return kids


def private_dirty_bytes(pid):
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Private_Dirty:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return None


def rss_bytes(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return None


def pair_ratios(a_vals, b_vals):
    return [x / y for x, y in zip(a_vals, b_vals) if y]


def med(vals):
    return statistics.median(vals) if vals else None


def ordered(servers, step):
    """Both servers, the order flipping with every step."""
    return list(servers) if step % 2 == 0 else list(reversed(servers))


# --------------------------------------------------------------------------
# 1. Write throughput with the log on

def section_throughput(opts):
    out = {}
    for mode in FSYNC_MODES:
        n = opts.requests if mode == "everysec" else opts.always_requests
        log("throughput, appendfsync %s: %d round(s) x %s, -P %d, n=%d" % (
            mode, opts.rounds, ",".join(WRITE_TESTS), DEPTH, n))
        servers = [make_server(opts, w, ["--appendonly", "yes", "--appendfsync", mode]) for w in NAMES]
        try:
            for s in servers:
                s.start()
            res = throughput(opts, servers[0], servers[1], WRITE_TESTS, [DEPTH], {DEPTH: n}, opts.rounds)
            logs = {}
            for s in servers:
                info = s.info("persistence")
                if info.get("aof_enabled") != "1" or info.get("aof_last_write_status") != "ok":
                    raise RuntimeError("%s: log not on or not healthy after the runs: aof_enabled=%s "
                                       "aof_last_write_status=%s" % (s.name, info.get("aof_enabled"),
                                                                     info.get("aof_last_write_status")))
                logs[s.name] = log_bytes(s)
            log("  log size after the runs: " + ", ".join("%s %.1f MB" % (k, v / MB) for k, v in logs.items()))
        finally:
            for s in servers:
                s.stop()
        out[mode] = {"results": res, "requests": n, "log_bytes": logs}
    return out


def report_throughput(opts, out):
    summary = []
    print()
    print("1. Write throughput with the log on (appendonly yes; -P %d -c 50 -r 1000000; median of %d round(s))" % (
        DEPTH, opts.rounds))
    print("  rps higher is better; cpu us = server CPU (all threads) per request, lower is better;")
    print("  ratio/cpuRat: median over rounds of erdtree/redis of back-to-back runs; spread: (max-min)/median")
    for mode in FSYNC_MODES:
        if mode not in out:
            continue
        o = out[mode]
        print("appendfsync %s, n=%d per run; log after all runs: erdtree %.1f MB, redis %.1f MB" % (
            mode, o["requests"], o["log_bytes"]["erdtree"] / MB, o["log_bytes"]["redis"] / MB))
        summary += throughput_table(o["results"], WRITE_TESTS, [DEPTH], tag_prefix=mode + " ")
    return summary


# --------------------------------------------------------------------------
# 2. Restart time

def restart_rounds(opts, servers, case):
    """Interleaved restarts on the same dirs; returns {name: [seconds]}."""
    times = {s.name: [] for s in servers}
    for rnd in range(opts.rounds):
        for s in ordered(servers, rnd):
            s.halt()
            s.start()
            times[s.name].append(s.startup_seconds)
            check_data(s, opts.keys, "after restart (%s)" % case)
        log("  restart %-12s round %d/%d  erdtree %.3fs  redis %.3fs" % (
            case, rnd + 1, opts.rounds, times["erdtree"][-1], times["redis"][-1]))
    return times


def wait_rewrite(srv, conn, rewrites_before, timeout, on_poll=None):
    """Polls INFO persistence every INFO_POLL_S until the rewrite is done
    (aof_rewrite_in_progress:0 and aof_rewrites past rewrites_before).
    Returns the last INFO dict."""
    deadline = time.monotonic() + timeout
    while True:
        if on_poll:
            on_poll()
        info = parse_info(conn.call("INFO", "persistence"))
        if info.get("aof_rewrite_in_progress") == "0" and int(info.get("aof_rewrites", -1)) > rewrites_before:
            if info.get("aof_last_bgrewrite_status") != "ok":
                raise RuntimeError("%s: rewrite failed (aof_last_bgrewrite_status %s); log:\n%s" % (
                    srv.name, info.get("aof_last_bgrewrite_status"), srv.log_tail()))
            return info
        if time.monotonic() > deadline:
            raise RuntimeError("%s: rewrite not done after %ss; log:\n%s" % (srv.name, timeout, srv.log_tail()))
        if not srv.alive():
            raise RuntimeError("%s died during the rewrite; log:\n%s" % (srv.name, srv.log_tail()))
        time.sleep(INFO_POLL_S)


def bgrewrite(opts, srv):
    c = Conn(srv.port, timeout=30.0)
    try:
        before = int(parse_info(c.call("INFO", "persistence")).get("aof_rewrites", 0))
        c.call("BGREWRITEAOF")
        wait_rewrite(srv, c, before, opts.rewrite_timeout)
    finally:
        c.close()


def section_restart(opts):
    out = {"times": {}, "bytes": {}}
    log("restart: %d keys, %d interleaved restart(s) per case" % (opts.keys, opts.rounds))
    servers = [make_server(opts, w, AOF_ARGS) for w in NAMES]
    try:
        for s in servers:
            s.start()
            load_keys(opts, s)
        for case, _ in RESTART_CASES:
            if case == "aof-rdb-base":
                for s in servers:
                    bgrewrite(opts, s)
                log("  BGREWRITEAOF done on both (base: erdtree %s, redis %s)" % (
                    base_file(servers[0])[0], base_file(servers[1])[0]))
            elif case == "rdb":
                for s in servers:
                    if s.call("SAVE") != "OK":
                        raise RuntimeError("%s: SAVE failed" % s.name)
                    s.extra_args += ["--appendonly", "no"]   # later flags win
            out["times"][case] = restart_rounds(opts, servers, case)
            if case == "rdb":
                out["bytes"][case] = {s.name: os.path.getsize(os.path.join(s.dir, "dump.rdb")) for s in servers}
            else:
                out["bytes"][case] = {s.name: log_bytes(s) for s in servers}
    finally:
        for s in servers:
            s.stop()
    return out


def report_restart(opts, out):
    summary = []
    print()
    print("2. Restart with %d keys (10-byte keys and values): process start -> first PONG, same dir," % opts.keys)
    print("  warm page cache; median of %d interleaved restart(s), seconds, lower is better; ratio: median" % opts.rounds)
    print("  of erdtree/redis pairs; DBSIZE and %d sampled values checked after every restart" % len(
        sample_indices(opts.keys)))
    hdr = "%-13s | %9s %6s | %9s %6s | %6s %6s | %9s %9s" % (
        "loaded from", "erdtree s", "spread", "redis s", "spread", "ratio", "spread", "MB E", "MB R")
    print(hdr)
    print("-" * len(hdr))
    for case, what in RESTART_CASES:
        if case not in out["times"]:
            continue
        te, tr = out["times"][case]["erdtree"], out["times"][case]["redis"]
        pr = pair_ratios(te, tr)
        be, br = out["bytes"][case]["erdtree"], out["bytes"][case]["redis"]
        print("%-13s | %9.3f %5s%% | %9.3f %5s%% | %6s %5s%% | %9.1f %9.1f" % (
            case, med(te), fmt(spread(te), "%.0f"), med(tr), fmt(spread(tr), "%.0f"),
            fmt(med(pr)), fmt(spread(pr), "%.0f"), be / MB, br / MB))
        summary += ["restart_seconds erdtree %s %.4f" % (case, med(te)),
                    "restart_seconds redis %s %.4f" % (case, med(tr)),
                    "restart_ratio %s %s" % (case, fmt(med(pr), "%.3f")),
                    "restart_file_bytes erdtree %s %d" % (case, be),
                    "restart_file_bytes redis %s %d" % (case, br)]
    for case, what in RESTART_CASES:
        print("  %-13s %s" % (case, what))
    print("  MB: the files loaded (log: base + incr files of the manifest; rdb: dump.rdb)")
    return summary


# --------------------------------------------------------------------------
# 3. Rewrite

class Overwriter:
    """While running, overwrites random existing keys (SET k:%08d with a new
    10-byte value) in pipelined batches over one connection, so the server
    dirties pages the fork shares with its child: copy-on-write under load."""

    def __init__(self, port, keys):
        self.port, self.keys = port, keys
        self.stop_flag = threading.Event()
        self.ops = 0
        self.error = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        try:
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=30.0)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            rng = random.Random(7)
            want = b"+OK\r\n" * WRITE_BATCH
            while not self.stop_flag.is_set():
                batch = b"".join(resp_bytes(b"SET", key_of(rng.randrange(self.keys)),
                                            b"w:%08d" % rng.randrange(10 ** 8)) for _ in range(WRITE_BATCH))
                sock.sendall(batch)
                got = b""
                while len(got) < len(want):
                    chunk = sock.recv(65536)
                    if not chunk:
                        raise RuntimeError("connection closed")
                    got += chunk
                if got != want:
                    raise RuntimeError("unexpected replies: %r" % got[:60])
                self.ops += WRITE_BATCH
            sock.close()
        except Exception as e:  # reported by stop()
            self.error = e

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.stop_flag.set()
        self.thread.join(60)
        if self.error is not None:
            raise RuntimeError("concurrent writer failed: %s" % self.error)
        return self.ops


def timed_rewrite(opts, srv, with_writes=False):
    """BGREWRITEAOF; returns dict(secs, peak (child Private_Dirty bytes),
    samples, cow (INFO aof_last_cow_size), rss (server VmRSS before), writes
    (SETs applied during the rewrite when with_writes))."""
    writer = Overwriter(srv.port, opts.keys).start() if with_writes else None
    if writer is not None:
        time.sleep(0.1)  # the writer is up to speed before the fork
    c = Conn(srv.port, timeout=30.0)
    try:
        info = parse_info(c.call("INFO", "persistence"))
        if info.get("aof_rewrite_in_progress") != "0":
            raise RuntimeError("%s: a rewrite is already running" % srv.name)
        before = int(info.get("aof_rewrites", 0))
        rss = rss_bytes(srv.pid)
        st = {"child": None, "peak": 0, "samples": 0, "next": 0.0}

        def sample():
            now = time.monotonic()
            if now < st["next"]:
                return
            st["next"] = now + COW_SAMPLE_S
            if st["child"] is None:
                kids = child_pids(srv.pid)
                st["child"] = kids[0] if kids else None
            if st["child"] is not None:
                pd = private_dirty_bytes(st["child"])
                if pd is not None:
                    st["peak"] = max(st["peak"], pd)
                    st["samples"] += 1

        t0 = time.monotonic()
        ops0 = writer.ops if writer is not None else 0
        c.call("BGREWRITEAOF")
        info = wait_rewrite(srv, c, before, opts.rewrite_timeout, on_poll=sample)
        secs = time.monotonic() - t0
        writes = (writer.ops - ops0) if writer is not None else 0
    finally:
        c.close()
        if writer is not None:
            writer.stop()
    if st["samples"] == 0:
        log("  ! %s: no Private_Dirty sample of the rewrite child (finished within one poll?)" % srv.name)
    return {"secs": secs, "peak": st["peak"] if st["samples"] else None, "samples": st["samples"],
            "cow": int(info.get("aof_last_cow_size", 0)), "rss": rss, "writes": writes}


def section_rewrite(opts):
    out = {}
    log("rewrite: %d keys, %d interleaved BGREWRITEAOF(s) per base format" % (opts.keys, opts.rounds))
    servers = [make_server(opts, w, AOF_ARGS) for w in NAMES]
    try:
        for s in servers:
            s.start()
            load_keys(opts, s)
        step = 0
        for row, preamble, with_writes in REWRITE_ROWS:
            for s in servers:
                s.call("CONFIG", "SET", "aof-use-rdb-preamble", preamble)
            runs = {s.name: [] for s in servers}
            for rnd in range(opts.rounds):
                for s in ordered(servers, step):
                    runs[s.name].append(timed_rewrite(opts, s, with_writes))
                step += 1
                log("  rewrite %-4s round %d/%d  erdtree %.3fs peak %s MB  redis %.3fs peak %s MB" % (
                    row, rnd + 1, opts.rounds,
                    runs["erdtree"][-1]["secs"], fmt_mb(runs["erdtree"][-1]["peak"]),
                    runs["redis"][-1]["secs"], fmt_mb(runs["redis"][-1]["peak"])))
            bases = {}
            for s in servers:
                name, size = base_file(s)
                want = ".base.rdb" if preamble == "yes" else ".base.aof"
                if name is None or not name.endswith(want):
                    raise RuntimeError("%s: base after the rewrite is %r, expected *%s" % (s.name, name, want))
                bases[s.name] = size
                check_data(s, opts.keys, "after the %s rewrites" % row, values=not with_writes)
            out[row] = {"runs": runs, "base": bases}
    finally:
        for s in servers:
            s.stop()
    return out


def fmt_mb(x):
    return "n/a" if x is None else "%.1f" % (x / MB)


def report_rewrite(opts, out):
    summary = []
    print()
    print("3. BGREWRITEAOF with %d keys (median of %d interleaved rewrite(s)); rows rdb and resp: no writes" % (
        opts.keys, opts.rounds))
    print("  meanwhile; rdb+w: one client overwrites random existing keys (pipelined SETs) all along, so")
    print("  copy-on-write shows; 'writes' is how many SETs each server applied during its rewrite")
    print("  s: BGREWRITEAOF -> INFO persistence shows aof_rewrite_in_progress:0 and aof_rewrites+1 (10 ms polls)")
    print("  peak: max Private_Dirty of the fork child (smaps_rollup every 20 ms), MB: extra memory the fork")
    print("  costs; cow: the server's own INFO aof_last_cow_size, MB; base: the new base file, MB; rss: the")
    print("  server's VmRSS before the rewrite, MB; ratio s: median of erdtree/redis pairs; ratio peak: ratio")
    print("  of the medians; lower is better")
    hdr = "%-4s | %7s %7s %6s | %7s %7s %6s | %6s %6s | %6s %6s | %6s %6s" % (
        "base", "s E", "s R", "ratio", "peak E", "peak R", "ratio", "cow E", "cow R",
        "base E", "base R", "rss E", "rss R")
    print(hdr)
    print("-" * len(hdr))
    for row, _, _ in REWRITE_ROWS:
        if row not in out:
            continue
        re_, rr = out[row]["runs"]["erdtree"], out[row]["runs"]["redis"]
        se, sr = [x["secs"] for x in re_], [x["secs"] for x in rr]
        pe = med([x["peak"] for x in re_ if x["peak"] is not None])
        pr = med([x["peak"] for x in rr if x["peak"] is not None])
        ce, cr = med([x["cow"] for x in re_]), med([x["cow"] for x in rr])
        xe, xr = med([x["rss"] for x in re_]), med([x["rss"] for x in rr])
        be, br = out[row]["base"]["erdtree"], out[row]["base"]["redis"]
        rs = med(pair_ratios(se, sr))
        rp = ratio(pe, pr)
        print("%-5s| %7.3f %7.3f %6s | %7s %7s %6s | %6s %6s | %6.1f %6.1f | %6.1f %6.1f" % (
            row, med(se), med(sr), fmt(rs), fmt_mb(pe), fmt_mb(pr), fmt(rp),
            fmt_mb(ce), fmt_mb(cr), be / MB, br / MB, xe / MB, xr / MB))
        we, wr = med([x["writes"] for x in re_]), med([x["writes"] for x in rr])
        if we or wr:
            print("       writes during the rewrite: erdtree %d, redis %d" % (we, wr))
            summary += ["rewrite_writes erdtree %s %d" % (row, we), "rewrite_writes redis %s %d" % (row, wr)]
        summary += ["rewrite_seconds erdtree %s %.4f" % (row, med(se)),
                    "rewrite_seconds redis %s %.4f" % (row, med(sr)),
                    "rewrite_ratio %s %s" % (row, fmt(rs, "%.3f")),
                    "rewrite_peak_child_private_dirty_bytes erdtree %s %s" % (row, fmt(pe, "%d")),
                    "rewrite_peak_child_private_dirty_bytes redis %s %s" % (row, fmt(pr, "%d")),
                    "rewrite_peak_ratio %s %s" % (row, fmt(rp, "%.3f")),
                    "aof_last_cow_size erdtree %s %s" % (row, fmt(ce, "%d")),
                    "aof_last_cow_size redis %s %s" % (row, fmt(cr, "%d")),
                    "rewrite_base_bytes erdtree %s %d" % (row, be),
                    "rewrite_base_bytes redis %s %d" % (row, br)]
        if len(se) > 1:
            print("       spread s: erdtree %s%%, redis %s%%, ratio %s%%" % (
                fmt(spread(se), "%.0f"), fmt(spread(sr), "%.0f"), fmt(spread(pair_ratios(se, sr)), "%.0f")))
    return summary


# --------------------------------------------------------------------------
# Main

def parse_args():
    p = argparse.ArgumentParser(description="erdtree vs redis durability benchmarks (ratios in one run)")
    add_common_args(p)
    p.add_argument("--sections", default=",".join(SECTIONS),
                   help="comma list of sections (default: %s)" % ",".join(SECTIONS))
    p.add_argument("--rounds", type=int, help="interleaved rounds / restarts / rewrites (default 5)")
    p.add_argument("--keys", type=int, help="keys for the restart and rewrite sections (default 1000000)")
    p.add_argument("--requests", type=int,
                   help="requests per redis-benchmark run with appendfsync everysec (default 1000000)")
    p.add_argument("--always-requests", type=int,
                   help="requests per run with appendfsync always (default: --requests)")
    p.add_argument("--quick", action="store_true",
                   help="smoke run: defaults become 1 round, 100000 keys, 100000 requests")
    p.add_argument("--dir", help="parent of the servers' temp dirs (default: the system temp dir)")
    p.add_argument("--ready-timeout", type=float, default=120.0,
                   help="a (re)started server must answer PING within this (s)")
    p.add_argument("--rewrite-timeout", type=float, default=300.0, help="limit per BGREWRITEAOF (s)")
    p.add_argument("--server-args", default="", help="extra flags for both servers")
    o = p.parse_args()
    d = (1, 100000, 100000) if o.quick else (5, 1000000, 1000000)
    o.rounds = o.rounds if o.rounds is not None else d[0]
    o.keys = o.keys if o.keys is not None else d[1]
    o.requests = o.requests if o.requests is not None else d[2]
    o.always_requests = o.always_requests if o.always_requests is not None else o.requests
    if min(o.rounds, o.keys, o.requests, o.always_requests) < 1:
        p.error("--rounds, --keys, --requests and --always-requests must be positive")
    if o.keys < 10 or o.keys >= 10**8 - 1:
        p.error("--keys must be in [10, 99999999) (keys are k:%08d)")
    o.sections = [x.strip().lower() for x in o.sections.split(",") if x.strip()]
    unknown = [x for x in o.sections if x not in SECTIONS]
    if unknown or not o.sections:
        p.error("unknown section(s): %s (choose from %s)" % (",".join(unknown), ",".join(SECTIONS)))
    if o.dir and not os.path.isdir(o.dir):
        p.error("--dir %s is not a directory" % o.dir)
    check_common_args(p, o)
    return o


def main():
    opts = parse_args()
    setup_process(opts)
    t_start = time.monotonic()
    # One parent dir: both servers' data on the same filesystem.
    opts.work_dir = tempfile.mkdtemp(prefix="persist-bench-", dir=opts.dir)
    flavor = make_server(opts, "erdtree", []).flavor
    print_setup(opts, flavor, ["both servers started with: %s" % " ".join(
        shlex.quote(a) for a in BASE_ARGS + shlex.split(opts.server_args)),
        "data dirs under %s" % opts.work_dir])
    sys.stdout.flush()
    out = {}
    try:
        if "throughput" in opts.sections:
            out["throughput"] = section_throughput(opts)
        if "restart" in opts.sections:
            out["restart"] = section_restart(opts)
        if "rewrite" in opts.sections:
            out["rewrite"] = section_rewrite(opts)
    except KeyboardInterrupt:
        log("interrupted; stopping servers")
        return 130
    finally:
        stop_all_servers()
        if opts.keep_dirs:
            log("kept %s" % opts.work_dir)
        else:
            shutil.rmtree(opts.work_dir, ignore_errors=True)

    summary = []
    if "throughput" in out:
        summary += report_throughput(opts, out["throughput"])
    if "restart" in out:
        summary += report_restart(opts, out["restart"])
    if "rewrite" in out:
        summary += report_rewrite(opts, out["rewrite"])
    print_summary(summary)
    print_elapsed(t_start)
    return 0


if __name__ == "__main__":
    script_entry(main)
