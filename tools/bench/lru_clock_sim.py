#!/usr/bin/python3
"""Offline model of sampled LRU eviction on memory_bench.py's eviction trace.

Replays the same Zipf trace with the same batching (GETs, then SET of the
misses) against a model of erdtree's eviction: maxmemory-samples random keys
offered to a 16-candidate pool kept across evictions, scored by idle time on
a clock of `res` seconds, time advancing at `rate` GETs per second.  Shows
what the LRU clock's resolution and the sample count cost against exact LRU
without a server (docs/memory.md, "Eviction quality").

  tools/bench/lru_clock_sim.py CAPACITY RATE SPEC...
  e.g. tools/bench/lru_clock_sim.py 49554 476000 "res=1" "res=1/32" "res=1,samples=25"

SPEC is keyword arguments of run(): res (clock tick, s), samples, pool,
recheck (re-score a pooled key before evicting it).  Standard library only.
"""

import sys

from memory_bench import TRACE_SEED, zipf_trace
import random


def run(trace, cap, rate, res, samples=5, pool=16, recheck=False, batch=100, warm=0.3, seed=1):
    rng = random.Random(seed)
    n = len(trace)
    warm_n = int(n * warm)
    stamp, keys, pos = {}, [], {}   # key -> clock ticks; keys for random draws
    cands = []                      # pool: (score, key), ascending
    hits = 0

    def now_at(i):
        return int(i / rate / res)

    def insert(score, k):
        j = 0
        while j < len(cands) and cands[j][0] < score:
            j += 1
        cands.insert(j, (score, k))

    def evict(now):
        while True:
            for _ in range(samples):
                k = keys[rng.randrange(len(keys))]
                score = now - stamp[k]
                for j, (_, kk) in enumerate(cands):
                    if kk == k:
                        del cands[j]
                        break
                if len(cands) == pool and score <= cands[0][0]:
                    continue
                if len(cands) == pool:
                    cands.pop(0)
                insert(score, k)
            while cands:
                score, k = cands.pop()
                if k not in stamp:
                    continue
                if recheck and now - stamp[k] < score:
                    insert(now - stamp[k], k)
                    continue
                del stamp[k]
                p = pos.pop(k)
                last = keys.pop()
                if last != k:
                    keys[p] = last
                    pos[last] = p
                return

    pending = []
    for start in range(0, n, batch):
        now = now_at(start)
        for k in pending:
            if k in stamp:
                continue
            if len(keys) >= cap:
                evict(now)
            stamp[k] = now
            pos[k] = len(keys)
            keys.append(k)
        missed = []
        for i in range(start, min(n, start + batch)):
            k = trace[i]
            if k in stamp:
                stamp[k] = now_at(i)
                if i >= warm_n:
                    hits += 1
            else:
                missed.append(k)
        pending = list(dict.fromkeys(missed))
    return hits / (n - warm_n)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    trace = zipf_trace(200000, 1000000, 0.99, TRACE_SEED)
    cap, rate = int(sys.argv[1]), float(sys.argv[2])
    for spec in sys.argv[3:]:
        kw = eval("dict(%s)" % spec)  # a local tool: the spec is the caller's own Python
        print("%-30s %.4f" % (spec, run(trace, cap, rate, **kw)), flush=True)


if __name__ == "__main__":
    main()
