#!/usr/bin/env bash
# End-to-end timing of `sipas sample` on synthetic frames (bench/RESULTS.md, "sipas sample").
#
#   bench/sample_bench.sh [BUILD_DIR] [REPETITIONS]
#
# BUILD_DIR (default /tmp/build-bench-sample) must already hold a Release build of the targets
# `sipas` and `make_frame`; this script builds nothing:
#   cmake -S . -B /tmp/build-bench-sample -G Ninja -DCMAKE_BUILD_TYPE=Release -DSIPAS_BUILD_TESTS=OFF
#   cmake --build /tmp/build-bench-sample -j2
#
# Frames (bench/make_frame.cpp, seed 20240601) are generated once in /tmp and reused when present:
#   /tmp/sipas-bench-frame-10000000.csv and /tmp/sipas-bench-frame-1000000.csv
# Delete them to regenerate. Every case runs REPETITIONS times (default 3) under /usr/bin/time -v:
#   srs-10M   stratified SRS of 40,000 (63 provinces, proportional), 2 reserves per stratum
#   papi-10M  bench/papi-design.json: districts (pps, capital certain) -> communes (pps, seat
#             certain) -> villages (pps-systematic by households) -> 20 persons (srs) + 10 reserves
#   srs-1M    the same SRS on the 1M-row frame, to compare peak memory across frame sizes
#   papi-1M   the same design on the 1M-row frame
# EXTRA_ROWS="3000000 20000000" adds both cases on frames of those sizes (peak memory against frame
# size). It prints wall seconds, frame rows per second (rows / wall s, the whole command), CPU seconds
# (user + sys; on a shared machine wall time also counts waiting for a core) and peak RSS, and checks that the repetitions of a case wrote the same bytes (sha256sum).
set -euo pipefail

build=${1:-/tmp/build-bench-sample}
reps=${2:-3}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
sipas=$build/cli/sipas
make_frame=$build/bench/make_frame
design=$here/papi-design.json
seed=20240601
timer=/usr/bin/time

for tool in "$sipas" "$make_frame"; do
  [[ -x $tool ]] || { echo "sample_bench: $tool is missing: build Release first (see the header)" >&2; exit 2; }
done
[[ -x $timer ]] || { echo "sample_bench: $timer is missing: apt-get install time" >&2; exit 2; }
if grep -q 'CMAKE_BUILD_TYPE:STRING=' "$build/CMakeCache.txt"; then
  type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt")
  [[ $type == Release ]] || echo "sample_bench: warning: $build is a $type build, not Release" >&2
fi

frame() {  # frame ROWS -> path; generates it once
  local rows=$1 path=/tmp/sipas-bench-frame-$1.csv
  if [[ ! -s $path ]]; then
    local start end
    start=$(date +%s.%N)
    "$make_frame" --rows "$rows" --seed "$seed" --out "$path" >&2
    end=$(date +%s.%N)
    printf 'generated %s (%s rows, %s bytes) in %.1f s\n' "$path" "$rows" "$(stat -c %s "$path")" \
      "$(echo "$end - $start" | bc -l)" >&2
  else
    echo "reusing $path ($(stat -c %s "$path") bytes)" >&2
  fi
  echo "$path"
}

frame10m=$(frame 10000000)
frame1m=$(frame 1000000)

results=$(mktemp /tmp/sipas-sample-bench.XXXXXX)
trap 'rm -f "$results" /tmp/sipas-sample-bench-time.*' EXIT

run_case() {  # run_case NAME ROWS OUT -- sipas arguments...
  local name=$1 rows=$2 out=$3
  shift 4
  local hashes=()
  for rep in $(seq 1 "$reps"); do
    local timing load
    timing=$(mktemp /tmp/sipas-sample-bench-time.XXXXXX)
    load=$(cut -d' ' -f1 /proc/loadavg)
    "$timer" -v -o "$timing" "$sipas" "$@" >/dev/null
    local wall rss cpu
    # "Elapsed (wall clock) time (h:mm:ss or m:ss): 0:03.21"
    wall=$(sed -n 's/^\s*Elapsed (wall clock) time.*: //p' "$timing" |
      awk -F: '{ s = 0; for (i = 1; i <= NF; ++i) s = s * 60 + $i; printf "%.2f", s }')
    rss=$(sed -n 's/^\s*Maximum resident set size (kbytes): //p' "$timing")
    cpu=$(sed -n 's/^\s*\(User\|System\) time (seconds): //p' "$timing" | awk '{ s += $1 } END { printf "%.2f", s }')
    rm -f "$timing"
    hashes+=("$(sha256sum "$out" | cut -d' ' -f1)")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$rep" "$rows" "$wall" "$rss" "$load" \
      "${hashes[-1]:0:16}" "$cpu" >>"$results"
    printf '%-9s rep %s: %s s wall, %s s CPU, peak RSS %s kB (load %s)\n' "$name" "$rep" "$wall" \
      "$cpu" "$rss" "$load" >&2
  done
  for h in "${hashes[@]}"; do
    [[ $h == "${hashes[0]}" ]] || { echo "sample_bench: $name: repetitions differ" >&2; exit 1; }
  done
}

srs() {  # srs FRAME OUT
  echo sample --frame "$1" --id id --strata province --n 40000 --seed 1 --reserve 2 --out "$2" \
    --design-out "${2%.csv}.design.json" --quiet
}
papi() {  # papi FRAME OUT
  echo sample --frame "$1" --id id --design "$design" --seed 1 --out "$2" \
    --design-out "${2%.csv}.design.json" --quiet
}

# shellcheck disable=SC2046  # the paths have no spaces
{
  run_case srs-10M 10000000 /tmp/s1.csv -- $(srs "$frame10m" /tmp/s1.csv)
  run_case papi-10M 10000000 /tmp/s2.csv -- $(papi "$frame10m" /tmp/s2.csv)
  run_case srs-1M 1000000 /tmp/s3.csv -- $(srs "$frame1m" /tmp/s3.csv)
  run_case papi-1M 1000000 /tmp/s4.csv -- $(papi "$frame1m" /tmp/s4.csv)
  for rows in ${EXTRA_ROWS:-}; do
    extra=$(frame "$rows")
    run_case "srs-$rows" "$rows" "/tmp/s-srs-$rows.csv" -- $(srs "$extra" "/tmp/s-srs-$rows.csv")
    run_case "papi-$rows" "$rows" "/tmp/s-papi-$rows.csv" -- $(papi "$extra" "/tmp/s-papi-$rows.csv")
  done
}

echo
echo "commands (each run $reps times under $timer -v):"
echo "  $sipas $(srs "$frame10m" /tmp/s1.csv)"
echo "  $sipas $(papi "$frame10m" /tmp/s2.csv)"
echo "  $sipas $(srs "$frame1m" /tmp/s3.csv)"
echo "  $sipas $(papi "$frame1m" /tmp/s4.csv)"
echo
echo "| case | rep | frame rows | wall s | rows/s (wall) | CPU s | rows/CPU-s | peak RSS MiB | load avg | sample.csv sha256 (first 16) |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
awk -F'\t' '{ printf "| %s | %s | %d | %.2f | %d | %.2f | %d | %.1f | %s | %s |\n",
              $1, $2, $3, $4, $3 / $4, $8, $3 / $8, $5 / 1024, $6, $7 }' "$results"
echo
echo "sample rows (with header): s1 $(wc -l </tmp/s1.csv), s2 $(wc -l </tmp/s2.csv)," \
  "s3 $(wc -l </tmp/s3.csv), s4 $(wc -l </tmp/s4.csv)"
