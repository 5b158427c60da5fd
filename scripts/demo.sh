#!/usr/bin/env bash
# Demo: a simulated farm on loopback — 3 racks of 12 mixed miners (one farm-sim process), one farm-agent per rack, a
# local mosquitto with the production roles (scripts/broker-setup.sh: one user per agent, controller, contract
# platform), farm-controller run (SQLite in .state/demo) with its local API, and three demo contracts sold through
# farmctl once the controller has measured capacity; the rest goes to the house pool. Then `farmctl allocation show`
# and `farmctl fleet` every DEMO_REFRESH seconds (0: print once and just wait).
# Run from a clean clone after `./install.sh --build` (install.sh --demo does both). Ctrl-C stops everything.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"

config="${DEMO_CONFIG:-Release}"
state="$here/.state/demo"
sim_dir="$here/tests/CloudMining.Farm.Simulator/bin/$config/net10.0"
agent_dir="$here/agent/CloudMining.Farm.Agent/bin/$config/net10.0"
controller_dir="$here/controller/CloudMining.Farm.Controller/bin/$config/net10.0"
ctl_dir="$here/controller/CloudMining.Farm.Ctl/bin/$config/net10.0"
racks="${DEMO_RACKS:-3}"
per_rack="${DEMO_MINERS_PER_RACK:-12}"
base="${DEMO_BASE:-127.0.1.1}"
interval="${DEMO_INTERVAL:-5}"
refresh="${DEMO_REFRESH:-10}"
site="demo"

for f in "$sim_dir/farm-sim.dll" "$agent_dir/farm-agent.dll" "$controller_dir/farm-controller.dll" "$ctl_dir/farmctl.dll"; do
  if [ ! -f "$f" ]; then
    echo "demo: $f is missing; build first with ./install.sh --build (or dotnet build -c $config)." >&2
    exit 1
  fi
done
mosquitto_bin="$(command -v mosquitto || ls /usr/sbin/mosquitto /usr/local/sbin/mosquitto 2>/dev/null | head -1 || true)"
if [ -z "$mosquitto_bin" ] || ! command -v mosquitto_passwd >/dev/null; then
  echo "demo: mosquitto (with mosquitto_passwd) is missing; install it with ./install.sh --deps" >&2
  exit 1
fi

# A fresh farm every run: the controller's database, the agents' queues and logs from last time go.
rm -rf "$state"
mkdir -p "$state/bin"

# Every child's pid, so cleanup stops exactly what this script started: agents first (they say goodbye over MQTT),
# then the controller and the simulator, the broker last.
agent_pids=() controller_pid="" sim_pid="" broker_pid=""
stop() { # stop PID...: TERM, wait up to 5 s, then KILL
  local pid
  for pid in "$@"; do [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "$@"; do
    [ -n "$pid" ] || continue
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  done
}
cleanup() {
  trap - EXIT INT TERM
  echo
  echo "demo: stopping the agents, the controller, the simulator and the broker"
  stop "${agent_pids[@]}"
  stop "$controller_pid" "$sim_pid"
  stop "$broker_pid"
  echo "demo: logs and the controller's database are in $state"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...: poll COMMAND until it succeeds or the deadline passes
  local limit=$1 what=$2; shift 2
  local deadline=$((SECONDS + limit))
  until "$@"; do
    if [ $SECONDS -ge $deadline ]; then echo "demo: gave up after ${limit}s waiting for $what; see $state/*.out" >&2; exit 1; fi
    sleep 1
  done
}
alive() { # alive PID NAME LOG: fail loudly when a child died
  kill -0 "$1" 2>/dev/null || { echo "demo: $2 stopped; the end of $3:" >&2; tail -20 "$3" >&2; exit 1; }
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port_free() { python3 -c 'import socket,sys; s=socket.socket(); s.bind(("127.0.0.1",int(sys.argv[1])))' "$1" 2>/dev/null; }
rand() { python3 -c 'import secrets; print(secrets.token_urlsafe(12))'; }
rack_id() { printf 'R%02d' "$1"; }

# Wrappers so the operator can type `farmctl …` and `farm-agent …` (see "What to type next").
for tool in "farmctl:$ctl_dir/farmctl.dll" "farm-controller:$controller_dir/farm-controller.dll"; do
  printf '#!/bin/sh\nexec dotnet "%s" "$@"\n' "${tool#*:}" > "$state/bin/${tool%%:*}"
  chmod +x "$state/bin/${tool%%:*}"
done
# The demo's racks switch their relays on farm-sim's simulated outlets ("GpioChip": "sim-http://…"), a chip the
# product farm-agent does not have: `farm-sim agent …` is the same agent with the simulated chips registered.
# The simulated miners' factory logins (the same the agents get below), so `farm-agent check` and `relay test` work too.
cat > "$state/bin/farm-agent" <<WRAPPER
#!/bin/sh
: "\${FARM_AGENT_Agent__MinerCredentials__0__Password:=root}" "\${FARM_AGENT_Agent__MinerCredentials__1__Password:=admin}"
: "\${FARM_AGENT_Agent__MinerCredentials__2__Password:=farm-wm-api}" "\${FARM_AGENT_Agent__MinerCredentials__3__Password:=farm-wm-api}"
: "\${FARM_AGENT_Agent__MinerCredentials__4__Password:=root}"
export FARM_AGENT_Agent__MinerCredentials__0__Password FARM_AGENT_Agent__MinerCredentials__1__Password \\
  FARM_AGENT_Agent__MinerCredentials__2__Password FARM_AGENT_Agent__MinerCredentials__3__Password FARM_AGENT_Agent__MinerCredentials__4__Password
exec dotnet "$sim_dir/farm-sim.dll" agent "\$@"
WRAPPER
chmod +x "$state/bin/farm-agent"
# The controller's local API wants the token it writes beside its database at start (Controller:Api:TokenFile);
# the farmctl wrapper points at it unless FARMCTL_TOKEN_FILE says otherwise.
token_file="$state/api-token"
printf '#!/bin/sh\n: "${FARMCTL_TOKEN_FILE:=%s}"\nexport FARMCTL_TOKEN_FILE\nexec dotnet "%s" "$@"\n' "$token_file" "$ctl_dir/farmctl.dll" > "$state/bin/farmctl"
export FARMCTL_TOKEN_FILE="$token_file"
farmctl() { "$state/bin/farmctl" "$@"; }

# The controller's local API: the default port when it is free (so plain `farmctl` reaches it), any free one otherwise.
api_port="${DEMO_API_PORT:-8650}"
port_free "$api_port" || api_port="$(free_port)"
export FARMCTL_API="http://127.0.0.1:$api_port"

# --- broker: one agent user per rack, the controller, the contract platform --------------------------------------
mqtt_port="${DEMO_MQTT_PORT:-$(free_port)}"
controller_password="$(rand)" platform_password="$(rand)"
agent_passwords=()
for r in $(seq 1 "$racks"); do agent_passwords+=("$(rand)"); done
mkdir -p "$state/broker"
( umask 077
  for r in $(seq 1 "$racks"); do
    printf 'agent:%s:%s:%s\n' "$site" "$(rack_id "$r")" "${agent_passwords[$((r - 1))]}"
  done > "$state/broker/credentials"
  printf 'controller:%s\ncontract-platform:%s\n' "$controller_password" "$platform_password" >> "$state/broker/credentials" )
"$here/scripts/broker-setup.sh" --out "$state/broker" --credentials "$state/broker/credentials" \
  --port "$mqtt_port" --bind 127.0.0.1 --run-as "$(id -un)" >"$state/broker-setup.log" 2>&1 \
  || { echo "demo: scripts/broker-setup.sh failed:" >&2; cat "$state/broker-setup.log" >&2; exit 1; }
# Its own session, so Ctrl-C in this terminal does not reach it before the agents have said goodbye.
setsid "$mosquitto_bin" -c "$state/broker/mosquitto.conf" >"$state/mosquitto.out" 2>&1 &
broker_pid=$!
broker_up() {
  alive "$broker_pid" mosquitto "$state/mosquitto.out"
  python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$mqtt_port" 2>/dev/null
}
wait_for 20 "mosquitto on 127.0.0.1:$mqtt_port" broker_up
echo "demo: mosquitto listening on 127.0.0.1:$mqtt_port (users: $(for r in $(seq 1 "$racks"); do printf 'agent-%s-%s ' "$site" "$(rack_id "$r")"; done)controller, contract-platform)"

# --- simulated miners ------------------------------------------------------------------------------------------
miners=$((racks * per_rack))
# Stock Antminers refuse cgminer API writes (Code 45) like the real ones: they take pools through their web CGI,
# served on each miner's own loopback address at this port (Digest login root/root, their factory default). VNish
# miners serve their REST API (/api/v1, password "admin", their factory default) on the same port; LuxOS miners want a
# session for configuration commands and split quotas by pool groups; Avalons take ascset. Whatsminers take writes
# through their privileged API (v2 on 4028; v3 on 4433 for late-2024 firmware) with the admin password the farm set in
# WhatsMinerTool (the simulator's default, farm-wm-api), writes switched on.
# Braiins OS+ miners take every change through their gRPC API, served at the same port (login root/root; the real
# one listens on 50051, so each miner's WebPort in agent.json overrides the profile's port).
web_port="${DEMO_WEB_PORT:-8080}"
control="127.0.0.1:$(free_port)"
# The pools' side: farm-sim serves Braiins Pool's, F2Pool's v2 and a hashrate-only API from its pool ledger, so the
# controller's pool-side verifier reads the demo contracts' workers as it would read the real pools (docs/pool-apis.md).
# One read-only key per customer, in files (the keys are passwords: never on farmctl's command line).
pool_api="127.0.0.1:$(free_port)"
mkdir -p "$state/pool-keys"
for who in alice bob carol; do
  [ -s "$state/pool-keys/$who" ] || head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$state/pool-keys/$who"
done
chmod 600 "$state"/pool-keys/*
echo "demo: starting $miners simulated miners on $base and up ($racks racks x $per_rack, mixed firmwares)"
dotnet "$sim_dir/farm-sim.dll" \
  --miners "$miners" \
  --base "$base" \
  --firmware antminer,braiins-os,whatsminer,avalon,luxos,vnish,whatsminer-v3 \
  --boot-delay 5 \
  --write-access \
  --web-port "$web_port" \
  --load-balance \
  --control "$control" \
  --pool-api "$pool_api" \
  --pool-api-key "braiins:alice:$(cat "$state/pool-keys/alice")" \
  --pool-api-key "f2pool:bob:$(cat "$state/pool-keys/bob")" \
  --pool-api-key "hashrate-only:carol:$(cat "$state/pool-keys/carol")" \
  --manifest "$state/manifest.json" \
  >"$state/farm-sim.out" 2>&1 &
sim_pid=$!
manifest_ready() {
  alive "$sim_pid" "the simulator" "$state/farm-sim.out"
  [ -s "$state/manifest.json" ] && python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$state/manifest.json" 2>/dev/null
}
wait_for 60 "the simulator's manifest" manifest_ready

# --- one agent per rack: the manifest's miners cut into consecutive blocks --------------------------------------
python3 - "$state" "$racks" "$per_rack" "$interval" "$mqtt_port" "$site" "$control" <<'PY'
import json, os, sys
state, racks, per_rack, interval, mqtt_port, site, control = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], sys.argv[7]
doc = json.load(open(os.path.join(state, "manifest.json")))
items = doc.get("miners", doc) if isinstance(doc, dict) else doc
def pick(m, *names):
    for n in names:
        for k, v in m.items():
            if k.lower() == n.lower():
                return v
    return None
for r in range(racks):
    rack = f"R{r + 1:02d}"
    miners = []
    for m in items[r * per_rack:(r + 1) * per_rack]:
        miner = {"Id": pick(m, "id"), "Address": pick(m, "host", "address"), "Port": int(pick(m, "port") or 4028), "Profile": "auto"}
        if pick(m, "webPort"):
            miner["WebPort"] = int(pick(m, "webPort"))
        miners.append(miner)
    config = {"Agent": {
        "Site": site, "RackId": rack,
        "PollInterval": f"00:00:{interval:02d}", "MaxConcurrency": 32,
        "MinerTimeout": "00:00:01", "RetryCount": 1, "RetryDelay": "00:00:00.200",
        "CircuitBreaker": {"FailureThreshold": 3, "BreakDuration": "00:00:30"},
        "StateDirectory": ".", "Log": {"Directory": ".", "Level": "Information"},
        # The password comes from the environment (FARM_AGENT_Agent__Mqtt__Password), not from this file.
        "Mqtt": {"Host": "127.0.0.1", "Port": mqtt_port, "Username": f"agent-{site}-{rack}", "ReconnectMaxDelay": "00:00:05"},
        "Miners": miners,
        # One outlet per miner on farm-sim's simulated relay board: relay writes become its control-API power calls.
        "Hardware": {"GpioChip": f"sim-http://{control}",
                     "Relays": [{"Outlet": f"{rack}-PDU/{i + 1}", "Miner": m["Id"], "Line": i} for i, m in enumerate(miners)]},
        # Stock Antminers' and VNish's web logins, Braiins OS+'s gRPC login and the Whatsminers' API password (v2
        # account admin, v3 account super); the passwords come from the environment
        # (FARM_AGENT_Agent__MinerCredentials__N__Password), not from this file.
        "MinerCredentials": [{"Miner": "*", "Profile": "antminer", "User": "root"},
                             {"Miner": "*", "Profile": "vnish", "User": "admin"},
                             {"Miner": "*", "Profile": "whatsminer", "User": "admin"},
                             {"Miner": "*", "Profile": "whatsminer-v3", "User": "super"},
                             {"Miner": "*", "Profile": "braiins-os", "User": "root"}]}}
    os.makedirs(os.path.join(state, rack), exist_ok=True)
    json.dump(config, open(os.path.join(state, rack, "agent.json"), "w"), indent=2)
    print(f"demo: wrote {state}/{rack}/agent.json with {len(miners)} miners")
PY

for r in $(seq 1 "$racks"); do
  rack="$(rack_id "$r")"
  FARM_AGENT_Agent__Mqtt__Password="${agent_passwords[$((r - 1))]}" \
  FARM_AGENT_Agent__MinerCredentials__0__Password=root \
  FARM_AGENT_Agent__MinerCredentials__1__Password=admin \
  FARM_AGENT_Agent__MinerCredentials__2__Password=farm-wm-api \
  FARM_AGENT_Agent__MinerCredentials__3__Password=farm-wm-api \
  FARM_AGENT_Agent__MinerCredentials__4__Password=root \
    dotnet "$sim_dir/farm-sim.dll" agent run --config "$state/$rack/agent.json" >"$state/$rack/farm-agent.out" 2>&1 &
  agent_pids+=($!)
done
echo "demo: started $racks agents (logs: $state/R*/farm-agent.out)"

# --- the controller --------------------------------------------------------------------------------------------
python3 - "$state" "$here" "$mqtt_port" "$api_port" "$site" "$interval" <<'PY'
import json, os, sys
state, here, mqtt_port, api_port, site, interval = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], int(sys.argv[6])
config = {
  "Controller": {
    "Site": site,
    "Database": os.path.join(state, "controller.db"),
    # The password comes from the environment (FARM_CONTROLLER_Controller__Mqtt__Password), not from this file.
    "Mqtt": {"Host": "127.0.0.1", "Port": mqtt_port, "Username": "controller", "ClientId": "controller"},
    # farmctl sends the token the controller writes here at start (0640, readable by this user only in the demo).
    "Api": {"Url": f"http://127.0.0.1:{api_port}", "TokenFile": os.path.join(state, "api-token")},
    "Engine": {
      "IntervalS": interval,
      "HousePoolUrl": "stratum+tcp://house.pool.demo:3333", "HouseWorker": "farm.house",
      # Short windows so the demo shows delivery within minutes rather than the production quarter hour.
      "ProofWindowMin": 3, "ProofHoldMin": 3, "TelemetryStaleS": 30, "LagAfterS": 60,
      # New miner ids are sold after probation: 3 healthy readings over 30 s here (production: 10 over 5 min).
      "ProbationReadings": 3, "ProbationMin": 0.5,
      "ProfilesDirectory": os.path.join(here, "firmware-profiles"),
    },
    # Read the simulated pools' APIs every 15 s (the real ones: every minute, within their published limits).
    "PoolSide": {"PollInterval": "00:00:15", "Hold": "00:05:00"},
  },
  "Influx": {"Enabled": False},
}
json.dump(config, open(os.path.join(state, "controller.json"), "w"), indent=2)
PY
FARM_CONTROLLER_Controller__Mqtt__Password="$controller_password" \
  dotnet "$controller_dir/farm-controller.dll" run --config "$state/controller.json" >"$state/farm-controller.out" 2>&1 &
controller_pid=$!
api_up() { alive "$controller_pid" farm-controller "$state/farm-controller.out"; farmctl capacity --json >/dev/null 2>&1; }
wait_for 60 "farm-controller's local API on $FARMCTL_API" api_up
echo "demo: farm-controller run is up (log: $state/farm-controller.out), local API on $FARMCTL_API"

# --- demo contracts, once the controller has measured capacity ----------------------------------------------------
units_free() { farmctl capacity --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["unitsFree"])' 2>/dev/null || echo 0; }
children_alive() {
  alive "$controller_pid" farm-controller "$state/farm-controller.out"
  for r in $(seq 1 "$racks"); do alive "${agent_pids[$((r - 1))]}" "the agent of $(rack_id "$r")" "$state/$(rack_id "$r")/farm-agent.out"; done
}
measured() { children_alive; [ "$(units_free)" -gt 0 ]; }
echo "demo: waiting for the controller to measure capacity from the agents' telemetry (the miners boot in 5 s)"
wait_for 180 "measured capacity (farmctl capacity --json: unitsFree > 0)" measured
# Every rack must be counted, not just the first to report: wait until two readings two poll cycles apart agree.
last="$(units_free)"
steady() { children_alive; sleep "$((interval * 2))"; local now; now="$(units_free)"; [ "$now" = "$last" ] && return 0; last="$now"; return 1; }
wait_for 90 "capacity to settle" steady
farmctl capacity

# Three contracts sized from what is free: about 30 %, 20 % and 10 % of it; the house pool keeps the rest.
read -r c1 c2 c3 < <(farmctl capacity --json | python3 -c '
import json, sys
c = json.load(sys.stdin); unit = c["unitSizeHs"] / 1e12; free = c["unitsFree"]
print(*[max(1, int(free * p)) * unit for p in (0.30, 0.20, 0.10)])')
end="$(date -u -d '+30 days' +%Y-%m-%d)"
farmctl contracts add --id demo-1 --customer alice --hashrate "$c1 TH/s" \
  --pool-url stratum+tcp://pool-a.demo:3333 --worker alice.farm1 --end "$end" --maintenance-fee 0.05 --electricity-at-cost \
  --pool-api braiins --pool-api-url "http://$pool_api/" --pool-api-key-file "$state/pool-keys/alice"
farmctl contracts add --id demo-2 --customer bob --hashrate "$c2 TH/s" \
  --pool-url stratum+tcp://pool-b.demo:3333 --worker bob.rig --open-ended --negative-margin-days 3 --maintenance-fee 0.04 \
  --pool-api f2pool --pool-api-url "http://$pool_api/" --pool-api-key-file "$state/pool-keys/bob" \
  --tolerance-percent 5 --make-good credit --credit-per-thh 0.002
farmctl contracts add --id demo-3 --customer carol --hashrate "$c3 TH/s" \
  --pool-url stratum+ssl://pool-c.demo:4443 --worker carol.cloud --end "$end" --electricity-at-cost \
  --pool-api hashrate-only --pool-api-url "http://$pool_api/" --pool-api-key-file "$state/pool-keys/carol"

show() {
  farmctl fleet || true
  farmctl allocation show || true
}
next_steps() {
  cat <<TXT

demo: running — $racks racks x $per_rack simulated miners, $racks agents, farm-controller, mosquitto on 127.0.0.1:$mqtt_port.
What to type next (in another terminal, from $here):
    export PATH="$state/bin:\$PATH"$( [ "$api_port" = 8650 ] || printf '\n    export FARMCTL_API=%s      # 8650 was taken' "$FARMCTL_API")
    farmctl fleet                      # racks: agents, miners hashing, TH/s, desired/applied generation
    farmctl allocation show            # per contract: target, allocated, delivered, miners; the house pool
    farmctl contracts show demo-1      # its miners and shares, delivered vs target
    farmctl capacity                   # units total / sold / free
    farmctl rebalance --dry-run        # which miners would move, and why
    farmctl miner drain sim-0001       # maintenance: its contract moves elsewhere first
    farmctl ledger export --csv        # hourly ledger rows (the first appear as hours close)
    farmctl contracts proof demo-1     # per hour: target, delivered (ours and the pool's), miners, energy, fees; a plot
    farmctl dashboard                  # the operator dashboard's link: open it in a browser on this machine
    farmctl contracts link demo-1      # demo-1's proof page, the link its customer gets
The local API needs the token in $token_file (the farmctl wrapper sends it); with curl:
    curl -s -H "Authorization: Bearer \$(cat $token_file)" $FARMCTL_API/v1/capacity
Break things through the simulator's control API and watch the allocation follow:
    curl -s -X POST http://$control/miners/sim-0002/power -H 'content-type: application/json' -d '{"on":false}'
    curl -s http://$control/pools      # the pool side: what each customer's pool account received
Logs: $state/farm-controller.out, $state/R*/farm-agent.out. Ctrl-C stops everything.
TXT
}
show
next_steps
if [ "$refresh" = 0 ]; then
  while kill -0 "$controller_pid" 2>/dev/null; do sleep 5; done
else
  while kill -0 "$controller_pid" 2>/dev/null; do
    sleep "$refresh"
    clear 2>/dev/null || true
    show
    next_steps
  done
fi
echo "demo: farm-controller stopped; see $state/farm-controller.out" >&2
exit 1
