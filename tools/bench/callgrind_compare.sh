#!/usr/bin/env bash
# Instruction counts per request for erdtree-server and redis-server under
# valgrind's callgrind: repeatable on a noisy machine where wall-clock
# throughput is not. Each server runs the same redis-benchmark workload
# (pipelined, random keys) after a warm-up load; the count covers only the
# measured run (callgrind_control zeroes and dumps around it).
#
#   tools/bench/callgrind_compare.sh [ERDTREE_BIN] [REQUESTS]
#
# SERVER_ARGS (environment) is passed to both servers after the defaults, e.g.
# SERVER_ARGS="--appendonly yes --appendfsync everysec" to count the AOF's cost.
# TESTS overrides the list (default "set get incr mset").
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
erdtree="${1:-$root/build/erdtree-server}"
requests="${2:-200000}"
read -r -a tests <<<"${TESTS:-set get incr mset}"
read -r -a server_args <<<"${SERVER_ARGS:-}"
work="$(mktemp -d /tmp/erdtree-callgrind.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_ready() {
  for _ in $(seq 1 300); do
    redis-cli -p "$1" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "server on port $1 did not start" >&2
  return 1
}

# Starts one server under callgrind (sets server_pid, server_port).
start_under_callgrind() {
  local name=$1 bin=$2
  server_port=$(free_port)
  mkdir -p "$work/$name"
  # Persistence off on both (erdtree logs by default, Redis snapshots by default).
  local extra=(--appendonly no)
  if "$bin" --version 2>&1 | grep -q "Redis server"; then extra+=(--save ""); fi
  valgrind --tool=callgrind --callgrind-out-file="$work/$name/callgrind.out" \
    "$bin" --port "$server_port" --bind 127.0.0.1 --dir "$work/$name" "${extra[@]}" "${server_args[@]}" \
    >"$work/$name/server.log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  wait_ready "$server_port"
}

# Total instructions in a callgrind dump.
instructions() { awk '/^summary:/ {print $2; exit}' "$1"; }

declare -A result
for server in erdtree redis; do
  bin="$erdtree"
  [ "$server" = redis ] && bin="$(command -v redis-server)"
  start_under_callgrind "$server" "$bin"
  for t in "${tests[@]}"; do
    # Warm the keyspace so GET/INCR find keys, then count only the measured run.
    redis-benchmark -p "$server_port" -c 10 -n 20000 -r 100000 -P 16 -t "$t" -q >/dev/null 2>&1
    callgrind_control -z "$server_pid" >/dev/null 2>&1
    redis-benchmark -p "$server_port" -c 50 -n "$requests" -r 1000000 -P 16 -t "$t" -q >/dev/null 2>&1
    before=$(ls "$work/$server" | grep -c '^callgrind.out' || true)
    callgrind_control -d "$server_pid" >/dev/null 2>&1
    for _ in $(seq 1 100); do
      [ "$(ls "$work/$server" | grep -c '^callgrind.out')" -gt "$before" ] && break
      sleep 0.1
    done
    dump=$(ls -t "$work/$server"/callgrind.out* | head -1)
    result[$server.$t]=$(instructions "$dump")
  done
  redis-cli -p "$server_port" shutdown nosave >/dev/null 2>&1 || kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
done

printf "%-6s %16s %16s %8s\n" test "erdtree Ir/req" "redis Ir/req" ratio
for t in "${tests[@]}"; do
  e=${result[erdtree.$t]} r=${result[redis.$t]}
  /usr/bin/python3 -c "e=$e/$requests; r=$r/$requests; print(f'{\"$t\":<6} {e:16.0f} {r:16.0f} {e/r:8.2f}')"
done
