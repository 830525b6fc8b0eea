#!/usr/bin/env bash
# `sipas analyze` as a user runs it (the command, its CSV reading included) beside R's survey package
# on the same file in the same run, and a check that both give the same numbers (bench/RESULTS.md,
# "The analysis command").
#
#   bench/analyze_command_bench.sh [BUILD_DIR] [REPETITIONS]
#
# BUILD_DIR (default /tmp/build-bench-analyze) must already hold a Release build of the targets
# `sipas` and `make_responses`; this script builds nothing:
#   cmake -S . -B /tmp/build-bench-analyze -G Ninja -DCMAKE_BUILD_TYPE=Release -DSIPAS_BUILD_TESTS=OFF
#   cmake --build /tmp/build-bench-analyze -j2 --target sipas make_responses
#
# Data (bench/make_responses.cpp, seed 20240601: 26 columns, 63 strata x 20 PSUs, weights, 30
# domains, 20 items on a 1-5 scale with 9 = don't know and missing answers) is generated once and
# reused: /tmp/sipas-responses-1000000.csv and its every-10th-row subset
# /tmp/sipas-responses-1000000-every10.csv (100,000 rows). Delete them to regenerate.
#
# Cases, each REPETITIONS times (default 3) under /usr/bin/time (wall seconds, median; peak RSS):
#   one    --prop q01=4,5                         one share, whole population
#   items  --prop q01=4,5 ... --prop q20=4,5      top-2 shares of 20 items, whole population
#   domains  the same --by domain                 620 estimates (20 items x everyone + 30 domains)
# all with --strata stratum --psu psu --weights weight --format csv. R (bench/analyze_command_r.R)
# times svydesign + svymean + svyby of the same 620 estimates (read.csv not counted) once per file,
# and compares every estimate and SE with the CSV sipas wrote for `domains`.
set -euo pipefail

build=${1:-/tmp/build-bench-analyze}
reps=${2:-3}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
sipas=$build/cli/sipas
make_responses=$build/bench/make_responses
rows=1000000
data=/tmp/sipas-responses-$rows.csv
subset=/tmp/sipas-responses-$rows-every10.csv

for tool in "$sipas" "$make_responses"; do
  [[ -x $tool ]] || { echo "analyze_command_bench: $tool is missing: build Release first (see the header)" >&2; exit 2; }
done
type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt" 2>/dev/null || true)
[[ $type == Release ]] || echo "analyze_command_bench: warning: $build is a '$type' build, not Release" >&2
[[ -s $data ]] || "$make_responses" --rows "$rows" --seed 20240601 --out "$data" >&2
if [[ ! -s $subset ]]; then
  awk 'NR == 1 || (NR - 2) % 10 == 0' "$data" >"$subset.tmp" && mv "$subset.tmp" "$subset"
fi

work=$(mktemp -d /tmp/sipas-analyze-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
items=()
for k in $(seq -w 1 20); do items+=(--prop "q$k=4,5"); done

# run CASE FILE OUT: the median wall time and the largest peak RSS of REPETITIONS runs.
run() {
  local case=$1 file=$2 out=$3
  local args=(analyze --data "$file" --strata stratum --psu psu --weights weight --format csv --out "$out")
  case $case in
    one) args+=(--prop q01=4,5) ;;
    items) args+=("${items[@]}") ;;
    domains) args+=("${items[@]}" --by domain) ;;
  esac
  local times=() peak=0
  for _ in $(seq "$reps"); do
    "/usr/bin/time" -f "%e %M" -o "$work/time" "$sipas" "${args[@]}" 2>"$work/stderr" ||
      { cat "$work/stderr" >&2; exit 1; }
    read -r wall rss <"$work/time"
    times+=("$wall")
    ((rss > peak)) && peak=$rss
  done
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
  echo "$median $peak"
}

echo "| file | rows | CSV MB | case | estimates | sipas s (median of $reps) | CSV MB / s | peak RSS MB | RSS / CSV | R s | R / sipas |"
echo "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for file in "$subset" "$data"; do
  n=$(($(wc -l <"$file") - 1))
  bytes=$(stat -c %s "$file")
  r_time="" r_line=""
  declare -A wall=() rss=()
  for case in one items domains; do
    read -r wall[$case] rss[$case] < <(run "$case" "$file" "$work/$case.csv")
  done
  if command -v Rscript >/dev/null; then
    echo "== R on $file (load average $(cut -d' ' -f1 /proc/loadavg))" >&2
    Rscript "$here/analyze_command_r.R" "$file" "$work/domains.csv" >"$work/r.txt" 2>&1 || { cat "$work/r.txt" >&2; exit 1; }
    grep -v '^result' "$work/r.txt" >&2
    r_time=$(awk -F'\t' '$1 == "result" && $2 == "r" { print $3 }' "$work/r.txt")
    r_line=$(grep 'R against sipas' "$work/r.txt")
  fi
  for case in one items domains; do
    estimates=$(($(wc -l <"$work/$case.csv") - 1))
    awk -v f="$(basename "$file")" -v n="$n" -v b="$bytes" -v c="$case" -v e="$estimates" -v s="${wall[$case]}" \
      -v p="${rss[$case]}" -v r="$([[ $case == domains ]] && echo "$r_time")" 'BEGIN {
      rs = (r == "" ? "-" : sprintf("%.2f", r)); ratio = (r == "" ? "-" : sprintf("%.0f", r / s));
      printf "| %s | %d | %.1f | %s | %d | %.3f | %.0f | %.1f | %.2f | %s | %s |\n",
        f, n, b / 1e6, c, e, s, b / 1e6 / s, p * 1024 / 1e6, p * 1024 / b, rs, ratio }'
  done
  [[ -n $r_line ]] && echo "  $(basename "$file"): $r_line" >&2
  unset wall rss
done
echo "sipas: $sipas; $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load average at the end $(cut -d' ' -f1-3 /proc/loadavg)" >&2
