#!/usr/bin/env bash
# Wall time and peak memory of `sipas demo` (bench/RESULTS.md, "The demo (issue 6)").
#
#   bench/demo_bench.sh [BUILD_DIR] [RUNS]
#
# BUILD_DIR (default build/release, what scripts/demo.sh builds) must hold a Release build of `sipas`;
# this script builds nothing. Runs the demo RUNS times (default 3) into a fresh temporary folder with
# /usr/bin/time -v, prints each run's wall seconds, peak RSS and the demo's own stage times, then the
# median. The target (issue 6): under 60 s on the 2-core machine.
set -euo pipefail

build=${1:-build/release}
runs=${2:-3}
sipas=$build/cli/sipas
[ -x "$sipas" ] || { echo "demo_bench: no $sipas (build it Release first)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
echo "command: $sipas demo --out $work/out"
walls=()
for i in $(seq 1 "$runs"); do
  rm -rf "$work/out"
  /usr/bin/time -v "$sipas" demo --out "$work/out" >"$work/demo.log" 2>"$work/time.log"
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {split($2, t, ":"); print (t[1] * 60 + t[2])}' "$work/time.log")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$work/time.log")
  stages=$(grep -o '^\[[0-9]/8\].*(\([0-9.]* s\))' "$work/demo.log" | sed 's/^\(\[[0-9]\/8\]\).*(\(.*\))$/\1 \2/' | tr '\n' ' ')
  echo "run $i: ${wall} s wall, ${rss} MiB peak RSS; stage starts: $stages"
  walls+=("$wall")
done
printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR] = $1} END {print "median wall: " a[int((NR + 1) / 2)] " s"}'
