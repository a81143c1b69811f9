#!/usr/bin/env bash
# Builds the images users deploy (gateway, CPU worker) from deploy/docker/ and runs them the way
# deploy/compose.yaml wires them (one gateway + three workers, cluster settings and API keys from
# the environment), then checks: every HEALTHCHECK passes, the tiny-llama reference generations are
# exact through the containers, `podman kill` of a worker mid-stream leaves the stream's ids
# unchanged, the processes run as a non-root user, and a CUDA build whose libtorch download fails
# stops with a clear message and no image. Prints build times, image sizes and failover time.
#
#   bash deploy/images-test.sh          # CI runs it after the tests (.ci/run); root, Debian bookworm
#
# No image registry is reachable in CI, so the base images are made from Debian packages with
# mmdebstrap (cached as tarballs in NBCE_IMAGE_CACHE) and passed as build arguments; the
# Dockerfiles are otherwise built exactly as a user builds them. Everything podman makes lives in a
# private store under a temporary folder that is removed on exit, failed or not.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

# ---- settings --------------------------------------------------------------------------------
# Whether the gateway image may hold libtorch (pytorch-native-cpu): never since the launcher module
# split the roles (the gateway image carries launcher/target/lib-gateway); the check enforces it.
GATEWAY_MAY_HOLD_LIBTORCH=${GATEWAY_MAY_HOLD_LIBTORCH:-false}
MODEL_DIR=$ROOT/common/src/test/resources/fixtures/models/tiny-llama
CACHE=${NBCE_IMAGE_CACHE:-/var/cache/nbce/images}          # base-image tarballs, kept between runs
M2_REPO=${NBCE_M2_REPO:-$HOME/.m2/repository}               # the host's Maven repository, reused by the build
LIMIT_S=${NBCE_IMAGES_TEST_LIMIT_S:-1500}                   # the whole script, cleanup included
HEALTH_TIMEOUT_S=${NBCE_IMAGES_HEALTH_TIMEOUT_S:-300}
SUITE=bookworm
RUNTIME_BASE=localhost/nbce-ci-runtime:$SUITE
BUILD_BASE=localhost/nbce-ci-build:$SUITE
RUNTIME_PACKAGES=openjdk-17-jre-headless,curl,passwd        # passwd: useradd/groupadd for the image's user
BUILD_PACKAGES=openjdk-17-jdk-headless,maven
# The JRE where Temurin images have it: the cuda target copies /opt/java/openjdk from RUNTIME_IMAGE.
RUNTIME_HOOK='mkdir -p "$1/opt/java" && ln -s /usr/lib/jvm/java-17-openjdk-amd64 "$1/opt/java/openjdk"'
BUILD_HOOK=
GATEWAY_IMAGE=localhost/nbce-gateway:ci
WORKER_IMAGE=localhost/nbce-worker:cpu-ci
CUDA_IMAGE=localhost/nbce-worker:cuda-ci

log() { printf 'images-test: %s\n' "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# Bound the whole run: re-run this script under timeout(1), which signals the script and its
# children; the EXIT trap still removes what was made.
if [ -z "${NBCE_IMAGES_TEST_BOUNDED:-}" ]; then
  NBCE_IMAGES_TEST_BOUNDED=1 exec timeout --kill-after=120 "$LIMIT_S" bash "$ROOT/deploy/images-test.sh" "$@"
fi

WORK=$(mktemp -d /var/tmp/nbce-images-test.XXXXXX)
FAILED=true
declare -a CONTAINERS=()

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ "$FAILED" = true ] && [ "${#CONTAINERS[@]}" -gt 0 ]; then
    for name in "${CONTAINERS[@]}"; do
      log "--- last log lines of $name ---"
      timeout 20 podman logs --tail 40 "$name" 2>&1 | sed 's/^/    /' >&2 || true
    done
  fi
  if command -v podman >/dev/null 2>&1 && [ -n "${CONTAINERS_STORAGE_CONF:-}" ]; then
    # The private store holds only what this run made.
    timeout 60 podman rm --force --all --time 0 >/dev/null 2>&1 || true
    timeout 60 podman volume rm --force --all >/dev/null 2>&1 || true
    timeout 120 podman rmi --force --all >/dev/null 2>&1 || true
  fi
  # --one-file-system: never follow a mount left behind (a build's bind mount of ~/.m2) out of WORK.
  findmnt -rn -o TARGET | grep "^$WORK/" | sort -r | xargs -r umount -l 2>/dev/null || true
  rm -rf --one-file-system "$WORK"
  [ "$FAILED" = true ] && log "failed (exit $status); containers, images and $WORK removed"
  exit "$status"
}
# Long steps run through `bounded`: timeout(1) puts its command in a process group of its own, out
# of reach of the outer limit's signal, so the script waits on it in the background (wait returns
# at once on a trapped signal) and stops it itself.
CHILD=
bounded() {
  timeout "$@" &
  CHILD=$!
  wait "$CHILD"
}
on_signal() {
  log "interrupted or over the ${LIMIT_S}s limit"
  if [ -n "$CHILD" ]; then kill -TERM "$CHILD" 2>/dev/null || true; wait "$CHILD" 2>/dev/null || true; fi
  exit 124
}
trap cleanup EXIT
trap on_signal INT TERM

# ---- tools -----------------------------------------------------------------------------------
install_tools() {
  local missing=()
  command -v podman >/dev/null 2>&1 || missing+=(podman)
  [ -x /usr/sbin/runc ] || missing+=(runc)
  command -v mmdebstrap >/dev/null 2>&1 || missing+=(mmdebstrap)
  [ "${#missing[@]}" -eq 0 ] && return
  log "installing ${missing[*]} from Debian"
  local started=$SECONDS
  bounded 600 apt-get update -qq
  DEBIAN_FRONTEND=noninteractive bounded 900 apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  log "installed in $((SECONDS - started)) s"
}

# Podman as root on this host: runc (crun refuses the hybrid cgroups), cgroupfs, no raised ulimits,
# events in a file (no systemd), and a store of its own so nothing else's images are touched.
configure_podman() {
  cat > "$WORK/containers.conf" <<EOF
[containers]
default_ulimits = []
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "$WORK/tmp"
[network]
# Host networking only: an empty network folder keeps podman off the host's CNI/netavark config.
network_config_dir = "$WORK/networks"
[engine.runtimes]
runc = ["/usr/sbin/runc"]
EOF
  cat > "$WORK/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$WORK/storage"
runroot = "$WORK/run"
EOF
  export CONTAINERS_CONF=$WORK/containers.conf CONTAINERS_STORAGE_CONF=$WORK/storage.conf
}

# ---- base images -------------------------------------------------------------------------------
# The Debian mirror this machine's apt already uses (deb822 or one-line sources).
debian_mirror() {
  local uri
  uri=$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v security | head -n 1 || true)
  [ -n "$uri" ] || uri=$(grep -hsE '^deb ' /etc/apt/sources.list | awk '{print $2}' | grep -v security | head -n 1 || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

# A rootfs tarball per package set, made once; imported into the private store on every run.
make_base() {
  local image=$1 packages=$2 hook=$3 prefix tar
  prefix="$CACHE/$(echo "$image" | tr '/:' '__')"
  tar="$prefix-$(echo "$packages${hook:+ $hook}" | md5sum | cut -c1-8).tar"
  if [ ! -s "$tar" ]; then
    mkdir -p "$CACHE"
    rm -f "$prefix"-*.tar   # an older package set's rootfs
    log "making $image from Debian $SUITE ($packages); cached as $tar"
    local started=$SECONDS
    # The name must end in .tar: mmdebstrap picks the output format from it.
    bounded 900 mmdebstrap --quiet --variant=apt --include="$packages" ${hook:+--customize-hook="$hook"} "$SUITE" "${tar%.tar}.partial.tar" "$(debian_mirror)"
    mv "${tar%.tar}.partial.tar" "$tar"
    log "made $image in $((SECONDS - started)) s ($(du -m "$tar" | cut -f1) MB)"
  fi
  bounded 300 podman import --quiet \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/bash"]' "$tar" "$image" >/dev/null
}

# ---- images ------------------------------------------------------------------------------------
# podman build of one Dockerfile on the local bases; the host's Maven repository is mounted so
# dependencies are not downloaded again. --format docker keeps HEALTHCHECK (OCI images drop it).
build_image() {
  local dockerfile=$1 tag=$2; shift 2
  mkdir -p "$M2_REPO"
  bounded 1200 podman build --quiet --isolation=chroot --network=host --format docker \
    -f "deploy/docker/$dockerfile" --ignorefile "deploy/docker/$dockerfile.dockerignore" \
    --build-arg BUILD_IMAGE="$BUILD_BASE" --build-arg RUNTIME_IMAGE="$RUNTIME_BASE" \
    --build-arg MAVEN_EXTRA_ARGS=-Dmaven.repo.local=/m2 -v "$M2_REPO:/m2" \
    -t "$tag" "$@" .
}

image_mb() { podman image inspect --format '{{.Size}}' "$1" | awk '{printf "%d", $1 / 1e6}'; }

has_libtorch() {
  holds_jar "$1" '^pytorch-native-cpu'
}

# Whether an image's classpath (/app/lib) holds a jar whose name matches the pattern.
holds_jar() {
  podman run --rm --network none --entrypoint /bin/sh "$1" -c 'ls /app/lib' 2>>"$WORK/podman.log" \
    | grep -q "$2"
}

# The final image runs as uid 10001 and declares its HEALTHCHECK.
check_image_config() {
  local image=$1 user health
  user=$(podman image inspect --format '{{.Config.User}}' "$image")
  # (podman 4.3's --format cannot reach the top-level Healthcheck field; read the JSON)
  health=$(podman image inspect "$image" | python3 -c 'import json, sys; print(json.load(sys.stdin)[0].get("Healthcheck"))')
  [ "${user%%:*}" = 10001 ] || die "$image runs as '$user', not 10001"
  [[ "$health" == *curl* ]] || die "$image has no HEALTHCHECK ($health)"
}

# The CUDA variant downloads libtorch at build time; when that fails (here: a closed local port in
# place of publish.djl.ai) the build must stop with the Dockerfile's message and leave no image.
check_cuda_download_failure() {
  local out=$WORK/cuda-build.log
  if build_image Dockerfile.worker "$CUDA_IMAGE" --target cuda --build-arg CUDA_BASE="$RUNTIME_BASE" \
      --build-arg DJL_PUBLISH_URL="http://127.0.0.1:$(free_ports 1)/pytorch" >"$out" 2>&1; then
    die "the cuda build succeeded although its libtorch download cannot"
  fi
  grep -q 'ERROR: nbce-worker cuda: cannot download' "$out" || { cat "$out" >&2; die "the failed cuda build gave no clear message"; }
  ! podman image exists "$CUDA_IMAGE" || die "a failed cuda build left an image $CUDA_IMAGE"
  log "cuda variant, libtorch download refused: build failed with: $(grep -m1 'ERROR: nbce-worker' "$out")"
}

# ---- cluster -----------------------------------------------------------------------------------
free_ports() {
  python3 - "$1" <<'PY'
import socket, sys
held = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in held:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in held))
PY
}

# Host networking (the only kind verified here) instead of Compose's bridge: every member gets
# ports of its own on 127.0.0.1 and advertises 127.0.0.1 where Compose advertises a service name.
# Otherwise the settings are compose.yaml's: one cluster name, a TCP-IP member list, fixed
# event-bus ports, a cache volume per worker, the same commands and heap sizes.
start_cluster() {
  local ports; read -r -a ports <<<"$(free_ports 12)"
  HTTP_PORT=${ports[0]}
  local cluster=(${ports[1]} ${ports[2]} ${ports[3]} ${ports[4]}) bus=(${ports[5]} ${ports[6]} ${ports[7]} ${ports[8]})
  METRICS_PORTS=(${ports[9]} ${ports[10]} ${ports[11]})
  API_KEY=${NBCE_API_KEYS:-ci-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')}
  API_KEY=${API_KEY%%,*}
  local members="127.0.0.1:${cluster[0]},127.0.0.1:${cluster[1]},127.0.0.1:${cluster[2]},127.0.0.1:${cluster[3]}"
  local common=(--network host --health-interval disable
    -v "$MODEL_DIR:/models/tiny-llama:ro"
    -e NBCE_CLUSTER_NAME="nbce-images-test-$$" -e NBCE_CLUSTER_MEMBERS="$members"
    -e NBCE_CLUSTER_INTERFACE=127.0.0.1 -e NBCE_EVENTBUS_HOST=127.0.0.1 -e NBCE_PUBLIC_HOST=127.0.0.1
    -e DJL_OFFLINE=true -e DJL_CACHE_DIR=/var/cache/nbce/djl)
  local i
  for i in 1 2 3; do
    podman volume create "nbce-it-djl-$i" >/dev/null
    start_container "nbce-it-worker-$i" "${common[@]}" -v "nbce-it-djl-$i:/var/cache/nbce" \
      -e NBCE_CLUSTER_PORT="${cluster[$i]}" -e NBCE_EVENTBUS_PORT="${bus[$i]}" \
      -e NBCE_METRICS_PORT="${METRICS_PORTS[$((i - 1))]}" -e NBCE_METRICS_HOST=127.0.0.1 \
      -e JAVA_OPTS="-Xms128m -Xmx2g" \
      "$WORKER_IMAGE" worker --device cpu --model /models/tiny-llama --id "worker-$i"
  done
  start_container nbce-it-gateway "${common[@]}" \
    -e NBCE_CLUSTER_PORT="${cluster[0]}" -e NBCE_EVENTBUS_PORT="${bus[0]}" \
    -e NBCE_HOST=127.0.0.1 -e NBCE_PORT="$HTTP_PORT" -e NBCE_API_KEYS="$API_KEY" \
    -e JAVA_OPTS="-Xms128m -Xmx1g" \
    "$GATEWAY_IMAGE" gateway --model /models/tiny-llama
}

start_container() {
  local name=$1; shift
  CONTAINERS+=("$name")
  # podman logs to stderr that it cannot reach systemd for health timers: expected here, kept aside.
  timeout 60 podman run -d --name "$name" "$@" >/dev/null 2>>"$WORK/podman.log"
}

# Runs each container's own HEALTHCHECK command until it passes (podman schedules none without
# systemd, so the script runs it); a container that exits fails at once.
await_healthy() {
  local started=$1 deadline=$((SECONDS + HEALTH_TIMEOUT_S)) name state
  local -A healthy_at=()
  while [ "${#healthy_at[@]}" -lt "${#CONTAINERS[@]}" ]; do
    for name in "${CONTAINERS[@]}"; do
      [ -n "${healthy_at[$name]:-}" ] && continue
      state=$(podman inspect --format '{{.State.Status}}' "$name")
      [ "$state" = running ] || die "$name is $state before it became healthy"
      if timeout 20 podman healthcheck run "$name" >/dev/null 2>&1; then
        healthy_at[$name]=$((SECONDS - started))
        log "$name healthy after ${healthy_at[$name]} s"
      fi
    done
    [ "$SECONDS" -lt "$deadline" ] || die "not every container healthy within ${HEALTH_TIMEOUT_S} s"
    sleep 2
  done
}

# PID 1 of every container is the JVM (exec); its real, effective, saved and fs uids must be 10001.
check_non_root() {
  local name uids
  for name in "${CONTAINERS[@]}"; do
    uids=$(timeout 20 podman exec "$name" awk '/^Uid:/ {print $2, $3, $4, $5}' /proc/1/status)
    [ "$uids" = "10001 10001 10001 10001" ] || die "$name's process runs as uids '$uids'"
  done
  log "every container's JVM runs as uid 10001"
}

main() {
  [ -s "$MODEL_DIR/reference.json" ] || die "$MODEL_DIR/reference.json is missing"
  install_tools
  configure_podman
  local t=$SECONDS
  make_base "$RUNTIME_BASE" "$RUNTIME_PACKAGES" "$RUNTIME_HOOK"
  make_base "$BUILD_BASE" "$BUILD_PACKAGES" "$BUILD_HOOK"
  local base_s=$((SECONDS - t))

  t=$SECONDS; build_image Dockerfile.gateway "$GATEWAY_IMAGE" >/dev/null; local gateway_s=$((SECONDS - t))
  t=$SECONDS; build_image Dockerfile.worker "$WORKER_IMAGE" >/dev/null; local worker_s=$((SECONDS - t))
  log "built $GATEWAY_IMAGE in ${gateway_s} s, $WORKER_IMAGE in ${worker_s} s (bases ready in ${base_s} s)"
  check_image_config "$GATEWAY_IMAGE"
  check_image_config "$WORKER_IMAGE"
  local gw_torch=no worker_torch=no
  has_libtorch "$GATEWAY_IMAGE" && gw_torch=yes
  has_libtorch "$WORKER_IMAGE" && worker_torch=yes
  [ "$worker_torch" = yes ] || die "$WORKER_IMAGE holds no pytorch-native-cpu"
  [ "$gw_torch" = no ] || [ "$GATEWAY_MAY_HOLD_LIBTORCH" = true ] || die "$GATEWAY_IMAGE holds libtorch"
  ! holds_jar "$WORKER_IMAGE" '^nbce-gateway\|^vertx-web-[0-9]\|^jinjava' || die "$WORKER_IMAGE holds the HTTP API"
  ! holds_jar "$GATEWAY_IMAGE" '^nbce-worker' || die "$GATEWAY_IMAGE holds the worker runtime"
  check_cuda_download_failure

  t=$SECONDS
  start_cluster
  await_healthy "$t"
  local health_s=$((SECONDS - t))
  check_non_root
  local workers=()
  for i in 1 2 3; do workers+=("nbce-it-worker-$i=http://127.0.0.1:${METRICS_PORTS[$((i - 1))]}/metrics"); done
  bounded 300 python3 deploy/images_check.py --url "http://127.0.0.1:$HTTP_PORT" --api-key "$API_KEY" \
    --reference "$MODEL_DIR/reference.json" "${workers[@]}" > "$WORK/check.json"
  local failover; failover=$(cat "$WORK/check.json")

  printf 'images-test: %-28s %6s MB  libtorch: %s\n' "$GATEWAY_IMAGE" "$(image_mb "$GATEWAY_IMAGE")" "$gw_torch" \
    "$WORKER_IMAGE" "$(image_mb "$WORKER_IMAGE")" "$worker_torch"
  log "figures: bases ${base_s} s, gateway build ${gateway_s} s, worker build ${worker_s} s," \
    "all 4 containers healthy ${health_s} s after start; $failover"
  FAILED=false
  log "all checks passed"
}

main "$@"
