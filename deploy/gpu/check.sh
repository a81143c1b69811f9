#!/usr/bin/env bash
# The GPU check in one command, on a machine with a CUDA GPU, a Python PyTorch, a JDK 17 and Maven
# with this project's dependencies in its local repository (see docs/performance.md, "GPU check"):
#
#   1. detects the local torch (version, CUDA, libtorch directory) and whether DJL 0.35.1's
#      published PyTorch JNI fits it (torch 2.7.1 with CUDA 12.8: the cu128 JNI inside
#      pytorch-jni-2.7.1-0.35.1.jar); otherwise builds DJL's PyTorch JNI from the v0.35.1 source
#      (engines/pytorch/pytorch-native) against that torch's libtorch. Nothing is downloaded: pass
#      the source as --djl-source DIR (a checkout at tag v0.35.1) or a .tar.gz of it (GitHub's
#      archive/refs/tags/v0.35.1.tar.gz, fetched on a machine with access);
#   2. points DJL at that libtorch (PYTORCH_LIBRARY_PATH, PYTORCH_VERSION, PYTORCH_FLAVOR) and the JNI;
#   3. runs the reference fixtures on --device gpu in each dtype (GpuReferenceCheck: logits within a
#      stated allowance, argmax and generated ids against the references);
#   4. runs `bin/nbce bench` on the Qwen2.5-0.5B shape in each dtype (against this GPU's own limits);
#   5. prints one table (check_table.py).
#
# usage: deploy/gpu/check.sh [--dry-run] [--python PY] [--djl-source DIR|FILE.tar.gz] [--work DIR]
#          [--dtypes f16,bf16] [--rows 1,16,64] [--skip-references] [--skip-bench]
#          [--torch-version V --cuda V]   (instead of asking Python: for a plan without torch)
# --dry-run prints the plan and stops before the build. Exit: 0 every check passed, 1 a check
# failed, 2 bad arguments or a missing prerequisite.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
DJL_VERSION=0.35.1
PUBLISHED_TORCH=2.7.1    # pytorch-jni-2.7.1-0.35.1 (the project's)
PUBLISHED_CUDA=12.8      # its CUDA JNI: jnilib/linux-x86_64/cu128

die() { echo "gpu-check: $*" >&2; exit 2; }
usage() { sed -n 's/^# \{0,1\}//; /^usage:/,/^--dry-run/p' "$0" | sed '$d' >&2; exit 2; }

DRY_RUN=false PYTHON=python3 DJL_SOURCE="" WORK="$REPO/deploy/gpu/.work" DTYPES=f16,bf16 ROWS=1,16,64
REFERENCES=true BENCH=true TORCH_VERSION="" CUDA_VERSION=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY_RUN=true ;;
    --skip-references) REFERENCES=false ;;
    --skip-bench) BENCH=false ;;
    --python|--djl-source|--work|--dtypes|--rows|--torch-version|--cuda)
      [ $# -ge 2 ] && [ -n "$2" ] || die "$1 needs a value"
      case "$1" in
        --python) PYTHON="$2" ;; --djl-source) DJL_SOURCE="$2" ;; --work) WORK="$2" ;;
        --dtypes) DTYPES="$2" ;; --rows) ROWS="$2" ;; --torch-version) TORCH_VERSION="$2" ;; --cuda) CUDA_VERSION="$2" ;;
      esac
      shift ;;
    -h|--help) usage ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
  shift
done
for d in ${DTYPES//,/ }; do
  case "$d" in f32|f16|bf16) ;; *) die "--dtypes takes f32, f16 and bf16, not $d" ;; esac
done
[[ "$ROWS" =~ ^[0-9]+(,[0-9]+)*$ ]] || die "--rows takes numbers separated by commas, not $ROWS"
if { [ -n "$TORCH_VERSION" ] && [ -z "$CUDA_VERSION" ]; } || { [ -z "$TORCH_VERSION" ] && [ -n "$CUDA_VERSION" ]; }; then
  die "--torch-version and --cuda go together"
fi

# 1. The local torch.
TORCH_DIR="<torch dir, not asked>" GPU_NAME="(not asked)" CXX11_ABI=1
if [ -z "$TORCH_VERSION" ]; then
  command -v "$PYTHON" >/dev/null || die "no $PYTHON: pass --python or --torch-version/--cuda"
  info=$("$PYTHON" -c '
import os, torch
print(torch.__version__)
print(torch.version.cuda or "")
print(os.path.dirname(torch.__file__))
print(int(torch._C._GLIBCXX_USE_CXX11_ABI))
print(torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")
' 2>/dev/null) || die "$PYTHON cannot import torch"
  { read -r TORCH_VERSION; read -r CUDA_VERSION; read -r TORCH_DIR; read -r CXX11_ABI; read -r GPU_NAME; } <<<"$info"
  [ -n "$CUDA_VERSION" ] || die "torch $TORCH_VERSION was built without CUDA"
  [ -n "$GPU_NAME" ] || die "torch $TORCH_VERSION (CUDA $CUDA_VERSION) sees no GPU"
fi
TORCH_BASE="${TORCH_VERSION%%+*}"                 # 2.5.1+cu124 -> 2.5.1
FLAVOR="cu$(echo "$CUDA_VERSION" | cut -d. -f1,2 | tr -d .)"   # 12.4 -> cu124
if [ "$TORCH_BASE" = "$PUBLISHED_TORCH" ] && [ "$(echo "$CUDA_VERSION" | cut -d. -f1,2)" = "$PUBLISHED_CUDA" ]; then
  JNI=published
else
  JNI=build
fi
JNI_DIR="$WORK/djl-cache/pytorch/${TORCH_BASE}-${FLAVOR}-linux-x86_64"

echo "gpu-check plan"
echo "  torch        $TORCH_VERSION, CUDA $CUDA_VERSION, GPU $GPU_NAME, libtorch $TORCH_DIR/lib"
if [ "$JNI" = published ]; then
  echo "  1. JNI       published: DJL $DJL_VERSION's $FLAVOR JNI (pytorch-jni-$PUBLISHED_TORCH-$DJL_VERSION.jar) fits torch $TORCH_BASE"
else
  echo "  1. JNI       build: DJL $DJL_VERSION publishes a JNI for torch $PUBLISHED_TORCH with CUDA $PUBLISHED_CUDA only, not $TORCH_BASE with CUDA $CUDA_VERSION"
  echo "               from ${DJL_SOURCE:-<--djl-source needed>}/engines/pytorch/pytorch-native: javac -h (PyTorchLibrary), cmake"
  echo "               -DCMAKE_PREFIX_PATH=$TORCH_DIR -DUSE_CUDA=1, make -> $JNI_DIR/$DJL_VERSION-libdjl_torch.so"
fi
echo "  2. DJL       PYTORCH_LIBRARY_PATH=$TORCH_DIR/lib PYTORCH_VERSION=$TORCH_BASE PYTORCH_FLAVOR=$FLAVOR ENGINE_CACHE_DIR=$WORK/djl-cache DJL_OFFLINE=true"
if $REFERENCES; then
  for d in ${DTYPES//,/ }; do
    echo "  3. fixtures  $d: mvn -o -B -pl launcher -am test -Dtest=GpuReferenceCheck -Dnbce.check.device=gpu -Dnbce.check.dtype=$d -> $WORK/ref-$d.jsonl"
  done
fi
if $BENCH; then
  for d in ${DTYPES//,/ }; do
    echo "  4. bench     $d: bin/nbce bench --device gpu --dtype $d --synthetic qwen2.5-0.5b --rows $ROWS --json -> $WORK/bench-$d.json"
  done
fi
echo "  5. table     python3 deploy/gpu/check_table.py $WORK"
if $DRY_RUN; then
  echo "dry run: stopping before the build"
  exit 0
fi

# Prerequisites of what follows.
[ -d "$TORCH_DIR" ] || die "a run needs the local torch: leave out --torch-version/--cuda"
for tool in java mvn python3; do command -v "$tool" >/dev/null || die "needs $tool on PATH"; done
mkdir -p "$WORK" "$JNI_DIR"
rm -f "$WORK"/ref-*.jsonl "$WORK"/bench-*.json "$WORK"/env.json

# 1. The JNI.
if [ "$JNI" = build ]; then
  for tool in javac cmake make c++; do command -v "$tool" >/dev/null || die "building the JNI needs $tool on PATH"; done
  [ -n "$DJL_SOURCE" ] || die "torch $TORCH_BASE/CUDA $CUDA_VERSION needs a JNI built from DJL v$DJL_VERSION's source: pass --djl-source DIR|FILE.tar.gz"
  if [ -f "$DJL_SOURCE" ]; then
    rm -rf "$WORK/djl-src" && mkdir -p "$WORK/djl-src"
    tar -xzf "$DJL_SOURCE" -C "$WORK/djl-src" --strip-components=1
    DJL_SOURCE="$WORK/djl-src"
  fi
  NATIVE="$DJL_SOURCE/engines/pytorch/pytorch-native"
  [ -f "$NATIVE/CMakeLists.txt" ] || die "$DJL_SOURCE is not DJL's source (no engines/pytorch/pytorch-native/CMakeLists.txt)"
  (
    set -x
    cd "$NATIVE" && rm -rf build && mkdir -p build/classes && cd build
    javac -sourcepath ../../pytorch-engine/src/main/java/ ../../pytorch-engine/src/main/java/ai/djl/pytorch/jni/PyTorchLibrary.java \
      -h include -d classes
    cmake -DCMAKE_PREFIX_PATH="$TORCH_DIR" -DUSE_CUDA=1 -DCMAKE_BUILD_TYPE=Release ..
    cmake --build . --config Release -- -j "$(nproc)"
  ) >"$WORK/jni-build.log" 2>&1 || { echo "gpu-check: the JNI build failed; last lines of $WORK/jni-build.log:" >&2; tail -20 "$WORK/jni-build.log" >&2; exit 1; }
  cp "$NATIVE/build/libdjl_torch.so" "$JNI_DIR/$DJL_VERSION-libdjl_torch.so"
fi

# 2. DJL on the local libtorch (the CPU libtorch jar stays on the classpath but is not used); DJL looks
#    for the JNI in ENGINE_CACHE_DIR/pytorch/<PYTORCH_VERSION>-<PYTORCH_FLAVOR>-linux-x86_64/ and, when
#    published, extracts it there from pytorch-jni's jar.
export PYTORCH_LIBRARY_PATH="$TORCH_DIR/lib" PYTORCH_VERSION="$TORCH_BASE" PYTORCH_FLAVOR="$FLAVOR"
export ENGINE_CACHE_DIR="$WORK/djl-cache" DJL_OFFLINE=true
printf '{"torch":"%s","cuda":"%s","gpu":"%s","jni":"%s","flavor":"%s"}\n' \
  "$TORCH_VERSION" "$CUDA_VERSION" "$GPU_NAME" "$JNI" "$FLAVOR" >"$WORK/env.json"

cd "$REPO"
status=0
# 3. Reference fixtures.
if $REFERENCES; then
  for d in ${DTYPES//,/ }; do
    mvn -o -B -q -pl launcher -am test -Dtest=GpuReferenceCheck -Dsurefire.failIfNoSpecifiedTests=false \
      -Dnbce.check.device=gpu -Dnbce.check.dtype="$d" -Dnbce.check.out="$WORK/ref-$d.jsonl" >"$WORK/ref-$d.log" 2>&1 || status=1
  done
fi
# 4. Bench on the Qwen2.5-0.5B shape.
if $BENCH; then
  for d in ${DTYPES//,/ }; do
    bin/nbce bench --device gpu --dtype "$d" --synthetic qwen2.5-0.5b --rows "$ROWS" --json >"$WORK/bench-$d.log" 2>&1 || status=1
    grep '^{' "$WORK/bench-$d.log" | tail -n 1 >"$WORK/bench-$d.json" || true
  done
fi
# 5. One table.
python3 "$HERE/check_table.py" "$WORK" || status=1
exit "$status"
