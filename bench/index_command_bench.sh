#!/usr/bin/env bash
# `sipas index` as a user runs it (the command, its CSV reading included): the PAR index of every unit
# from an appraisal of every appraised criterion (bench/RESULTS.md, "The analysis command").
#
#   bench/index_command_bench.sh [BUILD_DIR] [REPETITIONS]
#
# BUILD_DIR (default /tmp/build-bench-analyze) must already hold a Release build of the targets `sipas`
# and `make_appraisal`; this script builds nothing:
#   cmake --build /tmp/build-bench-analyze -j2 --target sipas make_appraisal
#
# Appraisals (bench/make_appraisal.cpp, seed 20240601, scheme par-province-876) for 3,321 units (every
# commune and ward of the country since July 2025) and 33,210 units are generated once in /tmp and reused.
# Each size runs REPETITIONS times (default 3) under /usr/bin/time: median wall seconds, peak RSS.
set -euo pipefail

build=${1:-/tmp/build-bench-analyze}
reps=${2:-3}
sipas=$build/cli/sipas
make_appraisal=$build/bench/make_appraisal
scheme=par-province-876
for tool in "$sipas" "$make_appraisal"; do
  [[ -x $tool ]] || { echo "index_command_bench: $tool is missing: build Release first (see the header)" >&2; exit 2; }
done
work=$(mktemp -d /tmp/sipas-index-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "| units | appraisal rows | CSV MB | sipas index s (median of $reps) | rows / s | peak RSS MB |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: |"
for units in 3321 33210; do
  file=/tmp/sipas-appraisal-$scheme-$units.csv
  [[ -s $file ]] || "$make_appraisal" --scheme "$scheme" --units "$units" --seed 20240601 --out "$file" >&2
  rows=$(($(wc -l <"$file") - 1))
  times=() peak=0
  for _ in $(seq "$reps"); do
    /usr/bin/time -f "%e %M" -o "$work/time" "$sipas" index --scheme "$scheme" --appraisal "$file" \
      --out "$work/par-index.csv" 2>"$work/stderr" || { cat "$work/stderr" >&2; exit 1; }
    read -r wall rss <"$work/time"
    times+=("$wall")
    ((rss > peak)) && peak=$rss
  done
  median=$(printf '%s\n' "${times[@]}" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
  awk -v u="$units" -v r="$rows" -v b="$(stat -c %s "$file")" -v s="$median" -v p="$peak" 'BEGIN {
    printf "| %d | %d | %.1f | %.3f | %.0f | %.1f |\n", u, r, b / 1e6, s, r / s, p * 1024 / 1e6 }'
done
echo "sipas: $sipas; $(nproc) cores; load average at the end $(cut -d' ' -f1-3 /proc/loadavg)" >&2
