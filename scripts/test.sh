#!/usr/bin/env bash
# Installs what is missing, checks that every C++ file is formatted, builds
# everything with AddressSanitizer and UndefinedBehaviorSanitizer (Debug), and
# runs every test through CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/check-format.sh
# -g1: line tables and function names, all a sanitizer's stack trace shows,
# at a fraction of the compile and link time of full debug information; lld
# links the large sanitized executables several times faster than ld.bfd.
cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSIPAS_SANITIZE=ON \
  -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld >/dev/null
cmake --build build/asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir build/asan --output-on-failure -j "$(nproc)"
