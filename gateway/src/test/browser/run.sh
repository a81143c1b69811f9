#!/usr/bin/env bash
# End-to-end test of the chat page: starts `nbce serve` (gateway + 1 worker, demo model), drives the
# page in headless Chromium (chat.test.mjs), stops the server, exits with the test's status.
#   gateway/src/test/browser/run.sh [PORT]     (default: a free port)
# Needs node (>= 20) and Chromium at /usr/bin/chromium (or CHROMIUM=/path/to/chrome);
# on Debian/Ubuntu: apt-get install -y chromium. Screenshot: gateway/target/chat-page.png.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
target="$root/gateway/target"
mkdir -p "$target"

chromium="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  echo "run.sh: no Chromium at $chromium (apt-get install -y chromium, or set CHROMIUM)" >&2
  exit 2
fi
export CHROMIUM="$chromium"

if [ ! -d "$here/node_modules/playwright-core" ]; then
  (cd "$here" && npm ci --no-audit --no-fund)
fi

free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}
port="${1:-$(free_port)}"
log="$target/chat-serve.log"

server=""
stop_server() {
  [ -n "$server" ] || return 0
  if kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server" 2>/dev/null || true   # its shutdown hook stops the worker processes too
    for _ in $(seq 40); do kill -0 "$server" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$server" 2>/dev/null || true
  fi
  wait "$server" 2>/dev/null || true
  server=""
}
trap stop_server EXIT
trap 'exit 130' INT TERM

echo "run.sh: starting nbce serve on port $port (log: $log)"
(cd "$root" && exec ./bin/nbce serve --port "$port") >"$log" 2>&1 &
server=$!

url="http://127.0.0.1:$port/"
deadline=$((SECONDS + 120))
until curl -sf "${url}ready" >/dev/null 2>&1; do
  if ! kill -0 "$server" 2>/dev/null; then
    echo "run.sh: the server exited before it was ready; last lines of its log:" >&2
    tail -n 30 "$log" >&2
    exit 1
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "run.sh: the server was not ready within 120 s; last lines of its log:" >&2
    tail -n 30 "$log" >&2
    exit 1
  fi
  sleep 1
done
echo "run.sh: server ready at $url"

status=0
(cd "$here" && node chat.test.mjs --url "$url" --screenshot "$target/chat-page.png") || status=$?
exit "$status"
