#!/usr/bin/env bash
# The analysis benchmark, sipas against R's survey package on the same data in the same run
# (bench/RESULTS.md, "Analysis").
#
#   bench/analysis_bench.sh [BUILD_DIR] [REPETITIONS]
#
# BUILD_DIR (default /tmp/build-bench-analysis) must already hold a Release build of the targets
# `make_responses` and `analysis_bench`; this script builds nothing:
#   cmake -S . -B /tmp/build-bench-analysis -G Ninja -DCMAKE_BUILD_TYPE=Release -DSIPAS_BUILD_TESTS=OFF
#   cmake --build /tmp/build-bench-analysis -j2 --target make_responses analysis_bench
#
# Data (bench/make_responses.cpp, seed 20240601) is generated once and reused when present:
#   /tmp/sipas-responses-$ROWS.csv (ROWS, default 1000000), and its subset of every
#   $SUBSET_EVERY-th row (default 10: 100,000 rows, every PSU and domain still present)
#   /tmp/sipas-responses-$ROWS-every$SUBSET_EVERY.csv. Delete them to regenerate.
# sipas (bench/analysis_bench.cpp, REPETITIONS per case, default 3) runs the three cases on both
# files: a = linearized item shares overall and by domain, b = the same with JKn replicate weights,
# c = raking to sex and age. R (bench/analysis_r.R, once per case) runs R_FULL_CASES (default "ac")
# on the full file and R_SUBSET_CASES (default "b") on the subset: R's JKn estimates take about
# 3 minutes per item on 100,000 rows (about an hour for the case) and would take hours on a million.
# When Rscript is missing only sipas runs. The table gives each case's sipas time (median wall) and
# peak RSS, R's time and the ratio R / sipas for the same rows, all from this run, and the R script
# compares R's estimates, SEs and raked weights with the ones sipas wrote.
set -euo pipefail

build=${1:-/tmp/build-bench-analysis}
reps=${2:-3}
rows=${ROWS:-1000000}
every=${SUBSET_EVERY:-10}
r_full=${R_FULL_CASES:-ac}
r_subset=${R_SUBSET_CASES:-b}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bench=$build/bench/analysis_bench
make_responses=$build/bench/make_responses
seed=20240601
timer=/usr/bin/time

for tool in "$bench" "$make_responses"; do
  [[ -x $tool ]] || { echo "analysis_bench: $tool is missing: build Release first (see the header)" >&2; exit 2; }
done
if grep -q 'CMAKE_BUILD_TYPE:STRING=' "$build/CMakeCache.txt"; then
  type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt")
  [[ $type == Release ]] || echo "analysis_bench: warning: $build is a $type build, not Release" >&2
fi

data=/tmp/sipas-responses-$rows.csv
subset=/tmp/sipas-responses-$rows-every$every.csv
if [[ ! -s $data ]]; then
  "$make_responses" --rows "$rows" --seed "$seed" --out "$data" >&2
fi
if [[ ! -s $subset ]]; then
  awk -v every="$every" 'NR == 1 || (NR - 2) % every == 0' "$data" >"$subset.tmp" && mv "$subset.tmp" "$subset"
fi
echo "data: $data ($(($(wc -l <"$data") - 1)) rows, $(stat -c %s "$data") bytes)" >&2
echo "subset: $subset ($(($(wc -l <"$subset") - 1)) rows, $(stat -c %s "$subset") bytes)" >&2

work=$(mktemp -d /tmp/sipas-analysis-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

# sipas on both files.
for which in full subset; do
  file=$data
  [[ $which == subset ]] && file=$subset
  echo "== sipas, $which file (load average $(cut -d' ' -f1 /proc/loadavg))" >&2
  "$bench" --data "$file" --repetitions "$reps" --estimates-out "$work/$which" | tee "$work/sipas-$which.txt" |
    grep -v '^result' >&2
done

# R on the same files.
have_r=0
if command -v Rscript >/dev/null; then
  have_r=1
  run_r() {  # run_r WHICH FILE CASES
    local which=$1 file=$2 cases=$3
    [[ -n $cases ]] || return 0
    echo "== R, $which file, cases $cases (load average $(cut -d' ' -f1 /proc/loadavg))" >&2
    if [[ -x $timer ]]; then
      "$timer" -v -o "$work/r-$which.time" Rscript "$here/analysis_r.R" "$file" "$cases" "$work/$which" |
        tee "$work/r-$which.txt" | grep -v '^result' >&2
      echo "R peak RSS ($which file, whole R process): $(sed -n 's/^\s*Maximum resident set size (kbytes): //p' "$work/r-$which.time") kB" >&2
    else
      Rscript "$here/analysis_r.R" "$file" "$cases" "$work/$which" | tee "$work/r-$which.txt" | grep -v '^result' >&2
    fi
  }
  run_r full "$data" "$r_full"
  run_r subset "$subset" "$r_subset"
else
  echo "Rscript not found: R's side is skipped" >&2
fi

# The table: for each case and file, sipas's median wall time and peak RSS, R's time, the ratio.
value() {  # value FILE NAME FIELD
  awk -F'\t' -v name="$2" -v field="$3" '$1 == "result" && $2 == name { print $field }' "$1" 2>/dev/null
}
echo
echo "| case | file | rows | sipas s (median of $reps) | sipas peak RSS MB | CSV MB | peak / CSV | R s | R / sipas |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for which in full subset; do
  file=$data
  [[ $which == subset ]] && file=$subset
  n=$(($(wc -l <"$file") - 1))
  for case in load a b c; do
    s=$(value "$work/sipas-$which.txt" "$case" 3)
    [[ -n $s ]] || continue
    if [[ $case == load ]]; then
      peak=$(value "$work/sipas-$which.txt" load 5)
      bytes=$(value "$work/sipas-$which.txt" load 6)
    else
      peak=$(value "$work/sipas-$which.txt" "$case" 6)
      bytes=$(value "$work/sipas-$which.txt" "$case" 7)
    fi
    r=""
    [[ $have_r == 1 && $case != load ]] && r=$(value "$work/r-$which.txt" "$case" 3)
    awk -v c="$case" -v w="$which" -v n="$n" -v s="$s" -v p="$peak" -v b="$bytes" -v r="$r" 'BEGIN {
      ratio = (r == "" ? "-" : sprintf("%.0f", r / s));
      rs = (r == "" ? "-" : sprintf("%.2f", r));
      printf "| %s | %s | %d | %.3f | %.1f | %.1f | %.2f | %s | %s |\n", c, w, n, s, p * 1024 / 1e6, b / 1e6,
        p * 1024 / b, rs, ratio }'
  done
done
echo
for which in full subset; do
  b_build=$(value "$work/sipas-$which.txt" b_build 3)
  r_build=""
  [[ $have_r == 1 ]] && r_build=$(value "$work/r-$which.txt" b_build 3)
  r_load=""
  [[ $have_r == 1 ]] && r_load=$(value "$work/r-$which.txt" load 3)
  echo "$which file: building the JKn design took $b_build s in sipas (inside case b)${r_build:+; as.svrepdesign took $r_build s in R (inside its case b)}${r_load:+; R's read.csv and indicators took $r_load s}"
done
echo "sipas: $bench; R: $(command -v Rscript || echo none); load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
grep -h 'against sipas' "$work"/r-*.txt 2>/dev/null || true
