#!/usr/bin/env bash
# The whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/, RelWithDebInfo).
# Render tests keep the Vulkan validation layer on, as always. Any sanitizer report fails the test that
# triggered it (halt_on_error; UBSan reports are fatal via -fno-sanitize-recover).
# Leak detection is off: lavapipe/LLVM keep process-lifetime allocations that LeakSanitizer reports.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests >/dev/null
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSYNTHLABEL_SANITIZE=ON -DSYNTHLABEL_WERROR=ON >/dev/null
cmake --build build-asan -j"$(nproc)"
export ASAN_OPTIONS=detect_leaks=0:halt_on_error=1:abort_on_error=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir build-asan --output-on-failure -j"$(nproc)" --timeout 600
