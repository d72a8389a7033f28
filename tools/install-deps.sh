#!/usr/bin/env bash
# Installs the Debian 12 packages Erdtree needs to build, test and benchmark,
# skipping what is already there. Safe to run repeatedly.
set -euo pipefail

packages=(
  build-essential cmake pkg-config          # toolchain
  libuv1-dev libspdlog-dev libtoml11-dev    # server dependencies
  libgtest-dev libgmock-dev libhiredis-dev  # unit and integration tests
  clang libclang-rt-14-dev                  # libFuzzer target for the parser
  redis-server redis-tools python3 python3-redis  # oracle, real clients, benchmarks
  redis-sentinel nutcracker                 # Sentinel and twemproxy on top of erdtree (integration tests)
  procps util-linux                         # ps/pgrep and taskset for tests and benchmarks
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts the packaged redis-server, redis-sentinel and nutcracker as
# services where systemd runs; we start our own instances on free ports, so
# stop those that did start.
if command -v systemctl >/dev/null 2>&1; then
  for service in redis-server redis-sentinel nutcracker; do
    if systemctl is-active --quiet "$service" 2>/dev/null; then
      $SUDO systemctl stop "$service" || true
    fi
  done
fi
