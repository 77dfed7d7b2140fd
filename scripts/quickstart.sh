#!/usr/bin/env bash
# README command 1: set up (install missing packages, build), then generate the quickstart dataset
# into out/quickstart on the best Vulkan device here (lavapipe on a machine without a GPU).
# Running it again replaces that dataset.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
build/synthlabel generate configs/quickstart.yaml --out out/quickstart --overwrite "$@"
echo "Dataset: out/quickstart (coco.json, manifest.json, rgb/, instance/, semantic/, depth/, records/)"
