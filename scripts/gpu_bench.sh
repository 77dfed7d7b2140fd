#!/usr/bin/env bash
# Throughput on a GPU machine (issue 23's table): `synthlabel bench` at 640x480 and 1920x1080 on the
# quickstart (RGB PNG, instance/semantic PNG, depth EXR, COCO) and on a sequence config with flow and
# every temporal output (configs/temporal_outputs.yaml: clips, amodal, flow in three formats, MOT,
# KITTI tracking), all outputs written, the default encoder threads; the quickstart also with
# `--compression none` (the encoders' share) and `--render-only` (the renderer's). Prints the
# per-stage tables and keeps them, and the same as JSON lines, in $OUT/gpu_bench.txt and
# $OUT/gpu_bench.jsonl (or /tmp).
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
json=${OUT:-/tmp}/gpu_bench.jsonl
: > "$log"
: > "$json"
"$bin" devices | tee -a "$log"
nproc | sed 's/^/cpu threads: /' | tee -a "$log"
run() {  # the table to the log, the same figures as one JSON line
  "$bin" bench "$@" | tee -a "$log"
  "$bin" bench "$@" --json >> "$json"
}
for res in 640x480 1920x1080; do
  run configs/quickstart.yaml --frames "$frames" --resolution "$res"
  run configs/quickstart.yaml --frames "$frames" --resolution "$res" --compression none
  run configs/quickstart.yaml --frames "$frames" --resolution "$res" --render-only
  run configs/temporal_outputs.yaml --frames "$((frames / 4))" --resolution "$res"
done
