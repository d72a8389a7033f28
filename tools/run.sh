#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a running server: installs what
# is missing, builds (Release) and starts erdtree-server on its embedded
# default configuration (127.0.0.1:6379, data in ./data). Extra arguments are
# passed to the server, e.g. ./tools/run.sh --port 7000.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
./tools/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target erdtree-server
exec ./build/erdtree-server "$@"
