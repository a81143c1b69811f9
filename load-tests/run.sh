#!/usr/bin/env bash
# Load-test a local NBCE cluster with Gatling (see load-tests/README.md).
#
#   load-tests/run.sh [--smoke] [SimulationName] [-Dk=v ...]
#
# Starts `bin/nbce serve --workers ${WORKERS:-3}` on a free port, waits for /ready, runs the
# simulation(s) against it, saves /metrics to load-tests/target/metrics-after.txt, stops the
# cluster and prints the report path(s). Exits non-zero when a Gatling assertion fails.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET="$ROOT/load-tests/target"
ALL_SIMULATIONS=(ChatWebSocketSimulation SseGenerateSimulation OpenAiChatSimulation)
READY_TIMEOUT_S=${READY_TIMEOUT_S:-180}
MVN_OFFLINE=${MVN_OFFLINE-}   # online by default, so a missing plugin (gatling) is downloaded; MVN_OFFLINE=-o for offline

usage() {
  sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  echo "Simulations: ${ALL_SIMULATIONS[*]}"
  echo "Environment: WORKERS (default 3), READY_TIMEOUT_S (180), NBCE_SKIP_BUILD, MVN_OFFLINE"
}

smoke=false
simulations=()
properties=()
for arg in "$@"; do
  case "$arg" in
    --smoke) smoke=true ;;
    -h|--help) usage; exit 0 ;;
    -D*=*) properties+=("$arg") ;;
    -*) echo "run.sh: unknown option $arg" >&2; usage >&2; exit 2 ;;
    *)
      name="${arg##*.}"   # accept dev.nbce.load.X or X
      if [[ ! " ${ALL_SIMULATIONS[*]} " == *" $name "* ]]; then
        echo "run.sh: unknown simulation $arg (one of: ${ALL_SIMULATIONS[*]})" >&2; exit 2
      fi
      simulations+=("$name") ;;
  esac
done
if [ ${#simulations[@]} -eq 0 ]; then
  if $smoke; then simulations=("${ALL_SIMULATIONS[@]}"); else simulations=(ChatWebSocketSimulation); fi
fi
# Smoke defaults come first so that -D given on the command line override them (last one wins).
if $smoke; then
  properties=(-Dusers=2 -DrampSeconds=2 -DdurationSeconds=15 -Dwindows=4 -Dquestions=3 "${properties[@]}")
fi

cd "$ROOT"
mkdir -p "$TARGET"

if [ ! -d launcher/target/lib ] || ! ls launcher/target/nbce-launcher-*.jar >/dev/null 2>&1; then
  echo "run.sh: building the server (mvn package -DskipTests)…"
  mvn -B -q $MVN_OFFLINE package -DskipTests
fi

free_port() {
  if command -v python3 >/dev/null; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
    return
  fi
  local port
  for port in $(seq 18080 18180); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  echo "run.sh: no free port in 18080-18180" >&2; return 1
}

PORT=${PORT:-$(free_port)}
BASE_URL="http://127.0.0.1:$PORT"
SERVE_LOG="$TARGET/serve.log"
server_pid=""

stop_cluster() {
  [ -n "$server_pid" ] || return 0
  if kill -0 "$server_pid" 2>/dev/null; then
    echo "run.sh: stopping the cluster (pid $server_pid)"
    kill -TERM "$server_pid" 2>/dev/null || true
    # The serve process stops its workers from a shutdown hook; give it time, then insist.
    for _ in $(seq 1 30); do kill -0 "$server_pid" 2>/dev/null || break; sleep 1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
trap stop_cluster EXIT
trap 'exit 130' INT TERM

echo "run.sh: starting ./bin/nbce serve --workers ${WORKERS:-3} --port $PORT (log: $SERVE_LOG)"
./bin/nbce serve --workers "${WORKERS:-3}" --port "$PORT" >"$SERVE_LOG" 2>&1 &
server_pid=$!   # bin/nbce execs java, so this is the serve JVM itself

deadline=$((SECONDS + READY_TIMEOUT_S))
until curl -sf -o /dev/null "$BASE_URL/ready"; do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "run.sh: the server exited before it was ready; last lines of $SERVE_LOG:" >&2
    tail -n 30 "$SERVE_LOG" >&2; server_pid=""; exit 1
  fi
  if [ $SECONDS -ge $deadline ]; then
    echo "run.sh: server not ready after ${READY_TIMEOUT_S}s; last lines of $SERVE_LOG:" >&2
    tail -n 30 "$SERVE_LOG" >&2; exit 1
  fi
  sleep 2
done
echo "run.sh: cluster ready at $BASE_URL after ${SECONDS}s"

# Per-request table from a Gatling index.html: name, counts, throughput, percentiles (ms).
summarize_report() {
  awk '
    /class="ellipsed-name"/ { match($0, /class="ellipsed-name">[^<]*</); name = substr($0, RSTART + 22, RLENGTH - 23) }
    /<td class="value [a-z]* col-[0-9]+">/ {
      match($0, /col-[0-9]+/); c = substr($0, RSTART + 4, RLENGTH - 4) + 0
      v = $0; gsub(/.*">|<\/td>.*/, "", v); val[c] = v
      if (c == 14) printf "  %-20s total=%-6s ok=%-6s ko=%-5s rps=%-7s p50=%-6s p95=%-6s p99=%-6s max=%s\n",
        name, val[2], val[3], val[4], val[6], val[8], val[10], val[11], val[12]
    }' "$1"
}

failed=()
reports=()
for simulation in "${simulations[@]}"; do
  echo "run.sh: running $simulation ${properties[*]}"
  log="$TARGET/gatling-$simulation.log"
  status=0
  mvn -B $MVN_OFFLINE -Dstyle.color=never -pl load-tests gatling:test \
    -Dgatling.simulationClass="dev.nbce.load.$simulation" -DbaseUrl="$BASE_URL" \
    "${properties[@]}" 2>&1 | tee "$log" || status=$?
  report=$(grep -o 'file://[^ ]*index\.html' "$log" | tail -n 1 | sed 's|^file://||' || true)
  [ -n "$report" ] && reports+=("$simulation: $report")
  if [ $status -ne 0 ]; then failed+=("$simulation"); fi
done

curl -sf "$BASE_URL/metrics" >"$TARGET/metrics-after.txt" \
  || echo "run.sh: could not scrape $BASE_URL/metrics" >&2
stop_cluster

echo
echo "run.sh: metrics after the run: $TARGET/metrics-after.txt"
for entry in "${reports[@]}"; do
  echo "run.sh: report ${entry}"
  summarize_report "${entry#*: }" || true
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "run.sh: FAILED (assertions or errors): ${failed[*]}" >&2
  exit 1
fi
echo "run.sh: all simulations passed"
