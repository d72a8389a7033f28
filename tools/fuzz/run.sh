#!/usr/bin/env bash
# Builds the RESP parser fuzzer in build-fuzz/ and runs it on a fresh copy of
# the seed corpus:  tools/fuzz/run.sh [seconds]   (default 60)
# Exits non-zero on any crash, failed check, leak, timeout (-timeout=10) or
# memory blow-up (-rss_limit_mb=2048); the reproducer is left in
# build-fuzz/fuzz-run/artifacts/.
set -euo pipefail
seconds="${1:-60}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$root/build-fuzz"

CXX=clang++ cmake -S "$root" -B "$build" -DERDTREE_FUZZ=ON -DERDTREE_BUILD_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target resp_parser_fuzz -j2

work="$build/fuzz-run"
rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
cp "$root/tools/fuzz/corpus/"* "$work/corpus/"

"$build/tools/fuzz/resp_parser_fuzz" \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$work/corpus"
