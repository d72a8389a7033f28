#!/usr/bin/python3
"""Memory benchmarks: erdtree-server vs redis-server, one run.

Same method as bench.py and persist_bench.py (machinery from benchlib.py):
every server on a free 127.0.0.1 port in its own temp dir with persistence
off, pinned to the server CPU; this script and redis-benchmark on the client
CPU; erdtree and redis alternate with the order flipping at every step.  See
tools/bench/README.md for how to read the output.

Sections (--sections picks a subset):

eviction  A Zipf-distributed (s=0.99) trace over D distinct keys, precomputed
          with a fixed seed, replayed as GET / SET-on-miss in pipelined
          batches, with maxmemory set to a fraction (25%) of what the whole
          data set takes on that server (calibrated by loading it first).
          For each maxmemory-policy: the hit ratio after a warm-up, the
          number of keys the server held meanwhile (its capacity), and the
          hit ratio of an exact-LRU simulation of the same trace, same
          batching, at each server's capacity.  A server whose used_memory
          runs far past maxmemory is reported as not evicting.
perkey    1M string keys, 10-byte keys and values, and 16-byte keys with
          32-byte values, each with and without a TTL, on fresh servers:
          bytes per key from VmRSS growth (and INFO used_memory), the cost
          of a TTL, erdtree/redis.
latency   A one-client probe (GET of a key without TTL, one at a time)
          (a) while 1M keys given the same PEXPIREAT expire at once, until
          DBSIZE says they are gone, and (b) under redis-benchmark -t set
          -P 16 with random keys, once without maxmemory and once with
          maxmemory below the data set (allkeys-lru): p50 / p99 / max.

Every server is stopped on any exit (Ctrl-C, SIGTERM, errors) and every wait
has a time limit.  Python standard library only.
"""

import argparse
import collections
import random
import shlex
import socket
import subprocess
import sys
import time

from benchlib import (Conn, Server, add_common_args, check_common_args, fmt, key_of, load_units, log,
                      parse_info, print_elapsed, print_setup, print_summary, ratio, resp_bytes,
                      setup_process, stop_all_servers, value_of, script_entry)

SECTIONS = ["eviction", "perkey", "latency"]
NAMES = ("erdtree", "redis")
MB = 2.0 ** 20
SETTLE_S = 0.5              # pause before reading memory figures

ALL_POLICIES = ["allkeys-lru", "allkeys-lfu", "allkeys-random",
                "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"]
QUICK_POLICIES = ["allkeys-lru", "allkeys-lfu", "allkeys-random"]
TTL_SECONDS = 100000        # "has a TTL" without ever expiring during a run
NO_EVICTION_SLACK = 0.5     # used_memory above maxmemory by this share of the budget: not evicting
TRACE_SEED = 20261124
SAMPLES_PER_RUN = 100       # DBSIZE / used_memory samples over one trace replay
SLOW_S = 0.010              # probes slower than this are counted (issue 6: no stall over 10 ms)
FILL_TIMEOUT_S = 60.0       # the SET load must take used_memory to the budget within this


def make_server(opts, which, args=()):
    binary = opts.erdtree if which == "erdtree" else opts.redis
    return Server(which, binary, opts.server_cpu, opts.keep_dirs,
                  list(args) + shlex.split(opts.server_args))


def ordered(step):
    return NAMES if step % 2 == 0 else tuple(reversed(NAMES))


def med(vals):
    vals = [v for v in vals if v is not None]
    if not vals:
        return None
    vals = sorted(vals)
    n = len(vals)
    return vals[n // 2] if n % 2 else (vals[n // 2 - 1] + vals[n // 2]) / 2.0


def used_memory(srv):
    return srv.info_field("memory", "used_memory")


class Reader:
    """Reply parser over a raw socket, for the pipelined trace replay and the
    probes (benchlib.Conn decodes everything; this one only checks)."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.pos = 0

    def _more(self):
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            raise RuntimeError("server closed the connection")
        self.buf = self.buf[self.pos:] + chunk
        self.pos = 0

    def line(self):
        while True:
            end = self.buf.find(b"\r\n", self.pos)
            if end >= 0:
                out = self.buf[self.pos:end]
                self.pos = end + 2
                return out
            self._more()

    def bulk(self):
        """A bulk string reply: bytes, or None for nil; error replies raise."""
        head = self.line()
        if head == b"$-1":
            return None
        if head[:1] != b"$":
            raise RuntimeError("expected a bulk reply, got %r" % head[:200])
        n = int(head[1:])
        while len(self.buf) - self.pos < n + 2:
            self._more()
        out = self.buf[self.pos:self.pos + n]
        self.pos += n + 2
        return out


def connect(port, timeout):
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


# --------------------------------------------------------------------------
# 1. Eviction quality

def zipf_trace(distinct, length, s, seed):
    """length key ids in [0, distinct), rank r drawn with weight 1/r^s; ranks
    map to ids through a fixed shuffle, so hot keys are spread out."""
    rng = random.Random(seed)
    cum, acc = [], 0.0
    for r in range(1, distinct + 1):
        acc += 1.0 / r ** s
        cum.append(acc)
    ids = list(range(distinct))
    rng.shuffle(ids)
    return rng.choices(ids, cum_weights=cum, k=length)


class Workload:
    """The precomputed trace and the RESP bytes of every command it sends."""

    def __init__(self, opts):
        self.trace = zipf_trace(opts.distinct, opts.trace, opts.zipf, TRACE_SEED)
        self.batch = opts.batch
        self.warm = int(opts.trace * opts.warmup)
        pad = opts.value_size
        self.keys = [b"c:%08d" % i for i in range(opts.distinct)]
        self.values = [(b"v:%08d" % i).ljust(pad, b"x")[:pad] for i in range(opts.distinct)]
        self.gets = [resp_bytes(b"GET", k) for k in self.keys]
        self.sets = {False: [resp_bytes(b"SET", k, v) for k, v in zip(self.keys, self.values)],
                     True: [resp_bytes(b"SET", k, v, b"EX", b"%d" % TTL_SECONDS)
                            for k, v in zip(self.keys, self.values)]}
        self.distinct_used = len(set(self.trace))


def lru_sim(work, capacity):
    """Hit ratio after the warm-up of an exact LRU cache of `capacity` keys on
    the same trace with the same batching as the replay: a batch's GETs run
    in order (a hit becomes most recent), then its missed keys are inserted
    in order, each evicting the least recent key when over capacity."""
    cache = collections.OrderedDict()
    touch, trace, warm, n = cache.move_to_end, work.trace, work.warm, len(work.trace)
    hits = 0
    for start in range(0, n, work.batch):
        missed = []
        for i in range(start, min(n, start + work.batch)):
            k = trace[i]
            if k in cache:
                touch(k)
                if i >= warm:
                    hits += 1
            else:
                missed.append(k)
        for k in missed:
            if k not in cache:
                cache[k] = None
                if len(cache) > capacity:
                    cache.popitem(last=False)
    return hits / (n - warm)


def replay(opts, srv, work, ttl, maxmemory, budget):
    """Replays the trace: each round trip sends the SETs for the previous
    batch's misses (deduplicated, in order) and the next batch's GETs, and
    checks every reply (a hit must return the key's value).  Samples DBSIZE
    and used_memory SAMPLES_PER_RUN times; stops early once used_memory is
    past maxmemory by NO_EVICTION_SLACK of the budget (not evicting).
    Returns a dict of the figures."""
    sock = connect(srv.port, opts.run_timeout)
    side = Conn(srv.port, timeout=opts.run_timeout)
    rd = Reader(sock)
    trace, n, batch, warm = work.trace, len(work.trace), work.batch, work.warm
    sets, gets, values = work.sets[ttl], work.gets, work.values
    batches = (n + batch - 1) // batch
    sample_every = max(1, batches // SAMPLES_PER_RUN)
    hits = measured = set_errors = 0
    first_error = None
    caps, used_max = [], 0
    pending = []          # keys to SET before the next batch of GETs
    t0 = time.monotonic()
    deadline = t0 + opts.run_timeout
    stopped_at = None
    try:
        for b, start in enumerate(range(0, n, batch)):
            keys = trace[start:start + batch]
            sock.sendall(b"".join([sets[k] for k in pending] + [gets[k] for k in keys]))
            for _ in pending:
                line = rd.line()
                if line != b"+OK":
                    set_errors += 1
                    if first_error is None:
                        first_error = line[:200].decode(errors="replace")
            missed = []
            for j, k in enumerate(keys):
                got = rd.bulk()
                if got is None:
                    missed.append(k)
                elif got != values[k]:
                    raise RuntimeError("%s: GET %s returned %r" % (srv.name, work.keys[k].decode(), got[:60]))
                elif start + j >= warm:
                    hits += 1
            measured += max(0, min(len(keys), start + len(keys) - warm))
            pending = list(dict.fromkeys(missed))
            if b % sample_every == sample_every - 1:
                size = side.call("DBSIZE")
                used = parse_info(side.call("INFO", "memory")).get("used_memory")
                used = int(used) if used is not None else None
                if used is not None:
                    used_max = max(used_max, used)
                if start >= warm:
                    caps.append(size)
                if used is not None and used > maxmemory + NO_EVICTION_SLACK * budget:
                    stopped_at = start + len(keys)
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError("%s: replay not done after %ss" % (srv.name, opts.run_timeout))
        secs = time.monotonic() - t0
        stats = parse_info(side.call("INFO", "stats"))
        final_size = side.call("DBSIZE")
        final_used = parse_info(side.call("INFO", "memory")).get("used_memory")
    finally:
        sock.close()
        side.close()
    evicted = stats.get("evicted_keys")
    return {
        "hit": hits / measured if measured and stopped_at is None else None,
        "capacity": med(caps),
        "evicted": int(evicted) if evicted is not None else None,
        "set_errors": set_errors, "first_error": first_error,
        "no_eviction": stopped_at is not None,
        "stopped_at": stopped_at, "dbsize": final_size,
        "used": int(final_used) if final_used is not None else None, "used_max": used_max,
        "maxmemory": maxmemory, "secs": secs, "ops": stopped_at or n,
    }


def calibrate(opts, work, which, ttl):
    """Loads all D keys into a fresh server without maxmemory: used_memory
    (and VmRSS) growth per key."""
    srv = make_server(opts, which)
    try:
        srv.start()
        time.sleep(SETTLE_S)
        used0, rss0 = used_memory(srv), srv.rss_bytes()
        cmds = work.sets[ttl]
        load_units(srv.port, len(cmds), lambda i: cmds[i], b"+OK", opts.load_timeout)
        time.sleep(SETTLE_S)
        used1, rss1 = used_memory(srv), srv.rss_bytes()
    finally:
        srv.stop()
    d = len(work.keys)
    per_used = (used1 - used0) / d if used0 is not None and used1 is not None else None
    per_rss = (rss1 - rss0) / d
    basis = "used_memory"
    if per_used is None or per_used <= 0:
        basis, per_used = "VmRSS (used_memory did not grow)", per_rss
    log("  calibrate %-7s %s: %d keys take %.1f B/key by %s (VmRSS %.1f B/key)" % (
        which, "ttl" if ttl else "plain", d, per_used, basis, per_rss))
    return {"per_key": per_used, "basis": basis, "rss_per_key": per_rss}


def eviction_run(opts, work, which, policy, per_key):
    ttl = policy.startswith("volatile-")
    srv = make_server(opts, which)
    try:
        srv.start()
        time.sleep(SETTLE_S)
        used0 = used_memory(srv) or 0
        budget = int(opts.fraction * len(work.keys) * per_key)
        maxmemory = used0 + budget
        try:
            for name, val in (("maxmemory-policy", policy), ("maxmemory-samples", str(opts.samples)),
                              ("maxmemory", str(maxmemory))):
                srv.call("CONFIG", "SET", name, val)
        except RuntimeError as e:
            return {"error": "CONFIG SET refused: %s" % e}
        try:
            r = replay(opts, srv, work, ttl, maxmemory, budget)
        except (OSError, ConnectionError, RuntimeError) as e:
            # One server failing one policy must not hide the other results.
            return {"error": "%s%s" % (e, "" if srv.alive() else "; server died, log:\n" + srv.log_tail())}
    finally:
        srv.stop()
    r["budget"] = budget
    return r


def section_eviction(opts):
    t0 = time.monotonic()
    work = Workload(opts)
    log("eviction: zipf s=%.2f over %d keys, trace of %d GETs (%d distinct keys, warm-up %d), %d-byte values,"
        " batches of %d; %.0f s to build" % (opts.zipf, opts.distinct, opts.trace, work.distinct_used, work.warm,
                                              opts.value_size, opts.batch, time.monotonic() - t0))
    cal = {}
    for ttl in sorted({p.startswith("volatile-") for p in opts.policies}):
        for which in NAMES:
            cal[(which, ttl)] = calibrate(opts, work, which, ttl)
    runs = {}
    for step, policy in enumerate(opts.policies):
        ttl = policy.startswith("volatile-")
        for which in ordered(step):
            src = "redis" if opts.same_maxmemory else which
            r = eviction_run(opts, work, which, policy, cal[(src, ttl)]["per_key"])
            runs[(policy, which)] = r
            if "error" in r:
                log("  %-15s %-7s %s" % (policy, which, r["error"]))
            elif r["no_eviction"]:
                log("  %-15s %-7s no eviction: used_memory %.1f MB > maxmemory %.1f MB after %d GETs" % (
                    policy, which, r["used_max"] / MB, r["maxmemory"] / MB, r["ops"]))
            else:
                log("  %-15s %-7s hit %.2f%%  keys %s  evicted %s  SET errors %d  %.1fs" % (
                    policy, which, 100 * r["hit"], fmt(r["capacity"], "%.0f"), r["evicted"],
                    r["set_errors"], r["secs"]))
    sims = {}
    for (policy, which), r in runs.items():
        cap = r.get("capacity")
        if cap is not None and not r.get("no_eviction") and int(cap) not in sims:
            sims[int(cap)] = lru_sim(work, int(cap))
    return {"work": work, "cal": cal, "runs": runs, "sims": sims}


def pts(x, y):
    return None if x is None or y is None else 100.0 * (x - y)


def report_eviction(opts, out):
    work, runs, sims = out["work"], out["runs"], out["sims"]
    summary = []
    print()
    print("1. Eviction: zipf s=%.2f GETs over %d keys (%d GETs, %d distinct; the first %d are warm-up), SET on" % (
        opts.zipf, opts.distinct, opts.trace, work.distinct_used, work.warm))
    print("  miss (%d-byte values; volatile-*: every SET has EX %d); batches of %d; maxmemory = start + %.0f%% of" % (
        opts.value_size, TTL_SECONDS, opts.batch, 100 * opts.fraction))
    print("  the whole data set's used_memory %s; maxmemory-samples %d" % (
        "on redis-server (same bytes for both)" if opts.same_maxmemory else "on each server", opts.samples))
    for (which, ttl), c in sorted(out["cal"].items()):
        print("  data set %-7s %-5s %.1f B/key (%s)" % (which, "ttl" if ttl else "plain", c["per_key"], c["basis"]))
    print("  hit: hits/GETs after the warm-up (higher is better); keys: median DBSIZE after the warm-up;")
    print("  LRU@E / LRU@R: exact LRU of the same trace holding erdtree's / redis's number of keys;")
    print("  E-LRU, R-LRU: points against exact LRU at the server's own capacity; E-R: erdtree - redis, points;")
    print("  adj: (E-LRU) - (R-LRU), erdtree against redis with the capacity difference taken out")
    hdr = "%-15s | %7s %8s | %7s %8s | %7s %7s | %6s %6s %6s %6s" % (
        "policy", "hit E", "keys E", "hit R", "keys R", "LRU@E", "LRU@R", "E-LRU", "R-LRU", "E-R", "adj")
    print(hdr)
    print("-" * len(hdr))
    notes = []
    for policy in opts.policies:
        e, r = runs[(policy, "erdtree")], runs[(policy, "redis")]
        cell = {}
        for name, x in (("erdtree", e), ("redis", r)):
            ok = "error" not in x and not x["no_eviction"]
            hit = x["hit"] if ok else None
            cap = x["capacity"] if ok else None
            lru = sims.get(int(cap)) if cap is not None else None
            cell[name] = (hit, cap, lru)
            if "error" in x:
                notes.append("%s %s: %s" % (name, policy, x["error"]))
                summary.append("eviction %s %s error" % (name, policy))
            elif x["no_eviction"]:
                notes.append("%s %s: no eviction (maxmemory not enforced): used_memory reached %.1f MB with "
                             "maxmemory %.1f MB after %d GETs" % (name, policy, x["used_max"] / MB,
                                                                  x["maxmemory"] / MB, x["ops"]))
                summary.append("eviction %s %s none" % (name, policy))
            else:
                if x["set_errors"]:
                    notes.append("%s %s: %d SETs failed, first: %s" % (name, policy, x["set_errors"],
                                                                       x["first_error"]))
                summary += ["hit_ratio %s %s %.4f" % (name, policy, hit),
                            "capacity_keys %s %s %s" % (name, policy, fmt(cap, "%.0f")),
                            "lru_sim_hit_ratio %s %s %s" % (name, policy, fmt(lru, "%.4f")),
                            "hit_vs_lru_points %s %s %s" % (name, policy, fmt(pts(hit, lru), "%+.2f")),
                            "evicted_keys %s %s %s" % (name, policy, x["evicted"])]
        he, ce, le = cell["erdtree"]
        hr, cr, lr = cell["redis"]
        diff = pts(he, hr)
        de, dr = pts(he, le), pts(hr, lr)
        adj = de - dr if de is not None and dr is not None else None
        if diff is not None:
            summary.append("hit_vs_redis_points %s %+.2f" % (policy, diff))
        if adj is not None:
            summary.append("hit_vs_redis_adjusted_points %s %+.2f" % (policy, adj))
        pct = lambda v: fmt(None if v is None else 100 * v, "%.2f")
        print("%-15s | %7s %8s | %7s %8s | %7s %7s | %6s %6s %6s %6s" % (
            policy, pct(he) if he is not None else ("none" if e.get("no_eviction") else "err"),
            fmt(ce, "%.0f"), pct(hr) if hr is not None else ("none" if r.get("no_eviction") else "err"),
            fmt(cr, "%.0f"), pct(le), pct(lr), fmt(de, "%+.2f"), fmt(dr, "%+.2f"),
            fmt(diff, "%+.2f"), fmt(adj, "%+.2f")))
    for n in notes:
        print("  " + n)
    print("  aim (issue 6): allkeys-lru within 1 point of exact LRU (E-LRU >= -1.00) and no worse than redis")
    return summary


# --------------------------------------------------------------------------
# 2. Bytes per key

def k16(i):
    return b"key:%012d" % i          # 16 bytes


def v32(i):
    return b"val:%028d" % i          # 32 bytes, not integer-encodable


# variant -> (key, value, with TTL)
PERKEY_VARIANTS = [
    ("k10v10", key_of, value_of, False),
    ("k10v10-ttl", key_of, value_of, True),
    ("k16v32", k16, v32, False),
    ("k16v32-ttl", k16, v32, True),
]


def perkey_check(srv, keyf, valf, ttl, n):
    """A few keys must read back (with their TTL), so a server that drops
    data cannot look cheap."""
    c = Conn(srv.port)
    try:
        if c.call("DBSIZE") != n:
            raise RuntimeError("%s: DBSIZE is not %d after the load" % (srv.name, n))
        for i in sorted({0, n // 2, n - 1}):
            got = c.call("GET", keyf(i))
            if got != valf(i).decode():
                raise RuntimeError("%s: GET %s returned %r" % (srv.name, keyf(i).decode(), got))
            left = c.call("TTL", keyf(i))
            if not ((0 < left <= TTL_SECONDS) if ttl else (left == -1)):
                raise RuntimeError("%s: TTL %s returned %r" % (srv.name, keyf(i).decode(), left))
    finally:
        c.close()


def section_perkey(opts):
    out = {}
    n = opts.keys
    log("perkey: %d keys per load, %d fresh instances" % (n, 2 * len(PERKEY_VARIANTS)))
    for step, (variant, keyf, valf, ttl) in enumerate(PERKEY_VARIANTS):
        tail = (b"EX", b"%d" % TTL_SECONDS) if ttl else ()
        make = lambda i, keyf=keyf, valf=valf, tail=tail: resp_bytes(b"SET", keyf(i), valf(i), *tail)
        out[variant] = {}
        for which in ordered(step):
            srv = make_server(opts, which)
            try:
                srv.start()
                time.sleep(SETTLE_S)
                rss0, used0 = srv.rss_bytes(), used_memory(srv)
                secs = load_units(srv.port, n, make, b"+OK", opts.load_timeout)
                time.sleep(SETTLE_S)
                rss1, used1 = srv.rss_bytes(), used_memory(srv)
                perkey_check(srv, keyf, valf, ttl, n)
            finally:
                srv.stop()
            e = {"rss": (rss1 - rss0) / n,
                 "used": (used1 - used0) / n if used0 is not None and used1 is not None else None}
            out[variant][which] = e
            log("  %-10s %-7s rss %.1f B/key, used_memory %s B/key, load %.1fs" % (
                variant, which, e["rss"], fmt(e["used"], "%.1f"), secs))
    return out


def report_perkey(opts, out):
    summary = []
    print()
    print("2. Bytes per key: %d string keys on a fresh server per row; k10v10: 10-byte keys and values," % opts.keys)
    print("  k16v32: 16-byte keys, 32-byte values; -ttl: SET ... EX %d. VmRSS growth per key (INFO used_memory" %
          TTL_SECONDS)
    print("  growth in parentheses); ratio erdtree/redis of the RSS figures, lower is better")
    hdr = "%-10s | %8s %8s | %8s %8s | %6s" % ("variant", "erdtree", "(used)", "redis", "(used)", "ratio")
    print(hdr)
    print("-" * len(hdr))
    for variant, _, _, _ in PERKEY_VARIANTS:
        e, r = out[variant]["erdtree"], out[variant]["redis"]
        rr = ratio(e["rss"], r["rss"])
        print("%-10s | %8.1f %8s | %8.1f %8s | %6s" % (variant, e["rss"], fmt(e["used"], "%.1f"),
                                                      r["rss"], fmt(r["used"], "%.1f"), fmt(rr)))
        summary += ["perkey_bytes erdtree %s %.1f" % (variant, e["rss"]),
                    "perkey_bytes redis %s %.1f" % (variant, r["rss"]),
                    "perkey_used_memory_bytes erdtree %s %s" % (variant, fmt(e["used"], "%.1f")),
                    "perkey_used_memory_bytes redis %s %s" % (variant, fmt(r["used"], "%.1f")),
                    "perkey_ratio %s %s" % (variant, fmt(rr, "%.3f"))]
    for base in ("k10v10", "k16v32"):
        te = round(out[base + "-ttl"]["erdtree"]["rss"] - out[base]["erdtree"]["rss"], 1) + 0.0
        tr = round(out[base + "-ttl"]["redis"]["rss"] - out[base]["redis"]["rss"], 1) + 0.0
        print("%-10s | %8.1f %8s | %8.1f %8s | %6s" % ("TTL " + base, te, "", tr, "", fmt(ratio(te, tr))))
        summary += ["ttl_cost_bytes erdtree %s %.1f" % (base, te), "ttl_cost_bytes redis %s %.1f" % (base, tr)]
    print("  TTL <workload>: bytes a TTL adds per key (ttl - plain)")
    print("  aim (issue 6): ratio <= 0.65 on each workload, and a TTL costing <= 12 bytes on erdtree")
    return summary


# --------------------------------------------------------------------------
# 3. Latency

PROBE_KEY = b"probe:key"


def pctl(sorted_vals, q):
    if not sorted_vals:
        return None
    return sorted_vals[min(len(sorted_vals) - 1, int(q * (len(sorted_vals) - 1) + 0.5))]


def lat_stats(samples):
    """samples: latencies in seconds -> dict p50/p99/max in ms and n."""
    v = sorted(samples)
    if not v:
        return {"n": 0, "p50": None, "p99": None, "max": None, "slow": 0}
    return {"n": len(v), "p50": 1e3 * pctl(v, 0.50), "p99": 1e3 * pctl(v, 0.99), "max": 1e3 * v[-1],
            "slow": sum(1 for x in v if x > SLOW_S)}


class Probe:
    """One connection doing GET probe:key one at a time, timestamping each."""

    def __init__(self, port, timeout):
        self.sock = connect(port, timeout)
        self.rd = Reader(self.sock)
        self.get = resp_bytes(b"GET", PROBE_KEY)

    def once(self):
        """Returns (send time, latency in s)."""
        t = time.perf_counter()
        self.sock.sendall(self.get)
        self.rd.bulk()
        return t, time.perf_counter() - t

    def call(self, *args):
        """An untimed command on the same connection, integer reply."""
        self.sock.sendall(resp_bytes(*args))
        line = self.rd.line()
        if line[:1] != b":":
            raise RuntimeError("expected an integer reply, got %r" % line[:200])
        return int(line[1:])

    def close(self):
        self.sock.close()


def expiry_storm(opts, which):
    """K keys, all PEXPIREAT the same millisecond T a few seconds ahead; the
    probe runs from 1 s before T until DBSIZE is back to 1 (the probe key)."""
    n = opts.expire_keys
    srv = make_server(opts, which)
    try:
        srv.start()
        srv.call("SET", PROBE_KEY, "1")
        load_s = load_units(srv.port, n, lambda i: resp_bytes(b"SET", key_of(i), value_of(i)), b"+OK",
                            opts.load_timeout)
        # PEXPIREAT is no slower than SET: twice the SET load time plus 1.5 s
        # leaves a margin before T.
        at_ms = int(time.time() * 1000 + (2 * load_s + 1.5) * 1000)
        stamp = b"%d" % at_ms
        load_units(srv.port, n, lambda i: resp_bytes(b"PEXPIREAT", key_of(i), stamp), b":1", opts.load_timeout)
        left = at_ms / 1000.0 - time.time()
        size = srv.call("DBSIZE")
        if left < 0.5 or size != n + 1:
            raise RuntimeError("%s: PEXPIREAT load ended %.2fs before the expiry time with DBSIZE %r "
                               "(want >= 0.5 s and %d)" % (which, left, size, n + 1))
        probe = Probe(srv.port, opts.run_timeout)
        try:
            while at_ms / 1000.0 - time.time() > 1.0:
                time.sleep(0.01)
            # perf_counter of the expiry instant, for splitting the samples
            t_at = time.perf_counter() + (at_ms / 1000.0 - time.time())
            before, during = [], []
            gone_at, remaining = None, None
            next_check = 0.0
            deadline = t_at + opts.expire_timeout
            while True:
                t, lat = probe.once()
                (during if t >= t_at else before).append(lat)
                now = time.perf_counter()
                if now >= next_check and now > t_at:
                    next_check = now + 0.05
                    remaining = probe.call(b"DBSIZE") - 1
                    if remaining <= 0:
                        gone_at = time.perf_counter()
                        break
                    if now > deadline:
                        break
            expired = srv.info("stats").get("expired_keys")
        finally:
            probe.close()
    finally:
        srv.stop()
    out = {"before": lat_stats(before), "during": lat_stats(during),
           "gone_s": gone_at - t_at if gone_at is not None else None,
           "remaining": remaining, "expired": expired}
    log("  expiry  %-7s %d keys: before p99 %s ms; during p50 %s p99 %s max %s ms over %d probes; gone after %s s%s" % (
        which, n, fmt(out["before"]["p99"], "%.3f"), fmt(out["during"]["p50"], "%.3f"),
        fmt(out["during"]["p99"], "%.3f"), fmt(out["during"]["max"], "%.3f"), out["during"]["n"],
        fmt(out["gone_s"], "%.2f"), "" if gone_at else " (NOT gone: %s left)" % remaining))
    return out


def lazyfree_probe(opts, which):
    """K keys plus a hash of K/2 fields; the probe runs for a second, then a
    side connection sends UNLINK of the hash and FLUSHALL ASYNC, and the
    probe goes on until INFO shows no lazy-free work pending, plus a second
    (erdtree puts the freed entries back into its slabs from the cron)."""
    n = opts.expire_keys
    srv = make_server(opts, which)
    try:
        srv.start()
        srv.call("SET", PROBE_KEY, "1")
        load_units(srv.port, n, lambda i: resp_bytes(b"SET", key_of(i), value_of(i)), b"+OK", opts.load_timeout)
        load_units(srv.port, n // 2, lambda i: resp_bytes(b"HSET", b"bighash", key_of(i), value_of(i)), b":1",
                   opts.load_timeout)
        probe = Probe(srv.port, opts.run_timeout)
        side = Conn(srv.port, timeout=opts.run_timeout)
        before, during = [], []
        try:
            t_end = time.perf_counter() + 1.0
            while time.perf_counter() < t_end:
                before.append(probe.once()[1])
            t0 = time.perf_counter()
            side.call("UNLINK", "bighash")
            unlink_ms = (time.perf_counter() - t0) * 1000
            t0 = time.perf_counter()
            side.call("FLUSHALL", "ASYNC")
            flush_ms = (time.perf_counter() - t0) * 1000
            side.call("SET", PROBE_KEY, "1")
            done_at = None
            deadline = time.perf_counter() + opts.expire_timeout
            next_check = 0.0
            while True:
                during.append(probe.once()[1])
                now = time.perf_counter()
                if done_at is None and now >= next_check:
                    next_check = now + 0.05
                    pending = parse_info(side.call("INFO", "memory")).get("lazyfree_pending_objects")
                    if pending is not None and int(pending) == 0:
                        done_at = now
                if done_at is not None and now > done_at + 1.0:
                    break
                if now > deadline:
                    break
            freed_s = done_at - t0 if done_at is not None else None
        finally:
            probe.close()
            side.close()
    finally:
        srv.stop()
    out = {"before": lat_stats(before), "during": lat_stats(during), "unlink_ms": unlink_ms,
           "flush_ms": flush_ms, "freed_s": freed_s}
    log("  lazyfree %-7s %d keys + %d-field hash: UNLINK %.2f ms, FLUSHALL ASYNC %.2f ms; during p50 %s p99 %s "
        "max %s ms over %d probes; freed after %s s" % (
            which, n, n // 2, unlink_ms, flush_ms, fmt(out["during"]["p50"], "%.3f"),
            fmt(out["during"]["p99"], "%.3f"), fmt(out["during"]["max"], "%.3f"), out["during"]["n"],
            fmt(freed_s, "%.2f")))
    return out


def start_load(opts, srv):
    """redis-benchmark SET load (random keys, -P 16), niced so the probe on
    the same client CPU is scheduled first."""
    cmd = ["nice", "-n", "10", opts.redis_benchmark, "-h", "127.0.0.1", "-p", str(srv.port),
           "-c", "50", "-n", "2000000000", "-r", str(opts.load_keyspace), "-d", "10",
           "-t", "set", "-P", "16", "-q"]
    if opts.client_cpu is not None:
        cmd = ["taskset", "-c", str(opts.client_cpu)] + cmd
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL)


def stop_load(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def load_probe(opts, which, evict, aof=False):
    """Probe under the SET load once the data set has reached the budget:
    with maxmemory (allkeys-lru) it evicts all along, without it grows.
    With aof, both servers log every write (appendfsync everysec)."""
    srv = make_server(opts, which, ["--appendonly", "yes", "--appendfsync", "everysec"] if aof else [])
    proc = None
    try:
        srv.start()
        time.sleep(SETTLE_S)
        srv.call("SET", PROBE_KEY, "1")
        used0 = used_memory(srv) or 0
        maxmemory = used0 + opts.evict_budget
        if evict:
            srv.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
            srv.call("CONFIG", "SET", "maxmemory", str(maxmemory))
        proc = start_load(opts, srv)
        side = Conn(srv.port, timeout=opts.run_timeout)
        try:
            deadline = time.monotonic() + FILL_TIMEOUT_S
            while (used_memory(srv) or 0) < maxmemory:
                if proc.poll() is not None:
                    raise RuntimeError("redis-benchmark exited with %s" % proc.returncode)
                if time.monotonic() > deadline:
                    raise RuntimeError("%s: used_memory did not reach %.1f MB in %ss" % (
                        which, maxmemory / MB, FILL_TIMEOUT_S))
                time.sleep(0.05)
            st0 = parse_info(side.call("INFO", "stats"))
            probe = Probe(srv.port, opts.run_timeout)
            lats = []
            try:
                t_end = time.perf_counter() + opts.probe_seconds
                t0 = time.perf_counter()
                while time.perf_counter() < t_end:
                    lats.append(probe.once()[1])
                secs = time.perf_counter() - t0
            finally:
                probe.close()
            st1 = parse_info(side.call("INFO", "stats"))
            used1 = parse_info(side.call("INFO", "memory")).get("used_memory")
            size = side.call("DBSIZE")
        finally:
            side.close()
        if proc.poll() is not None:
            raise RuntimeError("redis-benchmark exited early with %s" % proc.returncode)
    finally:
        if proc is not None:
            stop_load(proc)
        srv.stop()

    def delta(field):
        a, b = st0.get(field), st1.get(field)
        return int(b) - int(a) if a is not None and b is not None else None

    used1 = int(used1) if used1 is not None else None
    out = lat_stats(lats)
    cmds = delta("total_commands_processed")
    out.update({"evicted": delta("evicted_keys"), "used": used1, "maxmemory": maxmemory, "dbsize": size,
                "rate": cmds / secs if cmds is not None else None,
                "no_eviction": evict and used1 is not None
                and used1 > maxmemory + NO_EVICTION_SLACK * opts.evict_budget})
    log("  %-8s %-7s p50 %s p99 %s max %s ms over %d probes; %s cmds/s; used_memory %.1f MB%s" % (
        "evict" if evict else ("aof" if aof else "load"), which, fmt(out["p50"], "%.3f"), fmt(out["p99"], "%.3f"),
        fmt(out["max"], "%.3f"), out["n"], fmt(out["rate"], "%.0f"), (used1 or 0) / MB,
        "; evicted %s" % out["evicted"] if evict else ""))
    return out


def growth_probe(opts, which):
    """Probe while redis-benchmark grows an empty server by --growth-requests
    SETs of random keys in a 100M-key space (nearly all new keys): every
    table resize of the growth happens under the probe."""
    srv = make_server(opts, which)
    proc = None
    lats = []
    try:
        srv.start()
        srv.call("SET", PROBE_KEY, "1")
        cmd = ["nice", "-n", "10", opts.redis_benchmark, "-h", "127.0.0.1", "-p", str(srv.port),
               "-c", "50", "-n", str(opts.growth_requests), "-r", "100000000", "-d", "10",
               "-t", "set", "-P", "16", "-q"]
        if opts.client_cpu is not None:
            cmd = ["taskset", "-c", str(opts.client_cpu)] + cmd
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                stdin=subprocess.DEVNULL)
        probe = Probe(srv.port, opts.run_timeout)
        try:
            deadline = time.monotonic() + opts.load_timeout
            while proc.poll() is None:
                if time.monotonic() > deadline:
                    raise RuntimeError("%s: the growth load did not finish in %ss" % (which, opts.load_timeout))
                for _ in range(200):
                    lats.append(probe.once()[1])
        finally:
            probe.close()
        if proc.returncode != 0:
            raise RuntimeError("redis-benchmark exited with %s" % proc.returncode)
        size = srv.call("DBSIZE")
    finally:
        if proc is not None:
            stop_load(proc)
        srv.stop()
    out = lat_stats(lats)
    out["dbsize"] = size
    log("  growth  %-7s p50 %s p99 %s max %s ms over %d probes; %d keys at the end" % (
        which, fmt(out["p50"], "%.3f"), fmt(out["p99"], "%.3f"), fmt(out["max"], "%.3f"), out["n"], size))
    return out


def section_latency(opts):
    out = {"expiry": {w: [] for w in NAMES}, "load": {w: [] for w in NAMES}, "evict": {w: [] for w in NAMES},
           "growth": {w: [] for w in NAMES}, "lazyfree": {w: [] for w in NAMES}, "aof": {w: [] for w in NAMES}}
    log("latency: %d round(s); expiry storm of %d keys; SET load -P 16 -r %d, maxmemory budget %.0f MB" % (
        opts.rounds, opts.expire_keys, opts.load_keyspace, opts.evict_budget / MB))
    step = 0
    for _ in range(opts.rounds):
        for which in ordered(step):
            out["expiry"][which].append(guarded("expiry", which, expiry_storm, opts, which))
        step += 1
        for evict in (False, True):
            case = "evict" if evict else "load"
            for which in ordered(step):
                out[case][which].append(guarded(case, which, load_probe, opts, which, evict))
            step += 1
        for which in ordered(step):
            out["growth"][which].append(guarded("growth", which, growth_probe, opts, which))
        step += 1
        for which in ordered(step):
            out["lazyfree"][which].append(guarded("lazyfree", which, lazyfree_probe, opts, which))
        step += 1
        for which in ordered(step):
            out["aof"][which].append(guarded("aof", which, load_probe, opts, which, False, True))
        step += 1
    return out


def guarded(case, which, fn, *args):
    """One failing case (a server that dies, refuses a setting, misses the
    expiry window) is reported in its row instead of ending the run."""
    try:
        return fn(*args)
    except (OSError, ConnectionError, RuntimeError) as e:
        log("  ! %s %s: %s" % (case, which, e))
        return {"error": str(e).splitlines()[0][:200]}


def report_latency(opts, out):
    summary = []
    print()
    print("3. Latency of a 1-client probe (GET of a key without TTL, one at a time, from the client CPU); ms;")
    print("  p50/p99/max: median over %d round(s) of each round's figure; ratio erdtree/redis, lower is better;" %
          opts.rounds)
    print("  >10ms: probes slower than 10 ms (all rounds)")
    print("  expiry-before: idle, %d keys loaded, the second before they expire (the noise floor);" % opts.expire_keys)
    print("  expiry: from their common PEXPIREAT instant until DBSIZE shows them gone;")
    print("  load: redis-benchmark -t set -P 16 -c 50 -r %d, no maxmemory; evict: the same load with" % opts.load_keyspace)
    print("  allkeys-lru and maxmemory = empty server + %.0f MB, probed once used_memory reached it;" % (
        opts.evict_budget / MB))
    print("  growth: an empty server grown by %d SETs of random keys (-P 16 -r 100000000), probed throughout" %
          opts.growth_requests)
    print("  lazyfree: %d keys and a hash of %d fields; UNLINK of the hash and FLUSHALL ASYNC, probed until" % (
        opts.expire_keys, opts.expire_keys // 2))
    print("  lazyfree_pending_objects is 0 and one second more; aof: the load case with appendonly yes,")
    print("  appendfsync everysec on both")
    cases = [("expiry-before", "expiry", "before"), ("expiry", "expiry", "during"),
             ("load", "load", None), ("evict", "evict", None), ("growth", "growth", None),
             ("lazyfree", "lazyfree", "during"), ("aof", "aof", None)]
    hdr = "%-13s | %-7s | %7s %7s %8s | %7s %5s | %s" % (
        "case", "server", "p50", "p99", "max", "probes", ">10ms", "notes")
    print(hdr)
    print("-" * len(hdr))
    for tag, key, sub in cases:
        figs = {}
        for which in NAMES:
            runs = [r for r in out[key][which] if "error" not in r]
            errors = [r["error"] for r in out[key][which] if "error" in r]
            rows = [r[sub] if sub else r for r in runs]
            figs[which] = {m: med([r[m] for r in rows]) for m in ("p50", "p99", "max")}
            figs[which]["n"] = sum(r["n"] for r in rows)
            figs[which]["slow"] = sum(r["slow"] for r in rows)
            notes = ""
            if key == "expiry" and sub == "during" and runs:
                gone = [r["gone_s"] for r in runs]
                if any(g is None for g in gone):
                    notes = "NOT all gone after %.0f s (%s left)" % (opts.expire_timeout, runs[-1]["remaining"])
                else:
                    notes = "all gone %.2f s after the expiry time" % med(gone)
                    summary.append("expiry_gone_seconds %s %.3f" % (which, med(gone)))
            if key == "growth" and runs:
                notes = "%d keys at the end" % runs[-1]["dbsize"]
            if key == "lazyfree" and runs:
                notes = "UNLINK %s ms, FLUSHALL ASYNC %s ms, pending 0 after %s s" % (
                    fmt(med([r["unlink_ms"] for r in runs]), "%.2f"), fmt(med([r["flush_ms"] for r in runs]), "%.2f"),
                    fmt(med([r["freed_s"] for r in runs]), "%.2f"))
            if key in ("load", "evict", "aof") and runs:
                rate = med([r["rate"] for r in runs])
                notes = "%s cmds/s" % fmt(rate, "%.0f")
                summary.append("load_cmds_per_sec %s %s %s" % (which, tag, fmt(rate, "%.0f")))
                if key == "evict":
                    last = runs[-1]
                    if any(r["no_eviction"] for r in runs):
                        notes += "; no eviction (maxmemory not enforced): used_memory %.1f MB" % (
                            (last["used"] or 0) / MB)
                        summary.append("eviction_under_load %s none" % which)
                    else:
                        notes += "; evicted %s keys while probed" % last["evicted"]
            if errors:
                notes += "%sfailed %d of %d: %s" % ("; " if notes else "", len(errors), len(out[key][which]),
                                                   errors[0])
                summary.append("latency_error %s %s %d" % (which, tag, len(errors)))
            label = "%-13s" % tag if which == "erdtree" else " " * 13
            print("%s | %-7s | %7s %7s %8s | %7d %5d | %s" % (
                label, which, fmt(figs[which]["p50"], "%.3f"), fmt(figs[which]["p99"], "%.3f"),
                fmt(figs[which]["max"], "%.3f"), figs[which]["n"], figs[which]["slow"], notes))
            summary.append("latency_over_10ms %s %s %d" % (which, tag, figs[which]["slow"]))
            for m in ("p50", "p99", "max"):
                summary.append("latency_ms %s %s %s %s" % (which, tag, m, fmt(figs[which][m], "%.3f")))
        rr = {m: ratio(figs["erdtree"][m], figs["redis"][m]) for m in ("p50", "p99", "max")}
        print("%13s | %-7s | %7s %7s %8s |" % ("", "ratio", fmt(rr["p50"]), fmt(rr["p99"]), fmt(rr["max"])))
        for m in ("p50", "p99", "max"):
            summary.append("latency_ratio %s %s %s" % (tag, m, fmt(rr[m], "%.3f")))
    print("  issue 6 aim: no background task (expiry, eviction, rehash, lazy free, fsync) stalls the loop for more")
    print("  than 10 ms")
    return summary


# --------------------------------------------------------------------------
# Main

def parse_args():
    p = argparse.ArgumentParser(description="erdtree vs redis memory benchmarks (eviction, bytes/key, latency)")
    add_common_args(p)
    p.add_argument("--sections", default=",".join(SECTIONS),
                   help="comma list of sections (default: %s)" % ",".join(SECTIONS))
    p.add_argument("--quick", action="store_true", help="smoke run (under a minute): smaller defaults")
    p.add_argument("--server-args", default="", help="extra flags for both servers")
    g = p.add_argument_group("eviction")
    g.add_argument("--policies", help="comma list (default: %s; --quick: %s)" % (
        ",".join(ALL_POLICIES), ",".join(QUICK_POLICIES)))
    g.add_argument("--distinct", type=int, help="distinct keys of the trace (default 200000; --quick 50000)")
    g.add_argument("--trace", type=int, help="GETs in the trace (default 1000000; --quick 200000)")
    g.add_argument("--zipf", type=float, default=0.99, help="Zipf exponent (default 0.99)")
    g.add_argument("--warmup", type=float, default=0.3, help="share of the trace not counted (default 0.3)")
    g.add_argument("--fraction", type=float, default=0.25,
                   help="maxmemory as a share of the data set's memory (default 0.25)")
    g.add_argument("--same-maxmemory", action="store_true",
                   help="give both servers redis-server's maxmemory (bytes) instead of each its own fraction")
    g.add_argument("--samples", type=int, default=5, help="maxmemory-samples on both (default 5)")
    g.add_argument("--batch", type=int, default=100, help="GETs per pipelined batch (default 100)")
    g.add_argument("--value-size", type=int, default=32, help="bytes per value (default 32)")
    g = p.add_argument_group("perkey")
    g.add_argument("--keys", type=int, help="keys per load (default 1000000; --quick 100000)")
    g = p.add_argument_group("latency")
    g.add_argument("--rounds", type=int, default=1, help="rounds of the latency cases (default 1)")
    g.add_argument("--expire-keys", type=int, help="keys expiring at once (default 1000000; --quick 100000)")
    g.add_argument("--expire-timeout", type=float, help="limit on waiting for them to go (default 60 s; --quick 20)")
    g.add_argument("--evict-budget-mb", type=float, help="maxmemory above the empty server (default 64; --quick 16)")
    g.add_argument("--load-keyspace", type=int, help="redis-benchmark -r (default 4000000; --quick 1000000)")
    g.add_argument("--probe-seconds", type=float, help="probe time under load (default 5; --quick 2)")
    g.add_argument("--growth-requests", type=int,
                   help="SETs growing an empty server under the probe (default 10000000; --quick 1000000)")
    o = p.parse_args()
    q = o.quick

    def dflt(name, full, quick):
        if getattr(o, name) is None:
            setattr(o, name, quick if q else full)

    dflt("policies", ",".join(ALL_POLICIES), ",".join(QUICK_POLICIES))
    dflt("distinct", 200000, 50000)
    dflt("trace", 1000000, 200000)
    dflt("keys", 1000000, 100000)
    dflt("expire_keys", 1000000, 100000)
    dflt("expire_timeout", 60.0, 20.0)
    dflt("evict_budget_mb", 64.0, 16.0)
    dflt("load_keyspace", 4000000, 1000000)
    dflt("probe_seconds", 5.0, 2.0)
    dflt("growth_requests", 10000000, 1000000)
    o.evict_budget = int(o.evict_budget_mb * MB)
    o.policies = [x.strip().lower() for x in o.policies.split(",") if x.strip()]
    bad = [x for x in o.policies if x not in ALL_POLICIES]
    if bad:
        p.error("unknown policy(s): %s" % ",".join(bad))
    o.sections = [x.strip().lower() for x in o.sections.split(",") if x.strip()]
    bad = [x for x in o.sections if x not in SECTIONS]
    if bad or not o.sections:
        p.error("unknown section(s): %s (choose from %s)" % (",".join(bad), ",".join(SECTIONS)))
    if not 0 < o.fraction < 1 or not 0 <= o.warmup < 1:
        p.error("--fraction must be in (0, 1) and --warmup in [0, 1)")
    if min(o.distinct, o.trace, o.keys, o.expire_keys, o.batch, o.rounds, o.value_size) < 1:
        p.error("counts must be positive")
    if max(o.distinct, o.keys, o.expire_keys) >= 10 ** 8 or o.value_size < 10:
        p.error("key counts must be < 100000000 and --value-size >= 10")
    check_common_args(p, o)
    return o


def main():
    opts = parse_args()
    setup_process(opts)
    t_start = time.monotonic()
    flavor = make_server(opts, "erdtree").flavor
    print_setup(opts, flavor, ["both servers started with: --save '' --appendonly no %s" % opts.server_args])
    sys.stdout.flush()
    out = {}
    try:
        if "eviction" in opts.sections:
            out["eviction"] = section_eviction(opts)
        if "perkey" in opts.sections:
            out["perkey"] = section_perkey(opts)
        if "latency" in opts.sections:
            out["latency"] = section_latency(opts)
    except KeyboardInterrupt:
        log("interrupted; stopping servers")
        return 130
    finally:
        stop_all_servers()

    summary = []
    if "eviction" in out:
        summary += report_eviction(opts, out["eviction"])
    if "perkey" in out:
        summary += report_perkey(opts, out["perkey"])
    if "latency" in out:
        summary += report_latency(opts, out["latency"])
    print_summary(summary)
    print_elapsed(t_start)
    return 0


if __name__ == "__main__":
    script_entry(main)
