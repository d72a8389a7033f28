#!/usr/bin/env bash
# One command to install, build and pass every test:
#   1. Release build: unit tests and integration tests (the real binary over TCP)
#   2. ASan+UBSan build: the same suites
#   3. libFuzzer run of the RESP parser for a bounded time
# Set ERDTREE_FUZZ_SECONDS to change the fuzz time (default 60).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
jobs="$(nproc)"

./tools/install-deps.sh

echo "== Release build and tests"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest -j"$jobs" --output-on-failure --timeout 600)

echo "== ASan+UBSan build and tests"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DERDTREE_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
   ctest -j"$jobs" --output-on-failure --timeout 900)

echo "== Fuzzing the RESP parser"
./tools/fuzz/run.sh "${ERDTREE_FUZZ_SECONDS:-60}"

echo "All tests passed."
