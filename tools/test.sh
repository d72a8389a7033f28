#!/usr/bin/env bash
# One command to install, build and pass every test:
#   1. Release build: the Node.js RESP3 clients check (tools/clients), unit
#      tests and integration tests (the real binary over TCP)
#   2. differential test: random command sequences against erdtree and
#      Debian's redis-server at once, every reply compared (fixed seeds, so a
#      failure reproduces with the printed command line)
#   3. ASan+UBSan build: the same unit and integration suites
#   4. libFuzzer run of the RESP parser for a bounded time
# Set ERDTREE_FUZZ_SECONDS to change the fuzz time (default 60) and
# ERDTREE_DIFFTEST_COMMANDS the differential batch per seed (default 50000).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
jobs="$(nproc)"

./tools/install-deps.sh

echo "== Release build and tests"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs"
# Node.js clients that speak RESP3 by default (node-redis 6, ioredis 6),
# against erdtree and redis-server; also fills tools/clients/node_modules so
# the NodeClients integration test runs in both suites below.
./tools/clients/run.sh build/erdtree-server
(cd build && ctest -j"$jobs" --output-on-failure --timeout 600)

echo "== Differential test against redis-server"
difftest_families="all"   # strings keys expire server lists hashes sets zsets transactions pubsub
for seed in 20261124 7; do
  python3 tools/difftest/difftest.py --erdtree build/erdtree-server --families "$difftest_families" \
    --commands "${ERDTREE_DIFFTEST_COMMANDS:-50000}" --seed "$seed"
done

echo "== ASan+UBSan build and tests"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DERDTREE_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
   ctest -j"$jobs" --output-on-failure --timeout 900)

echo "== Fuzzing the RESP parser"
./tools/fuzz/run.sh "${ERDTREE_FUZZ_SECONDS:-60}"

echo "All tests passed."
