#!/usr/bin/env bash
# Regenerates the golden images in tests/golden/ from the current renderer (lavapipe unless
# SYNTHLABEL_DEVICE / a GPU says otherwise) and shows what moved:
#   scripts/update_goldens.sh            rebuild, rewrite every golden, print max/mean difference per
#                                        image, write NAME.old.png and NAME.diff.png (|diff| x 8) of
#                                        each changed one to out/golden-diff/, then `git diff --stat`.
# Review the images before committing them: a golden is only as good as the frame it holds.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build" --target golden_tests -j"$(nproc)" >/dev/null
rm -rf out/golden-diff
mkdir -p out/golden-diff
SYNTHLABEL_UPDATE_GOLDENS=1 SYNTHLABEL_GOLDEN_OUT="$PWD/out/golden-diff" "$build/tests/golden_tests" | grep '^golden '
echo
git status --short tests/golden || true
git diff --stat -- tests/golden || true
if compgen -G "out/golden-diff/*.diff.png" >/dev/null; then
  echo "changed goldens: old and difference images in out/golden-diff/"
else
  echo "no golden changed"
fi
