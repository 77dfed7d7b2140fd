#!/usr/bin/env bash
# The regression-dataset CI job, runnable on any machine (the GitHub Actions and GitLab CI recipes
# beside this file run exactly this script after the README's set-up):
#   1. render the regression dataset (small, CPU-friendly: lavapipe when there is no GPU);
#   2. no accepted dataset yet: accept this one (exit 0);
#   3. else compare it with the accepted one (synthlabel diff): exit 0 within the thresholds, 7 beyond
#      them, the comparison in $WORK/diff.json and one line per difference on stderr.
# Settings (environment):
#   SYNTHLABEL        the binary (default: build/synthlabel of this repository)
#   REGRESSION_CONFIG the scene config (default: configs/quickstart.yaml)
#   REGRESSION_ARGS   extra generate arguments, one per line (default: a 160x120 resolution, 20 frames)
#   GOLDEN            the accepted dataset's folder (default: $WORK/golden); CI caches it
#   WORK              scratch folder (default: .regression)
#   DIFF_ARGS         thresholds for synthlabel diff, one per line (default: none: equal labels and pixels)
#   ACCEPT=1          replace the accepted dataset with this run's (after a reviewed change)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
bin=${SYNTHLABEL:-$repo/build/synthlabel}
config=${REGRESSION_CONFIG:-$repo/configs/quickstart.yaml}
work=${WORK:-.regression}
golden=${GOLDEN:-$work/golden}
mapfile -t gen_args <<< "${REGRESSION_ARGS:-resolution=[160, 120]
--frames
20}"
diff_args=()
[[ -n "${DIFF_ARGS:-}" ]] && mapfile -t diff_args <<< "$DIFF_ARGS"

mkdir -p "$work"
"$bin" generate "$config" "${gen_args[@]}" --out "$work/run" --overwrite --quiet
if [[ ! -f "$golden/manifest.json" || "${ACCEPT:-0}" == 1 ]]; then
  # Replaces only a dataset this job accepted (a synthlabel manifest), never another folder's files.
  if [[ -e "$golden" ]] && ! grep -q '"tool": *"synthlabel"' "$golden/manifest.json" 2>/dev/null && [[ -n "$(ls -A "$golden")" ]]; then
    echo "regression: $golden holds files but no synthlabel dataset; not replacing it (set GOLDEN to another folder)" >&2
    exit 2
  fi
  rm -rf "$golden"
  mkdir -p "$(dirname "$golden")"
  cp -r "$work/run" "$golden"
  echo "regression: accepted $work/run as the reference dataset ($golden)"
  exit 0
fi
set +e
"$bin" diff "$golden" "$work/run" --json "$work/diff.json" "${diff_args[@]}"
code=$?
set -e
if (( code == 0 )); then
  echo "regression: the dataset equals the accepted one within the thresholds"
elif (( code == 7 )); then
  echo "regression: the dataset differs from the accepted one ($work/diff.json); if the change is intended, rerun with ACCEPT=1" >&2
fi
exit "$code"
