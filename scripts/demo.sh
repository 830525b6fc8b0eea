#!/usr/bin/env bash
# Installs what is missing, builds sipas (Release) and runs `sipas demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DSIPAS_BUILD_TESTS=OFF \
  -DSIPAS_BUILD_BENCH=OFF >/dev/null
cmake --build build/release --target sipas
build/release/cli/sipas demo
