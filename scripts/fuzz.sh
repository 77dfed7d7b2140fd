#!/usr/bin/env bash
# Builds the libFuzzer targets (clang 14, AddressSanitizer + UBSan) in build-fuzz/ and runs each for a
# bounded time: scripts/fuzz.sh [SECONDS_PER_TARGET, default 60] [TARGET...: config asset image]. Seeds come from the repo's configs
# and meshes and, if installed, Debian's assimp-testmodels. A crashing input is saved under
# tests/data/fuzz/<target>/ (replayed by the unit tests from then on) and the script exits non-zero.
# Note: Assimp is the system library, not instrumented, so coverage guidance reaches our code only;
# mutations still exercise Assimp's parsers.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
targets=("${@:2}")
(( ${#targets[@]} )) || targets=(config asset image)
missing=()
for p in clang-14 libclang-rt-14-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if (( ${#missing[@]} )); then
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
scripts/setup.sh --tests >/dev/null  # the other dependencies
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
  -DSYNTHLABEL_FUZZ=ON -DSYNTHLABEL_BUILD_TESTS=OFF >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target config_fuzzer asset_fuzzer image_fuzzer

seed() {  # seed DIR FILES...: copies seed files into a corpus folder
  local dir=$1; shift; mkdir -p "$dir"
  for f in "$@"; do if [[ -f $f ]]; then cp "$f" "$dir/"; fi; done
}
# Multi-file inputs (fuzz/FuzzInput.h): configs with the files they include and command-line overrides;
# models with the buffers, material libraries and images they refer to.
seed build-fuzz/corpus/config configs/*.yaml tests/data/*.yaml tests/data/fuzz/config/* fuzz/seeds/config/*
seed build-fuzz/corpus/asset fuzz/seeds/asset/*
mkdir -p build-fuzz/corpus/asset
i=0
for f in assets/models/* /usr/share/assimp/models/{OBJ/box.obj,PLY/cube.ply,OFF/Cube.off,STL/triangle.stl} \
         /usr/share/assimp/models/glTF2/BoxTextured-glTF-Binary/BoxTextured.glb /usr/share/assimp/models/FBX/box.fbx; do
  [[ -f $f ]] || continue
  case "${f##*.}" in obj) b=0;; ply) b=1;; off) b=2;; stl) b=3;; gltf) b=4;; glb) b=5;; fbx) b=6;; *) continue;; esac
  { printf "\\x$(printf %02x $b)"; cat "$f"; } > "build-fuzz/corpus/asset/seed$((i++))"
done
# Images: a byte 0 before PNG/JPEG (texture decoder), 1 before EXR (environment-map decoder).
mkdir -p build-fuzz/corpus/image
i=0
for f in assets/textures/*.png /usr/share/assimp/models/OBJ/wal67ar_small.jpg fuzz/seeds/image/*.exr; do
  [[ -f $f ]] || continue
  b=0; [[ $f == *.exr ]] && b=1
  { printf "\\x$(printf %02x $b)"; cat "$f"; } > "build-fuzz/corpus/image/seed$((i++))"
done
# (tests/data/fuzz/asset/ holds inputs that hang Assimp in-process: regression tests for the sandboxed
# loader, not seeds, or the fuzzer would stop on them at once.)

status=0
for target in "${targets[@]}"; do
  mkdir -p "tests/data/fuzz/$target"
  before=$(ls "tests/data/fuzz/$target" | sort)
  echo "== ${target}_fuzzer for ${seconds}s"
  # The asset fuzzer runs in fork mode: Assimp (not ours) has inputs it loops on forever; in production
  # the sandbox's CPU limit stops those, so here they are recorded and fuzzing goes on.
  # Every input has a wall-clock limit (-timeout: 10 s for a config, whose alias bombs and include
  # fan-out must end fast; 30 s for a model), and the whole run one too (timeout, in case a child hangs).
  extra=(-timeout=10)
  [[ $target == asset ]] && extra=(-timeout=30 -fork=1 -ignore_timeouts=1 -ignore_ooms=1)
  ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 \
  timeout --kill-after=30 $((seconds + 120)) \
  "build-fuzz/fuzz/${target}_fuzzer" "build-fuzz/corpus/$target" -max_total_time="$seconds" -rss_limit_mb=4096 \
    -max_len=65536 -artifact_prefix="tests/data/fuzz/$target/" -print_final_stats=1 "${extra[@]}" 2>&1 |
    grep -E "^(#[0-9]+ +(INITED|DONE)|#[0-9]+: cov|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written|INFO: fuzzed for)" | tail -8 || true
  new=$(comm -13 <(echo "$before") <(ls "tests/data/fuzz/$target" | sort))
  if [[ -n "$new" ]]; then
    echo "NEW FINDINGS in tests/data/fuzz/$target: $new (give them descriptive names once fixed)"
    status=1
  fi
done
exit $status
