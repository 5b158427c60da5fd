#!/usr/bin/env bash
# Installs farm-agent or farm-controller as a systemd service: binaries under /opt/cloudmining-farm/NAME, a system
# user, /etc/NAME/NAME.json from a template (never overwritten), the unit, then daemon-reload and enable.
# Called by `./install.sh --agent` / `--controller`; see --help.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"

usage() {
  cat <<'TXT'
Usage: sudo ./install.sh --agent      [--root DIR] [--binaries DIR] [--no-start]
       sudo ./install.sh --controller [--root DIR] [--binaries DIR] [--no-start]

  --root DIR      install under DIR instead of / (also: DESTDIR=DIR). No user is created, nothing is chowned and
                  systemctl is not run; the owners that would be set are listed in DIR/opt/cloudmining-farm/NAME.manifest.
  --binaries DIR  copy an already published program from DIR instead of running `dotnet publish`
  --no-start      enable the unit but do not start it
  --help          this text

Files (for the agent; the controller is the same with farm-controller and controller.json):
  /opt/cloudmining-farm/agent/            the published program and its firmware-profiles/
  /usr/local/bin/farm-agent               symlink, so `farm-agent check` works in a shell
  libgpiod2 (apt; libgpiod3 where there is no libgpiod2)  the native library System.Device.Gpio drives the relays with
  /etc/farm-agent/agent.json              from deploy/agent.json.template, 0640 root:farm-agent, kept if present
  /etc/systemd/system/farm-agent.service  from deploy/systemd/
  /var/lib/farm-agent, /var/log/farm-agent  state and logs (systemd also creates them on start)

The controller also gets the group farm-operators and its local API token, /var/lib/farm-controller/api-token
(random, 0640 farm-controller:farm-operators, kept if present): farmctl reads it, so whoever may sell or end
contracts must be in that group (sudo usermod -aG farm-operators USER; they log in again). /var/lib/farm-controller
is 0751 so operators can open the token by name without listing the folder (the database stays 0640 to its owner).
TXT
}

kind="$1"; shift
case "$kind" in
  agent)      name=farm-agent;      project=agent/CloudMining.Farm.Agent/CloudMining.Farm.Agent.csproj;                config=agent.json;      template=agent.json.template;      groups=(gpio) ;;
  controller) name=farm-controller; project=controller/CloudMining.Farm.Controller/CloudMining.Farm.Controller.csproj; config=controller.json; template=controller.json.template; groups=() ;;
  *) echo "install-service.sh: unknown service '$kind' (agent or controller)" >&2; exit 2 ;;
esac

root="${DESTDIR:-}"
binaries=""
start=1
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root="${2:?--root needs a folder}"; shift 2 ;;
    --root=*) root="${1#--root=}"; shift ;;
    --binaries) binaries="${2:?--binaries needs a folder}"; shift 2 ;;
    --binaries=*) binaries="${1#--binaries=}"; shift ;;
    --no-start) start=0; shift ;;
    --help|-h) usage; exit 0 ;;
    *) echo "install.sh --$kind: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
root="${root%/}"
if [ -n "$root" ]; then
  mkdir -p "$root"
  root="$(cd "$root" && pwd)"
elif [ "$(id -u)" -ne 0 ]; then
  echo "install.sh --$kind: installing a service needs root; run 'sudo ./install.sh --$kind', or --root DIR to stage the files." >&2
  exit 1
fi

prefix=/opt/cloudmining-farm
app_dir="$prefix/$kind"
manifest="$root$prefix/$name.manifest"
real=0; [ -z "$root" ] && real=1

# Every installed path with the mode and owner it gets, so a staged (--root) install can be checked without root.
manifest_lines=()
note() { manifest_lines+=("$1 $2 $3"); }  # mode owner path

own() {  # own OWNER:GROUP PATH
  if [ "$real" -eq 1 ]; then chown "$1" "$2"; fi
}

# 1. The program.
if [ -z "$binaries" ]; then
  command -v dotnet >/dev/null 2>&1 || {
    echo "install.sh --$kind: the .NET 10 SDK is not on PATH; install it, or pass --binaries DIR with a published $name." >&2; exit 1; }
  binaries="$(mktemp -d)"
  trap 'rm -rf "$binaries"' EXIT
  echo "install.sh: publishing $name (Release) ..."
  dotnet publish "$here/$project" -c Release -o "$binaries" --nologo -v q >/dev/null
fi
[ -f "$binaries/$name" ] || [ -f "$binaries/$name.dll" ] || {
  echo "install.sh --$kind: '$binaries' holds no $name; pass the output folder of 'dotnet publish $project'." >&2; exit 1; }

# Copy beside, then swap, so a running service never sees half a program.
mkdir -p "$root$prefix"
rm -rf "$root$app_dir.new"
mkdir -p "$root$app_dir.new"
cp -a "$binaries/." "$root$app_dir.new"
chmod -R u=rwX,go=rX "$root$app_dir.new"
if [ -f "$root$app_dir.new/$name" ]; then chmod 0755 "$root$app_dir.new/$name"; fi
rm -rf "$root$app_dir.old"
if [ -d "$root$app_dir" ]; then mv "$root$app_dir" "$root$app_dir.old"; fi
mv "$root$app_dir.new" "$root$app_dir"
rm -rf "$root$app_dir.old"
if [ "$real" -eq 1 ]; then chown -R root:root "$root$app_dir"; fi
note 0755 root:root "$app_dir"
note 0755 root:root "$app_dir/$name"
mkdir -p "$root/usr/local/bin"
ln -sfn "$app_dir/$name" "$root/usr/local/bin/$name"
note 0777 root:root "/usr/local/bin/$name"

# 2. Native libraries (only on the real system). The agent drives relays through System.Device.Gpio's libgpiod drivers:
#    libgpiod2 (libgpiod 1.6) on Debian bookworm, libgpiod3 where the distribution has moved on; either one is enough.
if [ "$kind" = agent ]; then
  if [ "$real" -eq 1 ]; then
    if ! ldconfig -p 2>/dev/null | grep -qE 'libgpiod\.so\.(2|3) '; then
      if ! command -v apt-get >/dev/null 2>&1; then
        echo "install.sh --agent: libgpiod is missing and apt-get is not here; install libgpiod (libgpiod.so.2 or .so.3) by hand." >&2; exit 1
      fi
      apt-get update -qq
      gpiod_pkg=libgpiod2
      apt-cache show libgpiod2 >/dev/null 2>&1 || gpiod_pkg=libgpiod3
      echo "install.sh: installing $gpiod_pkg (System.Device.Gpio's libgpiod driver needs it)"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$gpiod_pkg" >/dev/null
    fi
  else
    echo "install.sh: staged install: on the rack box, install libgpiod2 (apt-get install libgpiod2) for the relays."
  fi
fi

# 3. The system user (only on the real system).
if [ "$real" -eq 1 ]; then
  if ! getent passwd "$name" >/dev/null; then
    useradd --system --no-create-home --home-dir "/var/lib/$name" --shell /usr/sbin/nologin --user-group "$name"
    echo "install.sh: created system user $name"
  fi
  if [ "$kind" = controller ] && ! getent group farm-operators >/dev/null; then
    # Readers of the local API token (farmctl users); the service user is not in it, it owns the file.
    groupadd --system farm-operators
    echo "install.sh: created group farm-operators (add operators: sudo usermod -aG farm-operators USER)"
  fi
  for g in "${groups[@]}"; do
    # The unit's SupplementaryGroups= needs the group to exist; boards without a gpio udev rule get it here.
    getent group "$g" >/dev/null || groupadd --system "$g"
    usermod -a -G "$g" "$name"
  done
else
  echo "install.sh: staged install (--root $root): user $name not created, owners listed in ${manifest#"$root"}"
fi

# 4. Config from the template, never overwriting the technician's file.
mkdir -p "$root/etc/$name"
chmod 0750 "$root/etc/$name"; own "root:$name" "$root/etc/$name"
note 0750 "root:$name" "/etc/$name"
config_path="/etc/$name/$config"
fresh_config=0
if [ -e "$root$config_path" ]; then
  echo "install.sh: keeping $config_path (edit it, or delete it to get the template again)"
else
  install -m 0640 "$here/deploy/$template" "$root$config_path"
  fresh_config=1
  echo "install.sh: wrote $config_path from deploy/$template"
fi
chmod 0640 "$root$config_path"; own "root:$name" "$root$config_path"
note 0640 "root:$name" "$config_path"

# 5. State and log folders (systemd's StateDirectory=/LogsDirectory= create them too; these let `farm-agent check`
#    and `status` work before the first start).
mkdir -p "$root/var/lib/$name"
if [ "$kind" = agent ]; then chmod 0755 "$root/var/lib/$name"; note 0755 "$name:$name" "/var/lib/$name"; else chmod 0751 "$root/var/lib/$name"; note 0751 "$name:$name" "/var/lib/$name"; fi
own "$name:$name" "$root/var/lib/$name"
if [ "$kind" = controller ]; then
  # The local API token (Controller:Api:TokenFile's default): the controller would create it at start, but only with
  # its own group; here it gets the operators' group. Never printed, never overwritten.
  token="/var/lib/$name/api-token"
  if [ ! -e "$root$token" ]; then
    ( umask 077; head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' > "$root$token"; echo >> "$root$token" )
    echo "install.sh: wrote the local API token $token"
  fi
  chmod 0640 "$root$token"; own "$name:farm-operators" "$root$token"
  note 0640 "$name:farm-operators" "$token"
fi
if [ "$kind" = agent ]; then
  mkdir -p "$root/var/log/$name"; chmod 0750 "$root/var/log/$name"; own "$name:$name" "$root/var/log/$name"
  note 0750 "$name:$name" "/var/log/$name"
fi

# 6. The unit.
mkdir -p "$root/etc/systemd/system"
install -m 0644 "$here/deploy/systemd/$name.service" "$root/etc/systemd/system/$name.service"
note 0644 root:root "/etc/systemd/system/$name.service"

printf '%s\n' "${manifest_lines[@]}" > "$manifest"
chmod 0644 "$manifest"

# 7. Enable (and start) — only on a machine that runs systemd (sd_booted(3): /run/systemd/system exists).
if [ "$real" -eq 0 ]; then
  echo "install.sh: staged install done; systemctl not run."
  exit 0
fi
if [ ! -d /run/systemd/system ]; then
  echo "install.sh: systemd is not running here (PID 1 is $(ps -p 1 -o comm= 2>/dev/null || echo unknown), a container?);"
  echo "            files are installed but the service is not enabled. On a systemd machine: systemctl enable --now $name"
  exit 0
fi
systemctl daemon-reload
if [ "$fresh_config" -eq 1 ] || [ "$start" -eq 0 ]; then
  systemctl enable "$name"
  echo "install.sh: $name is enabled but not started."
  if [ "$kind" = controller ]; then
    echo "            farmctl users need the group farm-operators: sudo usermod -aG farm-operators USER"
  fi
  if [ "$fresh_config" -eq 1 ]; then
    echo "            Next: edit $config_path, run '$name check', then: sudo systemctl start $name"
  fi
else
  systemctl enable "$name"
  systemctl restart "$name"
  echo "install.sh: $name restarted with the new program; 'systemctl status $name', 'journalctl -u $name -f'."
fi
