#!/usr/bin/env bash
# CloudMining.Farm installer and developer entry point. Idempotent: run it again at any time.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

usage() {
  cat <<'TXT'
Usage: ./install.sh [--deps] [--build] [--demo] [--test] [--help]
       ./install.sh --broker --out DIR --credentials FILE [broker-setup options]
       sudo ./install.sh --agent|--controller [--root DIR] [--binaries DIR] [--no-start]

  (no option)  install missing system packages and build (same as --deps --build)
  --deps       install what the machine lacks with apt-get (mosquitto, influxdb, postgresql-15, test tools)
  --build      restore pinned NuGet packages and build the solution (Release)
  --demo       deps + build, then start a simulated 3-rack farm on loopback, one agent
               per rack, a local mosquitto and farm-controller, sell demo contracts
               with farmctl and show `farmctl allocation show` (Ctrl-C stops them all)
  --test       deps, then run the whole test suite (the README's test command)
  --broker ... generate a mosquitto config, hashed password file and ACL for the agent,
               controller (+ controller-engine), contract-platform and operator roles, with client
               id = user name and the farm's 1 MiB packet limit; every option after --broker goes
               to scripts/broker-setup.sh (see ./install.sh --broker --help)
  --agent ...  install farm-agent as a systemd service on a rack box: program under /opt/cloudmining-farm,
               system user farm-agent (gpio group), libgpiod (apt) for System.Device.Gpio, /etc/farm-agent/agent.json
               from a template (kept if present), the hardened unit; enables it (see ./install.sh --agent --help)
  --controller ...  the same for farm-controller
  --help       this text

Environment:
  FARM_FIXTURES   folder of captured miner replies (default: ../shared/fixtures/miner-api)
TXT
}

# Debian packages the product and its tests use. Only those missing are installed. libgpiod2 is the native library
# System.Device.Gpio's LibGpiodDriver loads (the agent's relays; a test opens a chip through it). postgresql-15: the
# controller's PostgreSQL store and standby tests start their own server from /usr/lib/postgresql/15/bin (as the
# package's postgres user when run as root, since initdb refuses root).
# chromium: the web-page tests drive Debian's browser through Playwright (no browser download).
APT_PACKAGES=(mosquitto mosquitto-clients influxdb influxdb-client victoria-metrics postgresql-15 python3 python3-paho-mqtt libgpiod2 openssl curl chromium)

need_root() {
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then echo sudo; else
      echo "install.sh: installing packages needs root; run as root or install sudo." >&2; exit 1
    fi
  fi
}

deps() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    local s; s="$(need_root)"
    echo "install.sh: installing ${missing[*]}"
    $s apt-get update -qq
    # Debian starts services on install; the product and the tests start their own instances.
    $s env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    for svc in mosquitto influxdb victoria-metrics postgresql; do
      $s systemctl disable --now "$svc" >/dev/null 2>&1 || true
    done
  fi
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "install.sh: the .NET 10 SDK is not on PATH; install it (https://learn.microsoft.com/dotnet/core/install/linux-debian) and run again." >&2
    exit 1
  fi
}

build() {
  dotnet restore CloudMining.Farm.sln --nologo -v q
  dotnet build CloudMining.Farm.sln -c Release --no-restore --nologo -v q
}

run_tests() {
  local log rc
  log="$(mktemp)"
  set +e
  dotnet test CloudMining.Farm.sln -c Release --nologo --logger "console;verbosity=normal" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  # One plain closing line that any reader understands ("N passed, N failed").
  count() { grep -E "^ +$1: +[0-9]+" "$log" | grep -Eo '[0-9]+' | awk '{s+=$1} END {print s+0}'; }
  # CI keeps only the end of its output: repeat each failed test, its message and the top of its stack here.
  if grep -qE '^  Failed ' "$log"; then
    echo "failed tests (repeated from above):"
    awk '/^  Failed /{on=1; n=0; st=-1}
         on && /^  (Passed|Skipped) |^\[xUnit|^Results File|^Test Run/ && !/^  Failed /{on=0}
         on && /^  Stack Trace:/{st=0}
         on { if (st >= 0) st++; if (n++ < 40 && st < 8) print (length($0) > 600 ? substr($0, 1, 600) " ...(cut)" : $0) }' "$log"
  fi
  echo "tests: $(count Passed) passed, $(count Failed) failed, $(count Skipped) skipped"
  rm -f "$log"
  return "$rc"
}

demo() {
  exec "$here/scripts/demo.sh"
}

if [ $# -eq 0 ]; then deps; build; exit 0; fi
while [ $# -gt 0 ]; do
  arg="$1"; shift
  case "$arg" in
    --broker) exec "$here/scripts/broker-setup.sh" "$@" ;;
    --agent) exec "$here/scripts/install-service.sh" agent "$@" ;;
    --controller) exec "$here/scripts/install-service.sh" controller "$@" ;;
    --help|-h) usage; exit 0 ;;
    --deps) deps ;;
    --build) build ;;
    --demo) deps; build; demo ;;
    --test) deps; run_tests ;;
    *) echo "install.sh: unknown option '$arg'" >&2; usage >&2; exit 2 ;;
  esac
done
