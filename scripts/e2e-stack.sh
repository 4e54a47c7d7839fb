#!/usr/bin/env bash
# Usage: bash scripts/e2e-stack.sh [up|down|status|registry-stop|registry-start]   (as root; idempotent)
#
# The real stack the end-to-end tests build and push against: a Docker engine (Debian docker.io) with the buildx
# plugin (Debian trixie's docker-buildx), a Distribution registry on 127.0.0.1:5000 with htpasswd auth, and
# stand-in agent-server base images 127.0.0.1:5000/openhands/agent-server:{1.22.0,1.23.0,1.24.0}-python.
# A second, current engine runs beside the first (the default socket's engine stays the default): Debian trixie's
# docker.io 26.1 and containerd 1.7, unpacked into $DOCKER26_PREFIX (never over the system's /usr), with the
# containerd image store on, the host's runc (trixie's needs glibc 2.38), and its own socket, exec root, data root
# and bridge. It leaves iptables to the first engine (--iptables=false: two engines both rewriting the DOCKER chains
# fight); published ports go through its userland proxy. Tests pick an engine through DOCKER_HOST (`engines`).
#
# State dir convention (tests read it; __tests__/support/stack.ts): $OHE_E2E_STATE, default /tmp/ohe-e2e
#   registry-url        127.0.0.1:5000
#   registry-username   ci
#   registry-password   generated when the registry is (re)started, mode 0600
#   up.log              verbose output of everything `up` ran (apt, import, push, smoke build)
#   dockerd.log/.pid    the engine we started (no pid file when an engine was already running: not ours to stop)
#   registry.log/.pid   the registry we started
#   registry/           config.yml, htpasswd, data/ (storage, kept across down/up so `up` stays warm)
#   base-images.rev     stand-in revision last pushed (a change rebuilds them)
#   smoke-metadata.json buildx --metadata-file of the last smoke build (the docker driver's format)
#   docker-config/      private DOCKER_CONFIG used to push the base images; root's ~/.docker is left alone
#   engines             one line per engine the tests run on: "<name> <DOCKER_HOST>", the default engine first
#   docker26.log/.pid   the second engine (Docker 26, containerd image store); docker26/daemon.json its config
# Daemons run in their own session with stdin from /dev/null and output to their log file only: CI waits on
# inherited stdout/stderr, so nothing started here may hold them.
set -euo pipefail

STATE=${OHE_E2E_STATE:-/tmp/ohe-e2e}
REGISTRY=127.0.0.1:5000
REG_USER=ci
BASE_REPO=openhands/agent-server
BASE_VERSIONS=(1.22.0 1.23.0 1.24.0)
# Bump when the stand-in image contents change, so a warm registry gets them rebuilt.
STANDIN_REV=1
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The second engine: everything of its own, nothing shared with the first but the host's runc and the registry.
DOCKER26_PREFIX=/opt/ohe-docker26
DOCKER26_RUN=/run/ohe-docker26
DOCKER26_HOST=unix://$DOCKER26_RUN/docker.sock
DOCKER26_DATA=/var/lib/ohe-docker26
DOCKER26_BRIDGE=ohe-docker26
DOCKER26_BRIDGE_IP=172.31.26.1/24

log() { printf 'e2e-stack: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
# Verbose tool output goes to up.log; on failure the caller shows its tail.
quiet() { "$@" >>"$STATE/up.log" 2>&1; }
# running <pid> <program>: pid is a live (not zombie) process of that program.
running() {
  local stat
  [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ] || return 1
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

# alive <name>: the pid in <name>.pid runs <name>'s program (a stale pid file after a reboot or a CI restart
# may name a recycled pid: never signal that).
alive() {
  local pidfile="$STATE/$1.pid"
  [ -s "$pidfile" ] || return 1
  case "$1" in
    dockerd | docker26) running "$(cat "$pidfile")" dockerd ;;
    registry) running "$(cat "$pidfile")" docker-registry ;;
    *) return 1 ;;
  esac
}

# Bounded poll until a daemon answers: wait_for <name> <seconds> <command...>; gives up early if it died.
wait_for() {
  local name=$1 deadline=$((SECONDS + $2)); shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] && alive "$name" || return 1
    sleep 0.2
  done
}

# Start a daemon detached: own session, stdin /dev/null, output to its log; records its pid.
# In a non-interactive script a background job is not a group leader, so setsid execs in place and $! is the daemon.
start_daemon() {
  local name=$1; shift
  # 9>&-: the daemon must not inherit (and so hold forever) the lock on $STATE/lock.
  setsid "$@" </dev/null >>"$STATE/$name.log" 2>&1 9>&- &
  echo "$!" >"$STATE/$name.pid"
}

stop_daemon() {
  local name=$1 pidfile="$STATE/$1.pid" pid i
  if ! alive "$name"; then rm -f "$pidfile"; return 0; fi
  pid=$(cat "$pidfile")
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  # dockerd stops its containers (15 s default grace) and its containerd; give it a little more than that.
  for ((i = 0; i < 150; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name did not stop in 30 s, killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

install_packages() {
  # iproute2: `ip` makes the second engine's bridge.
  local pkgs=(docker.io docker-registry apache2-utils busybox-static iproute2) missing=() p added_policy=
  # A host whose Docker engine already answers (GitHub's Ubuntu runners ship docker-ce) keeps it: docker.io
  # would conflict with its containerd.
  if docker info >/dev/null 2>&1; then pkgs=(docker-registry apache2-utils busybox-static iproute2); fi
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    # Without an init system policy, the packages' postinst would start the stock dockerd and a registry on
    # :5000 (docker-registry's default config); we run our own, so deny service starts during the install.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
      added_policy=1
    fi
    local rc=0
    quiet apt-get update || rc=$?
    [ "$rc" -ne 0 ] || DEBIAN_FRONTEND=noninteractive quiet apt-get install -y --no-install-recommends \
      -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" || rc=$?
    [ -z "$added_policy" ] || rm -f /usr/sbin/policy-rc.d
    [ "$rc" -eq 0 ] || { tail -n 20 "$STATE/up.log" >&2; die "apt-get failed (see $STATE/up.log)"; }
  fi
  bash "$HERE/trixie-package.sh" docker-buildx 2>>"$STATE/up.log" || die "installing docker-buildx failed"
  # cosign (2.5, a self-contained Go binary) signs and verifies in the signing stack tests (sign: true).
  bash "$HERE/trixie-package.sh" cosign 2>>"$STATE/up.log" || die "installing cosign failed"
  quiet cosign version || die "cosign is not usable (see $STATE/up.log)"
  # /usr/local/bin/docker (a newer client, if present) shadows Debian's /usr/bin/docker; either talks to the
  # Debian engine (API version negotiation) and both find the plugin in /usr/libexec/docker/cli-plugins.
  command -v docker >/dev/null || die "no docker client on PATH"
  quiet docker buildx version || die "docker buildx is not usable (see $STATE/up.log)"
  log "client $(command -v docker), $(docker buildx version 2>/dev/null | cut -d' ' -f1,2)"
}

# Our default engine without its docker0 (removed by a later start of the second engine) cannot start a container on
# its default network: restarting it makes docker0 again.
default_bridge_ok() {
  alive dockerd || return 0
  ip link show docker0 >/dev/null 2>&1 && return 0
  log "docker0 is gone (removed by the second engine's start): restarting dockerd"
  stop_daemon dockerd
  start_dockerd
  ip link show docker0 >/dev/null 2>&1 || die "dockerd did not make docker0 again (see $STATE/dockerd.log)"
}

start_dockerd() {
  if docker info >/dev/null 2>&1; then
    if alive dockerd; then log "dockerd already running (pid $(cat "$STATE/dockerd.pid"))"
    else rm -f "$STATE/dockerd.pid"; log "using the Docker engine that is already running (not ours to stop)"; fi
    return 0
  fi
  # A dockerd killed with SIGKILL (e.g. when CI ends what a session left running) leaves pid files behind, and
  # a new dockerd refuses to start (or waits on a dead containerd) while they name a process, even a zombie.
  local pidfile
  for pidfile in /var/run/docker.pid:dockerd /var/run/docker/containerd/containerd.pid:containerd; do
    if [ -s "${pidfile%:*}" ] && ! running "$(cat "${pidfile%:*}")" "${pidfile#*:}"; then rm -f "${pidfile%:*}"; fi
  done
  log "starting dockerd (log: $STATE/dockerd.log)"
  # Defaults work on this VM (overlay2 on ext4, bridge + iptables). 127.0.0.0/8 is an insecure (plain HTTP)
  # registry range by default; it is listed anyway so the intent is visible. Extra flags for other hosts
  # (e.g. --storage-driver=vfs --iptables=false --bridge=none) can be passed in OHE_E2E_DOCKERD_FLAGS.
  # shellcheck disable=SC2086 # word splitting of the extra flags is intended
  start_daemon dockerd dockerd --insecure-registry "$REGISTRY" ${OHE_E2E_DOCKERD_FLAGS:-}
  if ! wait_for dockerd 60 docker info; then
    tail -n 20 "$STATE/dockerd.log" >&2
    stop_daemon dockerd
    die "dockerd exited or did not answer within 60 s (see $STATE/dockerd.log)"
  fi
}

# docker26 <args>: the client on the second engine.
docker26() { DOCKER_HOST=$DOCKER26_HOST docker "$@"; }

start_docker26() {
  if alive docker26 && docker26 info >/dev/null 2>&1; then
    log "docker26 already running (pid $(cat "$STATE/docker26.pid"))"
    return 0
  fi
  stop_daemon docker26
  bash "$HERE/trixie-package.sh" --root "$DOCKER26_PREFIX" docker.io containerd 2>>"$STATE/up.log" ||
    die "installing trixie's docker.io and containerd into $DOCKER26_PREFIX failed (see $STATE/up.log)"
  command -v runc >/dev/null || die "no runc on PATH (the second engine uses the host's)"
  # Left behind by a killed engine, these make the new one refuse to start or wait on a dead containerd.
  local pidfile
  for pidfile in "$DOCKER26_RUN/docker.pid:dockerd" "$DOCKER26_RUN/exec/containerd/containerd.pid:containerd"; do
    if [ -s "${pidfile%:*}" ] && ! running "$(cat "${pidfile%:*}")" "${pidfile#*:}"; then rm -f "${pidfile%:*}"; fi
  done
  # Its own bridge: dockerd creates only docker0 by itself, and docker0 is the first engine's.
  ip link show "$DOCKER26_BRIDGE" >/dev/null 2>&1 || ip link add name "$DOCKER26_BRIDGE" type bridge ||
    die "creating the bridge $DOCKER26_BRIDGE failed"
  { ip addr replace "$DOCKER26_BRIDGE_IP" dev "$DOCKER26_BRIDGE" && ip link set "$DOCKER26_BRIDGE" up; } ||
    die "configuring the bridge $DOCKER26_BRIDGE failed"
  mkdir -p "$STATE/docker26" "$DOCKER26_RUN" "$DOCKER26_DATA"
  # Its own config file (the first engine's /etc/docker/daemon.json is not this one's); 172.31.0.0/16 keeps its
  # networks out of the first engine's pools.
  cat >"$STATE/docker26/daemon.json" <<EOF
{
  "features": { "containerd-snapshotter": true },
  "hosts": ["$DOCKER26_HOST"],
  "pidfile": "$DOCKER26_RUN/docker.pid",
  "exec-root": "$DOCKER26_RUN/exec",
  "data-root": "$DOCKER26_DATA",
  "bridge": "$DOCKER26_BRIDGE",
  "iptables": false,
  "ip6tables": false,
  "userland-proxy": true,
  "default-address-pools": [{ "base": "172.31.0.0/16", "size": 24 }],
  "cgroup-parent": "ohe-docker26",
  "insecure-registries": ["$REGISTRY"]
}
EOF
  log "starting docker26 on $DOCKER26_HOST (log: $STATE/docker26.log)"
  # Its dockerd finds its own containerd, shim and docker-proxy first on PATH, then the host's runc.
  start_daemon docker26 env PATH="$DOCKER26_PREFIX/usr/sbin:$DOCKER26_PREFIX/usr/bin:$PATH" \
    "$DOCKER26_PREFIX/usr/sbin/dockerd" --config-file "$STATE/docker26/daemon.json"
  if ! wait_for docker26 60 docker26 info; then
    tail -n 20 "$STATE/docker26.log" >&2
    stop_daemon docker26
    die "docker26 exited or did not answer within 60 s (see $STATE/docker26.log)"
  fi
  docker26 info -f '{{.DriverStatus}}' | grep -q io.containerd.snapshotter ||
    die "docker26 does not use the containerd image store (see $STATE/docker26.log)"
}

# The second engine pulls the stand-in base from the registry, builds on it (buildx's docker driver, like the
# action), and publishes a port on loopback the way the boot check does.
smoke_docker26() {
  local ctx="$STATE/smoke26" ref=ohe-e2e-smoke26:1 name=ohe-e2e-smoke26 port= i
  mkdir -p "$ctx"
  printf 'FROM %s/%s:1.23.0-python\nRUN echo hi > /tmp/x\n' "$REGISTRY" "$BASE_REPO" >"$ctx/Dockerfile"
  log "docker26 smoke: build FROM the stand-in base, run it with a port published on 127.0.0.1"
  if ! DOCKER_HOST=$DOCKER26_HOST quiet docker buildx build --platform linux/amd64 -t "$ref" --load "$ctx"; then
    tail -n 20 "$STATE/up.log" >&2
    die "the docker26 smoke build failed (see $STATE/up.log)"
  fi
  quiet docker26 rm -f "$name" || true
  quiet docker26 run -d --name "$name" -p 127.0.0.1::8000 "$ref" || die "docker26 could not run $ref (see $STATE/up.log)"
  port=$(docker26 port "$name" 8000/tcp | sed -n 's/^127\.0\.0\.1://p' | head -n 1)
  for ((i = 0; i < 50; i++)); do
    curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$port/alive" 2>/dev/null && break
    sleep 0.2
  done
  if [ "$i" -ge 50 ]; then
    docker26 logs "$name" >>"$STATE/up.log" 2>&1 || true
    die "docker26: the published port 127.0.0.1:${port:-?} did not answer (see $STATE/up.log)"
  fi
  quiet docker26 rm -f "$name"
  quiet docker26 image rm "$ref" || true
  rm -rf "$ctx"
}

# One line per engine, the default first: "<name> <DOCKER_HOST>", named by the engine's version and image store.
write_engines() {
  local host name out=
  for host in "${DOCKER_HOST:-unix:///var/run/docker.sock}" "$DOCKER26_HOST"; do
    name="docker-$(DOCKER_HOST=$host docker version -f '{{.Server.Version}}' | cut -d. -f1,2)"
    if DOCKER_HOST=$host docker info -f '{{.DriverStatus}}' | grep -q io.containerd.snapshotter; then
      name+=-containerd
    fi
    out+="$name $host"$'\n'
  done
  printf '%s' "$out" >"$STATE/engines.tmp" && mv "$STATE/engines.tmp" "$STATE/engines"
  log "engines: $(tr '\n' ' ' <"$STATE/engines")"
}

reg_curl() { # authenticated request to the registry API; extra curl args follow
  curl -fsS --max-time 10 -u "$REG_USER:$(cat "$STATE/registry-password")" "$@"
}

registry_ok() { [ -s "$STATE/registry-password" ] && reg_curl -o /dev/null "http://$REGISTRY/v2/" 2>/dev/null; }

# start_registry [keep]: `keep` reuses the current password (registry-start after a test's registry-stop).
start_registry() {
  if alive registry && registry_ok; then
    log "registry already running on $REGISTRY (pid $(cat "$STATE/registry.pid"))"
    return 0
  fi
  stop_daemon registry
  if curl -s --max-time 2 -o /dev/null "http://$REGISTRY/v2/"; then
    die "something else already listens on $REGISTRY (not our registry); stop it first"
  fi
  log "starting the registry on $REGISTRY (log: $STATE/registry.log)"
  mkdir -p "$STATE/registry/data"
  # A fresh password per start by `up`; tests read it from the state dir.
  if [ "${1:-}" != keep ] || [ ! -s "$STATE/registry-password" ]; then
    (umask 077 && od -An -tx1 -N18 /dev/urandom | tr -d ' \n' >"$STATE/registry-password")
  fi
  printf '%s\n' "$REG_USER" >"$STATE/registry-username"
  printf '%s\n' "$REGISTRY" >"$STATE/registry-url"
  # bcrypt (-B), password from stdin (-i) so it never shows in the process list.
  htpasswd -niB "$REG_USER" <"$STATE/registry-password" >"$STATE/registry/htpasswd" 2>>"$STATE/up.log"
  cat >"$STATE/registry/config.yml" <<EOF
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $STATE/registry/data
  delete:
    enabled: true
http:
  addr: $REGISTRY
  headers:
    X-Content-Type-Options: [nosniff]
auth:
  htpasswd:
    realm: ohe-e2e
    path: $STATE/registry/htpasswd
EOF
  start_daemon registry docker-registry serve "$STATE/registry/config.yml"
  if ! wait_for registry 20 registry_ok; then
    tail -n 20 "$STATE/registry.log" >&2
    stop_daemon registry
    die "the registry exited or did not answer within 20 s (see $STATE/registry.log)"
  fi
}

# Root filesystem of a stand-in agent-server: busybox, a tini that execs what follows "--", and an
# openhands-agent-server that serves the health endpoints with busybox httpd on --port (default 8000).
make_rootfs() {
  local version=$1 root=$2 applet
  rm -rf "$root"
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,etc,tmp,home/openhands,srv/agent-server,root}
  chmod 1777 "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nopenhands:x:10001:10001:openhands:/home/openhands:/bin/sh\n' \
    >"$root/etc/passwd"
  printf 'root:x:0:\nopenhands:x:10001:\n' >"$root/etc/group"
  cat >"$root/usr/local/bin/tini" <<'EOF'
#!/bin/sh
# Stand-in for tini: run what follows "--".
[ "$1" = "--" ] && shift
exec "$@"
EOF
  cat >"$root/usr/local/bin/openhands-agent-server" <<'EOF'
#!/bin/sh
# Stand-in for the OpenHands agent server: serves /alive, /health, /ready, /server_info on --port.
port=8000
while [ "$#" -gt 0 ]; do
  case "$1" in --port) port=$2; shift ;; --port=*) port=${1#--port=} ;; esac
  shift
done
exec httpd -f -p "0.0.0.0:$port" -h /srv/agent-server
EOF
  chmod 755 "$root/usr/local/bin/tini" "$root/usr/local/bin/openhands-agent-server"
  for applet in alive health ready; do printf '{"status":"ok"}\n' >"$root/srv/agent-server/$applet"; done
  printf '{"sdk_version":"%s"}\n' "$version" >"$root/srv/agent-server/server_info"
}

push_base_images() {
  local v ref absent=0
  for v in "${BASE_VERSIONS[@]}"; do
    reg_curl -o /dev/null -I -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
      "http://$REGISTRY/v2/$BASE_REPO/manifests/$v-python" 2>/dev/null || absent=1
  done
  if [ "$absent" -eq 0 ] && [ "$(cat "$STATE/base-images.rev" 2>/dev/null)" = "$STANDIN_REV" ]; then
    log "base images present: $REGISTRY/$BASE_REPO:{$(IFS=,; echo "${BASE_VERSIONS[*]}")}-python"
    return 0
  fi
  log "building and pushing the stand-in base images"
  local build="$STATE/base-build"
  for v in "${BASE_VERSIONS[@]}"; do
    ref="$REGISTRY/$BASE_REPO:$v-python"
    make_rootfs "$v" "$build/rootfs"
    tar -C "$build/rootfs" --numeric-owner --owner=0 --group=0 -cf "$build/rootfs.tar" .
    quiet docker import --platform linux/amd64 \
      --change 'ENTRYPOINT ["tini","--","/usr/local/bin/openhands-agent-server"]' \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'USER openhands' \
      --change 'WORKDIR /home/openhands' \
      --change 'EXPOSE 8000 8002' \
      --change "LABEL org.opencontainers.image.version=$v org.opencontainers.image.title=agent-server-stand-in" \
      "$build/rootfs.tar" "$ref" || die "docker import of $ref failed (see $STATE/up.log)"
    quiet docker push "$ref" || die "docker push of $ref failed (see $STATE/up.log)"
  done
  # Chown of the home dir cannot be expressed in an import; a build on top can still write /tmp as 10001.
  rm -rf "$build"
  echo "$STANDIN_REV" >"$STATE/base-images.rev"
}

# A real buildx build FROM a stand-in base, pushed to the registry and then deleted again.
smoke_build() {
  local ctx="$STATE/smoke" ref="$REGISTRY/e2e-stack/smoke:1" digest
  mkdir -p "$ctx"
  printf 'FROM %s/%s:1.23.0-python\nRUN echo hi > /tmp/x\nUSER 10001\n' "$REGISTRY" "$BASE_REPO" \
    >"$ctx/Dockerfile"
  log "smoke build: docker buildx build --platform linux/amd64 --push $ref"
  if ! quiet docker buildx build --platform linux/amd64 -t "$ref" \
    --metadata-file "$STATE/smoke-metadata.json" \
    --push "$ctx"; then
    tail -n 20 "$STATE/up.log" >&2
    die "the smoke build failed (see $STATE/up.log)"
  fi
  digest=$(reg_curl -I -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "http://$REGISTRY/v2/e2e-stack/smoke/manifests/1" | tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: //p')
  [ -n "$digest" ] || die "the smoke image is not in the registry after the push"
  # The action reports containerimage.digest from the metadata file: it must be the registry's manifest digest.
  grep -q "\"containerimage.digest\": *\"$digest\"" "$STATE/smoke-metadata.json" ||
    log "warning: buildx metadata digest differs from the registry's $digest (see $STATE/smoke-metadata.json)"
  reg_curl -o /dev/null -X DELETE "http://$REGISTRY/v2/e2e-stack/smoke/manifests/$digest" ||
    die "deleting the smoke image from the registry failed"
  quiet docker image rm "$ref" || true
  rm -rf "$ctx"
}

up() {
  local t0=$SECONDS
  : >"$STATE/up.log"
  install_packages
  # Docker 26 starts first: at its start it removes the host's docker0 (seen with a data root it has run from before),
  # the default engine's bridge, which the default engine then makes again when it starts.
  start_docker26
  start_dockerd
  default_bridge_ok
  start_registry
  # The stack's own pushes use a private docker config: root's ~/.docker stays without registry credentials.
  export DOCKER_CONFIG="$STATE/docker-config"
  mkdir -p "$DOCKER_CONFIG"
  quiet docker login -u "$REG_USER" --password-stdin "$REGISTRY" <"$STATE/registry-password" ||
    die "docker login to $REGISTRY failed (see $STATE/up.log)"
  push_base_images
  smoke_build
  smoke_docker26
  default_bridge_ok
  write_engines
  quiet docker logout "$REGISTRY" || true
  log "up in $((SECONDS - t0)) s: registry $REGISTRY, user $REG_USER, password in $STATE/registry-password"
}

down() {
  rm -f "$STATE/engines"
  stop_daemon registry
  stop_daemon docker26
  docker26 info >/dev/null 2>&1 || ip link del "$DOCKER26_BRIDGE" 2>/dev/null || true
  stop_daemon dockerd
  log "down (packages, images and registry data kept)"
}

status() {
  local ok=0
  if docker info >/dev/null 2>&1; then log "docker engine: up"; else log "docker engine: down"; ok=1; fi
  if docker26 info >/dev/null 2>&1; then log "docker26 engine: up"; else log "docker26 engine: down"; ok=1; fi
  if registry_ok; then log "registry $REGISTRY: up"; else log "registry $REGISTRY: down"; ok=1; fi
  return "$ok"
}

[ "$(id -u)" -eq 0 ] || die "must run as root"
mkdir -p "$STATE"
# One `up`/`down` at a time: several engineers and test runs share this stack.
exec 9>"$STATE/lock"
flock -w 300 9 || die "another e2e-stack.sh holds $STATE/lock"
case "${1:-up}" in
  up) up ;;
  down) down ;;
  status) status ;;
  # For failure tests ("registry stopped"): stop only the registry, then bring it back with the same password.
  registry-stop) stop_daemon registry ;;
  registry-start) start_registry keep ;;
  *) die "usage: $0 [up|down|status|registry-stop|registry-start]" ;;
esac
