#!/usr/bin/env bash
# Installs the Debian packages sipas needs to build, test and run, and only
# those that are missing. Safe to run again. Needs root (or sudo) only when
# something is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libboost1.81-dev libeigen3-dev libsqlite3-dev nlohmann-json3-dev libcli11-dev libre2-dev
  libcsv-dev libssl-dev libreadstat-dev libxlsxwriter-dev libjemalloc-dev libsodium-dev unzip
  libgtest-dev libgmock-dev libbenchmark-dev
  chromium
  clang libclang-rt-14-dev lld clang-format
  postgresql-15 libpq-dev nginx-light
)
# The browser tests (tests/browser) run node and npm. A node already on PATH
# (e.g. NodeSource's, which brings its own npm) is kept: Debian's npm would
# conflict with it.
if ! command -v node >/dev/null; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages are installed"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then
    as_root=(sudo)
  else
    echo "install-deps: run as root (or install sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
