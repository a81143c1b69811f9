#!/usr/bin/env bash
# Validates everything under deploy/ without a cluster or a Docker daemon:
#   YAML syntax + style  yamllint (Debian package)                       every *.yaml here
#   Kubernetes objects   kubernetes-models (official OpenAPI schemas: types, enums, required),
#                        @kubernetes/client-node models (unknown fields), project policy,
#                        references between objects, kustomize render (+ `kubectl kustomize` when
#                        a kubectl is installed); KEDA ScaledObjects and   k8s/, k8s-cpu/,
#                        the Prometheus Adapter rules (check.mjs)         k8s-hpa/, k8s-keda/
#   Compose file         Compose Specification JSON schema (compose_spec.json shipped in Debian's
#                        docker-compose package) with ajv, plus cluster wiring checks
#   Dockerfiles          dockerfile-utils (the linter behind the VS Code Docker language server)
#                        and image policy (pinned bases, non-root USER, HEALTHCHECK, EXPOSE)
# Tools come from Debian apt and npm only and are cached in deploy/.tools (git-ignored).
# Exit status: 0 when every file passes, 1 otherwise.
set -euo pipefail

DEPLOY="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TOOLS="$DEPLOY/.tools"
REPO="$(dirname "$DEPLOY")"
mkdir -p "$TOOLS"

say() { printf 'validate: %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    say "need root for: $*"; return 1; fi
}

# Debian packages are unpacked into .tools (no install, no root) once apt knows them.
deb_extract() { # deb_extract <dest> <package>...
  local dest="$1"; shift
  local debs="$TOOLS/deb"
  mkdir -p "$debs" "$dest"
  (cd "$debs" && apt-get download "$@" >/dev/null 2>&1) || {
    say "apt-get update (package lists missing or stale)"
    as_root apt-get update -qq >/dev/null
    (cd "$debs" && apt-get download "$@" >/dev/null)
  }
  local p
  for p in "$@"; do dpkg-deb -x "$(ls "$debs/${p}"_*.deb | head -n 1)" "$dest"; done
}

ensure_node() {
  if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 18 ]; then
    say "installing nodejs and npm (Debian)"
    as_root apt-get update -qq >/dev/null
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  fi
}

NODE_TOOLS="$TOOLS/node"
ensure_npm_tools() {
  mkdir -p "$NODE_TOOLS"
  if ! cmp -s "$DEPLOY/tools/package.json" "$NODE_TOOLS/package.json" || [ ! -d "$NODE_TOOLS/node_modules" ]; then
    say "installing npm validators (deploy/tools/package.json)"
    cp "$DEPLOY/tools/package.json" "$NODE_TOOLS/package.json"
    (cd "$NODE_TOOLS" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
  fi
  # Run from next to node_modules so bare imports resolve to the pinned packages.
  cp "$DEPLOY/tools/check.mjs" "$NODE_TOOLS/check.mjs"
}

YAMLLINT=()
ensure_yamllint() {
  if command -v yamllint >/dev/null; then YAMLLINT=(yamllint); return; fi
  local root="$TOOLS/yamllint"
  if [ ! -d "$root/usr/lib/python3/dist-packages/yamllint" ]; then
    say "unpacking yamllint (Debian)"
    deb_extract "$root" yamllint python3-pathspec python3-yaml
  fi
  local py=/usr/bin/python3; [ -x "$py" ] || py=python3
  YAMLLINT=(env "PYTHONPATH=$root/usr/lib/python3/dist-packages" "$py" -m yamllint)
}

COMPOSE_SCHEMA="$TOOLS/compose-spec.json"
ensure_compose_schema() {
  [ -s "$COMPOSE_SCHEMA" ] && return
  say "unpacking the Compose Specification schema (Debian docker-compose)"
  local root="$TOOLS/docker-compose"
  deb_extract "$root" docker-compose
  cp "$(find "$root" -name compose_spec.json | head -n 1)" "$COMPOSE_SCHEMA"
}

ensure_node
ensure_npm_tools
ensure_yamllint
ensure_compose_schema

cd "$REPO"
RESULTS="$(mktemp)"
trap 'rm -f "$RESULTS"' EXIT

mapfile -t YAML_FILES < <(find deploy -path deploy/.tools -prune -o -type f \( -name '*.yaml' -o -name '*.yml' \) -print | sort)
mapfile -t DOCKERFILES < <(find deploy/docker -type f -name 'Dockerfile.*' ! -name '*.dockerignore' | sort)
# The optional autoscaling overlays too, and the Prometheus Adapter rules the HPAs of deploy/k8s-hpa read.
KUSTOMIZATIONS=(deploy/k8s deploy/k8s-cpu deploy/k8s-hpa deploy/k8s-hpa/prometheus-adapter deploy/k8s-keda)

# 1. YAML syntax and style.
for f in "${YAML_FILES[@]}"; do
  if out="$("${YAMLLINT[@]}" -c deploy/.yamllint.yaml -f parsable "$f" 2>&1)"; then
    printf 'PASS\t%s\tyamllint\n' "$f"
  else
    while IFS= read -r line; do printf 'FAIL\t%s\tyamllint: %s\n' "$f" "${line#"$f":}"; done <<<"$out"
  fi
done >>"$RESULTS"

# 2. Kubernetes objects and kustomizations; 3. Compose; 4. Dockerfile policy.
node "$NODE_TOOLS/check.mjs" k8s "${KUSTOMIZATIONS[@]}" >>"$RESULTS" || true
node "$NODE_TOOLS/check.mjs" compose "$COMPOSE_SCHEMA" deploy/compose.yaml >>"$RESULTS" || true
node "$NODE_TOOLS/check.mjs" dockerfile "${DOCKERFILES[@]}" >>"$RESULTS" || true

# 5. Dockerfile syntax: dockerfile-utils prints diagnostics and exits 1 on errors.
for f in "${DOCKERFILES[@]}"; do
  if out="$("$NODE_TOOLS/node_modules/.bin/dockerfile-utils" lint "$f" 2>&1)" && [ -z "$out" ]; then
    printf 'PASS\t%s\tdockerfile-utils lint\n' "$f"
  else
    printf 'FAIL\t%s\tdockerfile-utils lint: %s\n' "$f" "$(tr '\n' ' ' <<<"$out" | tr -s ' ')"
  fi
done >>"$RESULTS"

# A file passes when none of its checks failed; a check that could not run counts as failed.
grep -q $'^FAIL\t' "$RESULTS" && { printf '\nFailures:\n'; grep $'^FAIL\t' "$RESULTS" | cut -f2- | sed 's/\t/  /; s/^/  /'; printf '\n'; } || true
{ grep $'^SKIP\t' "$RESULTS" || true; } | cut -f2- | sed 's/\t/  /; s/^/skipped: /'
checks="$(grep -c -E $'^(PASS|FAIL)\t' "$RESULTS" || true)"
files="$(grep -E $'^(PASS|FAIL)\t' "$RESULTS" | cut -f2 | sort -u | wc -l)"
bad="$({ grep $'^FAIL\t' "$RESULTS" || true; } | cut -f2 | sort -u | wc -l)"
for f in "${YAML_FILES[@]}" "${DOCKERFILES[@]}"; do
  grep -q -P "^(PASS|FAIL)\t\Q$f\E\t" "$RESULTS" || { say "no check ran for $f"; bad=$((bad + 1)); }
done
[ "${VERBOSE:-}" = 1 ] && cut -f1-3 "$RESULTS" | sort -u
printf 'deploy: %d files validated (%d checks), %d failed\n' "$files" "$checks" "$bad"
[ "$bad" -eq 0 ]
