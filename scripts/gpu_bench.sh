#!/usr/bin/env bash
# Throughput on a GPU machine: `synthlabel bench` on the quickstart at 640x480 and 1920x1080, same
# outputs as generate (RGB PNG, instance/semantic PNG, depth EXR, COCO). Prints the per-stage tables
# and keeps them in $OUT/gpu_bench.txt (or /tmp).
#
# On a lent NVIDIA GPU (see the shared gpu/README.md of this workplace):
#   here:    scripts/setup.sh && ../shared/gpu/prepare.sh build/synthlabel
#   device:  carry [".gpu"], command:  bash .gpu/run.sh bash scripts/gpu_bench.sh .gpu/bin/synthlabel
# On any machine with a GPU and synthlabel built:  scripts/gpu_bench.sh build/synthlabel
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/synthlabel}
frames=${FRAMES:-2000}
log=${OUT:-/tmp}/gpu_bench.txt
: > "$log"
"$bin" devices | tee -a "$log"
nproc | sed 's/^/cpu threads: /' | tee -a "$log"
for res in 640x480 1920x1080; do
  "$bin" bench configs/quickstart.yaml --frames "$frames" --resolution "$res" | tee -a "$log"
  "$bin" bench configs/quickstart.yaml --frames "$frames" --resolution "$res" --compression none | tee -a "$log"
done
