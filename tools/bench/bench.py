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

Only the Python standard library is used.  Every subprocess has a timeout and
both servers are stopped (process group SIGTERM, then SIGKILL) on any exit.
"""

import argparse
import contextlib
import csv
import glob
import io
import os
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

STRING_TESTS = ["set", "get", "incr", "mset"]
# Order matters inside a round: LPOP drains what LPUSH (and the LRANGE
# prefill) pushed, SPOP what SADD added.
TYPE_TESTS = ["lpush", "lpop", "lrange_100", "sadd", "hset", "zadd", "spop"]
TESTS = STRING_TESTS + TYPE_TESTS
DEPTHS = [1, 16]
CLK_TCK = os.sysconf("SC_CLK_TCK")
REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

READY_TIMEOUT_S = 20.0      # server must answer PING within this
STOP_GRACE_S = 5.0          # SIGTERM -> SIGKILL grace period
VERSION_TIMEOUT_S = 5.0     # `BIN --version`
LOAD_BATCH = 2000           # commands per sendall() in the memory load
SETTLE_S = 0.5              # pause before reading memory figures


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# Ctrl-C / SIGTERM raise KeyboardInterrupt, except inside a critical section
# (spawning or reaping a server), where they are deferred to its end so a
# server can never be started without being recorded in LIVE_SERVERS.
_signals = {"critical": 0, "pending": False}
LIVE_SERVERS = set()


def _on_signal(signum, frame):
    if _signals["critical"]:
        _signals["pending"] = True
        return
    raise KeyboardInterrupt()


@contextlib.contextmanager
def critical():
    _signals["critical"] += 1
    try:
        yield
    finally:
        _signals["critical"] -= 1
        if not _signals["critical"] and _signals["pending"]:
            _signals["pending"] = False
            raise KeyboardInterrupt()


# --------------------------------------------------------------------------
# Servers

def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def detect_flavor(binary):
    """'redis' if `binary --version` says it is Redis, else 'erdtree'."""
    try:
        out = subprocess.run([binary, "--version"], capture_output=True,
                             text=True, timeout=VERSION_TIMEOUT_S)
        text = out.stdout + out.stderr
    except (OSError, subprocess.TimeoutExpired):
        text = ""
    return "redis" if "Redis server" in text else "erdtree"


def resp_command(*args):
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(parts)


class Conn:
    """Tiny blocking RESP client: enough for PING, INFO, DBSIZE."""

    def __init__(self, port, timeout=10.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def close(self):
        self.sock.close()

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("server closed connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("server closed connection")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RuntimeError("server error: " + rest.decode(errors="replace"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n).decode(errors="replace")
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        raise RuntimeError("bad reply line: %r" % line)

    def call(self, *args):
        self.sock.sendall(resp_command(*args))
        return self.reply()


class Server:
    def __init__(self, name, binary, cpu, keep_dirs, extra_args=()):
        self.name = name
        self.extra_args = list(extra_args)
        self.binary = binary
        self.flavor = detect_flavor(binary)
        self.cpu = cpu
        self.keep_dirs = keep_dirs
        self.proc = None
        self.dir = None
        self.port = None
        self.logf = None

    def start(self):
        self.dir = tempfile.mkdtemp(prefix="erdtree-bench-%s-" % self.name)
        self.port = free_port()
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
                "--dir", self.dir, "--appendonly", "no", "--save", ""]
        # No snapshots on either side: save rules would fork mid-round.
        if self.flavor == "redis":
            args += ["--daemonize", "no"]
        args += self.extra_args   # later flags win on both servers
        if self.cpu is not None:
            args = ["taskset", "-c", str(self.cpu)] + args
        self.logf = open(os.path.join(self.dir, "server.log"), "wb")
        # New session: Ctrl-C in the terminal does not hit the server, and we
        # can kill the whole group in stop().
        with critical():
            self.proc = subprocess.Popen(args, stdout=self.logf, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
            LIVE_SERVERS.add(self)
        self._wait_ready()
        return self

    def _wait_ready(self):
        deadline = time.monotonic() + READY_TIMEOUT_S
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("%s (%s) exited with %s during startup; log: %s\n%s" % (
                    self.name, self.binary, self.proc.returncode, self.log_path(), self.log_tail()))
            try:
                c = Conn(self.port, timeout=2.0)
                try:
                    if c.call("PING") == "PONG":
                        return
                finally:
                    c.close()
            except (OSError, RuntimeError, ConnectionError) as e:
                last = e
            time.sleep(0.05)
        raise RuntimeError("%s did not answer PING within %.0fs (last: %s); log:\n%s" % (
            self.name, READY_TIMEOUT_S, last, self.log_tail()))

    def log_path(self):
        return os.path.join(self.dir, "server.log") if self.dir else "?"

    def log_tail(self, n=15):
        try:
            with open(self.log_path(), "rb") as f:
                return b"\n".join(f.read().splitlines()[-n:]).decode(errors="replace")
        except OSError:
            return ""

    @property
    def pid(self):
        # taskset execs the binary, so the Popen pid is the server's pid.
        return self.proc.pid

    def cpu_seconds(self):
        with open("/proc/%d/stat" % self.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        # after "comm)": field 3 is index 0, so utime(14)=11, stime(15)=12
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def rss_bytes(self):
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS for pid %d" % self.pid)

    def info_field(self, section, field):
        try:
            c = Conn(self.port)
            try:
                text = c.call("INFO", section)
            finally:
                c.close()
        except (OSError, RuntimeError, ConnectionError):
            return None
        for line in (text or "").splitlines():
            if line.startswith(field + ":"):
                try:
                    return int(line.split(":", 1)[1])
                except ValueError:
                    return None
        return None

    def dbsize(self):
        try:
            c = Conn(self.port)
            try:
                return c.call("DBSIZE")
            finally:
                c.close()
        except (OSError, RuntimeError, ConnectionError):
            return None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        with critical():
            self._stop()

    def _stop(self):
        LIVE_SERVERS.discard(self)
        if self.proc is not None:
            if self.proc.poll() is None:
                try:
                    os.killpg(self.proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
                try:
                    self.proc.wait(timeout=STOP_GRACE_S)
                except subprocess.TimeoutExpired:
                    try:
                        os.killpg(self.proc.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    self.proc.wait(timeout=STOP_GRACE_S)
            self.proc = None
        if self.logf:
            self.logf.close()
            self.logf = None
        if self.dir and not self.keep_dirs:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None


# --------------------------------------------------------------------------
# Throughput

def run_benchmark(opts, server, test, depth, requests):
    """One redis-benchmark run of one test.  Returns (rps, cpu_s, client_busy)
    or None; client_busy is redis-benchmark's CPU time over wall time (near 1.0:
    the client, not the server, limits the run)."""
    cmd = [opts.redis_benchmark, "-h", "127.0.0.1", "-p", str(server.port),
           "-c", "50", "-n", str(requests), "-r", "1000000",
           "-t", test, "-P", str(depth), "--csv"]
    if opts.client_cpu is not None:
        cmd = ["taskset", "-c", str(opts.client_cpu)] + cmd
    cpu0 = server.cpu_seconds()
    t0, wall0 = os.times(), time.monotonic()
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=opts.run_timeout)
    except subprocess.TimeoutExpired:
        log("  ! %s %s P%d timed out after %ss" % (server.name, test, depth, opts.run_timeout))
        return None
    cpu1 = server.cpu_seconds()
    t1, wall1 = os.times(), time.monotonic()
    client_cpu = (t1.children_user - t0.children_user) + (t1.children_system - t0.children_system)
    client_busy = client_cpu / (wall1 - wall0) if wall1 > wall0 else float("nan")
    if out.returncode != 0:
        log("  ! %s %s P%d: redis-benchmark rc=%d: %s" % (
            server.name, test, depth, out.returncode, out.stderr.strip()[-300:]))
        return None
    for row in csv.DictReader(io.StringIO(out.stdout)):
        name = (row.get("test") or "").split(" ")[0].lower()
        if name == test:
            return float(row["rps"]), cpu1 - cpu0, client_busy
    log("  ! %s %s P%d: no CSV row in output: %r" % (server.name, test, depth, out.stdout[-300:]))
    return None


def throughput(opts, a, b):
    """results[(test, depth)][server.name] = list of (rps, cpu_us_per_req)."""
    results = {(t, d): {a.name: [], b.name: [], "pairs": [], "busy": {a.name: [], b.name: []}}
               for t in opts.tests for d in DEPTHS}
    step = 0
    for rnd in range(opts.rounds):
        for depth in DEPTHS:
            n = opts.requests if depth == 1 else opts.pipelined_requests
            for test in opts.tests:
                order = (a, b) if step % 2 == 0 else (b, a)
                step += 1
                now = {}
                for srv in order:
                    if not srv.alive():
                        raise RuntimeError("%s died; log tail:\n%s" % (srv.name, srv.log_tail()))
                    r = run_benchmark(opts, srv, test, depth, n)
                    now[srv.name] = r[0] if r else float("nan")
                    if r is not None:
                        rps, cpu_s, busy = r
                        results[(test, depth)][srv.name].append((rps, cpu_s * 1e6 / n))
                        results[(test, depth)]["busy"][srv.name].append(busy)
                if all(now[x.name] == now[x.name] for x in (a, b)):   # both ran (not NaN)
                    ea, eb = results[(test, depth)][a.name][-1], results[(test, depth)][b.name][-1]
                    results[(test, depth)]["pairs"].append(
                        (ea[0] / eb[0], ea[1] / eb[1] if eb[1] else float("nan")))
                log("  round %d/%d %-4s P%-2d  %s %10.0f  %s %10.0f" % (
                    rnd + 1, opts.rounds, test, depth, a.name, now[a.name], b.name, now[b.name]))
    return results


# --------------------------------------------------------------------------
# Memory per key / per element

def key_of(i):
    return b"k:%08d" % i       # 10 bytes for i < 10**8


def value_of(i):
    return b"v:%08d" % i       # 10 bytes, not integer-encodable


def member_of(i):
    return b"m:%08d" % i       # 10 bytes


def resp_bytes(*parts):
    out = [b"*%d\r\n" % len(parts)]
    for p in parts:
        out.append(b"$%d\r\n%s\r\n" % (len(p), p))
    return b"".join(out)


TTL_SECONDS = 100000

# variant -> (what one unit is, command that adds unit i, expected reply line)
MEMORY_VARIANTS = {
    "plain": ("key", lambda i: resp_bytes(b"SET", key_of(i), value_of(i)), b"+OK"),
    "ttl": ("key", lambda i: resp_bytes(b"SET", key_of(i), value_of(i), b"EX", b"%d" % TTL_SECONDS), b"+OK"),
    "hash": ("element", lambda i: resp_bytes(b"HSET", b"bighash", key_of(i), value_of(i)), b":1"),
    "set": ("element", lambda i: resp_bytes(b"SADD", b"bigset", member_of(i)), b":1"),
    "zset": ("element", lambda i: resp_bytes(b"ZADD", b"bigzset", b"%d" % i, member_of(i)), b":1"),
}


def load_units(port, n, make_cmd, expect, timeout):
    """Sends make_cmd(i) for i < n over one connection, fully pipelined: a
    sender thread streams batches while this thread checks every reply line
    against `expect`.  Returns seconds."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    send_err = []

    def sender():
        try:
            for start in range(0, n, LOAD_BATCH):
                sock.sendall(b"".join(make_cmd(i) for i in range(start, min(n, start + LOAD_BATCH))))
        except OSError as e:
            send_err.append(e)

    t0 = time.monotonic()
    th = threading.Thread(target=sender, daemon=True)
    th.start()
    replies = 0
    errors = 0
    first_error = None
    pending = b""
    deadline = time.monotonic() + timeout
    try:
        while replies < n:
            if time.monotonic() > deadline:
                raise RuntimeError("load timed out after %ss (%d/%d replies)" % (timeout, replies, n))
            chunk = sock.recv(1 << 20)
            if not chunk:
                raise RuntimeError("server closed connection during load (%d/%d replies)%s" % (
                    replies, n, "; send error %s" % send_err[0] if send_err else ""))
            pending += chunk
            lines = pending.split(b"\r\n")
            pending = lines.pop()
            for line in lines:
                replies += 1
                if line != expect:
                    errors += 1
                    if first_error is None:
                        first_error = line[:200]
        th.join(timeout=timeout)
    finally:
        sock.close()
    if errors:
        raise RuntimeError("%d of %d writes failed, first reply: %r" % (errors, n, first_error))
    return time.monotonic() - t0


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

def fmt(x, spec="%.2f"):
    return "n/a" if x is None else spec % x


def ratio(x, y):
    return None if x is None or y is None or y == 0 else x / y


def spread(vals):
    """(max-min)/median in percent: a rough noise gauge across rounds."""
    if len(vals) < 2:
        return None
    m = statistics.median(vals)
    return 100.0 * (max(vals) - min(vals)) / m if m else None


def report(opts, results, mem):
    a_name, b_name = "erdtree", "redis"
    summary = []
    if not any(per["pairs"] for per in results.values()):
        if mem:
            summary += memory_report(opts, mem)
        print_summary(summary)
        return
    print()
    print("Throughput (median of %d round(s); -c 50 -r 1000000; P1 n=%d, P16 n=%d)" % (
        opts.rounds, opts.requests, opts.pipelined_requests))
    print("  rps: median, higher is better; cpu us: server CPU microseconds per request (median),")
    print("  lower is better; ratio/cpuRat: median over rounds of erdtree/redis of back-to-back runs;")
    print("  spread: (max-min)/median over rounds (noise gauge)")
    hdr = "%-10s %-3s | %12s %6s | %12s %6s | %6s %6s | %8s %8s | %6s" % (
        "test", "P", "erdtree rps", "spread", "redis rps", "spread", "ratio", "spread",
        "cpu us E", "cpu us R", "cpuRat")
    print(hdr)
    print("-" * len(hdr))
    for depth in DEPTHS:
        for test in opts.tests:
            ra = results[(test, depth)][a_name]
            rb = results[(test, depth)][b_name]
            ma = statistics.median([x[0] for x in ra]) if ra else None
            mb = statistics.median([x[0] for x in rb]) if rb else None
            ca = statistics.median([x[1] for x in ra]) if ra else None
            cb = statistics.median([x[1] for x in rb]) if rb else None
            sa = spread([x[0] for x in ra])
            sb = spread([x[0] for x in rb])
            # Ratios are medians of per-round pairs: the two runs of a pair
            # are back to back, so load from other jobs mostly cancels.
            pairs = results[(test, depth)]["pairs"]
            r = statistics.median([x[0] for x in pairs]) if pairs else None
            crs = [x[1] for x in pairs if x[1] == x[1]]
            cr = statistics.median(crs) if crs else None
            sr = spread([x[0] for x in pairs])
            print("%-10s P%-2d | %12s %5s%% | %12s %5s%% | %6s %5s%% | %8s %8s | %6s" % (
                test, depth, fmt(ma, "%.0f"), fmt(sa, "%.0f"), fmt(mb, "%.0f"), fmt(sb, "%.0f"),
                fmt(r), fmt(sr, "%.0f"), fmt(ca, "%.3f"), fmt(cb, "%.3f"), fmt(cr)))
            tag = "%s P%d" % (test, depth)
            summary += ["rps erdtree %s %s" % (tag, fmt(ma, "%.0f")),
                        "rps redis %s %s" % (tag, fmt(mb, "%.0f")),
                        "ratio %s %s" % (tag, fmt(r, "%.3f")),
                        "cpu_us_per_req erdtree %s %s" % (tag, fmt(ca, "%.4f")),
                        "cpu_us_per_req redis %s %s" % (tag, fmt(cb, "%.4f")),
                        "cpu_ratio %s %s" % (tag, fmt(cr, "%.3f"))]
            for name in (a_name, b_name):
                busy = [x for x in results[(test, depth)]["busy"][name] if x == x]
                summary.append("client_busy %s %s %s" % (name, tag, fmt(statistics.median(busy) if busy else None, "%.2f")))

    print("  client_busy (summary): redis-benchmark CPU / wall time; near 1.00 means the single")
    print("  client core, not the server, set the pace (typical at P1 on a 2-core machine)")

    if mem is None:
        mem = {}
    if mem:
        summary += memory_report(opts, mem)

    print_summary(summary)


def print_summary(summary):
    print()
    print("== erdtree-bench summary (value is the last field) ==")
    for line in summary:
        print(line)
    print("== end summary ==")


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

def find_erdtree():
    env = os.environ.get("ERDTREE_SERVER")
    if env:
        return env
    cands = []
    for root in (REPO_ROOT, "/work/main"):
        cands += glob.glob(os.path.join(root, "build*", "erdtree-server"))
    cands = [c for c in cands if os.access(c, os.X_OK)]
    if not cands:
        return None
    return max(cands, key=os.path.getmtime)   # newest build wins


def parse_args():
    p = argparse.ArgumentParser(description="erdtree vs redis benchmark (ratios in one run)")
    p.add_argument("--erdtree", help="erdtree-server binary (default: $ERDTREE_SERVER, "
                   "else newest build*/erdtree-server in the repo)")
    p.add_argument("--redis", default=shutil.which("redis-server") or "/usr/bin/redis-server",
                   help="redis-server binary (default: from PATH)")
    p.add_argument("--redis-benchmark", default=shutil.which("redis-benchmark") or "/usr/bin/redis-benchmark")
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
    p.add_argument("--server-cpu", type=int, default=0, help="CPU for the servers (default 0)")
    p.add_argument("--client-cpu", type=int, default=1, help="CPU for clients (default 1)")
    p.add_argument("--no-pin", action="store_true", help="do not use taskset")
    p.add_argument("--run-timeout", type=float, default=300.0, help="timeout per redis-benchmark run (s)")
    p.add_argument("--load-timeout", type=float, default=300.0, help="timeout per memory load (s)")
    p.add_argument("--skip-throughput", action="store_true")
    p.add_argument("--skip-memory", action="store_true")
    p.add_argument("--keep-dirs", action="store_true", help="keep server temp dirs (logs)")
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
    o.erdtree = o.erdtree or find_erdtree()
    if not o.erdtree:
        p.error("no erdtree-server found: pass --erdtree PATH or set ERDTREE_SERVER")
    for path in (o.erdtree, o.redis, o.redis_benchmark):
        if not os.access(path, os.X_OK):
            p.error("not executable: %s" % path)
    if o.no_pin or not shutil.which("taskset") or (os.cpu_count() or 1) < 2:
        if not o.no_pin:
            log("warning: fewer than 2 CPUs or no taskset: not pinning")
        o.server_cpu = o.client_cpu = None
    return o


def main():
    opts = parse_args()
    # SIGTERM behaves like Ctrl-C so the finally blocks stop the servers.
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)   # even if started with SIGINT ignored
    if opts.client_cpu is not None:
        os.sched_setaffinity(0, {opts.client_cpu})   # the Python loader is a client too

    def make_server(which):
        binary = opts.erdtree if which == "erdtree" else opts.redis
        return Server(which, binary, opts.server_cpu, opts.keep_dirs, shlex.split(opts.server_args))

    t_start = time.monotonic()
    load0 = os.getloadavg()
    probe = make_server("erdtree")
    print("erdtree: %s%s" % (opts.erdtree,
          "  (NOTE: this is a redis-server; sanity run)" if probe.flavor == "redis" else ""))
    print("redis:   %s" % opts.redis)
    if opts.server_args:
        print("both servers started with: %s" % opts.server_args)
    print("pinning: servers cpu %s, clients cpu %s; loadavg at start %.2f %.2f %.2f" % (
        opts.server_cpu, opts.client_cpu, *load0))

    results = {(t, d): {"erdtree": [], "redis": [], "pairs": []} for t in opts.tests for d in DEPTHS}
    mem = None
    try:
        if not opts.skip_throughput:
            log("throughput: %d round(s) x %d tests x %d depths x 2 servers" % (
                opts.rounds, len(opts.tests), len(DEPTHS)))
            a, b = make_server("erdtree"), make_server("redis")
            a.start()
            b.start()
            results = throughput(opts, a, b)
            a.stop()
            b.stop()
        if not opts.skip_memory:
            log("memory: %d keys/elements per load, %d fresh instances" % (opts.keys, 2 * len(opts.memory_variants)))
            mem = memory(opts, make_server)
    except KeyboardInterrupt:
        log("interrupted; stopping servers")
        return 130
    finally:
        _signals["critical"] += 1   # further Ctrl-C must not cut the cleanup short
        for s in list(LIVE_SERVERS):
            s.stop()

    report(opts, results, mem)
    load1 = os.getloadavg()
    print("elapsed %.0fs; loadavg at end %.2f %.2f %.2f (other jobs on the box add noise)" % (
        time.monotonic() - t_start, *load1))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as e:
        log("error: %s" % e)
        sys.exit(2)
