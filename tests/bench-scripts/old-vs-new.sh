#!/usr/bin/env bash
# Old vs new, one machine, one run: builds OLD_REF and NEW (a ref, or this working tree) in Release, runs the same
# benchmark commands on both with the rounds interleaved (old/new, then new/old, …: whatever else the machine does
# hits both alike), and prints one table per benchmark with both figures and new/old. See docs/benchmarks.md,
# "Old vs new".
#
#   tests/bench-scripts/old-vs-new.sh OLD_REF [NEW_REF|worktree] [options]
#     --rounds N        interleaved pairs of runs per benchmark (2)
#     --only LIST       comma-separated subset of: mqtt,ingest,agent (all)
#     --mqtt "ARGS"     harness arguments of `mqtt` ("--qos0 50000 --qos1 20000 --rounds 1")
#     --ingest "ARGS"   harness arguments of `controller-ingest` ("--messages 100000 --miners 10000 --rounds 1 --broker")
#     --agent "ARGS"    harness arguments of `agent-process` ("--miners 2000 --cycles 3")
#     --no-build        use the Release builds already there
#
# Trees: OLD_REF (and NEW_REF) are exported with `git archive` into .state/bench/<side>-<commit> (git-ignored; kept
# and reused by later runs — delete the folder to rebuild from scratch). `git archive` rather than `git worktree add`,
# so the repository's shared worktree list is left alone. NEW defaults to this working tree, uncommitted edits included.
#
# Command lines stay compatible across versions: an option (`--x`, with its value) that a version's bench sources do
# not mention is dropped for that version only, and the script says so.
#
# agent-process measures a farm-agent binary from outside (/proc), so one harness measures both: the new tree's
# bench (or this working tree's, if NEW has none) runs against each side's own farm-agent.dll (--agent-dll).
set -euo pipefail

usage() { sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "old-vs-new: $*" >&2; exit 2; }

[ $# -ge 1 ] || { usage >&2; exit 2; }
case "$1" in -h|--help) usage; exit 0 ;; esac
old_ref=$1; shift
new_ref=worktree
if [ $# -ge 1 ] && [ "${1#--}" = "$1" ]; then new_ref=$1; shift; fi

rounds=2 only="mqtt,ingest,agent" build=1
mqtt_args="--qos0 50000 --qos1 20000 --rounds 1"
ingest_args="--messages 100000 --miners 10000 --rounds 1 --broker"
agent_args="--miners 2000 --cycles 3"
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --mqtt) mqtt_args=$2; shift 2 ;;
    --ingest) ingest_args=$2; shift 2 ;;
    --agent) agent_args=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    *) die "unknown option '$1'; see $0 --help" ;;
  esac
done
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || die "--rounds wants a positive number, not '$rounds'"
for b in ${only//,/ }; do
  case "$b" in mqtt|ingest|agent) ;; *) die "--only: '$b' is not one of mqtt, ingest, agent" ;; esac
done
wants() { [[ ",$only," == *",$1,"* ]]; }

root="$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
state="$root/.state/bench"
mkdir -p "$state"
command -v dotnet >/dev/null || die "dotnet is not on PATH"
command -v mosquitto >/dev/null || command -v /usr/sbin/mosquitto >/dev/null || die "mosquitto is not installed (./install.sh --deps)"

# export SIDE REF: a tree of REF under .state/bench, printed on stdout
export_tree() {
  local side=$1 ref=$2 sha dir
  sha="$(git -C "$root" rev-parse --verify --quiet "$ref^{commit}")" || die "'$ref' is not a commit in $root"
  dir="$state/$side-${sha:0:12}"
  if [ ! -f "$dir/.exported" ]; then
    rm -rf "$dir"
    mkdir -p "$dir"
    git -C "$root" archive "$sha" | tar -x -C "$dir"
    echo "$sha" > "$dir/.exported"
  fi
  echo "$dir"
}

old_tree="$(export_tree old "$old_ref")"
old_label="$(git -C "$root" rev-parse --short=7 "$old_ref^{commit}")"
if [ "$new_ref" = worktree ]; then
  new_tree="$root"
  new_label="worktree $(git -C "$root" rev-parse --abbrev-ref HEAD)@$(git -C "$root" rev-parse --short=7 HEAD)"
  git -C "$root" diff --quiet HEAD -- . || new_label="$new_label+edits"
else
  new_tree="$(export_tree new "$new_ref")"
  new_label="$(git -C "$root" rev-parse --short=7 "$new_ref^{commit}")"
fi

bench_dll() { echo "$1/tests/CloudMining.Farm.Bench/bin/Release/net10.0/CloudMining.Farm.Bench.dll"; }
agent_dll() { echo "$1/agent/CloudMining.Farm.Agent/bin/Release/net10.0/farm-agent.dll"; }

if [ "$build" = 1 ]; then
  for tree in "$old_tree" "$new_tree"; do
    echo "old-vs-new: building $tree in Release (bench, agent, controller, farm-sim)"
    # The bench project references the agent, the controller and farm-sim, so one build makes all four.
    (cd "$tree" && dotnet build -c Release tests/CloudMining.Farm.Bench -v q --nologo) >"$state/build.log" 2>&1 \
      || { tail -30 "$state/build.log" >&2; die "the Release build of $tree failed (log: $state/build.log)"; }
  done
fi
for tree in "$old_tree" "$new_tree"; do
  [ -f "$(bench_dll "$tree")" ] || die "$(bench_dll "$tree") is missing; run without --no-build"
done

# has_option TREE OPTION: whether that version's bench sources name the option (as a string literal "--x").
has_option() { grep -rqF --include='*.cs' -- "\"$2\"" "$1/tests/CloudMining.Farm.Bench"; }
has_command() { grep -qF -- "\"$2\"" "$1/tests/CloudMining.Farm.Bench/Program.cs"; }

# compatible TREE ARGS...: ARGS without the options TREE does not know (each dropped with its value)
compatible() {
  local tree=$1; shift
  local out=() arg
  while [ $# -gt 0 ]; do
    arg=$1; shift
    if [[ "$arg" == --* ]] && ! has_option "$tree" "$arg"; then
      local dropped="$arg"
      if [ $# -gt 0 ] && [[ "$1" != --* ]]; then dropped="$dropped $1"; shift; fi
      echo "old-vs-new: $tree does not know '$dropped'; not passed to it" >&2
      continue
    fi
    out+=("$arg")
  done
  [ ${#out[@]} -eq 0 ] || printf '%s\n' "${out[@]}"
}

run_dir="$state/runs/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$run_dir"
results="$run_dir/results.tsv"
: > "$results"
load() { cut -d' ' -f1-3 /proc/loadavg; }
load_before="$(load)"
echo "old-vs-new: old = $old_label ($old_tree), new = $new_label ($new_tree); $rounds interleaved rounds; load average $load_before; logs in $run_dir"

# measured harness for agent-process: the new tree's, or this working tree's when NEW has none
agent_harness="$new_tree"
has_command "$agent_harness" agent-process || agent_harness="$root"

# run_one BENCH SIDE ROUND: one harness process; appends "bench side round metric value" lines to results.tsv
run_one() {
  local bench=$1 side=$2 round=$3 tree cmd args dll log rc=0
  if [ "$side" = old ]; then tree=$old_tree; else tree=$new_tree; fi
  case "$bench" in
    mqtt) cmd=mqtt; read -r -a args <<<"$mqtt_args"; dll="$(bench_dll "$tree")" ;;
    ingest) cmd=controller-ingest; read -r -a args <<<"$ingest_args"; dll="$(bench_dll "$tree")" ;;
    agent) cmd=agent-process; read -r -a args <<<"$agent_args"; dll="$(bench_dll "$agent_harness")" ;;
  esac
  local harness_tree="${dll%/tests/CloudMining.Farm.Bench/*}"
  mapfile -t args < <(compatible "$harness_tree" "${args[@]}")
  [ "$bench" = agent ] && args+=(--agent-dll "$(agent_dll "$tree")")
  log="$run_dir/$bench-$side-$round.log"
  local l0; l0="$(load)"
  echo "old-vs-new: round $round $side: dotnet $dll $cmd ${args[*]}  (load $l0)"
  (cd "$tree" && dotnet "$dll" "$cmd" "${args[@]}") >"$log" 2>&1 || rc=$?
  printf '%s\t%s\t%s\t%s\t%s\n' "$bench" "$side" "$round" "exit" "$rc" >>"$results"
  printf '%s\t%s\t%s\t%s\t%s\n' "$bench" "$side" "$round" "load" "${l0%% *}" >>"$results"
  [ "$rc" = 0 ] || echo "old-vs-new: exit code $rc; see $log" >&2
  python3 - "$bench" "$side" "$round" "$log" >>"$results" <<'PY'
import re, sys
bench, side, round_, path = sys.argv[1:5]
text = open(path, encoding="utf-8", errors="replace").read()
def num(s): return float(s.replace(",", ""))
def ms(s):
    v, unit = s.split()
    return num(v) / 1000 if unit in ("µs", "us") else num(v)
out = []
if bench == "mqtt":
    rows = re.findall(r"^\| client \|.*\n\|[-: |]+\|\n\| ([^|]+)\|([^|]+)\|([^|]+)\|([^|]+)\|([^|]+)\|", text, re.M)
    if rows:  # the first row is ours, whatever its label
        _, q0, q1, p50, p99 = (c.strip() for c in rows[0])
        out += [("qos0_msg_s", num(q0)), ("qos1_msg_s", num(q1)), ("latency_p50_ms", ms(p50)), ("latency_p99_ms", ms(p99))]
    else:  # --ours-only prints rounds, no table
        for q in ("0", "1"):
            v = sorted(num(m) for m in re.findall(rf"ours QoS {q}: ([\d,.]+) msg/s", text))
            if v: out.append((f"qos{q}_msg_s", v[len(v) // 2]))
elif bench == "ingest":
    m = re.search(r"median ([\d,]+) messages/s wall clock, ([\d,]+) per CPU-second", text)
    if m: out += [("inproc_msg_s", num(m.group(1))), ("inproc_msg_per_cpu_s", num(m.group(2)))]
    m = re.search(r"per CPU-second of the ingest thread: median ([\d,]+) messages/s", text)
    if m: out.append(("inproc_msg_per_thread_cpu_s", num(m.group(1))))
    m = re.search(r"through mosquitto[^:]*: ([\d,]+) messages/s", text)
    if m: out.append(("broker_msg_s", num(m.group(1))))
    m = re.search(r"CPU: bench process \(publisher \+ controller\) ([\d.]+) s, mosquitto ([\d.]+) s for [\d,]+ messages: ([\d,]+) messages per CPU-second", text)
    if m: out += [("broker_msg_per_bench_cpu_s", num(m.group(3))), ("broker_mosquitto_cpu_s", num(m.group(2)))]
elif bench == "agent":
    m = re.search(r"^agent-process result: (.*)$", text, re.M)
    if m:
        kv = dict(p.split("=", 1) for p in m.group(1).split())
        for k in ("cores", "cpu_per_miner_us", "cpu_per_message_us", "rss_mib", "rss_per_miner_kib", "cycle_wall_s", "telemetry", "expected", "backlog_end"):
            if k in kv: out.append((k, float(kv[k])))
for k, v in out:
    print(f"{bench}\t{side}\t{round_}\t{k}\t{v}")
PY
}

for bench in mqtt ingest agent; do
  wants "$bench" || continue
  for r in $(seq 1 "$rounds"); do
    # Alternate who goes first, so a trend in the machine's load does not always favour the same side.
    if [ $((r % 2)) = 1 ]; then run_one "$bench" old "$r"; run_one "$bench" new "$r"
    else run_one "$bench" new "$r"; run_one "$bench" old "$r"; fi
  done
done
load_after="$(load)"

python3 - "$results" "$old_label" "$new_label" "$load_before" "$load_after" "$rounds" <<'PY' | tee "$run_dir/tables.md"
import sys, statistics
from collections import defaultdict
path, old_label, new_label, load_before, load_after, rounds = sys.argv[1:7]
data = defaultdict(dict)      # (bench, metric) -> {(side, round): value}
for line in open(path):
    bench, side, rnd, metric, value = line.rstrip("\n").split("\t")
    data[(bench, metric)][(side, int(rnd))] = float(value)
titles = {
    "mqtt": "MQTT publish, 1 KB payloads (`mqtt`; ours = the first row of its table)",
    "ingest": "Controller telemetry ingest (`controller-ingest`; floor 50,000 messages/s)",
    "agent": "farm-agent as a whole process (`agent-process`)",
}
names = {
    "qos0_msg_s": ("QoS 0 msg/s", "higher"), "qos1_msg_s": ("QoS 1 msg/s", "higher"),
    "latency_p50_ms": ("latency p50 (QoS 1), ms", "lower"), "latency_p99_ms": ("latency p99 (QoS 1), ms", "lower"),
    "inproc_msg_s": ("in-process msg/s (wall)", "higher"), "inproc_msg_per_cpu_s": ("in-process msg per CPU-s", "higher"),
    "inproc_msg_per_thread_cpu_s": ("in-process msg per CPU-s of the ingest thread", "higher"),
    "broker_msg_s": ("through mosquitto msg/s", "higher"),
    "broker_msg_per_bench_cpu_s": ("through mosquitto, msg per CPU-s of the bench process", "higher"),
    "broker_mosquitto_cpu_s": ("through mosquitto, mosquitto CPU s", "lower"),
    "cores": ("agent cores (avg over interval)", "lower"), "cpu_per_miner_us": ("CPU per miner per cycle, µs", "lower"),
    "cpu_per_message_us": ("CPU per telemetry message, µs", "lower"), "rss_mib": ("RSS, MiB", "lower"),
    "rss_per_miner_kib": ("RSS per miner, KiB", "lower"), "cycle_wall_s": ("cycle wall, s", "lower"),
    "telemetry": ("telemetry received in the windows", "="), "expected": ("telemetry expected", "="),
    "backlog_end": ("telemetry backlog at the end", "lower"),
}
def fmt(v):
    if abs(v) >= 1000: return f"{v:,.0f}"
    if abs(v) >= 10: return f"{v:.1f}"
    return f"{v:.3g}" if abs(v) < 1 else f"{v:.2f}"
print(f"old = {old_label}, new = {new_label}; {rounds} interleaved rounds (odd rounds old first, even rounds new first);")
print(f"load average before {load_before}, after {load_after}.")
for bench in ("mqtt", "ingest", "agent"):
    metrics = [m for (b, m) in data if b == bench and m not in ("exit", "load")]
    if not metrics and (bench, "exit") not in data:
        continue
    print(f"\n### {titles[bench]}\n")
    exits = data.get((bench, "exit"), {})
    bad = sorted(f"{s} round {r} (exit {int(v)})" for (s, r), v in exits.items() if v != 0)
    loads = data.get((bench, "load"), {})
    print("| metric | old per round | new per round | old median | new median | new/old | better |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for m in sorted(metrics, key=lambda k: list(names).index(k) if k in names else 99):
        vals = data[(bench, m)]
        o = [vals[k] for k in sorted(vals) if k[0] == "old"]
        n = [vals[k] for k in sorted(vals) if k[0] == "new"]
        if not o or not n:
            continue
        om, nm = statistics.median(o), statistics.median(n)
        ratio = f"{nm / om:.2f}" if om else "–"
        label, better = names.get(m, (m, ""))
        print(f"| {label} | {' / '.join(fmt(v) for v in o)} | {' / '.join(fmt(v) for v in n)} | {fmt(om)} | {fmt(nm)} | {ratio} | {better} |")
    if loads:
        print(f"\nLoad average (1 min) at each run's start: " + ", ".join(f"{s} r{r} {v:g}" for (s, r), v in sorted(loads.items(), key=lambda kv: (kv[0][1], kv[0][0]))))
    if bad:
        print(f"FAILED runs (figures missing or not comparable): {', '.join(bad)}")
PY
echo "old-vs-new: tables in $run_dir/tables.md, raw figures in $results, each run's output beside them"
