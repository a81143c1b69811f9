#!/usr/bin/env bash
# A gateway and three workers on four "hosts": Linux network namespaces joined by a bridge, each with
# its own address and the settings a multi-host deployment uses (member list, interface, public host,
# fixed ports). A client in a fifth namespace checks reference ids, a worker's link cut mid-stream and
# restored, and a gateway killed with SIGKILL (rows freed within the lease). No address is configured
# in the root namespace, so the cluster's traffic stays inside the namespaces.
#
#   sudo deploy/netns/cluster-netns.sh          (root; CI runs it from .ci/run)
# Env: NBCE_NETNS_TIMEOUT (s, default 240), NBCE_LEASE_MS (default 3000), KEEP_LOGS=1 keeps the logs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# Bound the whole run; the EXIT trap below still cleans up when the timeout fires.
if [ -z "${NBCE_NETNS_INNER:-}" ]; then
  exec timeout --kill-after=15 "${NBCE_NETNS_TIMEOUT:-240}" env NBCE_NETNS_INNER=1 bash "$0" "$@"
fi
[ "$(id -u)" = 0 ] || { echo "netns: must run as root (ip netns)" >&2; exit 1; }
if ! command -v ip >/dev/null 2>&1; then
  echo "netns: installing iproute2"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2 >/dev/null
fi

TAG="nb$(( $$ % 10000 ))"                 # unique per run: names stay under 15 characters
NET="10.$(( 100 + $$ % 100 )).$(( $$ / 100 % 250 ))"
BRIDGE="${TAG}br"
LEASE_MS="${NBCE_LEASE_MS:-3000}"
LOGS="$(mktemp -d /tmp/nbce-netns.XXXXXX)"
NAMESPACES=() PIDS=()

cleanup() {
  local rc=$?
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 50); do   # members are disowned: poll until they are gone (at most 5 s)
    alive=0; for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break; sleep 0.1
  done
  for ns in "${NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  ip link del "$BRIDGE" 2>/dev/null || true
  if [ "$rc" != 0 ] || [ -n "${KEEP_LOGS:-}" ]; then
    for f in "$LOGS"/*.log; do [ -f "$f" ] && { echo "--- $f (last 30 lines)"; tail -n 30 "$f"; }; done
    echo "netns: logs kept in $LOGS"
  else
    rm -rf "$LOGS"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

# host <name> <last octet>: a namespace with lo, and eth0 on the bridge at $NET.<octet>/24.
host() {
  local ns="${TAG}$1" ip="$NET.$2"
  ip netns add "$ns"; NAMESPACES+=("$ns")
  ip link add "${TAG}$1h" type veth peer name eth0 netns "$ns"
  ip link set "${TAG}$1h" master "$BRIDGE" up
  ip -n "$ns" link set lo up
  ip -n "$ns" addr add "$ip/24" dev eth0
  ip -n "$ns" link set eth0 up
}

ip link add "$BRIDGE" type bridge
ip link set "$BRIDGE" up
host gw 10; host w1 11; host w2 12; host w3 13; host cl 5

# Build once outside the namespaces if needed, then start without rebuilding.
[ -n "${NBCE_SKIP_BUILD:-}" ] || "$ROOT/bin/nbce" --help >/dev/null
export NBCE_SKIP_BUILD=true DJL_OFFLINE=true
MODEL="$ROOT/common/src/test/resources/fixtures/models/tiny-llama"
MEMBERS="$NET.10:5701,$NET.11:5701,$NET.12:5701,$NET.13:5701"

# member <ns> <octet> <log> <JAVA_OPTS> <command...>: one cluster member with its own address for everything.
member() {
  local ns="${TAG}$1" ip="$NET.$2" log="$LOGS/$3.log" opts="$4"; shift 4
  ip netns exec "$ns" env JAVA_OPTS="$opts" NBCE_CLUSTER_NAME="netns-$TAG" NBCE_CLUSTER_MEMBERS="$MEMBERS" NBCE_CLUSTER_PORT=5701 \
    NBCE_CLUSTER_INTERFACE="$ip" NBCE_EVENTBUS_HOST="$ip" NBCE_EVENTBUS_PORT=5801 NBCE_PUBLIC_HOST="$ip" \
    NBCE_METRICS_HOST="$ip" NBCE_MODEL_NAME=tiny-llama NBCE_LEASE_MS="$LEASE_MS" \
    "$@" >"$log" 2>&1 &
  PIDS+=("$!")
  disown "$!"   # the scenario kills the gateway with SIGKILL on purpose: no job report for it
}

started=$(date +%s)
for i in 1 2 3; do
  member "w$i" "1$i" "worker-$i" "-Xms64m -Xmx512m -XX:+UseSerialGC" \
    "$ROOT/bin/nbce" worker --model "$MODEL" --id "w$i" --device cpu --metrics-port 9100
done
member gw 10 gateway "-Xms64m -Xmx384m -XX:+UseSerialGC" \
  env NBCE_HOST="$NET.10" NBCE_PORT=8080 "$ROOT/bin/nbce" gateway --model "$MODEL"
GATEWAY_PID="${PIDS[-1]}"

# Ready = the gateway lists all three workers (asked from the client's namespace).
for _ in $(seq 1 900); do
  n=$(ip netns exec "${TAG}cl" curl -fsS --max-time 2 "http://$NET.10:8080/ready" 2>/dev/null \
      | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["workers"]))' 2>/dev/null || echo 0)
  [ "$n" = 3 ] && break
  sleep 0.2
done
[ "$n" = 3 ] || { echo "netns: the cluster did not form (gateway sees $n of 3 workers)" >&2; exit 1; }
echo "netns: gateway $NET.10 + workers $NET.11-13 on bridge $BRIDGE, cluster up after $(( $(date +%s) - started )) s"

ARGS=$(python3 -c 'import json,sys; n=sys.argv[1]; print(json.dumps({
  "gateway": f"http://{n}.10:8080", "gateway_pid": int(sys.argv[2]), "lease_ms": int(sys.argv[3]),
  "reference": sys.argv[4], "workers": [{"id": f"w{i}", "ns": f"{sys.argv[5]}w{i}",
  "metrics": f"http://{n}.1{i}:9100/metrics"} for i in (1, 2, 3)]}))' \
  "$NET" "$GATEWAY_PID" "$LEASE_MS" "$ROOT/common/src/test/resources/fixtures/models/tiny-llama/reference.json" "$TAG")
# In the background, so that a timeout's TERM interrupts the wait and the trap cleans up at once.
ip netns exec "${TAG}cl" python3 "$ROOT/deploy/netns/scenario.py" "$ARGS" &
PIDS+=("$!")
wait "$!"
echo "netns: all checks passed in $(( $(date +%s) - started )) s"
