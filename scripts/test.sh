#!/usr/bin/env bash
# README command 2 (and what CI runs): set up with the test dependencies, build, run the whole test
# suite. Render tests use lavapipe when there is no GPU and always run with the validation layer on.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests
jobs=$(nproc 2>/dev/null || echo 2)
ctest --test-dir build --output-on-failure -j"$jobs"
