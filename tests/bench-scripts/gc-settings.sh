#!/usr/bin/env bash
# Garbage-collector settings side by side in one run: the controller-ingest harness in process (parse, checks,
# duplicate filter, fleet state) once per setting, interleaved over --rounds (round 1 in the order below, round 2
# reversed, ...), one process each, and a table of the figures with the load average at each start.
# See docs/benchmarks.md, "Garbage-collector settings for the controller".
#
#   tests/bench-scripts/gc-settings.sh [--rounds N] [--ingest "ARGS"] [--dll PATH]
#     --rounds N     interleaved rounds (2)
#     --ingest ARGS  harness arguments ("--messages 100000 --miners 10000 --rounds 3 --no-breakdown")
#     --dll PATH     the bench (tests/CloudMining.Farm.Bench/bin/Release/net10.0/CloudMining.Farm.Bench.dll)
#
# Settings: default (workstation, background GC: what the controller runs with), gen0size (DOTNET_GCgen0size, the
# runtime's unsupported 64 MiB young generation), server (DOTNET_gcServer=1, which in .NET 10 includes DATAS),
# server-nodatas (server GC with DOTNET_GCDynamicAdaptationMode=0), nonconcurrent (DOTNET_gcConcurrent=0),
# conserve (DOTNET_GCConserveMemory=5).
set -euo pipefail

root="$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
rounds=2
ingest="--messages 100000 --miners 10000 --rounds 3 --no-breakdown"
dll="$root/tests/CloudMining.Farm.Bench/bin/Release/net10.0/CloudMining.Farm.Bench.dll"
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --ingest) ingest=$2; shift 2 ;;
    --dll) dll=$2; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "gc-settings: unknown option '$1'; see $0 --help" >&2; exit 2 ;;
  esac
done
[ -f "$dll" ] || { echo "gc-settings: no bench at $dll; dotnet build -c Release tests/CloudMining.Farm.Bench" >&2; exit 2; }

names=(default gen0size server server-nodatas nonconcurrent conserve)
envs=("" "DOTNET_GCgen0size=0x4000000" "DOTNET_gcServer=1" "DOTNET_gcServer=1 DOTNET_GCDynamicAdaptationMode=0" "DOTNET_gcConcurrent=0" "DOTNET_GCConserveMemory=5")
out="$root/.state/bench/gc-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
echo "gc-settings: load average before: $(cut -d' ' -f1-3 /proc/loadavg); output in $out"
printf '| round | setting | load (1 min) | wall clock msg/s | per CPU-second of the process | per CPU-second of the ingest thread | max RSS MB |\n| ---: | --- | ---: | ---: | ---: | ---: | ---: |\n' > "$out/table.md"
for ((r = 1; r <= rounds; r++)); do
  order=("${!names[@]}")
  if ((r % 2 == 0)); then order=($(printf '%s\n' "${order[@]}" | tac)); fi
  for i in "${order[@]}"; do
    load="$(cut -d' ' -f1 /proc/loadavg)"
    log="$out/${names[$i]}-r$r.txt"
    # shellcheck disable=SC2086
    env ${envs[$i]} /usr/bin/time -f 'maxrss_kb=%M' dotnet "$dll" controller-ingest $ingest > "$log" 2>&1 || echo "gc-settings: ${names[$i]} round $r FAILED (see $log)" >&2
    line="$(grep '^in-process (parse' "$log" || true)"
    wall="$(sed -n 's/.*median \([0-9,]*\) messages\/s wall clock.*/\1/p' <<<"$line")"
    cpu="$(sed -n 's/.*wall clock, \([0-9,]*\) per CPU-second.*/\1/p' <<<"$line")"
    thread="$(sed -n 's/^in-process, per CPU-second of the ingest thread: median \([0-9,]*\).*/\1/p' "$log")"
    rss="$(sed -n 's/^maxrss_kb=\([0-9]*\)/\1/p' "$log")"
    printf '| %d | %s | %s | %s | %s | %s | %s |\n' "$r" "${names[$i]}" "$load" "$wall" "$cpu" "$thread" "$((${rss:-0} / 1024))" | tee -a "$out/table.md"
  done
done
echo "gc-settings: load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$out/table.md"
