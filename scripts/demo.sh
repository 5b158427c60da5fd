#!/usr/bin/env bash
# Demo: a simulated rack of mixed miners on loopback, the agent polling it, and `farm-agent status` every interval.
# Run from a clean clone after `./install.sh --build` (install.sh --demo does both). Ctrl-C stops everything.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"

config="${DEMO_CONFIG:-Release}"
state="$here/.state/demo"
sim_dir="$here/tests/CloudMining.Farm.Simulator/bin/$config/net10.0"
agent_dir="$here/agent/CloudMining.Farm.Agent/bin/$config/net10.0"
miners="${DEMO_MINERS:-12}"
base="${DEMO_BASE:-127.0.1.1}"
interval="${DEMO_INTERVAL:-5}"

for f in "$sim_dir/farm-sim.dll" "$agent_dir/farm-agent.dll"; do
  if [ ! -f "$f" ]; then
    echo "demo: $f is missing; build first with ./install.sh --build (or dotnet build -c $config)." >&2
    exit 1
  fi
done

mkdir -p "$state"
rm -f "$state/manifest.json" "$state/status.json" "$state/agent.json"

sim_pid=""
agent_pid=""
cleanup() {
  trap - EXIT INT TERM
  echo
  echo "demo: stopping the agent and the simulator"
  # Only the two processes this script started, by their ids.
  if [ -n "$agent_pid" ] && kill -0 "$agent_pid" 2>/dev/null; then kill -TERM "$agent_pid" 2>/dev/null || true; fi
  if [ -n "$sim_pid" ] && kill -0 "$sim_pid" 2>/dev/null; then kill -TERM "$sim_pid" 2>/dev/null || true; fi
  for pid in $agent_pid $sim_pid; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  done
  echo "demo: logs are in $state"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...: poll COMMAND until it succeeds or the deadline passes
  local limit=$1 what=$2; shift 2
  local deadline=$((SECONDS + limit))
  until "$@"; do
    if [ $SECONDS -ge $deadline ]; then echo "demo: gave up after ${limit}s waiting for $what; see $state/*.log" >&2; exit 1; fi
    sleep 0.5
  done
}

echo "demo: starting $miners simulated miners on $base and up (mixed firmwares)"
control="${DEMO_CONTROL:-127.0.0.1:$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}"
dotnet "$sim_dir/farm-sim.dll" \
  --miners "$miners" \
  --base "$base" \
  --firmware antminer,braiins-os,whatsminer,avalon,luxos,vnish \
  --boot-delay 5 \
  --control "$control" \
  --manifest "$state/manifest.json" \
  >"$state/farm-sim.log" 2>&1 &
sim_pid=$!
manifest_ready() {
  kill -0 "$sim_pid" 2>/dev/null || { echo "demo: the simulator stopped:" >&2; tail -20 "$state/farm-sim.log" >&2; exit 1; }
  [ -s "$state/manifest.json" ] && python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$state/manifest.json" 2>/dev/null
}
wait_for 60 "the simulator's manifest" manifest_ready

# The agent's config comes from the manifest: one entry per simulated miner, firmware detected ("auto").
python3 - "$state/manifest.json" "$state/agent.json" "$interval" <<'PY'
import json, sys
manifest, out, interval = sys.argv[1], sys.argv[2], int(sys.argv[3])
doc = json.load(open(manifest))
items = doc.get("miners", doc) if isinstance(doc, dict) else doc
def pick(m, *names):
    for n in names:
        for k, v in m.items():
            if k.lower() == n.lower():
                return v
    return None
miners = []
for m in items:
    entry = {"Id": pick(m, "id"), "Address": pick(m, "host", "address"), "Port": int(pick(m, "port") or 4028), "Profile": "auto"}
    nominal = pick(m, "nominalHashrate", "nominal")
    if isinstance(nominal, (int, float)) and nominal > 0:
        entry["NominalHashrate"] = f"{nominal} H/s"
    elif isinstance(nominal, str) and nominal:
        entry["NominalHashrate"] = nominal
    miners.append(entry)
config = {"Agent": {
    "Site": "demo", "RackId": "SIM-01",
    "PollInterval": f"00:00:{interval:02d}", "MaxConcurrency": 64,
    "MinerTimeout": "00:00:01", "RetryCount": 1, "RetryDelay": "00:00:00.200",
    "CircuitBreaker": {"FailureThreshold": 3, "BreakDuration": "00:00:30"},
    "StateDirectory": ".", "Log": {"Directory": ".", "Level": "Information"},
    "Miners": miners}}
json.dump(config, open(out, "w"), indent=2)
print(f"demo: wrote {out} with {len(miners)} miners")
PY

echo "demo: starting farm-agent run --config $state/agent.json (log: $state/farm-agent.out)"
dotnet "$agent_dir/farm-agent.dll" run --config "$state/agent.json" >"$state/farm-agent.out" 2>&1 &
agent_pid=$!

live() { # true once status.json shows a live hashrate for (almost) every miner
  kill -0 "$agent_pid" 2>/dev/null || { echo "demo: the agent stopped; see $state/farm-agent.out:" >&2; tail -20 "$state/farm-agent.out" >&2; exit 1; }
  [ -s "$state/status.json" ] || return 1
  python3 - "$state/status.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
live = sum(1 for m in doc["miners"] if (m.get("hashrate5s") or 0) > 0)
sys.exit(0 if live >= max(1, len(doc["miners"]) - 1) else 1)
PY
}
wait_for 90 "live hashrate in status.json" live

status() { dotnet "$agent_dir/farm-agent.dll" status --state-dir "$state" || true; }
status
cat <<TXT
demo: running; the table refreshes every ${interval}s. Ctrl-C stops the agent and the simulator.
demo: break a miner through the simulator's control API and watch its state change, e.g.
        curl -s -X POST http://$control/miners/sim-0002/fault -H 'content-type: application/json' -d '{"kind":"hang"}'
        curl -s -X POST http://$control/miners/sim-0003/power -H 'content-type: application/json' -d '{"on":false}'
        curl -s -X DELETE http://$control/miners/sim-0002/fault
TXT
while kill -0 "$agent_pid" 2>/dev/null; do
  sleep "$interval"
  clear 2>/dev/null || true
  status
  echo "demo: Ctrl-C to stop. Faults: curl -X POST http://$control/miners/<id>/fault -d '{\"kind\":\"hang\"}' -H 'content-type: application/json'. Agent log: $state/farm-agent-*.log"
done
echo "demo: the agent stopped; see $state/farm-agent.out" >&2
exit 1
