#!/usr/bin/env bash
# Sets up a local Docker-API engine (podman) and the two broker images that
# the Testcontainers provisioning uses, without any image registry:
#
#   1. install podman, runc, nats-server and rabbitmq-server from apt when
#      missing;
#   2. write a containers.conf (runtime runc, ulimits) and a registries.conf
#      that blocks every registry, so no pull can ever leave the machine;
#   3. start `podman system service` on a unix socket unless one already
#      responds to `_ping`;
#   4. build localhost/poisonpill-nats and localhost/poisonpill-rabbitmq from
#      the host's installed nats-server, rabbitmq-server and erlang packages
#      with `podman import`, when the image is missing;
#   5. print the environment to export and write it to scripts/.podman-env.
#
# Safe to rerun: every step checks first and skips work that is done. When a
# step cannot be done (not root, no apt, install failed) the script prints why
# and exits 0, so CI continues and the container tests skip themselves.
#
# Environment:
#   POISONPILL_PODMAN_DIR  state dir for socket, configs and logs
#                          (default /run/poisonpill-podman)
#   POISONPILL_PODMAN_SKIP_RABBITMQ=1  build only the NATS image
set -uo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE_DIR=${POISONPILL_PODMAN_DIR:-/run/poisonpill-podman}
SOCKET="$STATE_DIR/podman.sock"
CONTAINERS_CONF_FILE="$STATE_DIR/containers.conf"
REGISTRIES_CONF_FILE="$STATE_DIR/registries.conf"
SERVICE_PID_FILE="$STATE_DIR/service.pid"
SERVICE_LOG="$STATE_DIR/service.log"
ENV_FILE="$SCRIPT_DIR/.podman-env"

# Seconds to wait for the API service to respond after starting it. Podman
# 4.3.1 responds within a second on a 2-core Debian 12 VM, and 30 s covers a
# loaded CI host without hanging CI on a service that never comes up.
SERVICE_START_TIMEOUT_S=30

SCRIPT_STARTED=$(date +%s.%N)

# Settings exported by an earlier run may point at files this run rewrites.
unset CONTAINERS_CONF CONTAINERS_REGISTRIES_CONF

log() { printf 'setup-podman: %s\n' "$*"; }

# Runs "$@" and prints how long it took under the step name in $1.
timed() {
  local name=$1
  shift
  local started ended
  started=$(date +%s.%N)
  "$@"
  local rc=$?
  ended=$(date +%s.%N)
  log "$(awk -v a="$started" -v b="$ended" -v n="$name" -v rc="$rc" \
    'BEGIN { printf "%-28s %6.1f s (exit %d)", n, b - a, rc }')"
  return $rc
}

# Exits 0 with a reason: the tests that need the engine then skip.
give_up() {
  log "not set up: $*"
  log "container tests will be skipped"
  rm -f "$ENV_FILE" 2>/dev/null
  exit 0
}

# ---------------------------------------------------------------- install

install_packages() {
  # The images are built from the host's own nats-server and rabbitmq-server,
  # so those are installed too when missing.
  local missing=()
  command -v podman >/dev/null || missing+=(podman)
  command -v runc >/dev/null || missing+=(runc)
  [ -x /usr/sbin/nats-server ] || missing+=(nats-server)
  if [ "${POISONPILL_PODMAN_SKIP_RABBITMQ:-0}" != 1 ] && ! dpkg -s rabbitmq-server >/dev/null 2>&1; then
    missing+=(rabbitmq-server)
  fi
  if [ ${#missing[@]} -eq 0 ]; then
    log "podman $(podman --version | awk '{print $3}'), runc, nats-server, rabbitmq-server already installed"
    return 0
  fi
  command -v apt-get >/dev/null || { log "apt-get not found, cannot install: ${missing[*]}"; return 1; }
  log "installing: ${missing[*]}"

  # A post-install script may try to start services. policy-rc.d exiting 101
  # forbids that. An existing policy-rc.d is left as it is.
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && created_policy=1
  fi

  local rc=0 apt_log
  apt_log=$(mktemp /tmp/poisonpill-apt.XXXXXX.log)
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$apt_log" 2>&1 || rc=$?
  if [ $rc -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >>"$apt_log" 2>&1 || rc=$?
  fi

  [ $created_policy -eq 1 ] && rm -f "$policy"
  if [ $rc -ne 0 ]; then
    log "apt-get failed with exit $rc; last lines of $apt_log:"
    tail -n 15 "$apt_log" | sed 's/^/  /'
  else
    rm -f "$apt_log"
  fi
  return $rc
}

# ---------------------------------------------------------------- config

write_configs() {
  mkdir -p "$STATE_DIR" || return 1
  chmod 700 "$STATE_DIR"

  # crun fails on a hybrid cgroup layout, but runc works. With podman 4.3.1,
  # ulimits above the session's hard nofile limit (20000) or conmon's nproc
  # limit (32768) make every container start fail, so both are set here.
  cat >"$CONTAINERS_CONF_FILE" <<'EOF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
EOF

  # Every image is built locally. Blocking the registries makes an accidental
  # pull fail at once instead of hanging on an unreachable network.
  {
    echo 'unqualified-search-registries = []'
    local registry
    for registry in docker.io registry-1.docker.io quay.io ghcr.io gcr.io \
      registry.k8s.io mcr.microsoft.com public.ecr.aws; do
      printf '\n[[registry]]\nlocation = "%s"\nblocked = true\n' "$registry"
    done
  } >"$REGISTRIES_CONF_FILE"
}

# ---------------------------------------------------------------- service

service_responds() {
  [ -S "$SOCKET" ] &&
    [ "$(curl -s --max-time 2 --unix-socket "$SOCKET" http://d/_ping 2>/dev/null)" = "OK" ]
}

start_service() {
  if service_responds; then
    log "API service already responds on $SOCKET"
    return 0
  fi

  # A socket left by a service that died makes podman fail to bind.
  rm -f "$SOCKET"
  CONTAINERS_CONF="$CONTAINERS_CONF_FILE" CONTAINERS_REGISTRIES_CONF="$REGISTRIES_CONF_FILE" \
    setsid podman system service --time=0 "unix://$SOCKET" >"$SERVICE_LOG" 2>&1 </dev/null &
  echo $! >"$SERVICE_PID_FILE"

  local deadline=$(($(date +%s) + SERVICE_START_TIMEOUT_S))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    service_responds && return 0
    sleep 0.2
  done
  log "API service did not respond to _ping within ${SERVICE_START_TIMEOUT_S} s; log: $SERVICE_LOG"
  tail -n 20 "$SERVICE_LOG" | sed 's/^/  /'
  return 1
}

# ---------------------------------------------------------------- images

podman_local() {
  CONTAINERS_CONF="$CONTAINERS_CONF_FILE" CONTAINERS_REGISTRIES_CONF="$REGISTRIES_CONF_FILE" \
    podman "$@"
}

image_exists() { podman_local image exists "$1"; }

# Lays out an empty usrmerged root: /bin, /sbin, /lib, /lib64 point into /usr
# as on the host, so the paths that ldd prints resolve inside the image.
make_rootfs() {
  local root=$1
  mkdir -p "$root"/usr/bin "$root"/usr/sbin "$root"/usr/lib "$root"/usr/lib64 \
    "$root"/etc "$root"/tmp
  chmod 1777 "$root/tmp"
  ln -s usr/bin "$root/bin"
  ln -s usr/sbin "$root/sbin"
  ln -s usr/lib "$root/lib"
  ln -s usr/lib64 "$root/lib64"
}

# Copies the shared libraries that ldd lists for each given ELF file.
copy_libraries() {
  local root=$1
  shift
  local lib
  for lib in $(ldd "$@" 2>/dev/null | grep -o '/[^ ]*\.so[^ ]*' | sort -u); do
    [ -e "$lib" ] && cp -L --parents "$lib" "$root/" 2>/dev/null
  done
  return 0
}

# Imports the directory $1 as image $2. The remaining arguments are --change
# options. cp --parents creates missing directories with mode 0700, which the
# unprivileged container user cannot traverse, so every directory except the
# sticky /tmp is made world-readable first.
import_rootfs() {
  local root=$1 image=$2
  shift 2
  chmod 755 "$root"
  find "$root" -mindepth 1 -type d ! -path "$root/tmp" -exec chmod a+rx {} +
  tar -C "$root" -cf - . | podman_local import "$@" - "$image" >/dev/null 2>&1
}

build_nats_image() {
  local binary=/usr/sbin/nats-server
  [ -x "$binary" ] || { log "$binary not found: install the nats-server package"; return 1; }
  local version
  version=$("$binary" --version | grep -o '[0-9][0-9.]*' | head -n 1)
  NATS_IMAGE="localhost/poisonpill-nats:$version"
  if image_exists "$NATS_IMAGE"; then
    log "$NATS_IMAGE already built"
    return 0
  fi

  local root
  root=$(mktemp -d /tmp/poisonpill-nats-rootfs.XXXXXX)
  make_rootfs "$root"
  cp "$binary" "$root/usr/sbin/"
  copy_libraries "$root" "$binary"
  echo 'nats:x:1000:1000:nats:/tmp:/sbin/nologin' >"$root/etc/passwd"

  local rc=0
  import_rootfs "$root" "$NATS_IMAGE" \
    --change 'ENTRYPOINT ["/usr/sbin/nats-server"]' \
    --change 'USER nats' \
    --change 'WORKDIR /tmp' || rc=$?
  rm -rf "$root"
  return $rc
}

# Installed files of the given Debian packages that are regular files or
# links (directories are created by cp --parents).
package_files() {
  dpkg -L "$@" 2>/dev/null | while read -r path; do
    [ -f "$path" ] || [ -L "$path" ] && echo "$path"
  done
}

build_rabbitmq_image() {
  if ! dpkg -s rabbitmq-server >/dev/null 2>&1; then
    log "rabbitmq-server package not installed: RabbitMQ image not built"
    return 1
  fi
  local version
  version=$(dpkg-query -W -f '${Version}' rabbitmq-server | sed 's/-.*//')
  RABBITMQ_IMAGE="localhost/poisonpill-rabbitmq:$version"
  if image_exists "$RABBITMQ_IMAGE"; then
    log "$RABBITMQ_IMAGE already built"
    return 0
  fi

  local root
  root=$(mktemp -d /tmp/poisonpill-rabbitmq-rootfs.XXXXXX)
  make_rootfs "$root"

  # The server scripts are POSIX sh and call these tools. The Erlang runtime
  # comes from every installed erlang-* package.
  local packages=(rabbitmq-server dash coreutils sed grep findutils procps
    util-linux mount libc6)
  local erlang_packages
  erlang_packages=$(dpkg-query -W -f '${Package} ${Status}\n' 'erlang-*' 2>/dev/null |
    awk '$NF == "installed" {print $1}')
  # shellcheck disable=SC2206
  packages+=($erlang_packages)

  package_files "${packages[@]}" >"$root.files"
  # cp -a keeps links as links. The usrmerge links in the root already exist.
  xargs -a "$root.files" -d '\n' cp -a --parents -t "$root/" 2>/dev/null
  ln -sf dash "$root/usr/bin/sh"

  # Libraries of every ELF file copied, including Erlang NIFs such as
  # crypto.so (libcrypto) and the emulator itself (libtinfo, libz).
  local elf_files
  elf_files=$(find "$root/usr" -type f \( -perm -u+x -o -name '*.so*' \) \
    -exec sh -c 'head -c 4 "$1" | grep -q ELF && echo "$1"' _ {} \; 2>/dev/null)
  # shellcheck disable=SC2086
  copy_libraries "$root" $elf_files

  cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
rabbitmq:x:101:101:RabbitMQ:/var/lib/rabbitmq:/bin/sh
EOF
  cat >"$root/etc/group" <<'EOF'
root:x:0:
rabbitmq:x:101:
EOF
  printf 'passwd: files\ngroup: files\nhosts: files\n' >"$root/etc/nsswitch.conf"
  printf '127.0.0.1 localhost\n::1 localhost\n' >"$root/etc/hosts"
  mkdir -p "$root/etc/rabbitmq" "$root/var/lib/rabbitmq" "$root/var/log/rabbitmq"
  echo '[].' >"$root/etc/rabbitmq/enabled_plugins"
  # The host's own broker configuration must not leak into the image.
  rm -f "$root/etc/rabbitmq/rabbitmq.conf" "$root/etc/rabbitmq/rabbitmq-env.conf"
  chown -R 101:101 "$root/var/lib/rabbitmq" "$root/var/log/rabbitmq" "$root/etc/rabbitmq"

  local rc=0
  import_rootfs "$root" "$RABBITMQ_IMAGE" \
    --change 'ENTRYPOINT ["/usr/lib/rabbitmq/bin/rabbitmq-server"]' \
    --change 'USER rabbitmq' \
    --change 'WORKDIR /var/lib/rabbitmq' \
    --change 'ENV HOME=/var/lib/rabbitmq' \
    --change 'ENV RABBITMQ_LOGS=-' \
    --change 'ENV PATH=/usr/lib/rabbitmq/bin:/usr/sbin:/usr/bin:/sbin:/bin' || rc=$?
  rm -rf "$root" "$root.files"
  return $rc
}

# ---------------------------------------------------------------- env

write_env() {
  {
    echo "export DOCKER_HOST=unix://$SOCKET"
    echo "export TESTCONTAINERS_RYUK_DISABLED=true"
    echo "export CONTAINERS_CONF=$CONTAINERS_CONF_FILE"
    echo "export CONTAINERS_REGISTRIES_CONF=$REGISTRIES_CONF_FILE"
    [ -n "$NATS_IMAGE" ] && echo "export POISONPILL_NATS_IMAGE=$NATS_IMAGE"
    [ -n "${RABBITMQ_IMAGE:-}" ] && echo "export POISONPILL_RABBITMQ_IMAGE=$RABBITMQ_IMAGE"
  } >"$ENV_FILE"
}

# ---------------------------------------------------------------- main

[ "$(id -u)" -eq 0 ] || give_up "must run as root (podman as root, apt-get install)"
[ "$(uname -s)" = Linux ] || give_up "podman service mode needs Linux, got $(uname -s)"

timed "install packages" install_packages || give_up "podman, runc or a broker package could not be installed"
timed "write configs" write_configs || give_up "cannot write configs under $STATE_DIR"
timed "start API service" start_service || give_up "podman API service did not start"

NATS_IMAGE=""
RABBITMQ_IMAGE=""
timed "build NATS image" build_nats_image ||
  { log "NATS image not built: NATS container tests will skip"; NATS_IMAGE=""; }
if [ "${POISONPILL_PODMAN_SKIP_RABBITMQ:-0}" = 1 ]; then
  log "POISONPILL_PODMAN_SKIP_RABBITMQ=1: RabbitMQ image not built"
else
  timed "build RabbitMQ image" build_rabbitmq_image ||
    { log "RabbitMQ image not built: RabbitMQ container tests will skip"; RABBITMQ_IMAGE=""; }
fi

write_env
log "$(awk -v a="$SCRIPT_STARTED" -v b="$(date +%s.%N)" 'BEGIN { printf "total %.1f s", b - a }')"
log "export these (also written to $ENV_FILE):"
sed 's/^/  /' "$ENV_FILE"
