#!/usr/bin/env bash
# Runs the Node.js clients (node-redis 6.3.1 and ioredis 6.0.0, RESP3 by
# default) against erdtree-server and, as the oracle, against Debian's
# redis-server, each started here on a free loopback port in a temp dir:
#   tools/clients/run.sh [ERDTREE_BIN]       (default: build/erdtree-server)
# Installs Debian's nodejs and npm when node/npm are missing and runs `npm ci`
# (needs the npm registry). Exits non-zero when a check fails against erdtree,
# or against redis-server (then the script's expectations are wrong).
# Every step is time-bounded; both servers are stopped on every exit path.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
erdtree_bin="${1:-$root/build/erdtree-server}"
redis_bin="${REDIS_SERVER_BIN:-/usr/bin/redis-server}"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "== Installing Debian's nodejs and npm"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  timeout 300 $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive timeout 600 $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
echo "== node $(node --version), npm $(npm --version)"

if [ ! -x "$erdtree_bin" ]; then
  if [ $# -ge 1 ]; then
    echo "no executable erdtree-server at $erdtree_bin" >&2
    exit 2
  fi
  echo "== Building erdtree-server"
  cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$root/build" -j"$(nproc)" --target erdtree-server
fi

echo "== npm ci (versions pinned by package-lock.json)"
(cd "$here" && timeout 300 npm ci --no-audit --no-fund --loglevel=error)

tmp="$(mktemp -d "${TMPDIR:-/tmp}/erdtree-node-clients.XXXXXX")"
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    # SIGTERM first; SIGKILL if it has not gone within 5 s.
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# wait_ready NAME PORT LOG: up to 10 s for the server to accept connections.
wait_ready() {
  local pid="${pids[-1]}"
  for _ in $(seq 100); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$1 exited at startup:" >&2
      cat "$3" >&2
      return 1
    fi
    if timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$2" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "$1 did not accept connections on 127.0.0.1:$2 within 10 s:" >&2
  cat "$3" >&2
  return 1
}

run_clients() {
  echo "== Node clients against $1 (127.0.0.1:$2)"
  local start=$SECONDS rc=0
  (cd "$here" && timeout 180 node resp3_clients.mjs --host 127.0.0.1 --port "$2" --timeout 150) || rc=$?
  echo "== $1: exit $rc in $((SECONDS - start)) s"
  return "$rc"
}

mkdir -p "$tmp/erdtree" "$tmp/redis"
erdtree_port="$(free_port)"
"$erdtree_bin" --port "$erdtree_port" --bind 127.0.0.1 --dir "$tmp/erdtree" --appendonly no \
  >"$tmp/erdtree.log" 2>&1 &
pids+=($!)
wait_ready erdtree-server "$erdtree_port" "$tmp/erdtree.log"

oracle_rc=0
if [ -x "$redis_bin" ]; then
  redis_port="$(free_port)"
  "$redis_bin" --port "$redis_port" --bind 127.0.0.1 --dir "$tmp/redis" --save '' --appendonly no \
    >"$tmp/redis.log" 2>&1 &
  pids+=($!)
  wait_ready redis-server "$redis_port" "$tmp/redis.log"
  run_clients "redis-server $("$redis_bin" --version | sed -n 's/.* v=\([^ ]*\).*/\1/p') (oracle)" \
    "$redis_port" || oracle_rc=$?
else
  echo "== $redis_bin not installed: no oracle run"
fi

erdtree_rc=0
run_clients erdtree-server "$erdtree_port" || erdtree_rc=$?

if [ "$erdtree_rc" -ne 0 ]; then
  echo "FAILED: the Node clients fail against erdtree-server (exit $erdtree_rc)"
  exit 1
fi
if [ "$oracle_rc" -ne 0 ]; then
  echo "FAILED: the checks fail against redis-server too: fix resp3_clients.mjs (exit $oracle_rc)"
  exit 1
fi
echo "Node clients: all checks passed against erdtree-server"
