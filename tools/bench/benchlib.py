"""Shared pieces of the erdtree-vs-redis benchmarks (bench.py, persist_bench.py).

Servers (start, restart in the same dir, stop; every process started is
recorded in LIVE_SERVERS and stopped on any exit), a tiny RESP client,
pinning, the redis-benchmark driver with interleaved rounds, the pipelined
loader, and report helpers.  Python standard library only.
"""

import contextlib
import csv
import glob
import io
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

READY_TIMEOUT_S = 20.0      # server must answer PING within this
STOP_GRACE_S = 5.0          # SIGTERM -> SIGKILL grace period
VERSION_TIMEOUT_S = 5.0     # `BIN --version`
LOAD_BATCH = 2000           # commands per sendall() in the memory load



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
    """One server process.  start() creates the server's temp dir (under
    base_dir, default the system temp dir) on first use; halt() stops the
    process and keeps the dir, so a later start() restarts on the same data;
    stop() halts and removes the dir (unless keep_dirs).  extra_args may be
    changed between a halt() and the next start()."""

    def __init__(self, name, binary, cpu, keep_dirs, extra_args=(), base_dir=None,
                 ready_timeout=READY_TIMEOUT_S, ready_poll=0.05):
        self.name = name
        self.extra_args = list(extra_args)
        self.binary = binary
        self.flavor = detect_flavor(binary)
        self.cpu = cpu
        self.keep_dirs = keep_dirs
        self.base_dir = base_dir
        self.ready_timeout = ready_timeout
        self.ready_poll = ready_poll      # seconds between PING attempts at start-up
        self.proc = None
        self.dir = None
        self.port = None
        self.logf = None
        self.startup_seconds = None       # process start -> first PONG, of the last start()

    def start(self):
        if self.dir is None:
            self.dir = tempfile.mkdtemp(prefix="erdtree-bench-%s-" % self.name, dir=self.base_dir)
        self.port = free_port()
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
                "--dir", self.dir, "--appendonly", "no", "--save", ""]
        # No snapshots on either side: save rules would fork mid-round.
        if self.flavor == "redis":
            args += ["--daemonize", "no"]
        args += self.extra_args   # later flags win on both servers
        if self.cpu is not None:
            args = ["taskset", "-c", str(self.cpu)] + args
        self.logf = open(os.path.join(self.dir, "server.log"), "ab")
        # New session: Ctrl-C in the terminal does not hit the server, and we
        # can kill the whole group (with any fork child) in stop().
        with critical():
            t0 = time.monotonic()
            self.proc = subprocess.Popen(args, stdout=self.logf, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
            LIVE_SERVERS.add(self)
        self._wait_ready()
        self.startup_seconds = time.monotonic() - t0
        return self

    def _wait_ready(self):
        deadline = time.monotonic() + self.ready_timeout
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
                last = e   # refused before listening; -LOADING while loading
            time.sleep(self.ready_poll)
        raise RuntimeError("%s did not answer PING within %.0fs (last: %s); log:\n%s" % (
            self.name, self.ready_timeout, last, self.log_tail()))

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

    def call(self, *args):
        """One command on a fresh connection; error replies raise RuntimeError."""
        c = Conn(self.port)
        try:
            return c.call(*args)
        finally:
            c.close()

    def info(self, section):
        """INFO <section> as a dict of strings."""
        return parse_info(self.call("INFO", section))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def halt(self):
        """Stops the process (SIGTERM to its group, SIGKILL after a grace
        period); the dir stays for the next start()."""
        with critical():
            self._halt()

    def stop(self):
        with critical():
            self._halt()
            if self.dir and not self.keep_dirs:
                shutil.rmtree(self.dir, ignore_errors=True)
                self.dir = None

    def _halt(self):
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


def parse_info(text):
    out = {}
    for line in (text or "").splitlines():
        if ":" in line and not line.startswith("#"):
            k, v = line.split(":", 1)
            out[k] = v.strip()
    return out


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


def throughput(opts, a, b, tests, depths, requests, rounds):
    """Interleaved redis-benchmark runs: for every (round, depth, test) one
    run on each server, back to back, the order flipping at every step.
    requests[depth] is -n for that depth.
    results[(test, depth)][server.name] = list of (rps, cpu_us_per_req);
    results[(test, depth)]["pairs"] = list of (rps ratio, cpu ratio) a/b."""
    results = {(t, d): {a.name: [], b.name: [], "pairs": [], "busy": {a.name: [], b.name: []}}
               for t in tests for d in depths}
    step = 0
    for rnd in range(rounds):
        for depth in depths:
            n = requests[depth]
            for test in tests:
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
                    rnd + 1, rounds, test, depth, a.name, now[a.name], b.name, now[b.name]))
    return results


def throughput_table(results, tests, depths, tag_prefix="", a_name="erdtree", b_name="redis"):
    """Prints the throughput table (one row per depth and test) and returns
    the summary lines; tag_prefix goes in front of "<test> P<depth>"."""
    summary = []
    hdr = "%-10s %-3s | %12s %6s | %12s %6s | %6s %6s | %8s %8s | %6s" % (
        "test", "P", "erdtree rps", "spread", "redis rps", "spread", "ratio", "spread",
        "cpu us E", "cpu us R", "cpuRat")
    print(hdr)
    print("-" * len(hdr))
    for depth in depths:
        for test in tests:
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
            tag = "%s%s P%d" % (tag_prefix, test, depth)
            summary += ["rps erdtree %s %s" % (tag, fmt(ma, "%.0f")),
                        "rps redis %s %s" % (tag, fmt(mb, "%.0f")),
                        "ratio %s %s" % (tag, fmt(r, "%.3f")),
                        "cpu_us_per_req erdtree %s %s" % (tag, fmt(ca, "%.4f")),
                        "cpu_us_per_req redis %s %s" % (tag, fmt(cb, "%.4f")),
                        "cpu_ratio %s %s" % (tag, fmt(cr, "%.3f"))]
            for name in (a_name, b_name):
                busy = [x for x in results[(test, depth)]["busy"][name] if x == x]
                summary.append("client_busy %s %s %s" % (name, tag, fmt(statistics.median(busy) if busy else None, "%.2f")))
    return summary


# --------------------------------------------------------------------------
# Keys and the pipelined loader

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


def set_cmd(i):
    """SET k:%08d v:%08d: the 10-byte string keys both scripts load."""
    return resp_bytes(b"SET", key_of(i), value_of(i))


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


def print_summary(summary):
    print()
    print("== erdtree-bench summary (value is the last field) ==")
    for line in summary:
        print(line)
    print("== end summary ==")


# --------------------------------------------------------------------------
# Command line and process setup

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



def add_common_args(p):
    """Options both scripts take: binaries, pinning, timeouts, dirs."""
    p.add_argument("--erdtree", help="erdtree-server binary (default: $ERDTREE_SERVER, "
                   "else newest build*/erdtree-server in the repo)")
    p.add_argument("--redis", default=shutil.which("redis-server") or "/usr/bin/redis-server",
                   help="redis-server binary (default: from PATH)")
    p.add_argument("--redis-benchmark", default=shutil.which("redis-benchmark") or "/usr/bin/redis-benchmark")
    p.add_argument("--server-cpu", type=int, default=0, help="CPU for the servers (default 0)")
    p.add_argument("--client-cpu", type=int, default=1, help="CPU for clients (default 1)")
    p.add_argument("--no-pin", action="store_true", help="do not use taskset")
    p.add_argument("--run-timeout", type=float, default=300.0, help="timeout per redis-benchmark run (s)")
    p.add_argument("--load-timeout", type=float, default=300.0, help="timeout per load (s)")
    p.add_argument("--keep-dirs", action="store_true", help="keep server temp dirs (logs)")


def check_common_args(p, o):
    """Resolves the erdtree binary, checks the binaries, decides pinning."""
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


def setup_process(opts):
    """SIGTERM and SIGINT raise KeyboardInterrupt (so the finally blocks stop
    the servers), and this process runs on the client CPU (the Python loader
    is a client too)."""
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)   # even if started with SIGINT ignored
    if opts.client_cpu is not None:
        os.sched_setaffinity(0, {opts.client_cpu})


def stop_all_servers():
    """For the final `finally`: stops every server still running; a further
    Ctrl-C must not cut the cleanup short."""
    _signals["critical"] += 1
    for s in list(LIVE_SERVERS):
        s.stop()


def print_setup(opts, erdtree_flavor, notes=()):
    print("erdtree: %s%s" % (opts.erdtree,
          "  (NOTE: this is a redis-server; sanity run)" if erdtree_flavor == "redis" else ""))
    print("redis:   %s" % opts.redis)
    for line in notes:
        print(line)
    load = os.getloadavg()
    print("pinning: servers cpu %s, clients cpu %s; loadavg at start %.2f %.2f %.2f" % (
        opts.server_cpu, opts.client_cpu, *load))


def print_elapsed(t_start):
    load = os.getloadavg()
    print("elapsed %.0fs; loadavg at end %.2f %.2f %.2f (other jobs on the box add noise)" % (
        time.monotonic() - t_start, *load))


def script_entry(main):
    """The scripts' `if __name__ == "__main__"`: exit with main()'s code, or
    2 with the message when a server fails or answers wrongly."""
    try:
        sys.exit(main())
    except RuntimeError as e:
        log("error: %s" % e)
        sys.exit(2)
