#!/usr/bin/python3
"""Side-by-side benchmark: erdtree-server vs redis-server, one run.

What it does (see tools/bench/README.md for how to read the output):

1. Throughput. Starts one erdtree and one redis instance (persistence off,
   each in its own temp dir, both pinned to the server CPU) and drives them
   with redis-benchmark pinned to the client CPU:
       -c 50 -n N -r 1000000 -t <test> -P <1|16> --csv
   for the string tests (SET GET INCR MSET) and the data-type tests (LPUSH
   LPOP LRANGE_100 SADD HSET ZADD SPOP); --tests picks a subset.
   Runs are interleaved erdtree/redis for every (round, depth, test), with the
   order flipped every other step so slow drift (other jobs on the box) hits
   both sides alike.  Each run also samples utime+stime of the server pid from
   /proc/PID/stat, giving server CPU time per request.  Reported: medians over
   rounds and the ratio erdtree/redis.

2. Memory. For each server and each variant a fresh instance is loaded
   over one pipelined RESP connection; VmRSS and INFO used_memory are read
   before and after.  Variants: K string keys of 10 bytes with 10-byte values
   (plain SET, and SET ... EX for the cost of a TTL), and one hash, one set
   and one sorted set of K elements (10-byte fields/members, 10-byte hash
   values, integer scores).  Reported: bytes per key or element of RSS
   growth and the ratio.

Shared machinery (servers, RESP client, redis-benchmark driver, loader,
report helpers) lives in benchlib.py, which persist_bench.py uses too.
Only the Python standard library is used.  Every subprocess has a timeout and
both servers are stopped (process group SIGTERM, then SIGKILL) on any exit.
"""

import argparse
import shlex
import sys
import time

from benchlib import (Conn, Server, add_common_args, check_common_args, fmt, key_of,
                      load_units, log, member_of, print_elapsed, print_setup, print_summary,
                      ratio, resp_bytes, set_cmd, setup_process, stop_all_servers, throughput,
                      throughput_table, value_of, script_entry)

STRING_TESTS = ["set", "get", "incr", "mset"]
# Order matters inside a round: LPOP drains what LPUSH (and the LRANGE
# prefill) pushed, SPOP what SADD added.
TYPE_TESTS = ["lpush", "lpop", "lrange_100", "sadd", "hset", "zadd", "spop"]
TESTS = STRING_TESTS + TYPE_TESTS
DEPTHS = [1, 16]

SETTLE_S = 0.5              # pause before reading memory figures


# --------------------------------------------------------------------------
# Memory per key / per element

TTL_SECONDS = 100000

# variant -> (what one unit is, command that adds unit i, expected reply line)
MEMORY_VARIANTS = {
    "plain": ("key", set_cmd, b"+OK"),
    "ttl": ("key", lambda i: resp_bytes(b"SET", key_of(i), value_of(i), b"EX", b"%d" % TTL_SECONDS), b"+OK"),
    "hash": ("element", lambda i: resp_bytes(b"HSET", b"bighash", key_of(i), value_of(i)), b":1"),
    "set": ("element", lambda i: resp_bytes(b"SADD", b"bigset", member_of(i)), b":1"),
    "zset": ("element", lambda i: resp_bytes(b"ZADD", b"bigzset", b"%d" % i, member_of(i)), b":1"),
}


def spot_check(srv, variant, n):
    """A few units must be readable after the load (and keys keep their TTL),
    so a server that silently drops data cannot look cheap."""
    c = Conn(srv.port)
    try:
        probes = sorted({0, n // 2, n - 1})
        if variant in ("plain", "ttl"):
            for i in probes:
                got = c.call("GET", key_of(i))
                if got != value_of(i).decode():
                    raise RuntimeError("%s: GET %s returned %r after load" % (srv.name, key_of(i).decode(), got))
                if variant == "ttl":
                    left = c.call("TTL", key_of(i))
                    if not isinstance(left, int) or not 0 < left <= TTL_SECONDS:
                        raise RuntimeError("%s: TTL %s returned %r" % (srv.name, key_of(i).decode(), left))
            return
        length_cmd, probe = {
            "hash": ("HLEN", lambda i: (c.call("HGET", "bighash", key_of(i)), value_of(i).decode())),
            "set": ("SCARD", lambda i: (c.call("SISMEMBER", "bigset", member_of(i)), 1)),
            "zset": ("ZCARD", lambda i: (c.call("ZSCORE", "bigzset", member_of(i)), str(i))),
        }[variant]
        key = {"hash": "bighash", "set": "bigset", "zset": "bigzset"}[variant]
        size = c.call(length_cmd, key)
        if size != n:
            raise RuntimeError("%s: %s %s returned %r after adding %d elements" % (srv.name, length_cmd, key, size, n))
        for i in probes:
            got, want = probe(i)
            if got != want:
                raise RuntimeError("%s: %s element %d read back %r, expected %r" % (srv.name, variant, i, got, want))
    finally:
        c.close()


def memory(opts, make_server):
    """mem[variant][name] = dict(rss=bytes/unit, used=bytes/unit or None, secs)."""
    mem = {}
    for variant in opts.memory_variants:
        unit, make_cmd, expect = MEMORY_VARIANTS[variant]
        mem[variant] = {}
        for which in ("erdtree", "redis"):
            srv = make_server(which)
            try:
                srv.start()
                time.sleep(SETTLE_S)
                rss0 = srv.rss_bytes()
                used0 = srv.info_field("memory", "used_memory")
                secs = load_units(srv.port, opts.keys, make_cmd, expect, opts.load_timeout)
                time.sleep(SETTLE_S)
                rss1 = srv.rss_bytes()
                used1 = srv.info_field("memory", "used_memory")
                spot_check(srv, variant, opts.keys)
                entry = {
                    "rss": (rss1 - rss0) / opts.keys,
                    "used": (used1 - used0) / opts.keys if used0 is not None and used1 is not None else None,
                    "rss_before": rss0, "rss_after": rss1, "secs": secs, "unit": unit,
                }
                mem[variant][which] = entry
                log("  memory %-5s %-7s  rss %+.1f MB -> %.1f B/%s, used_memory %s B/%s, load %.1fs (%.0f/s)" % (
                    variant, which, (rss1 - rss0) / 2**20, entry["rss"], unit,
                    "%.1f" % entry["used"] if entry["used"] is not None else "n/a", unit,
                    secs, opts.keys / secs))
            finally:
                srv.stop()
    return mem


# --------------------------------------------------------------------------
# Reporting

def report(opts, results, mem):
    summary = []
    if any(per["pairs"] for per in results.values()):
        print()
        print("Throughput (median of %d round(s); -c 50 -r 1000000; P1 n=%d, P16 n=%d)" % (
            opts.rounds, opts.requests, opts.pipelined_requests))
        print("  rps: median, higher is better; cpu us: server CPU microseconds per request (median),")
        print("  lower is better; ratio/cpuRat: median over rounds of erdtree/redis of back-to-back runs;")
        print("  spread: (max-min)/median over rounds (noise gauge)")
        summary += throughput_table(results, opts.tests, DEPTHS)
        print("  client_busy (summary): redis-benchmark CPU / wall time; near 1.00 means the single")
        print("  client core, not the server, set the pace (typical at P1 on a 2-core machine)")
    if mem:
        summary += memory_report(opts, mem)
    print_summary(summary)


def memory_report(opts, mem):
    summary = []
    print()
    print("Memory (%d keys, or one collection of %d elements; 10-byte keys, fields, members and values;" % (
        opts.keys, opts.keys))
    print("  fresh instance each). Bytes per key/element from VmRSS growth (INFO used_memory growth")
    print("  in parentheses); lower is better")
    hdr = "%-7s %-7s | %10s %10s | %10s %10s | %6s" % (
        "variant", "unit", "erdtree", "(used_mem)", "redis", "(used_mem)", "ratio")
    print(hdr)
    print("-" * len(hdr))
    for variant in opts.memory_variants:
        e, r = mem[variant]["erdtree"], mem[variant]["redis"]
        rr = ratio(e["rss"], r["rss"])
        print("%-7s %-7s | %10.1f %10s | %10.1f %10s | %6s" % (
            variant, e["unit"], e["rss"], fmt(e["used"], "%.1f"), r["rss"], fmt(r["used"], "%.1f"), fmt(rr)))
        summary += ["mem_bytes_per_%s erdtree %s %.1f" % (e["unit"], variant, e["rss"]),
                    "mem_bytes_per_%s redis %s %.1f" % (e["unit"], variant, r["rss"]),
                    "used_memory_bytes_per_%s erdtree %s %s" % (e["unit"], variant, fmt(e["used"], "%.1f")),
                    "used_memory_bytes_per_%s redis %s %s" % (e["unit"], variant, fmt(r["used"], "%.1f")),
                    "mem_ratio %s %s" % (variant, fmt(rr, "%.3f"))]
    if "plain" in mem and "ttl" in mem:
        te = mem["ttl"]["erdtree"]["rss"] - mem["plain"]["erdtree"]["rss"]
        tr = mem["ttl"]["redis"]["rss"] - mem["plain"]["redis"]["rss"]
        print("%-7s %-7s | %10.1f %10s | %10.1f %10s | %6s" % ("TTL +", "key", te, "", tr, "", fmt(ratio(te, tr))))
        summary += ["ttl_cost_bytes_per_key erdtree %.1f" % te,
                    "ttl_cost_bytes_per_key redis %.1f" % tr,
                    "ttl_cost_ratio %s" % fmt(ratio(te, tr), "%.3f")]
    return summary


# --------------------------------------------------------------------------
# Main

def parse_args():
    p = argparse.ArgumentParser(description="erdtree vs redis benchmark (ratios in one run)")
    add_common_args(p)
    p.add_argument("--rounds", type=int, help="interleaved rounds (default 5)")
    p.add_argument("--requests", type=int, help="requests per P1 run (default 200000)")
    p.add_argument("--pipelined-requests", type=int,
                   help="requests per P16 run (default 5 x --requests)")
    p.add_argument("--keys", type=int, help="keys (or elements) per memory load (default 1000000)")
    p.add_argument("--tests", default=",".join(TESTS),
                   help="comma list of redis-benchmark tests (default: %s)" % ",".join(TESTS))
    p.add_argument("--memory", default=",".join(MEMORY_VARIANTS),
                   help="comma list of memory variants (default: %s)" % ",".join(MEMORY_VARIANTS))
    p.add_argument("--quick", action="store_true",
                   help="smoke run: defaults become 1 round, 20000 requests, 100000 keys")
    p.add_argument("--skip-throughput", action="store_true")
    p.add_argument("--skip-memory", action="store_true")
    p.add_argument("--server-args", default="",
                   help="extra flags for both servers, e.g. '--appendonly yes --appendfsync always'")
    o = p.parse_args()
    defaults = (1, 20000, 100000) if o.quick else (5, 200000, 1000000)
    o.rounds = o.rounds if o.rounds is not None else defaults[0]
    o.requests = o.requests if o.requests is not None else defaults[1]
    o.keys = o.keys if o.keys is not None else defaults[2]
    if o.rounds < 1 or o.requests < 1 or o.keys < 1:
        p.error("--rounds, --requests and --keys must be positive")
    o.tests = [t.strip().lower() for t in o.tests.split(",") if t.strip()]
    o.memory_variants = [v.strip().lower() for v in o.memory.split(",") if v.strip()]
    unknown = [v for v in o.memory_variants if v not in MEMORY_VARIANTS]
    if unknown:
        p.error("unknown memory variant(s): %s" % ",".join(unknown))
    if o.pipelined_requests is None:
        o.pipelined_requests = 5 * o.requests
    if o.keys >= 10**8:
        p.error("--keys must be < 100000000 (keys are k:%08d)")
    check_common_args(p, o)
    return o


def main():
    opts = parse_args()
    setup_process(opts)

    def make_server(which):
        binary = opts.erdtree if which == "erdtree" else opts.redis
        return Server(which, binary, opts.server_cpu, opts.keep_dirs, shlex.split(opts.server_args))

    t_start = time.monotonic()
    print_setup(opts, make_server("erdtree").flavor,
                ["both servers started with: %s" % opts.server_args] if opts.server_args else [])

    results = {(t, d): {"erdtree": [], "redis": [], "pairs": []} for t in opts.tests for d in DEPTHS}
    mem = None
    try:
        if not opts.skip_throughput:
            log("throughput: %d round(s) x %d tests x %d depths x 2 servers" % (
                opts.rounds, len(opts.tests), len(DEPTHS)))
            a, b = make_server("erdtree"), make_server("redis")
            a.start()
            b.start()
            results = throughput(opts, a, b, opts.tests, DEPTHS,
                                 {1: opts.requests, 16: opts.pipelined_requests}, opts.rounds)
            a.stop()
            b.stop()
        if not opts.skip_memory:
            log("memory: %d keys/elements per load, %d fresh instances" % (opts.keys, 2 * len(opts.memory_variants)))
            mem = memory(opts, make_server)
    except KeyboardInterrupt:
        log("interrupted; stopping servers")
        return 130
    finally:
        stop_all_servers()

    report(opts, results, mem)
    print_elapsed(t_start)
    return 0


if __name__ == "__main__":
    script_entry(main)
