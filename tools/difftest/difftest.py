#!/usr/bin/python3
"""Differential tester: erdtree-server against a reference redis-server.

Starts both servers on free loopback ports (persistence off), generates a
random command sequence from a seed, sends every command to both over raw
RESP2 sockets and compares the raw reply bytes (error texts included).  The
few replies that legitimately differ are normalised by per-command
comparators (see NORMALISATION in README.md); everything else must match
byte for byte.

On the first divergence it prints the seed, the command index, the command,
both replies and the last commands that led to it, then exits 1.  With
--keep-going it logs every divergence, resets both servers (reconnect +
FLUSHALL) and carries on.  --minimize shrinks each distinct divergence to a
short reproduction by replaying subsets of the history.  --dump FILE writes
the whole history in a replayable text format (--replay FILE runs it).

Timing.  Keys expire on the wall clock, so a command sent to both servers
at almost the same instant can see a key alive on one and gone on the
other.  The tool records every expiry deadline it creates (a window of
real time in which the key may expire on either server) and, before each
command, waits until no deadline falls within the command's expected
execution time.  A command whose execution still overlapped a deadline
(the machine was slow) is "timing-ambiguous": its result is not counted
and both servers are reset.  GT/LT expiry comparisons get the same
treatment from the key's current PEXPIRETIME.

Connection state.  The transactions family sends MULTI ... EXEC/DISCARD
blocks (with WATCH, queue-time errors, nested MULTI) and the pubsub family
SUBSCRIBE ... UNSUBSCRIBE+PUNSUBSCRIBE blocks, on the same single connection
per server.  The Runner follows the real state from the replies: inside
MULTI nothing is sent besides the generated command (no GT/LT guard query, no
comparator follow-up, no timing snapshot), expiry deadlines of queued
commands are recorded when EXEC runs them, and EXEC's array is compared
element by element with each queued command's comparator.  A subscribed
connection gets several replies for one (P)(UN)SUBSCRIBE (one per channel,
or per subscription for an argless unsubscribe); they are read and compared
as one.

Standard library only.  Exit status: 0 no divergence, 1 divergence(s),
2 usage or infrastructure error (a server would not start, ...).
"""

import argparse
import contextlib
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

READY_TIMEOUT_S = 20.0       # a server must answer PING within this
STOP_GRACE_S = 5.0           # SIGTERM -> SIGKILL
BINARY_WAIT_S = 120.0        # the binary may be rebuilt under us: wait for it
BINARY_SETTLE_S = 2.0        # ... and for its mtime to be this old
EST_MS = 1.5                 # expected execution time of one command (guard)
SNAPSHOT_EST_MS = 40.0       # ... and of a full data snapshot of both servers
JITTER_MS = 0.3              # clock-reading slack added to every window
HISTORY_TAIL = 30            # commands shown before a divergence
HORIZON_MS = 6 * 3600 * 1000  # deadlines further away are ignored

DEFAULT_FAMILIES = "strings,keys,expire,server"
TRACE = open(os.environ["DIFFTEST_TRACE"], "w") if os.environ.get("DIFFTEST_TRACE") else None


def now_ms():
    return time.time() * 1000.0


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# Signals: Ctrl-C and SIGTERM raise KeyboardInterrupt except while a server
# is being spawned, so a started server is always recorded for the finally.

_sig = {"critical": 0, "pending": False}


def _on_signal(signum, frame):
    if _sig["critical"]:
        _sig["pending"] = True
        return
    raise KeyboardInterrupt()


@contextlib.contextmanager
def critical():
    _sig["critical"] += 1
    try:
        yield
    finally:
        _sig["critical"] -= 1
        if not _sig["critical"] and _sig["pending"]:
            _sig["pending"] = False
            raise KeyboardInterrupt()


# --------------------------------------------------------------------------
# RESP2 client.  Replies are kept as raw bytes (compared byte for byte) and
# as a parsed value: (kind, value) with kind one of + - : $ *.

class Incomplete(Exception):
    pass


class ServerFailure(Exception):
    """A server timed out, closed the connection or sent garbage."""

    def __init__(self, who, msg):
        super().__init__(f"{who}: {msg}")
        self.who = who
        self.msg = msg


def _parse(buf, pos):
    nl = buf.find(b"\r\n", pos)
    if nl < 0:
        raise Incomplete()
    t = buf[pos]
    line = bytes(buf[pos + 1:nl])
    p = nl + 2
    if t == 0x2B:  # +
        return ("+", line), p
    if t == 0x2D:  # -
        return ("-", line), p
    if t == 0x3A:  # :
        return (":", int(line)), p
    if t == 0x24:  # $
        n = int(line)
        if n < 0:
            return ("$", None), p
        if len(buf) < p + n + 2:
            raise Incomplete()
        if buf[p + n:p + n + 2] != b"\r\n":
            raise ValueError("bulk string not terminated by CRLF")
        return ("$", bytes(buf[p:p + n])), p + n + 2
    if t == 0x2A:  # *
        n = int(line)
        if n < 0:
            return ("*", None), p
        items = []
        for _ in range(n):
            v, p = _parse(buf, p)
            items.append(v)
        return ("*", items), p
    raise ValueError(f"unexpected RESP type byte {bytes([t])!r}")


class Reply:
    __slots__ = ("raw", "kind", "val")

    def __init__(self, raw, parsed):
        self.raw = raw
        self.kind, self.val = parsed

    def __repr__(self):
        return show_raw(self.raw)


def encode_command(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Conn:
    def __init__(self, who, port, timeout):
        self.who = who
        self.buf = bytearray()
        try:
            self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        except OSError as e:
            raise ServerFailure(who, f"cannot connect: {e}")
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.settimeout(timeout)

    def send(self, args):
        try:
            self.sock.sendall(encode_command(args))
        except OSError as e:
            raise ServerFailure(self.who, f"send failed: {e}")

    def read(self):
        while True:
            if self.buf:
                try:
                    parsed, end = _parse(self.buf, 0)
                    raw = bytes(self.buf[:end])
                    del self.buf[:end]
                    return Reply(raw, parsed)
                except Incomplete:
                    pass
                except ValueError as e:
                    raise ServerFailure(self.who, f"unparseable reply {show_raw(bytes(self.buf[:200]))}: {e}")
            try:
                chunk = self.sock.recv(1 << 16)
            except socket.timeout:
                raise ServerFailure(self.who, "timed out waiting for a reply")
            except OSError as e:
                raise ServerFailure(self.who, f"recv failed: {e}")
            if not chunk:
                raise ServerFailure(self.who, "connection closed by server")
            self.buf += chunk

    def call(self, args):
        self.send(args)
        return self.read()

    def close(self):
        with contextlib.suppress(OSError):
            self.sock.close()


# --------------------------------------------------------------------------
# Servers

def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One server process in its own temp dir, started from a private copy
    of the binary (the build may be replaced while we run)."""

    def __init__(self, who, binary, workdir, timeout):
        self.who = who
        self.binary = binary
        self.dir = os.path.join(workdir, who)
        os.makedirs(self.dir, exist_ok=True)
        self.timeout = timeout
        self.proc = None
        self.port = None
        self.logpath = os.path.join(self.dir, "server.log")

    def _copy_binary(self):
        deadline = time.time() + BINARY_WAIT_S
        dest = os.path.join(self.dir, "bin-" + os.path.basename(self.binary))
        while True:
            try:
                st = os.stat(self.binary)
                if st.st_size > 0 and time.time() - st.st_mtime >= BINARY_SETTLE_S \
                        and os.access(self.binary, os.X_OK):
                    shutil.copy2(self.binary, dest)
                    return dest
            except OSError:
                pass
            if time.time() > deadline:
                raise RuntimeError(f"{self.who}: binary {self.binary} not available")
            time.sleep(0.5)

    def start(self):
        last = "?"
        for attempt in range(5):
            exe = self._copy_binary()
            self.port = free_port()
            cmd = [exe, "--port", str(self.port), "--bind", "127.0.0.1",
                   "--dir", self.dir, "--save", "", "--appendonly", "no",
                   "--daemonize", "no"]
            logf = open(self.logpath, "ab")
            try:
                with critical():
                    self.proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT,
                                                 stdin=subprocess.DEVNULL, cwd=self.dir,
                                                 start_new_session=True)
            finally:
                logf.close()
            deadline = time.time() + READY_TIMEOUT_S
            while time.time() < deadline:
                if self.proc.poll() is not None:
                    break
                try:
                    c = Conn(self.who, self.port, 2.0)
                    try:
                        r = c.call([b"PING"])
                    finally:
                        c.close()
                    if r.raw == b"+PONG\r\n":
                        return
                except ServerFailure:
                    pass
                time.sleep(0.05)
            last = self.log_tail()
            self.stop()
        raise RuntimeError(f"{self.who}: server did not start ({self.binary}); log:\n{last}")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, n=15):
        try:
            with open(self.logpath, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
            return "\n".join(lines[-n:])
        except OSError:
            return ""

    def stop(self):
        p = self.proc
        if p is None:
            return
        with critical():
            if p.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    p.terminate()
                try:
                    p.wait(STOP_GRACE_S)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        p.kill()
                    p.wait(STOP_GRACE_S)
            self.proc = None


# --------------------------------------------------------------------------
# Commands, steps and the replay text format.
#
# One step per line:
#   SET k "v\x00" PX 10       a command; tokens quoted like redis-cli input
#   SET k v PXAT @now_ms+20   @now_s+N / @now_ms+N: the clock when sent, plus N
#   !sleep 12                 sleep 12 ms
#   !reset                    reconnect both clients and FLUSHALL both
#   # ...                     comment

class NowRef:
    __slots__ = ("unit", "off")

    def __init__(self, unit, off):
        self.unit = unit
        self.off = off

    def resolve(self, t_ms=None):
        t = now_ms() if t_ms is None else t_ms
        base = int(t // 1000) if self.unit == "s" else int(t)
        return str(base + self.off).encode()

    def __str__(self):
        return f"@now_{self.unit}{self.off:+d}"


class Step:
    __slots__ = ("kind", "args", "ms", "fixed")

    def __init__(self, kind, args=None, ms=0):
        self.kind = kind      # "cmd", "sleep", "reset"
        self.args = args
        self.ms = ms
        self.fixed = False    # generator: never mangle (a block's closing step)


def Cmd(*args):
    return Step("cmd", [a if isinstance(a, (bytes, NowRef)) else str(a).encode() for a in args])


def Sleep(ms):
    return Step("sleep", ms=ms)


def Fixed(*args):
    """A command the generator must send as written (closes a MULTI or
    subscribed block, so the connection's state is known afterwards)."""
    st = Cmd(*args)
    st.fixed = True
    return st


_SAFE = set(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:+-*?/{}[]^=,<>%&|~")


def quote(tok):
    if isinstance(tok, NowRef):
        return str(tok)
    if tok and all(c in _SAFE for c in tok):
        return tok.decode()
    out = ['"']
    for c in tok:
        if c == 0x5C:
            out.append("\\\\")
        elif c == 0x22:
            out.append('\\"')
        elif c == 0x0A:
            out.append("\\n")
        elif c == 0x0D:
            out.append("\\r")
        elif c == 0x09:
            out.append("\\t")
        elif 0x20 <= c < 0x7F:
            out.append(chr(c))
        else:
            out.append("\\x%02x" % c)
    out.append('"')
    return "".join(out)


def show_step(step):
    if step.kind == "sleep":
        return f"!sleep {step.ms}"
    if step.kind == "reset":
        return "!reset"
    return " ".join(quote(a) for a in step.args)


def show_resolved(step, resolved):
    """The command as written, with @now values shown resolved."""
    parts = []
    for a, r in zip(step.args, resolved):
        parts.append(f"{a}(={r.decode()})" if isinstance(a, NowRef) else quote(a))
    return " ".join(parts)


def show_raw(raw, limit=400):
    s = repr(raw)[2:-1]
    if len(s) > limit:
        s = s[:limit] + f"... ({len(raw)} bytes)"
    return s


_ESC = {"n": 0x0A, "r": 0x0D, "t": 0x09, "b": 0x08, "a": 0x07, "\\": 0x5C, '"': 0x22}
_NOWREF = re.compile(r"@now_(s|ms)([+-]\d+)$")


def parse_line(line, lineno):
    """Split one replay line into tokens (redis-cli quoting rules)."""
    toks = []
    i, n = 0, len(line)
    while True:
        while i < n and line[i] in " \t":
            i += 1
        if i >= n:
            return toks
        if line[i] == '"':
            i += 1
            out = bytearray()
            while True:
                if i >= n:
                    raise ValueError(f"line {lineno}: unterminated quotes")
                c = line[i]
                if c == "\\" and i + 3 < n and line[i + 1] == "x" and \
                        all(ch in "0123456789abcdefABCDEF" for ch in line[i + 2:i + 4]):
                    out.append(int(line[i + 2:i + 4], 16))
                    i += 4
                elif c == "\\" and i + 1 < n:
                    out.append(_ESC.get(line[i + 1], ord(line[i + 1])))
                    i += 2
                elif c == '"':
                    i += 1
                    break
                else:
                    out += c.encode("utf-8")
                    i += 1
            if i < n and line[i] not in " \t":
                raise ValueError(f"line {lineno}: closing quote must be followed by a space")
            toks.append(bytes(out))
        elif line[i] == "'":
            i += 1
            out = bytearray()
            while True:
                if i >= n:
                    raise ValueError(f"line {lineno}: unterminated quotes")
                c = line[i]
                if c == "\\" and i + 1 < n and line[i + 1] == "'":
                    out.append(0x27)
                    i += 2
                elif c == "'":
                    i += 1
                    break
                else:
                    out += c.encode("utf-8")
                    i += 1
            toks.append(bytes(out))
        else:
            j = i
            while j < n and line[j] not in " \t":
                j += 1
            word = line[i:j]
            m = _NOWREF.match(word)
            toks.append(NowRef(m.group(1), int(m.group(2))) if m else word.encode("utf-8"))
            i = j


def load_replay(path):
    steps = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            if s.startswith("!"):
                parts = s[1:].split()
                if parts[0] == "sleep" and len(parts) == 2:
                    steps.append(Sleep(float(parts[1])))
                elif parts[0] == "reset" and len(parts) == 1:
                    steps.append(Step("reset"))
                else:
                    raise ValueError(f"{path}:{lineno}: unknown directive {s}")
                continue
            toks = parse_line(line, lineno)
            if toks:
                steps.append(Step("cmd", toks))
    return steps


# --------------------------------------------------------------------------
# Expiry deadlines and the timing guard.

def _int(b):
    try:
        if not re.fullmatch(rb"-?\d{1,19}", b):
            return None
        return int(b)
    except (TypeError, ValueError):
        return None


def expiry_windows(args, t0, t1, absolute_only=False):
    """Real-time windows in which a key this command gives a TTL may expire.
    Relative TTLs are set somewhere in [t0, t1]; the server stores an
    integer ms and expires the key once its clock is past it (+1 ms).
    absolute_only: just the deadlines given as a time (EXAT, PXAT,
    EXPIREAT, PEXPIREAT), which do not move with the moment the command runs."""
    if not args:
        return []
    name = args[0].upper()
    found = []   # (is_relative, ms)

    def opt_scan(start):
        i = start
        while i < len(args) - 1:
            o = args[i].upper()
            v = _int(args[i + 1])
            if v is not None:
                if o == b"EX":
                    found.append((True, v * 1000))
                elif o == b"PX":
                    found.append((True, v))
                elif o == b"EXAT":
                    found.append((False, v * 1000))
                elif o == b"PXAT":
                    found.append((False, v))
            i += 1

    if name == b"SET":
        opt_scan(3)
    elif name == b"GETEX":
        opt_scan(2)
    elif name in (b"SETEX", b"PSETEX") and len(args) >= 3:
        v = _int(args[2])
        if v is not None:
            found.append((True, v * 1000 if name == b"SETEX" else v))
    elif name in (b"EXPIRE", b"PEXPIRE", b"EXPIREAT", b"PEXPIREAT") and len(args) >= 3:
        v = _int(args[2])
        if v is not None:
            scale = 1000 if name in (b"EXPIRE", b"EXPIREAT") else 1
            found.append((name in (b"EXPIRE", b"PEXPIRE"), v * scale))
    out = []
    for rel, ms in found:
        if rel and (absolute_only or abs(ms) > HORIZON_MS):
            continue
        lo, hi = (t0 + ms, t1 + ms + 1) if rel else (ms, ms + 1)
        if hi < t0 - HORIZON_MS or lo > t0 + HORIZON_MS:
            continue
        out.append((lo - JITTER_MS, hi + JITTER_MS))
    return out


class Windows:
    """Sorted list of (lo, hi) real-time windows (ms) in which some key may
    expire on one server and not yet on the other."""

    def __init__(self):
        self.w = []

    def clear(self):
        self.w = []

    def add(self, lo, hi):
        import bisect
        bisect.insort(self.w, (lo, hi))

    def _prune(self, t):
        w = self.w
        k = 0
        while k < len(w) and w[k][1] < t - 1000:
            k += 1
        if k:
            del w[:k]

    def hit(self, t0, t1):
        for lo, hi in self.w:
            if lo > t1:
                return False
            if hi >= t0:
                return True
        return False

    def wait_clear(self, est):
        """Sleep until no window overlaps [now, now + est]; returns ms slept."""
        slept = 0.0
        while True:
            t = now_ms()
            self._prune(t)
            until = None
            for lo, hi in self.w:
                if lo > t + est:
                    break
                if hi >= t:
                    until = hi if until is None else max(until, hi)
            if until is None:
                return slept
            d = until - t + 0.05
            time.sleep(d / 1000.0)
            slept += d


# --------------------------------------------------------------------------
# Comparators: command name -> f(ctx, args, a, b) -> None (same) or reason.
# ctx is the Runner; it can send auxiliary read-only commands to both.

def cmp_exact(ctx, args, a, b):
    return None if a.raw == b.raw else "replies differ"


def _errors_exact(a, b):
    """Shared rule for normalising comparators: if either reply is an error
    (or the types differ) the raw bytes must match."""
    if a.kind == "-" or b.kind == "-" or a.kind != b.kind:
        return None if a.raw == b.raw else "replies differ"
    return False


def cmp_shape(ctx, args, a, b):
    r = _errors_exact(a, b)
    return None if r is False else r


def _ttl_cmp(seconds):
    def cmp(ctx, args, a, b):
        r = _errors_exact(a, b)
        if r is not False:
            return r
        if a.kind != ":":
            return None if a.raw == b.raw else "replies differ"
        x, y = a.val, b.val
        if x < 0 or y < 0:
            return None if x == y else "replies differ"
        tol_ms = ctx.time_tolerance_ms()
        tol = 1 + int(tol_ms // 1000) if seconds else tol_ms
        if abs(x - y) <= tol:
            return None
        return f"values differ by {abs(x - y)} (tolerance {tol:g})"
    return cmp


def _sorted_items(val):
    return sorted(v for _, v in val) if val is not None else None


def cmp_sorted(ctx, args, a, b):
    r = _errors_exact(a, b)
    if r is not False:
        return r
    if a.kind != "*":
        return None if a.raw == b.raw else "replies differ"
    if a.val is None or b.val is None:
        return None if a.raw == b.raw else "replies differ"
    if any(k != "$" for k, _ in a.val) or any(k != "$" for k, _ in b.val):
        return None if a.raw == b.raw else "replies differ"
    sa, sb = _sorted_items(a.val), _sorted_items(b.val)
    return None if sa == sb else "sorted elements differ"


def cmp_pairs(ctx, args, a, b):
    r = _errors_exact(a, b)
    if r is not False:
        return r
    if a.kind != "*" or a.val is None or b.val is None or len(a.val) % 2 or len(b.val) % 2:
        return None if a.raw == b.raw else "replies differ"
    pa = sorted(zip([v for _, v in a.val[0::2]], [v for _, v in a.val[1::2]]))
    pb = sorted(zip([v for _, v in b.val[0::2]], [v for _, v in b.val[1::2]]))
    return None if pa == pb else "field/value pairs differ"


def cmp_random_shape(ctx, args, a, b):
    """SRANDMEMBER/HRANDFIELD/ZRANDMEMBER: same type, same count."""
    r = _errors_exact(a, b)
    if r is not False:
        return r
    if (a.val is None) != (b.val is None):
        return "one reply is nil"
    if a.kind == "*" and a.val is not None and len(a.val) != len(b.val):
        return f"element counts differ ({len(a.val)} vs {len(b.val)})"
    return None


def _scan_all(conn, args, first, cursor_at):
    """Continue a SCAN-family iteration; returns (sorted elements, error)."""
    elems = []
    rep = first
    for _ in range(100000):
        if rep.kind != "*" or rep.val is None or len(rep.val) != 2 or rep.val[0][0] != "$" \
                or rep.val[1][0] != "*" or rep.val[1][1] is None:
            return None, f"malformed SCAN reply {rep}"
        cursor = rep.val[0][1]
        elems.extend(v for _, v in rep.val[1][1])
        if cursor == b"0":
            return elems, None
        nargs = list(args)
        nargs[cursor_at] = cursor
        rep = conn.call(nargs)
    return None, "SCAN did not finish after 100000 calls"


def _type_none(args):
    return any(args[i].upper() == b"TYPE" and args[i + 1].lower() == b"none"
               for i in range(2, len(args) - 1))


def _scan_cmp(cursor_at, pairs):
    def cmp(ctx, args, a, b):
        r = _errors_exact(a, b)
        if r is not False:
            return r
        ea, erra = _scan_all(ctx.a, args, a, cursor_at)
        eb, errb = _scan_all(ctx.b, args, b, cursor_at)
        if erra or errb:
            return f"{ctx.a.who}: {erra}; {ctx.b.who}: {errb}" if erra != errb else None
        if not pairs and _type_none(args):
            # Redis 7.0 reports logically expired keys not yet reclaimed
            # under TYPE none (and deletes them as it goes): keep only keys
            # that exist once the iteration is over.
            ea = [k for k in ea if ctx.a.call([b"EXISTS", k]).raw == b":1\r\n"]
            eb = [k for k in eb if ctx.b.call([b"EXISTS", k]).raw == b":1\r\n"]
        if pairs:
            sa = set(zip(ea[0::2], ea[1::2]))
            sb = set(zip(eb[0::2], eb[1::2]))
        else:
            sa, sb = set(ea), set(eb)
        if sa == sb:
            return None
        only_a = sorted(sa - sb)[:10]
        only_b = sorted(sb - sa)[:10]
        return f"full-iteration sets differ: only {ctx.a.who}: {only_a}, only {ctx.b.who}: {only_b}"
    return cmp


def cmp_randomkey(ctx, args, a, b):
    r = _errors_exact(a, b)
    if r is not False:
        return r
    if a.kind != "$":
        return None if a.raw == b.raw else "replies differ"
    if (a.val is None) != (b.val is None):
        return "one reply is nil"
    if a.val is None:
        return None
    # Each server's key must exist on the other one too.
    xa = ctx.b.call([b"EXISTS", a.val])
    xb = ctx.a.call([b"EXISTS", b.val])
    if xa.raw != b":1\r\n" or xb.raw != b":1\r\n":
        return (f"returned key missing on the other server: EXISTS {quote(a.val)} on "
                f"{ctx.b.who} -> {xa}, EXISTS {quote(b.val)} on {ctx.a.who} -> {xb}")
    return None


def cmp_dbsize(ctx, args, a, b):
    if a.raw == b.raw:
        return None
    if a.kind != ":" or b.kind != ":":
        return "replies differ"
    # Redis counts logically expired keys until they are reclaimed; a full
    # SCAN reclaims them, then the counts must agree.
    for c in (ctx.a, ctx.b):
        first = c.call([b"SCAN", b"0", b"COUNT", b"1000"])
        _scan_all(c, [b"SCAN", b"0", b"COUNT", b"1000"], first, 1)
    a2 = ctx.a.call([b"DBSIZE"])
    b2 = ctx.b.call([b"DBSIZE"])
    if a2.raw == b2.raw:
        return None
    return f"DBSIZE still differs after a full SCAN: {a2} vs {b2}"


def cmp_object(ctx, args, a, b):
    sub = args[1].upper() if len(args) > 1 else b""
    if sub in (b"IDLETIME", b"FREQ"):
        r = _errors_exact(a, b)
        if r is not False:
            return r
        if a.kind == ":" and sub == b"IDLETIME" and abs(a.val - b.val) > 2 + ctx.time_tolerance_ms() / 1000:
            # A small integer value is a shared object in Redis (OBJECT
            # REFCOUNT 2147483647): its access time is that of whichever key
            # last used the shared integer, so its idle time means nothing.
            if len(args) > 2 and any(c.call([b"OBJECT", b"REFCOUNT", args[2]]).raw == b":2147483647\r\n"
                                     for c in (ctx.a, ctx.b)):
                return None
            return f"idle times differ by {abs(a.val - b.val)} s"
        return None if a.kind == b.kind else "replies differ"
    return cmp_exact(ctx, args, a, b)


def cmp_time(ctx, args, a, b):
    r = _errors_exact(a, b)
    if r is not False:
        return r
    try:
        ta = int(a.val[0][1]) + int(a.val[1][1]) / 1e6
        tb = int(b.val[0][1]) + int(b.val[1][1]) / 1e6
        if len(a.val) != 2 or len(b.val) != 2:
            return "TIME reply is not two elements"
    except (TypeError, ValueError, IndexError):
        return "malformed TIME reply"
    return None if abs(ta - tb) < 2 + ctx.time_tolerance_ms() / 1000 else "clocks differ"


def cmp_hello(ctx, args, a, b):
    r = _errors_exact(a, b)
    if r is not False:
        return r

    def norm(v):
        items = list(v or [])
        for i in range(0, len(items) - 1, 2):
            if items[i] == ("$", b"id") and items[i + 1][0] == ":":
                items[i + 1] = (":", 0)
        return items
    return None if norm(a.val) == norm(b.val) else "replies differ (id ignored)"


def cmp_client(ctx, args, a, b):
    sub = args[1].upper() if len(args) > 1 else b""
    if sub in (b"GETNAME", b"SETNAME"):
        return cmp_exact(ctx, args, a, b)
    return cmp_shape(ctx, args, a, b)


def cmp_command(ctx, args, a, b):
    sub = args[1].upper() if len(args) > 1 else b""
    if sub == b"GETKEYS":
        return cmp_exact(ctx, args, a, b)
    return cmp_shape(ctx, args, a, b)


def _random_lex_walk(conn, key):
    """True if Redis may answer a lex range on key differently from run to
    run: a skiplist-encoded sorted set whose scores are not all equal. Redis
    then walks its skiplist through random node levels (documented as
    undefined: lex ranges assume equal scores)."""
    enc = conn.call([b"OBJECT", b"ENCODING", key])
    if enc.kind != "$" or enc.val != b"skiplist":
        return False
    rep = conn.call([b"ZRANGE", key, b"0", b"-1", b"WITHSCORES"])
    if rep.kind != "*" or not rep.val:
        return False
    return len({v for _, v in rep.val[1::2]}) > 1


def cmp_lex(ctx, args, a, b):
    """ZRANGEBYLEX/ZREVRANGEBYLEX/ZLEXCOUNT/ZREMRANGEBYLEX and ZRANGE BYLEX.
    Exact, except over a skiplist with mixed scores (see _random_lex_walk),
    where both servers' copies of the key are dropped so that the runs stay
    comparable (ZREMRANGEBYLEX may have removed different members)."""
    cmd = args[0].upper()
    if len(args) < 2 or (cmd == b"ZRANGE" and not any(x.upper() == b"BYLEX" for x in args[4:])):
        return cmp_exact(ctx, args, a, b)
    key = args[1]
    write = cmd == b"ZREMRANGEBYLEX"
    random_walk = any(_random_lex_walk(c, key) for c in (ctx.a, ctx.b))
    if write and not random_walk and a.raw == b.raw:
        return None
    if a.raw == b.raw and not write:
        return None
    if not random_walk:
        return "replies differ"
    if write or a.raw != b.raw:
        for c in (ctx.a, ctx.b):
            c.call([b"DEL", key])
    return None


def encode_parsed(p):
    """RESP2 bytes of a parsed value (to give an EXEC element its own raw)."""
    k, v = p
    if k in "+-":
        return k.encode() + v + b"\r\n"
    if k == ":":
        return b":%d\r\n" % v
    if k == "$":
        return b"$-1\r\n" if v is None else b"$%d\r\n%s\r\n" % (len(v), v)
    if v is None:
        return b"*-1\r\n"
    return b"*%d\r\n" % len(v) + b"".join(encode_parsed(x) for x in v)


def cmp_exec(ctx, args, a, b):
    """EXEC's array holds the replies of the queued commands: compare each
    with that command's comparator (ctx.exec_queued lists them)."""
    if a.raw == b.raw:
        return None
    q = ctx.exec_queued
    if a.kind != "*" or b.kind != "*" or a.val is None or b.val is None \
            or len(a.val) != len(b.val) or len(a.val) != len(q):
        return "replies differ"
    for i, (cmd, ea, eb) in enumerate(zip(q, a.val, b.val)):
        n = cmd[0].upper() if cmd else b""
        if n == b"OBJECT" and len(cmd) > 1 and cmd[1].upper() == b"REFCOUNT" \
                and {ea, eb} == {(":", 1), (":", 2)}:
            # Redis keeps the queued commands' argument objects until EXEC
            # returns, and a value a queued SET stored is one of them: its
            # refcount is 2 during the EXEC.
            continue
        why = COMPARATORS.get(n, cmp_exact)(ctx, cmd, Reply(encode_parsed(ea), ea), Reply(encode_parsed(eb), eb))
        if why:
            return f"EXEC reply #{i + 1} ({' '.join(quote(x) for x in cmd)}): {why}"
    return None


class MultiReply:
    """The several replies of one (P)(UN)SUBSCRIBE: one per argument, or one
    per subscription for an argless unsubscribe."""
    __slots__ = ("raw", "kind", "val")

    def __init__(self, replies):
        self.raw = b"".join(r.raw for r in replies)
        self.kind = ">"
        self.val = replies

    def __repr__(self):
        return show_raw(self.raw)


def cmp_unsubscribe(ctx, args, a, b):
    """An argless (P)UNSUBSCRIBE lists the subscriptions in hash-table
    order: compare the channels as a set, and the counts in order."""
    if a.raw == b.raw:
        return None
    if len(args) != 1 or a.kind != ">" or b.kind != ">" or len(a.val) != len(b.val):
        return "replies differ"

    def split(rs):
        chans, counts = [], []
        for r in rs:
            if r.kind != "*" or r.val is None or len(r.val) != 3:
                return None, None
            chans.append((r.val[0], r.val[1]))
            counts.append(r.val[2])
        return sorted(chans, key=repr), counts
    ca, na = split(a.val)
    cb, nb = split(b.val)
    if ca is None or cb is None or ca != cb or na != nb:
        return "replies differ (channel order ignored)"
    return None


COMPARATORS = {
    b"TTL": _ttl_cmp(True), b"EXPIRETIME": _ttl_cmp(True),
    b"PTTL": _ttl_cmp(False), b"PEXPIRETIME": _ttl_cmp(False),
    b"KEYS": cmp_sorted,
    b"SCAN": _scan_cmp(1, False),
    b"SSCAN": _scan_cmp(2, False), b"HSCAN": _scan_cmp(2, True), b"ZSCAN": _scan_cmp(2, True),
    b"RANDOMKEY": cmp_randomkey,
    b"DBSIZE": cmp_dbsize,
    b"OBJECT": cmp_object,
    b"TIME": cmp_time,
    b"INFO": cmp_shape, b"CONFIG": cmp_shape,
    b"COMMAND": cmp_command, b"CLIENT": cmp_client, b"HELLO": cmp_hello,
    b"SMEMBERS": cmp_sorted, b"SINTER": cmp_sorted, b"SUNION": cmp_sorted, b"SDIFF": cmp_sorted,
    b"SPOP": cmp_sorted, b"HKEYS": cmp_sorted, b"HVALS": cmp_sorted, b"HGETALL": cmp_pairs,
    b"SRANDMEMBER": cmp_random_shape, b"HRANDFIELD": cmp_random_shape,
    b"ZRANDMEMBER": cmp_random_shape,
    b"ZRANGEBYLEX": cmp_lex, b"ZREVRANGEBYLEX": cmp_lex, b"ZLEXCOUNT": cmp_lex,
    b"ZREMRANGEBYLEX": cmp_lex, b"ZRANGE": cmp_lex,
    b"EXEC": cmp_exec,
    b"UNSUBSCRIBE": cmp_unsubscribe, b"PUNSUBSCRIBE": cmp_unsubscribe,
}


# --------------------------------------------------------------------------
# Generators.  One function per family: gen_<family>(g) -> Step.  To add a
# family write the function and add it to FAMILIES (and, if some reply
# is legitimately nondeterministic, a comparator to COMPARATORS).

KEYSPACE = [b"", b"a", b"b", b"c", b"k1", b"k2", b"k3", b"k10", b"key:1", b"key:2",
            b"{t}x", b"{t}y", b"\x00", b"\xff\xfe\x00z", b"sp ace", b"*", b"a?b",
            b"[x]", b"h\\e", b"long-key-" + b"x" * 40]

PATTERNS = [b"*", b"*", b"k*", b"k?", b"k[12]", b"k[^1]*", b"k[1-3]", b"k[3-1]", b"*:*",
            b"\\*", b"a\\?b", b"a?b", b"[", b"k[", b"\\", b"", b"*\x00*", b"{t}*", b"[a-c]",
            b"?", b"*?*", b"k\\1", b"**", b"h\\\\e", b"[\\]x]*", b"[x]", b"\\[x\\]", b"*x",
            b"[^a-z]*", b"K*", b"*1", b"key:[!1]", b"*[", b"?\xfe*", b"long-*", b"[a-]",
            b"*y", b"[]]", b"[^]]*"]

INT_EDGES = [b"0", b"1", b"-1", b"2", b"10", b"-10", b"100", b"007", b"-007", b"+1", b" 1",
             b"1 ", b"9223372036854775807", b"-9223372036854775808", b"9223372036854775808",
             b"-9223372036854775809", b"9223372036854775806", b"-9223372036854775807",
             b"18446744073709551616", b"4611686018427387904", b"1.0", b"1e3", b"abc", b"",
             b"0x10", b"--1", b"-0", b"00", b"1_000", b"99999999999999999999", b"\x001",
             b"12\x00", b"2147483647", b"-2147483648", b"4294967296"]

FLOATS = [b"1e3", b"-0.0", b"3.0", b".5", b"1e308", b"-1e308", b"1.7976931348623157e308",
          b"2.2250738585072014e-308", b"4.9e-324", b"inf", b"-inf", b"+inf", b"Infinity",
          b"nan", b"NaN", b"1e-5", b"0.1", b"-0.1", b"5.0e3", b"5E3", b" 1", b"1 ", b"",
          b"1.5e", b"1.", b"-.5", b"0x1p3", b"0x10", b"1_0", b"3", b"-3", b"10.5", b"1e400",
          b"-1e400", b"123456789.123456789", b"0.30000000000000004", b"1e17",
          b"9007199254740993", b"+.5e-2", b"0", b"1e-320", b"abc", b"1e", b"e5", b"00.5",
          b"1.0000000000000002", b"3.14159265358979323846", b"-9223372036854775808",
          b"9223372036854775807", b"1e15", b"0.000001", b"1000000000000000000000"]

STRINGS = [b"", b"hello", b"x" * 44, b"y" * 45, b"z" * 100, b"\x00\x01\xff", b"with space",
           b"\r\n", "\u00df\u00e9".encode(), b"-", b"+", b" ", b"0" * 25, b"12345678901234567890",
           b"1234567890123456789", b"  42", b"42  ", b"\t7", b"-0.0", b"1e3", b"OK", b"nil"]

SHORT_MS = [b"1", b"2", b"3", b"5", b"10", b"20", b"50"]


class G:
    """Random helpers shared by the generators."""

    def __init__(self, rng):
        self.r = rng
        self.plain = []           # (weight, generator) of the enabled non-block families
        self.pubsub_safe = None   # PUBLISH/PUBSUB generator when pubsub is enabled

    def plain_step(self):
        """One step from the enabled non-block families (PING if none)."""
        return self.wpick(self.plain)(self) if self.plain else Cmd(b"PING")

    def chance(self, p):
        return self.r.random() < p

    def pick(self, seq):
        return self.r.choice(seq)

    def wpick(self, table):
        """table: list of (weight, value)."""
        total = sum(w for w, _ in table)
        x = self.r.random() * total
        for w, v in table:
            x -= w
            if x < 0:
                return v
        return table[-1][1]

    def key(self):
        return self.r.choice(KEYSPACE)

    def keys(self, lo=1, hi=4):
        return [self.key() for _ in range(self.r.randint(lo, hi))]

    def name(self, s):
        """Command or option name, occasionally in another letter case."""
        b = s.encode() if isinstance(s, str) else s
        x = self.r.random()
        if x < 0.06:
            return b.lower()
        if x < 0.08:
            return bytes(c ^ 0x20 if (0x41 <= c <= 0x5A or 0x61 <= c <= 0x7A) and self.r.random() < 0.5
                         else c for c in b)
        return b

    def small_int(self):
        return str(self.r.randint(-20, 300)).encode()

    def int_arg(self):
        return self.pick(INT_EDGES) if self.chance(0.35) else self.small_int()

    def float_arg(self):
        if self.chance(0.6):
            return self.pick(FLOATS)
        x = self.r.choice([self.r.uniform(-100, 100), self.r.randint(-5, 5) / 4.0,
                           self.r.uniform(-1e20, 1e20)])
        return repr(x).encode()

    def rand_str(self):
        n = self.r.randint(0, 12)
        return bytes(self.r.choice(b"abcxyz019 -.") for _ in range(n))

    def value(self):
        x = self.r.random()
        if x < 0.35:
            return self.small_int()
        if x < 0.50:
            return self.pick(INT_EDGES)
        if x < 0.60:
            return self.pick(FLOATS)
        if x < 0.80:
            return self.rand_str()
        if x < 0.95:
            return self.pick(STRINGS)
        return bytes(self.r.randint(0, 255) for _ in range(self.r.randint(1, 8)))

    def db(self):
        return self.wpick([(10, b"0"), (10, b"1"), (1, b"2"), (1, b"15"), (1, b"16"), (1, b"-1"),
                           (1, b"abc"), (1, b""), (1, b"1.0"), (1, b"99999999999999999999")])

    # TTL arguments.  Short deadlines cost a wait in the timing guard, so
    # most TTLs are far away; a few are a few ms so keys really expire.
    def ttl_s(self):
        return self.wpick([
            (45, self.pick([b"100", b"1000", b"86400", b"31536000"])),
            (3, self.pick([b"1", b"2"])),
            (22, self.pick([b"0", b"-1", b"-100", b"abc", b"1.5", b"", b"9223372036854775807",
                            b"-9223372036854775808", b"9223372036854775", b"9223372036854774",
                            b"4611686018427387", b" 10", b"+10", b"010"])),
        ])

    def ttl_ms(self):
        return self.wpick([
            (8, self.pick(SHORT_MS)),
            (40, self.pick([b"100000", b"3600000", b"86400000"])),
            (22, self.pick([b"0", b"-1", b"abc", b"1.5", b"", b"9223372036854775807",
                            b"9223372036854775806", b"-9223372036854775808", b"9223372036854",
                            b"4611686018427387903", b"+1000000"])),
        ])

    def abs_s(self):
        if self.chance(0.7):
            return NowRef("s", self.pick([-100, -1, 0, 3600, 86400 * 365, 100000, 2]))
        return self.pick([b"0", b"1", b"-1", b"100", b"9223372036854775807", b"9223372036854775",
                          b"253402300799", b"abc", b"4102444800"])

    def abs_ms(self):
        if self.chance(0.7):
            return NowRef("ms", self.pick([-1000, -1, 0, 1, 5, 20, 3600000, 100000000, 100000000]))
        return self.pick([b"0", b"1", b"-1", b"9223372036854775807", b"9223372036854775806",
                          b"abc", b"1.5", b"4102444800000"])

    def expire_opts(self, kinds):
        """Random SET/GETEX option list built from `kinds`."""
        out = []
        for _ in range(self.wpick([(4, 0), (5, 1), (3, 2), (1, 3)])):
            k = self.pick(kinds)
            if k == "EX":
                out += [self.name("EX"), self.ttl_s()]
            elif k == "PX":
                out += [self.name("PX"), self.ttl_ms()]
            elif k == "EXAT":
                out += [self.name("EXAT"), self.abs_s()]
            elif k == "PXAT":
                out += [self.name("PXAT"), self.abs_ms()]
            elif k == "JUNK":
                out.append(self.pick([b"FOO", b"EXX", b"-", b"", b"EX", b"PX"]))
            else:
                out.append(self.name(k))
        return out


def gen_strings(g):
    k = g.key()
    op = g.wpick([(12, "GET"), (14, "SET"), (2, "SETNX"), (2, "SETEX"), (2, "PSETEX"),
                  (3, "GETSET"), (2, "GETDEL"), (4, "GETEX"), (3, "MGET"), (3, "MSET"),
                  (2, "MSETNX"), (4, "APPEND"), (3, "STRLEN"), (5, "INCR"), (3, "DECR"),
                  (5, "INCRBY"), (3, "DECRBY"), (6, "INCRBYFLOAT"), (4, "GETRANGE"),
                  (4, "SETRANGE")])
    n = g.name(op)
    if op in ("GET", "GETDEL", "STRLEN", "INCR", "DECR"):
        return Cmd(n, k)
    if op == "SET":
        opts = g.expire_opts(["NX", "XX", "GET", "KEEPTTL", "EX", "PX", "EXAT", "PXAT",
                              "NX", "XX", "GET", "KEEPTTL", "JUNK"])
        return Cmd(n, k, g.value(), *opts)
    if op == "SETNX" or op == "GETSET" or op == "APPEND":
        return Cmd(n, k, g.value())
    if op == "SETEX":
        return Cmd(n, k, g.ttl_s(), g.value())
    if op == "PSETEX":
        return Cmd(n, k, g.ttl_ms(), g.value())
    if op == "GETEX":
        return Cmd(n, k, *g.expire_opts(["EX", "PX", "EXAT", "PXAT", "PERSIST", "PERSIST", "JUNK"]))
    if op == "MGET":
        return Cmd(n, *g.keys(1, 5))
    if op in ("MSET", "MSETNX"):
        args = []
        for kk in g.keys(1, 4):
            args += [kk, g.value()]
        return Cmd(n, *args)
    if op in ("INCRBY", "DECRBY"):
        return Cmd(n, k, g.int_arg())
    if op == "INCRBYFLOAT":
        return Cmd(n, k, g.float_arg())
    if op == "GETRANGE":
        idx = [b"0", b"1", b"-1", b"-2", b"3", b"5", b"-100", b"100", b"9223372036854775807",
               b"-9223372036854775808", b"abc", b"1.5", b"", b"2", b"-5"]
        return Cmd(n, k, g.pick(idx), g.pick(idx))
    if op == "SETRANGE":
        off = g.wpick([(20, g.pick([b"0", b"1", b"2", b"5", b"10"])), (5, g.small_int()),
                       (3, g.pick([b"-1", b"abc", b"", b"1.5", b"9223372036854775807",
                                   b"536870912", b"4294967296", b"100", b"1000"])),
                       (1, b"536870911")])
        val = b"" if off == b"536870911" else g.value()
        return Cmd(n, k, off, val)
    raise AssertionError(op)


def gen_keys(g):
    op = g.wpick([(6, "DEL"), (2, "UNLINK"), (7, "EXISTS"), (6, "TYPE"), (4, "KEYS"),
                  (4, "SCAN"), (2, "RANDOMKEY"), (4, "RENAME"), (3, "RENAMENX"), (4, "COPY"),
                  (3, "MOVE"), (3, "TOUCH"), (5, "OBJECT"), (5, "SELECT"), (3, "DBSIZE"),
                  (0.25, "FLUSHDB"), (0.08, "FLUSHALL")])
    n = g.name(op)
    if op in ("DEL", "UNLINK", "EXISTS", "TOUCH"):
        return Cmd(n, *g.keys(1, 4))
    if op == "TYPE":
        return Cmd(n, g.key())
    if op == "KEYS":
        return Cmd(n, g.pick(PATTERNS))
    if op == "SCAN":
        cur = g.wpick([(20, b"0"), (1, b"abc"), (1, b" 0"), (1, b"-"), (1, b"0x0"),
                       (1, b"1.5"), (1, b"18446744073709551616"), (1, b"")])
        args = [n, cur]
        for _ in range(g.wpick([(3, 0), (4, 1), (2, 2), (1, 3)])):
            o = g.wpick([(4, "MATCH"), (4, "COUNT"), (2, "TYPE"), (1, "JUNK")])
            if o == "MATCH":
                args += [g.name("MATCH"), g.pick(PATTERNS)]
            elif o == "COUNT":
                args += [g.name("COUNT"), g.pick([b"1", b"2", b"10", b"1000", b"0", b"-1",
                                                  b"abc", b"3"])]
            elif o == "TYPE":
                args += [g.name("TYPE"), g.pick([b"string", b"STRING", b"list", b"none", b"foo",
                                                 b"hash", b"zset", b"set"])]
            else:
                args.append(g.pick([b"FOO", b"MATCH", b"COUNT"]))
        return Cmd(*args)
    if op == "RANDOMKEY":
        return Cmd(n)
    if op in ("RENAME", "RENAMENX"):
        src = g.key()
        return Cmd(n, src, src if g.chance(0.1) else g.key())
    if op == "COPY":
        src = g.key()
        args = [n, src, src if g.chance(0.1) else g.key()]
        for _ in range(g.wpick([(4, 0), (4, 1), (2, 2)])):
            o = g.wpick([(4, "DB"), (4, "REPLACE"), (1, "JUNK")])
            if o == "DB":
                args += [g.name("DB"), g.db()]
            elif o == "REPLACE":
                args.append(g.name("REPLACE"))
            else:
                args.append(g.pick([b"FOO", b"DB", b"NX"]))
        return Cmd(*args)
    if op == "MOVE":
        return Cmd(n, g.key(), g.db())
    if op == "OBJECT":
        sub = g.wpick([(6, "ENCODING"), (3, "REFCOUNT"), (2, "IDLETIME"), (1, "FREQ"),
                       (0.3, "HELP"), (0.5, "JUNK")])
        if sub == "HELP":
            return Cmd(n, g.name("HELP"))
        if sub == "JUNK":
            return Cmd(n, g.pick([b"FOO", b"ENCODINGS", b""]), g.key())
        return Cmd(n, g.name(sub), g.key())
    if op == "SELECT":
        return Cmd(n, g.db())
    if op == "DBSIZE":
        return Cmd(n)
    if op in ("FLUSHDB", "FLUSHALL"):
        return Cmd(n, *g.wpick([(5, []), (1, [g.name("ASYNC")]), (1, [g.name("SYNC")]),
                                (1, [b"FOO"])]))
    raise AssertionError(op)


def gen_expire(g):
    k = g.key()
    op = g.wpick([(6, "EXPIRE"), (6, "PEXPIRE"), (4, "EXPIREAT"), (4, "PEXPIREAT"),
                  (6, "TTL"), (6, "PTTL"), (3, "EXPIRETIME"), (3, "PEXPIRETIME"),
                  (4, "PERSIST"), (5, "SHORTSET"), (2, "SHORTGETEX"), (1.5, "SLEEP"),
                  (4, "EXISTS"), (3, "GET")])
    if op == "SLEEP":
        return Sleep(g.pick([1, 2, 5, 10, 20, 30, 60]))
    if op == "SHORTSET":
        return Cmd(g.name("SET"), k, g.value(), g.name("PX"), g.pick(SHORT_MS))
    if op == "SHORTGETEX":
        return Cmd(g.name("GETEX"), k, g.name("PX"), g.pick(SHORT_MS))
    n = g.name(op)
    if op in ("TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME", "PERSIST", "EXISTS", "GET"):
        return Cmd(n, k)
    t = {"EXPIRE": g.ttl_s, "PEXPIRE": g.ttl_ms, "EXPIREAT": g.abs_s, "PEXPIREAT": g.abs_ms}[op]()
    opts = []
    for _ in range(g.wpick([(5, 0), (5, 1), (2, 2)])):
        opts.append(g.name(g.wpick([(3, "NX"), (3, "XX"), (3, "GT"), (3, "LT"),
                                    (1, g.pick(["FOO", "PX", ""]))])))
    return Cmd(n, k, t, *opts)


def gen_server(g):
    op = g.wpick([(4, "PING"), (3, "ECHO"), (4, "SELECT"), (3, "DBSIZE"), (2, "HELLO"),
                  (1, "AUTH"), (3, "CLIENT"), (1, "TIME"), (1, "INFO"), (1, "CONFIG"),
                  (1, "COMMAND"), (3, "UNKNOWN")])
    n = g.name(op)
    if op == "PING":
        return Cmd(n, *([g.value()] if g.chance(0.5) else []))
    if op == "ECHO":
        return Cmd(n, g.value())
    if op == "SELECT":
        return Cmd(n, g.db())
    if op == "DBSIZE":
        return Cmd(n)
    if op == "HELLO":
        args = [n]
        if g.chance(0.8):
            args.append(g.pick([b"2", b"2", b"2", b"4", b"1", b"0", b"abc", b"-1", b"", b"02"]))
            if g.chance(0.3):
                args += [g.name("SETNAME"), g.pick([b"me", b"with space", b"", b"x\ny"])]
            if g.chance(0.2):
                args += [g.name("AUTH"), g.pick([b"default", b"nobody"]), b"pw"]
            if g.chance(0.05):
                args.append(g.pick([b"FOO", b"AUTH", b"SETNAME"]))
        return Cmd(*args)
    if op == "AUTH":
        return Cmd(n, *g.pick([[b"pw"], [b"default", b"pw"], [b"nobody", b"pw"], [b""]]))
    if op == "CLIENT":
        sub = g.wpick([(4, "GETNAME"), (4, "SETNAME"), (1, "ID"), (1, "INFO"), (1, "JUNK")])
        if sub == "SETNAME":
            return Cmd(n, g.name("SETNAME"), g.pick([b"me", b"other", b"", b"with space",
                                                     b"x\ny", b"\xff", b"a-b_c"]))
        if sub == "JUNK":
            return Cmd(n, g.pick([b"FOO", b"GETNAMES", b""]))
        return Cmd(n, g.name(sub))
    if op == "TIME":
        return Cmd(n)
    if op == "INFO":
        return Cmd(n, *g.pick([[], [b"server"], [b"keyspace"], [b"nosuchsection"]]))
    if op == "CONFIG":
        return Cmd(n, g.name("GET"), g.pick([b"port", b"maxmemory", b"databases", b"nosuch"]))
    if op == "COMMAND":
        return Cmd(n, *g.pick([[b"COUNT"], [b"GETKEYS", b"SET", b"a", b"b"],
                               [b"GETKEYS", b"MSET", b"a", b"1", b"b", b"2"],
                               [b"GETKEYS", b"GET"], [b"GETKEYS", b"PING"],
                               [b"GETKEYS", b"nosuchcmd", b"a"], [b"INFO", b"get"],
                               [b"GETKEYS", b"SINTERCARD", g.pick([b"1", b"2", b"0", b"2x", b"-1", b"3"]),
                                b"a", b"b"],
                               [b"GETKEYS", b"LMPOP", g.pick([b"1", b"2", b"9", b"x"]), b"a", b"b", b"LEFT"],
                               [b"GETKEYS", b"SINTERSTORE", b"d", b"a", b"b"],
                               [b"GETKEYS", b"DEL", b"a", b"b"], [b"INFO", b"sintercard", b"lmpop"]]))
    if op == "UNKNOWN":
        return Cmd(g.pick([b"NOSUCHCMD", b"", b"GETT", b"\xff", b"SET\x00"]),
                   *[g.value() for _ in range(g.r.randint(0, 3))])
    raise AssertionError(op)


# Families erdtree does not have yet (kept out of DEFAULT_FAMILIES).

def _members(g):
    return g.pick([b"a", b"b", b"c", b"d", b"", b"1", b"2", b"10", b"-1", b"x" * 70, b"\x00",
                   b"3.0", b"e"])


def _idx(g):
    return g.pick([b"0", b"1", b"-1", b"2", b"-2", b"5", b"-100", b"100", b"abc",
                   b"9223372036854775807", b"-9223372036854775808", b"1.5"])


def gen_lists(g):
    k = g.key()
    op = g.wpick([(6, "LPUSH"), (6, "RPUSH"), (2, "LPUSHX"), (2, "RPUSHX"), (4, "LPOP"),
                  (4, "RPOP"), (4, "LLEN"), (6, "LRANGE"), (3, "LINDEX"), (3, "LSET"),
                  (3, "LREM"), (3, "LINSERT"), (2, "LTRIM"), (3, "LPOS"), (2, "LMOVE"),
                  (1, "RPOPLPUSH"), (2, "LMPOP")])
    n = g.name(op)
    if op in ("LPUSH", "RPUSH", "LPUSHX", "RPUSHX"):
        return Cmd(n, k, *[_members(g) for _ in range(g.r.randint(1, 4))])
    if op in ("LPOP", "RPOP"):
        return Cmd(n, k, *g.pick([[], [], [b"0"], [b"1"], [b"3"], [b"-1"], [b"abc"]]))
    if op == "LLEN":
        return Cmd(n, k)
    if op == "LRANGE":
        return Cmd(n, k, _idx(g), _idx(g))
    if op == "LINDEX":
        return Cmd(n, k, _idx(g))
    if op == "LSET":
        return Cmd(n, k, _idx(g), _members(g))
    if op == "LREM":
        return Cmd(n, k, g.pick([b"0", b"1", b"-1", b"2", b"-2", b"abc"]), _members(g))
    if op == "LINSERT":
        return Cmd(n, k, g.pick([b"BEFORE", b"AFTER", b"before", b"MIDDLE"]), _members(g), _members(g))
    if op == "LTRIM":
        return Cmd(n, k, _idx(g), _idx(g))
    if op == "LPOS":
        args = [n, k, _members(g)]
        for _ in range(g.r.randint(0, 2)):
            args += [g.pick([b"RANK", b"COUNT", b"MAXLEN"]), g.pick([b"0", b"1", b"-1", b"2", b"-2"])]
        return Cmd(*args)
    if op == "LMOVE":
        return Cmd(n, k, g.key(), g.pick([b"LEFT", b"RIGHT"]), g.pick([b"LEFT", b"RIGHT", b"UP"]))
    if op == "RPOPLPUSH":
        return Cmd(n, k, g.key())
    if op == "LMPOP":
        ks = g.keys(1, 3)
        cnt = str(len(ks)).encode() if g.chance(0.85) else g.pick([b"0", b"-1", b"5", b"abc", b"1"])
        return Cmd(n, cnt, *ks, g.pick([b"LEFT", b"RIGHT", b"left", b"UP"]),
                   *g.pick([[], [], [b"COUNT", b"2"], [b"COUNT", b"0"], [b"COUNT", b"100"], [b"COUNT"]]))
    raise AssertionError(op)


def gen_hashes(g):
    k = g.key()
    op = g.wpick([(6, "HSET"), (2, "HSETNX"), (5, "HGET"), (3, "HMGET"), (3, "HDEL"),
                  (3, "HLEN"), (2, "HSTRLEN"), (3, "HEXISTS"), (3, "HINCRBY"),
                  (3, "HINCRBYFLOAT"), (2, "HKEYS"), (2, "HVALS"), (3, "HGETALL"),
                  (1, "HRANDFIELD"), (2, "HSCAN"), (1, "HMSET")])
    n = g.name(op)
    if op in ("HSET", "HMSET"):
        args = []
        for _ in range(g.r.randint(1, 3)):
            args += [_members(g), g.value()]
        return Cmd(n, k, *args)
    if op == "HSETNX":
        return Cmd(n, k, _members(g), g.value())
    if op in ("HGET", "HSTRLEN", "HEXISTS"):
        return Cmd(n, k, _members(g))
    if op in ("HMGET", "HDEL"):
        return Cmd(n, k, *[_members(g) for _ in range(g.r.randint(1, 3))])
    if op in ("HLEN", "HKEYS", "HVALS", "HGETALL"):
        return Cmd(n, k)
    if op == "HINCRBY":
        return Cmd(n, k, _members(g), g.int_arg())
    if op == "HINCRBYFLOAT":
        return Cmd(n, k, _members(g), g.float_arg())
    if op == "HRANDFIELD":
        return Cmd(n, k, *g.pick([[], [b"2"], [b"-3"], [b"0"], [b"3", b"WITHVALUES"], [b"abc"]]))
    if op == "HSCAN":
        return Cmd(n, k, b"0", *g.pick([[], [b"MATCH", b"*"], [b"COUNT", b"1"], [b"MATCH", b"[ab]"]]))
    raise AssertionError(op)


def gen_sets(g):
    k = g.key()
    op = g.wpick([(6, "SADD"), (3, "SREM"), (3, "SCARD"), (3, "SISMEMBER"), (2, "SMISMEMBER"),
                  (3, "SMEMBERS"), (2, "SINTER"), (2, "SUNION"), (2, "SDIFF"), (1, "SINTERSTORE"),
                  (1, "SUNIONSTORE"), (1, "SDIFFSTORE"), (2, "SMOVE"), (1, "SPOP"),
                  (1, "SRANDMEMBER"), (1, "SINTERCARD"), (2, "SSCAN")])
    n = g.name(op)
    if op in ("SADD", "SREM", "SMISMEMBER"):
        return Cmd(n, k, *[_members(g) for _ in range(g.r.randint(1, 4))])
    if op in ("SCARD", "SMEMBERS"):
        return Cmd(n, k)
    if op == "SISMEMBER":
        return Cmd(n, k, _members(g))
    if op in ("SINTER", "SUNION", "SDIFF"):
        return Cmd(n, *g.keys(1, 3))
    if op in ("SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"):
        return Cmd(n, k, *g.keys(1, 3))
    if op == "SMOVE":
        return Cmd(n, k, g.key(), _members(g))
    if op == "SPOP":   # only counts that pop everything: the choice is random
        return Cmd(n, k, g.pick([b"1000", b"0", b"-1", b"abc"]))
    if op == "SRANDMEMBER":
        return Cmd(n, k, *g.pick([[], [b"2"], [b"-5"], [b"0"], [b"100"], [b"abc"]]))
    if op == "SINTERCARD":
        ks = g.keys(1, 3)
        return Cmd(n, str(len(ks)).encode(), *ks, *g.pick([[], [b"LIMIT", b"1"], [b"LIMIT", b"-1"]]))
    if op == "SSCAN":
        return Cmd(n, k, b"0", *g.pick([[], [b"MATCH", b"*"], [b"COUNT", b"1"], [b"MATCH", b"[ab]"]]))
    raise AssertionError(op)


def _score(g):
    return g.pick([b"1", b"2", b"-1", b"0", b"1.5", b"-inf", b"+inf", b"inf", b"nan", b"1e308",
                   b"abc", b"3", b"10", b"-0", b"0.1", b"(1"])


def _range_score(g):
    return g.pick([b"-inf", b"+inf", b"0", b"1", b"(1", b"2", b"(2", b"1.5", b"abc", b"-1", b"10"])


def _range_lex(g):
    return g.pick([b"-", b"+", b"[a", b"(a", b"[c", b"(d", b"a", b"[", b"(", b"[\x00"])


def gen_zsets(g):
    k = g.key()
    op = g.wpick([(6, "ZADD"), (3, "ZREM"), (3, "ZSCORE"), (2, "ZMSCORE"), (3, "ZINCRBY"),
                  (3, "ZCARD"), (2, "ZCOUNT"), (5, "ZRANGE"), (2, "ZRANGEBYSCORE"),
                  (2, "ZREVRANGE"), (2, "ZRANK"), (1, "ZREVRANK"), (1, "ZLEXCOUNT"),
                  (1, "ZRANGEBYLEX"), (1, "ZREMRANGEBYRANK"), (1, "ZREMRANGEBYSCORE"),
                  (1, "ZREMRANGEBYLEX"), (2, "ZPOPMIN"), (1, "ZPOPMAX"), (1, "ZUNIONSTORE"),
                  (1, "ZINTERSTORE"), (1, "ZRANDMEMBER"), (1, "ZSCAN")])
    n = g.name(op)
    if op == "ZADD":
        args = [n, k]
        for _ in range(g.wpick([(5, 0), (3, 1), (1, 2)])):
            args.append(g.pick([b"NX", b"XX", b"GT", b"LT", b"CH", b"INCR"]))
        for _ in range(g.r.randint(1, 3)):
            args += [_score(g), _members(g)]
        return Cmd(*args)
    if op in ("ZREM", "ZMSCORE"):
        return Cmd(n, k, *[_members(g) for _ in range(g.r.randint(1, 3))])
    if op in ("ZSCORE", "ZRANK", "ZREVRANK"):
        return Cmd(n, k, _members(g))
    if op == "ZINCRBY":
        return Cmd(n, k, _score(g), _members(g))
    if op == "ZCARD":
        return Cmd(n, k)
    if op in ("ZCOUNT", "ZREMRANGEBYSCORE"):
        return Cmd(n, k, _range_score(g), _range_score(g))
    if op in ("ZLEXCOUNT", "ZREMRANGEBYLEX"):
        return Cmd(n, k, _range_lex(g), _range_lex(g))
    if op == "ZRANGEBYLEX":
        return Cmd(n, k, _range_lex(g), _range_lex(g), *g.pick([[], [b"LIMIT", b"0", b"2"]]))
    if op == "ZRANGE":
        mode = g.pick(["rank", "score", "lex"])
        if mode == "rank":
            args = [n, k, _idx(g), _idx(g)]
        elif mode == "score":
            args = [n, k, _range_score(g), _range_score(g), b"BYSCORE"]
        else:
            args = [n, k, _range_lex(g), _range_lex(g), b"BYLEX"]
        if g.chance(0.3):
            args.append(b"REV")
        if g.chance(0.2):
            args += [b"LIMIT", g.pick([b"0", b"1", b"-1"]), g.pick([b"1", b"2", b"-1", b"0"])]
        if g.chance(0.3):
            args.append(b"WITHSCORES")
        return Cmd(*args)
    if op == "ZRANGEBYSCORE":
        return Cmd(n, k, _range_score(g), _range_score(g), *g.pick([[], [b"WITHSCORES"],
                                                                    [b"LIMIT", b"1", b"1"]]))
    if op in ("ZREVRANGE", "ZREMRANGEBYRANK"):
        return Cmd(n, k, _idx(g), _idx(g), *([b"WITHSCORES"] if op == "ZREVRANGE" and g.chance(0.3) else []))
    if op in ("ZPOPMIN", "ZPOPMAX"):
        return Cmd(n, k, *g.pick([[], [b"2"], [b"0"], [b"-1"], [b"100"]]))
    if op in ("ZUNIONSTORE", "ZINTERSTORE"):
        ks = g.keys(1, 3)
        args = [n, k, str(len(ks)).encode(), *ks]
        if g.chance(0.3):
            args += [b"WEIGHTS", *[g.pick([b"1", b"2", b"-1", b"0.5", b"inf"]) for _ in ks]]
        if g.chance(0.3):
            args += [b"AGGREGATE", g.pick([b"SUM", b"MIN", b"MAX", b"AVG"])]
        return Cmd(*args)
    if op == "ZRANDMEMBER":
        return Cmd(n, k, *g.pick([[], [b"2"], [b"-3"], [b"3", b"WITHSCORES"], [b"0"]]))
    if op == "ZSCAN":
        return Cmd(n, k, b"0", *g.pick([[], [b"MATCH", b"*"], [b"COUNT", b"1"]]))
    raise AssertionError(op)


# Transactions.  A block is WATCH (sometimes) + commands that may touch the
# watched keys + MULTI + commands of the other enabled families + EXEC or
# DISCARD.  The closing step is Fixed, so the connection is out of MULTI after
# every block; the Runner follows the real state from the replies.

# Commands whose comparators continue or re-check the reply with auxiliary
# commands (meaningless after the rest of an EXEC ran) or whose outcome the
# GT/LT guard must decide before they run: not queued.
TX_EXCLUDE = {b"SCAN", b"SSCAN", b"HSCAN", b"ZSCAN", b"RANDOMKEY", b"DBSIZE"}


def _tx_body_step(g):
    for _ in range(50):
        st = g.plain_step()
        if st.kind != "cmd":
            return st
        name = st.args[0].upper()
        if name in TX_EXCLUDE:
            continue
        if name in _EXPIRE_CMDS and any(isinstance(o, bytes) and o.upper() in (b"GT", b"LT")
                                        for o in st.args[3:]):
            continue
        return st
    return Cmd(b"PING")


def _tx_touch(g, watched):
    """A step between WATCH and MULTI: touches a watched key or not."""
    k = g.pick(watched) if watched and g.chance(0.8) else g.key()
    what = g.wpick([(6, "write"), (2, "noop"), (3, "short"), (2, "read"), (0.6, "flushdb"),
                    (0.2, "flushall"), (1, "otherdb"), (1, "unwatch"), (1, "watch"), (3, "plain")])
    if what == "write":
        return [g.pick([Cmd(g.name("SET"), k, g.value()), Cmd(g.name("DEL"), k),
                        Cmd(g.name("INCR"), k), Cmd(g.name("EXPIRE"), k, b"1000"),
                        Cmd(g.name("PERSIST"), k), Cmd(g.name("LPUSH"), k, _members(g)),
                        Cmd(g.name("SADD"), k, _members(g)), Cmd(g.name("HSET"), k, _members(g), g.value()),
                        Cmd(g.name("APPEND"), k, g.value()), Cmd(g.name("RENAME"), g.key(), k),
                        Cmd(g.name("RENAME"), k, g.key()), Cmd(g.name("COPY"), g.key(), k, b"REPLACE"),
                        Cmd(g.name("MOVE"), k, b"1"), Cmd(g.name("GETDEL"), k)])]
    if what == "noop":   # writes that change nothing do not touch
        return [g.pick([Cmd(g.name("DEL"), b"nosuchkey", k), Cmd(g.name("SETNX"), k, b"v"),
                        Cmd(g.name("SREM"), k, b"nosuchmember"), Cmd(g.name("HDEL"), k, b"nosuchfield"),
                        Cmd(g.name("EXPIRE"), k, b"100", b"XX"), Cmd(g.name("LPUSHX"), k, b"v"),
                        Cmd(g.name("PERSIST"), k)])]
    if what == "short":  # the key expires before EXEC (or before WATCH)
        return [Cmd(g.name("SET"), k, g.value(), b"PX", g.pick(SHORT_MS[:4])),
                Sleep(g.pick([0, 1, 5, 10]))]
    if what == "read":
        return [Cmd(g.name(g.pick(["GET", "EXISTS", "TTL", "TYPE"])), k)]
    if what == "flushdb":
        return [Cmd(g.name("FLUSHDB"))]
    if what == "flushall":
        return [Cmd(g.name("FLUSHALL"))]
    if what == "otherdb":  # the same key name in another db is another key
        return [Cmd(b"SELECT", b"1"), Cmd(b"SET", k, b"x"), Cmd(b"SELECT", b"0")]
    if what == "unwatch":
        return [Cmd(g.name("UNWATCH"))]
    if what == "watch":
        return [Cmd(g.name("WATCH"), *g.keys(1, 2))]
    return [_tx_body_step(g)]


def gen_transactions(g):
    x = g.r.random()
    if x < 0.03:
        return Cmd(g.name("EXEC"))
    if x < 0.05:
        return Cmd(g.name("DISCARD"))
    if x < 0.07:
        return Cmd(g.name("UNWATCH"))
    steps = []
    watched = []
    if g.chance(0.15):   # watch a key that is already expired (or about to)
        k = g.key()
        watched.append(k)
        steps += [Cmd(b"SET", k, g.value(), b"PX", g.pick(SHORT_MS[:4])), Sleep(g.pick([0, 2, 10]))]
    if watched or g.chance(0.5):
        watched += g.keys(1, 3)
        steps.append(Cmd(g.name("WATCH"), *watched))
        for _ in range(g.wpick([(4, 0), (4, 1), (2, 2), (1, 3)])):
            steps += _tx_touch(g, watched)
    steps.append(Cmd(g.name("MULTI")))
    for _ in range(g.wpick([(1, 0), (4, 1), (4, 2), (3, 3), (2, 5), (1, 8)])):
        y = g.r.random()
        if y < 0.03:
            steps.append(Cmd(g.name("MULTI")))                       # nested: error, not fatal
        elif y < 0.06:
            steps.append(Cmd(g.name("WATCH"), *g.keys(1, 2)))        # not allowed inside MULTI
        elif y < 0.08:
            steps.append(Cmd(g.pick([b"NOSUCHCMD", b"GETT", b"", b"\xff"]), g.key()))  # EXECABORT
        elif y < 0.09:
            steps.append(Cmd(g.name("DISCARD"), b"x"))                # arity: flags the transaction
        elif y < 0.10:
            steps.append(Cmd(g.name("UNWATCH")))                     # queued
        elif y < 0.13 and g.pubsub_safe:
            steps.append(g.pubsub_safe(g))
        else:
            steps.append(_tx_body_step(g))
    end = g.wpick([(80, "EXEC"), (12, "DISCARD"), (4, "EXECJUNK"), (2, "EXECQUIT")])
    if end == "EXEC":
        steps.append(Fixed(g.name("EXEC")))
    elif end == "DISCARD":
        steps.append(Fixed(g.name("DISCARD")))
    elif end == "EXECJUNK":   # rejected EXEC: EXECABORT with the reason, discards
        steps.append(Fixed(g.name("EXEC"), g.pick([b"x", b"", b"EXEC"])))
    else:
        steps += [Fixed(g.name("EXEC")), Fixed(g.name("EXEC"))]   # the second one: EXEC without MULTI
    return steps


# Pub/Sub on the compared connection alone: nobody else subscribes, so
# PUBLISH reaches 0 clients and PUBSUB sees only this connection's
# subscriptions.  A subscribed block ends with a Fixed argless UNSUBSCRIBE
# and PUNSUBSCRIBE, so the connection leaves subscribed mode.

CHANNELS = [b"ch", b"ch1", b"ch2", b"news.a", b"news.b", b"", b"a", b"*", b"h\\e", b"\x00x",
            b"CH", b"with space"]
CHANNEL_PATTERNS = [b"ch*", b"news.*", b"*", b"ch[12]", b"?", b"a", b"", b"[", b"h\\\\e", b"ch?",
                    b"*\x00*", b"[^c]*"]


def _chans(g, lo=1, hi=3):
    return [g.pick(CHANNELS) for _ in range(g.r.randint(lo, hi))]


def _pats(g, lo=1, hi=3):
    return [g.pick(CHANNEL_PATTERNS) for _ in range(g.r.randint(lo, hi))]


def gen_pubsub_safe(g):
    """PUBLISH / PUBSUB: fine anywhere (also inside MULTI)."""
    if g.chance(0.4):
        return Cmd(g.name("PUBLISH"), g.pick(CHANNELS), g.value())
    sub = g.wpick([(4, "CHANNELS"), (4, "NUMSUB"), (3, "NUMPAT"), (0.3, "HELP"), (1, "JUNK")])
    if sub == "CHANNELS":
        return Cmd(g.name("PUBSUB"), g.name("CHANNELS"),
                   *g.wpick([(2, []), (5, [g.pick(CHANNEL_PATTERNS)]), (1, _pats(g, 2, 2))]))
    if sub == "NUMSUB":
        return Cmd(g.name("PUBSUB"), g.name("NUMSUB"), *_chans(g, 0, 4))
    if sub == "NUMPAT":
        return Cmd(g.name("PUBSUB"), g.name("NUMPAT"), *g.wpick([(6, []), (1, [b"x"])]))
    if sub == "HELP":
        return Cmd(g.name("PUBSUB"), g.name("HELP"))
    return Cmd(g.name("PUBSUB"), *g.pick([[b"FOO"], [b"CHANNEL"], [b"SHARDCHANNELS"], [b"SHARDNUMSUB", b"a"]]))


def _subscribed_step(g):
    x = g.wpick([(3, "SUB"), (3, "PSUB"), (3, "UNSUB"), (3, "PUNSUB"), (1, "UNSUBALL"),
                 (1, "PUNSUBALL"), (3, "PING"), (4, "SAFE"), (4, "PLAIN"), (1, "TX")])
    if x == "SUB":
        return Cmd(g.name("SUBSCRIBE"), *_chans(g))
    if x == "PSUB":
        return Cmd(g.name("PSUBSCRIBE"), *_pats(g))
    if x == "UNSUB":
        return Cmd(g.name("UNSUBSCRIBE"), *_chans(g))
    if x == "PUNSUB":
        return Cmd(g.name("PUNSUBSCRIBE"), *_pats(g))
    if x == "UNSUBALL":
        return Cmd(g.name("UNSUBSCRIBE"))
    if x == "PUNSUBALL":
        return Cmd(g.name("PUNSUBSCRIBE"))
    if x == "PING":
        return Cmd(g.name("PING"), *g.pick([[], [], [g.value()], [b"a", b"b"]]))
    if x == "SAFE":
        return gen_pubsub_safe(g)
    if x == "TX":   # no MULTI: if the SUBSCRIBE was refused it would queue the rest of the block
        return Cmd(g.name(g.pick(["EXEC", "DISCARD", "WATCH", "UNWATCH"])),
                   *([g.key()] if g.chance(0.3) else []))
    st = g.plain_step() if g.plain else Cmd(b"GET", g.key())
    return st


def gen_pubsub(g):
    x = g.r.random()
    if x < 0.45:
        return gen_pubsub_safe(g)
    if x < 0.55:   # not subscribed: UNSUBSCRIBE replies one message with a nil channel
        return Cmd(g.name(g.pick(["UNSUBSCRIBE", "PUNSUBSCRIBE"])),
                   *g.wpick([(3, []), (2, _chans(g, 1, 2))]))
    steps = [Cmd(g.name("SUBSCRIBE"), *_chans(g)) if g.chance(0.6) else Cmd(g.name("PSUBSCRIBE"), *_pats(g))]
    for _ in range(g.r.randint(1, 8)):
        steps.append(_subscribed_step(g))
    steps += [Fixed(b"UNSUBSCRIBE"), Fixed(b"PUNSUBSCRIBE")]
    return steps


FAMILIES = {
    "strings": (gen_strings, 40),
    "keys": (gen_keys, 25),
    "expire": (gen_expire, 25),
    "server": (gen_server, 6),
    "lists": (gen_lists, 25),
    "hashes": (gen_hashes, 25),
    "sets": (gen_sets, 25),
    "zsets": (gen_zsets, 25),
    "transactions": (gen_transactions, 12),
    "pubsub": (gen_pubsub, 8),
}

# Families that generate whole blocks of steps with a connection state.
BLOCK_FAMILIES = ("transactions", "pubsub")


class Generator:
    """Steps from the enabled families.  A family returns a Step or a list of
    Steps (a block: MULTI ... EXEC, SUBSCRIBE ... UNSUBSCRIBE), sent in order.
    Every command step may be mangled (wrong arity, junk argument) except the
    Fixed ones that close a block."""

    def __init__(self, seed, families):
        self.g = G(random.Random(seed))
        self.table = [(FAMILIES[f][1], FAMILIES[f][0]) for f in families]
        # Block families draw single commands from the others.
        self.g.plain = [(FAMILIES[f][1], FAMILIES[f][0]) for f in families if f not in BLOCK_FAMILIES]
        self.g.pubsub_safe = gen_pubsub_safe if "pubsub" in families else None
        self.pending = []

    def next(self):
        g = self.g
        if not self.pending:
            out = g.wpick(self.table)(g)
            self.pending = list(out) if isinstance(out, list) else [out]
        step = self.pending.pop(0)
        if step.kind == "cmd" and not step.fixed and g.chance(0.025):
            # Wrong arity / trailing junk on any command.
            a = step.args
            how = g.pick(["drop_last", "name_only", "extra"])
            if a[0].upper() == b"SPOP" and how == "drop_last":
                # SPOP without its count pops a random member: the servers'
                # data would differ from then on.
                how = "extra"
            if how == "drop_last" and len(a) > 1:
                step.args = a[:-1]
            elif how == "name_only" and len(a) > 1:
                step.args = a[:1]
            else:
                step.args = a + [g.pick([b"extra", b"", b"NX", b"0"])]
        return step


# --------------------------------------------------------------------------
# Runner: executes steps on both servers and compares.

class Outcome:
    __slots__ = ("resolved", "a", "b", "reason", "ambiguous")

    def __init__(self, resolved, a, b, reason, ambiguous):
        self.resolved = resolved
        self.a = a
        self.b = b
        self.reason = reason
        self.ambiguous = ambiguous


_EXPIRE_CMDS = (b"EXPIRE", b"PEXPIRE", b"EXPIREAT", b"PEXPIREAT")

# Commands that never look at keys: an expiry during them changes nothing.
KEYLESS = {b"PING", b"ECHO", b"SELECT", b"TIME", b"INFO", b"CONFIG", b"COMMAND", b"CLIENT",
           b"HELLO", b"AUTH", b"MULTI", b"DISCARD", b"UNWATCH", b"PUBLISH", b"PUBSUB",
           b"SUBSCRIBE", b"PSUBSCRIBE", b"UNSUBSCRIBE", b"PUNSUBSCRIBE"}

# Commands that answer with one push-shaped reply per channel (RESP2).
SUBSCRIPTION_CMDS = {b"SUBSCRIBE": 0, b"UNSUBSCRIBE": 0, b"PSUBSCRIBE": 1, b"PUNSUBSCRIBE": 1}
PUSH_KINDS = {b"subscribe": (0, True), b"unsubscribe": (0, False),
              b"psubscribe": (1, True), b"punsubscribe": (1, False)}


def track_push(subs, rep):
    """Follow one connection's subscriptions from a push-shaped reply."""
    if rep.kind != "*" or rep.val is None or len(rep.val) != 3 or rep.val[0][0] != "$":
        return
    kind = PUSH_KINDS.get(rep.val[0][1])
    if kind is None or rep.val[1][0] != "$" or rep.val[1][1] is None:
        return
    (subs[kind[0]].add if kind[1] else subs[kind[0]].discard)(rep.val[1][1])

SNAPSHOT_DBS = [b"0", b"1", b"2", b"15"]
SNAPSHOT_READERS = {
    b"+string\r\n": lambda k: [b"GET", k],
    b"+list\r\n": lambda k: [b"LRANGE", k, b"0", b"-1"],
    b"+set\r\n": lambda k: [b"SMEMBERS", k],
    b"+hash\r\n": lambda k: [b"HGETALL", k],
    b"+zset\r\n": lambda k: [b"ZRANGE", k, b"0", b"-1", b"WITHSCORES"],
}


class Runner:
    def __init__(self, sa, sb, timeout):
        self.sa, self.sb = sa, sb
        self.timeout = timeout
        self.a = self.b = None
        self.windows = Windows()
        self.max_span = 1.0
        self.guard_ms = 0.0
        self.db = b"0"           # selected db (the same on both while in sync)
        self.exec_queued = []    # the commands an EXEC being compared ran
        self.connect()

    def connect(self):
        for c in (self.a, self.b):
            if c:
                c.close()
        self.a = Conn(self.sa.who, self.sa.port, self.timeout)
        self.b = Conn(self.sb.who, self.sb.port, self.timeout)
        self.db = b"0"
        # Connection state, followed from the replies (the same on both
        # while in sync; a difference shows as a divergence first).
        self.in_multi = False    # inside MULTI: commands are queued, not run
        self.queued = []         # resolved commands queued since MULTI
        self.watching = False    # WATCH may be in force
        self.watch_tainted = False  # a timing-ambiguous command ran while watching
        for c in (self.a, self.b):
            c.subs = (set(), set())  # channels, patterns

    def subscribed(self):
        return any(c.subs[0] or c.subs[1] for c in (self.a, self.b))

    def read_reply(self, c, name, resolved):
        """One command's reply; (P)(UN)SUBSCRIBE answer with several."""
        r = c.read()
        kind = SUBSCRIPTION_CMDS.get(name)
        if kind is None or r.kind != "*":
            return r       # an error, QUEUED, or an ordinary command
        n = len(resolved) - 1 if len(resolved) > 1 else max(1, len(c.subs[kind]))
        replies = [r] + [c.read() for _ in range(n - 1)]
        for rep in replies:
            track_push(c.subs, rep)
        return MultiReply(replies)

    def _track(self, name, resolved, ra, rb, t0, t1):
        """Follow MULTI/WATCH/SELECT state after a command both servers ran."""
        if self.in_multi and name not in (b"EXEC", b"DISCARD", b"MULTI", b"WATCH"):
            if ra.raw == rb.raw == b"+QUEUED\r\n":
                self.queued.append(resolved)
            return
        if name == b"MULTI" and ra.raw == b"+OK\r\n":
            self.in_multi, self.queued = True, []
        elif name == b"DISCARD" and ra.raw == b"+OK\r\n":
            self.in_multi, self.queued, self.watching = False, [], False
        elif name == b"EXEC":
            # Every EXEC leaves MULTI (a rejected one with EXECABORT); all but
            # "EXEC without MULTI" unwatch.
            if not ra.raw.startswith(b"-ERR EXEC without MULTI"):
                self.watching = False
            if self.in_multi and ra.kind == "*" and ra.val is not None and len(ra.val) == len(self.queued):
                for cmd, (ea, eb) in zip(self.queued, zip(ra.val, rb.val or [])):
                    n = cmd[0].upper() if cmd else b""
                    if n == b"SELECT" and ea == eb == ("+", b"OK"):
                        self.db = cmd[1]
                    for lo, hi in expiry_windows(cmd, t0, t1):
                        self.windows.add(lo, hi)
                    for c, e in ((self.a, ea), (self.b, eb)):
                        track_push(c.subs, Reply(b"", e))
            self.in_multi, self.queued = False, []
        elif name == b"WATCH" and ra.raw == b"+OK\r\n":
            self.watching = True
        elif name == b"UNWATCH" and ra.raw == b"+OK\r\n":
            self.watching = False
        elif name == b"SELECT" and ra.raw == rb.raw == b"+OK\r\n":
            self.db = resolved[1]
        if not self.watching:
            self.watch_tainted = False

    def reset(self):
        """Fresh connections (db 0, no name) and empty servers."""
        self.connect()
        for c in (self.a, self.b):
            r = c.call([b"FLUSHALL"])
            if r.raw != b"+OK\r\n":
                raise ServerFailure(c.who, f"FLUSHALL failed: {r}")
        self.windows.clear()

    def _snapshot(self, c):
        """Every key of the dbs the generators use: {(db, key): (type, value, ttl)}."""
        snap = {}
        for db in SNAPSHOT_DBS:
            c.call([b"SELECT", db])
            keys = c.call([b"KEYS", b"*"])
            for _, k in keys.val or []:
                t = c.call([b"TYPE", k]).raw
                reader = SNAPSHOT_READERS.get(t)
                v = c.call(reader(k)) if reader else None
                if v is not None and v.kind == "*" and t in (b"+set\r\n", b"+hash\r\n"):
                    v = _sorted_items(v.val)
                elif v is not None:
                    v = v.raw
                snap[(db, k)] = (t, v, c.call([b"PTTL", k]).val)
        c.call([b"SELECT", self.db])
        return snap

    def states_equal(self):
        """After a timing-ambiguous command: once every deadline it may have
        straddled has passed, do both servers hold the same data?  Returns
        None (equal) or a description."""
        for _ in range(5):
            self.guard_ms += self.windows.wait_clear(SNAPSHOT_EST_MS)
            t0 = now_ms()
            sa = self._snapshot(self.a)
            sb = self._snapshot(self.b)
            t1 = now_ms()
            if not self.windows.hit(t0, t1):
                break
        else:
            return "every snapshot straddled a deadline"
        tol = self.time_tolerance_ms() + (t1 - t0)
        for k in set(sa) | set(sb):
            x, y = sa.get(k), sb.get(k)
            if x is None or y is None or x[:2] != y[:2]:
                return f"key {k} differs: {x} vs {y}"
            if (x[2] < 0 or y[2] < 0) and x[2] != y[2] or abs(x[2] - y[2]) > tol:
                return f"TTL of {k} differs: {x[2]} vs {y[2]}"
        return None

    def time_tolerance_ms(self):
        return 3 + 2 * self.max_span

    def _gtlt_guard(self, step):
        """GT/LT compare the new expiry with the key's current one; when the
        two are within a few ms the outcome depends on when each server runs
        the command.  Wait until they are clearly apart (relative and
        @now-based times move with the clock).  Returns the old expiry
        times, for the exact check after the command."""
        args = step.args
        name = args[0].upper() if isinstance(args[0], bytes) else b""
        if name not in _EXPIRE_CMDS or len(args) < 4:
            return None
        if not any(isinstance(o, bytes) and o.upper() in (b"GT", b"LT") for o in args[3:]):
            return None
        olds = None
        for _ in range(30):
            self.guard_ms += self.windows.wait_clear(EST_MS)
            ra = self.a.call([b"PEXPIRETIME", args[1]])
            rb = self.b.call([b"PEXPIRETIME", args[1]])
            if ra.kind != ":" or rb.kind != ":":
                return None
            olds = [v for v in (ra.val, rb.val) if v >= 0]
            if not olds:
                return olds
            est = self._new_expiry(name, args[2], now_ms())
            if est is None:
                return olds
            lo, hi = est - 2, est + EST_MS + 2
            near = [o for o in olds if lo <= o <= hi]
            if not near:
                return olds
            d = max(near) - est + 3
            time.sleep(max(d, 0.5) / 1000.0)
            self.guard_ms += max(d, 0.5)
        return olds

    @staticmethod
    def _new_expiry(name, arg, t):
        if isinstance(arg, NowRef):
            v = int(arg.resolve(t))
        else:
            v = _int(arg)
            if v is None:
                return None
        if name == b"EXPIRE":
            return t + v * 1000
        if name == b"PEXPIRE":
            return t + v
        if name == b"EXPIREAT":
            return v * 1000
        return v

    def execute(self, step):
        if step.kind == "sleep":
            time.sleep(step.ms / 1000.0)
            return None
        if step.kind == "reset":
            self.reset()
            return None
        first = step.args[0] if step.args else b""
        name = first.upper() if isinstance(first, bytes) else b""
        # Inside MULTI a command is only queued, and a subscribed connection
        # runs no key command: the GT/LT guard's PEXPIRETIME must not be sent
        # then (queued commands with GT/LT are never generated).
        in_multi, subscribed = self.in_multi, self.subscribed()
        olds = self._gtlt_guard(step) if not in_multi and not subscribed else None
        if name == b"EXEC" and in_multi and any(q and q[0].upper() in SUBSCRIPTION_CMDS for q in self.queued):
            # Inside EXEC these still send one reply per channel while the
            # EXEC array counts commands (Redis does that too): the replies
            # could not be paired.  The generator never queues them.
            raise ServerFailure("difftest", "a queued (P)(UN)SUBSCRIBE: its EXEC reply cannot be paired")
        # EXEC runs the whole queue.
        est = EST_MS * (1 + len(self.queued)) if name == b"EXEC" and in_multi else EST_MS
        if name == b"EXEC" and in_multi:
            # A queued command may set an absolute deadline that a later one
            # in the same EXEC reads; both servers freeze their clock for the
            # whole EXEC, but each at its own moment, so such a deadline must
            # not fall while the EXEC runs on either (guard it like any other).
            t = now_ms()
            for q in self.queued:
                for lo, hi in expiry_windows(q, t, t, absolute_only=True):
                    self.windows.add(lo, hi)
        self.guard_ms += self.windows.wait_clear(est)
        t_res = now_ms()
        resolved = [a.resolve(t_res) if isinstance(a, NowRef) else a for a in step.args]
        t0 = now_ms()
        self.a.send(resolved)
        self.b.send(resolved)
        ra = self.read_reply(self.a, name, resolved)
        rb = self.read_reply(self.b, name, resolved)
        t1 = now_ms()
        if in_multi and ra.raw == rb.raw == b"+QUEUED\r\n":
            cmp = cmp_exact   # comparators may send auxiliary commands: not inside MULTI
        else:
            cmp = COMPARATORS.get(name, cmp_exact)
        self.exec_queued = self.queued if name == b"EXEC" and in_multi else []
        reason = cmp(self, resolved, ra, rb)
        t2 = now_ms()
        ambiguous = None
        if self.windows.hit(t0, t2):
            ambiguous = f"an expiry deadline fell inside the command ({t2 - t0:.2f} ms)"
        if name == b"EXEC" and in_multi and self.watch_tainted and reason:
            ambiguous = "EXEC after a timing-ambiguous command while keys were watched"
        if (in_multi and name != b"EXEC") or subscribed:
            ambiguous = None  # queued, or refused: nothing ran
        if olds:
            # Exact check: could the new expiry lie on different sides of
            # the old one on the two servers?
            lo = self._new_expiry(name, resolved[2], t0)
            hi = self._new_expiry(name, resolved[2], t1)
            if lo is not None and any(lo - 2 <= o <= hi + 2 for o in olds):
                ambiguous = f"GT/LT: new expiry {lo:.0f}..{hi:.0f} too close to old {olds}"
        if ambiguous and name in KEYLESS:
            ambiguous = None
        if not in_multi or name == b"EXEC":
            for lo, hi in expiry_windows(resolved, t0, t1):
                self.windows.add(lo, hi)
        self._track(name, resolved, ra, rb, t0, t1)
        if ambiguous and self.watching:
            self.watch_tainted = True
        if TRACE:
            TRACE.write(f"{t0:.3f} {t1:.3f} {t2:.3f} {show_step(step)} | {show_raw(ra.raw, 60)} | {show_raw(rb.raw, 60)}"
                        f" | amb={ambiguous} | +win={expiry_windows(resolved, t0, t1)}\n")
        span = t1 - t0
        if span > self.max_span:
            self.max_span = span
        return Outcome(resolved, ra, rb, reason, ambiguous)


# --------------------------------------------------------------------------
# Driving a run

class Divergence:
    def __init__(self, index, step, outcome, tail, history_pos):
        self.index = index
        self.step = step
        self.outcome = outcome
        self.tail = tail          # list of (index, Step, resolved)
        self.history_pos = history_pos
        self.minimized = None

    def signature(self):
        def sig(r):
            if r.kind == "-":
                return "-" + re.sub(rb"\d+", b"N", r.raw[:60]).decode("latin-1").strip()
            return r.kind
        name = self.outcome.resolved[0].upper().decode("latin-1") if self.outcome.resolved else ""
        return f"{name} | {sig(self.outcome.a)} | {sig(self.outcome.b)} | {re.sub(r'[0-9]+', 'N', self.outcome.reason)}"


def report_divergence(d, seed, names, out):
    o = d.outcome
    p = lambda s="": print(s, file=out)
    p(f"difftest: DIVERGENCE at command #{d.index} (seed {seed})")
    p(f"  command: {show_resolved(d.step, o.resolved)}")
    p(f"  {names[0]:>8}: {show_raw(o.a.raw)}")
    p(f"  {names[1]:>8}: {show_raw(o.b.raw)}")
    p(f"  reason:  {o.reason}")
    p(f"  history (last {len(d.tail)} steps before it):")
    for idx, st, res in d.tail:
        label = f"#{idx}" if idx is not None else "  "
        p(f"    {label:>8} {show_resolved(st, res) if res else show_step(st)}")
    if d.minimized is not None:
        p(f"  minimal reproduction ({len(d.minimized)} steps, replay from empty servers):")
        for st in d.minimized:
            p(f"      {show_step(st)}")
    out.flush()


class Session:
    """Servers + runner + history for one invocation."""

    def __init__(self, opts, sa, sb):
        self.opts = opts
        self.runner = Runner(sa, sb, opts.timeout)
        self.names = (sa.who, sb.who)
        self.history = []        # (index or None, Step, resolved or None, note)
        self.commands = 0
        self.divergences = []
        self.timing_resets = 0
        self.timing_checks = 0
        self.distinct = {}

    def check_alive(self, e):
        for s in (self.runner.sa, self.runner.sb):
            if not s.alive():
                return f"{s.who} died; log tail:\n{s.log_tail()}"
        return None

    def run_step(self, step):
        """Run one step; returns a Divergence or None."""
        if step.kind != "cmd":
            self.runner.execute(step)
            self.history.append((None, step, None, None))
            return None
        self.commands += 1
        idx = self.commands
        o = self.runner.execute(step)
        self.history.append((idx, step, o.resolved, None))
        if o.ambiguous:
            # The reply may legitimately differ; the data must not, once
            # the deadline has passed.
            self.timing_checks += 1
            why = self.runner.states_equal()
            if why is None:
                return None
            self.timing_resets += 1
            if self.opts.verbose:
                log(f"difftest: timing reset at #{idx} {show_resolved(step, o.resolved)}: {o.ambiguous}; "
                    f"reply: {o.reason or 'same'}; data: {why or 'same'}")
            self.history.append((None, Step("reset"), None, "timing-ambiguous, reset"))
            self.runner.reset()
            return None
        if o.reason is None:
            return None
        tail = [(i, s, r) for i, s, r, _ in self.history[-HISTORY_TAIL - 1:-1]]
        return Divergence(idx, step, o, tail, len(self.history) - 1)

    def steps_before(self, pos):
        return [s for _, s, _, _ in self.history[:pos]]

    # -- minimisation -------------------------------------------------------

    def reproduces(self, steps, final, want):
        """Replay steps + final on empty servers: does final diverge with the
        same signature (and nothing before it)?"""
        r = self.runner
        try:
            r.reset()
            for s in steps:
                if s.kind == "cmd":
                    o = r.execute(s)
                    if o.ambiguous or o.reason is not None:
                        return False
                else:
                    r.execute(s)
            o = r.execute(final)
            if o.ambiguous or o.reason is None:
                return False
            return Divergence(0, final, o, [], 0).signature() == want
        except ServerFailure:
            return False

    def minimize(self, d, budget_s):
        want = d.signature()
        items = [s for s in self.steps_before(d.history_pos)]
        # Only steps after the last reset matter.
        for i in range(len(items) - 1, -1, -1):
            if items[i].kind == "reset":
                items = items[i + 1:]
                break
        deadline = time.time() + budget_s
        test = lambda sub: time.time() < deadline and self.reproduces(sub, d.step, want)
        # Shortest suffix that still reproduces.
        k = 0
        while True:
            sub = items[len(items) - k:] if k else []
            if test(sub):
                items = sub
                break
            if k >= len(items) or time.time() >= deadline:
                if not test(items):
                    return None
                break
            k = min(len(items), max(1, k * 2))
        # ddmin on what is left.
        n = 2
        while len(items) >= 2 and time.time() < deadline:
            chunk = -(-len(items) // n)
            reduced = False
            for i in range(n):
                comp = items[:i * chunk] + items[(i + 1) * chunk:]
                if test(comp):
                    items = comp
                    n = max(n - 1, 2)
                    reduced = True
                    break
            if not reduced:
                if n >= len(items):
                    break
                n = min(len(items), n * 2)
        if len(items) == 1 and test([]):
            items = []
        return items + [d.step]


def dump_history(session, path, header):
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"# difftest history: {header}\n")
        f.write("# replay: difftest.py --replay THIS_FILE   (@now_* resolve when sent)\n")
        for idx, step, _, note in session.history:
            if note:
                f.write(f"# {note}\n")
            if idx is not None and idx in session.div_index:
                f.write(f"# DIVERGENCE at #{idx} follows\n")
            f.write(show_step(step) + "\n")


def main():
    ap = argparse.ArgumentParser(description="Differential tester: erdtree-server vs redis-server.")
    ap.add_argument("--seed", type=int, default=None, help="random seed (default: random)")
    ap.add_argument("--commands", type=int, default=100000, help="commands to run (default 100000)")
    ap.add_argument("--families", default=DEFAULT_FAMILIES,
                    help=f"comma list of {','.join(FAMILIES)} or 'all' (default {DEFAULT_FAMILIES})")
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    ap.add_argument("--erdtree", default=os.path.join(root, "build-main", "erdtree-server"),
                    help="server under test (default build-main/erdtree-server)")
    ap.add_argument("--redis", default="/usr/bin/redis-server", help="reference server")
    ap.add_argument("--replay", metavar="FILE", help="run the steps of a history file instead of generating")
    ap.add_argument("--dump", metavar="FILE", help="write the whole history (replayable) here at exit")
    ap.add_argument("--keep-going", action="store_true",
                    help="log every divergence, reset both servers and continue")
    ap.add_argument("--minimize", action="store_true",
                    help="shrink each distinct divergence to a minimal reproduction")
    ap.add_argument("--minimize-seconds", type=float, default=60.0, help="time budget per minimisation")
    ap.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for one reply")
    ap.add_argument("--progress", action="store_true", help="print progress to stderr")
    ap.add_argument("--verbose", action="store_true", help="log timing resets to stderr")
    opts = ap.parse_args()

    fams = list(FAMILIES) if opts.families == "all" else [f for f in opts.families.split(",") if f]
    for f in fams:
        if f not in FAMILIES:
            ap.error(f"unknown family {f!r} (known: {', '.join(FAMILIES)})")
    if not fams:
        ap.error("no families")
    seed = opts.seed if opts.seed is not None else random.SystemRandom().randrange(1, 2**31)
    names = ("erdtree", "redis")
    if os.path.realpath(opts.erdtree) == os.path.realpath(opts.redis):
        names = ("redis-a", "redis-b")

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    workdir = tempfile.mkdtemp(prefix="difftest-")
    sa = Server(names[0], opts.erdtree, workdir, opts.timeout)
    sb = Server(names[1], opts.redis, workdir, opts.timeout)
    session = None
    status = 2
    t_start = time.time()
    what = f"seed {seed}, families {','.join(fams)}"
    try:
        try:
            sa.start()
            sb.start()
        except RuntimeError as e:
            log(f"difftest: {e}")
            return 2
        session = Session(opts, sa, sb)
        session.div_index = set()
        if opts.replay:
            steps = load_replay(opts.replay)
            source = iter(steps)
            limit = None
            what = f"replay {opts.replay}"
        else:
            gen = Generator(seed, fams)
            source = None
            limit = opts.commands
        interrupted = False
        fatal = None
        last_progress = time.time()
        try:
            while True:
                if source is not None:
                    step = next(source, None)
                    if step is None:
                        break
                else:
                    if session.commands >= limit:
                        break
                    step = gen.next()
                try:
                    d = session.run_step(step)
                except ServerFailure as e:
                    dead = session.check_alive(e)
                    fatal = f"{e}" + (f"\n{dead}" if dead else "")
                    idx = session.commands
                    tail = [(i, s, r) for i, s, r, _ in session.history[-HISTORY_TAIL - 1:]]
                    print(f"difftest: FAILURE at command #{idx} ({what}): {fatal}")
                    print(f"  command: {show_step(step)}")
                    print(f"  history (last {len(tail)} steps):")
                    for i, s, r in tail:
                        print(f"    {('#%d' % i) if i else '':>8} {show_resolved(s, r) if r else show_step(s)}")
                    session.div_index.add(idx)
                    break
                if d is not None:
                    session.divergences.append(d)
                    session.div_index.add(d.index)
                    sig = d.signature()
                    first = sig not in session.distinct
                    session.distinct.setdefault(sig, []).append(d.index)
                    if first and opts.minimize:
                        log(f"difftest: minimising divergence at #{d.index} ...")
                        d.minimized = session.minimize(d, opts.minimize_seconds)
                    if first or not opts.keep_going:
                        report_divergence(d, seed if not opts.replay else "replay", names, sys.stdout)
                    if not opts.keep_going:
                        break
                    session.history.append((None, Step("reset"), None, "reset after divergence"))
                    session.runner.reset()
                if opts.progress and time.time() - last_progress > 5:
                    last_progress = time.time()
                    log(f"difftest: {session.commands} commands, {len(session.divergences)} divergences, "
                        f"{session.timing_resets} timing resets, guard waits {session.runner.guard_ms / 1000:.1f}s")
        except KeyboardInterrupt:
            interrupted = True
        elapsed = time.time() - t_start
        nd = len(session.divergences)
        extra = (f"; {session.timing_checks} timing checks, {session.timing_resets} resets, "
                 f"{elapsed:.1f}s")
        if nd and opts.keep_going:
            print(f"difftest: distinct divergences ({len(session.distinct)}):")
            for sig, idxs in session.distinct.items():
                print(f"  {len(idxs):>5}x first at #{idxs[0]}: {sig}")
        line = f"difftest: {session.commands} commands, {nd} divergences ({what}{extra})"
        if interrupted:
            line += " [interrupted]"
        print(line, flush=True)
        if opts.dump:
            dump_history(session, opts.dump, what)
            log(f"difftest: history written to {opts.dump}")
        status = 1 if (nd or fatal) else (130 if interrupted else 0)
        return status
    finally:
        with contextlib.suppress(Exception):
            if session:
                session.runner.a.close()
                session.runner.b.close()
        # Stop both even if interrupted again meanwhile.
        for s in (sa, sb):
            for _ in range(3):
                try:
                    s.stop()
                    break
                except KeyboardInterrupt:
                    continue
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
