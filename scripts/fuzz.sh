#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang (ASan + UBSan, Debug at -O1)
# and runs each for SECONDS (default 20) on a copy of its seed corpus. Exits 1
# when a target finds a crash, a leak, a sanitizer report or a hang; the input
# is left in $FUZZ_DIR/findings/<target>/ (FUZZ_DIR defaults to build/fuzz).
#
#   scripts/fuzz.sh [SECONDS]
#   FUZZ_TARGETS="http csv" scripts/fuzz.sh 600   # some targets, longer
#   FUZZ_JOBS=2                                   # build parallelism (default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
seconds=${1:-20}
dir=${FUZZ_DIR:-$root/build/fuzz}
jobs=${FUZZ_JOBS:-2}
all_targets=(questionnaire expression response form http multipart csv margins index_scheme appraisal)
read -r -a targets <<<"${FUZZ_TARGETS:-${all_targets[*]}}"

if ! command -v clang++ >/dev/null; then
  echo "fuzz: clang++ not found (scripts/install-deps.sh installs clang and libclang-rt-14-dev)" >&2
  exit 1
fi

# lld (scripts/install-deps.sh) links the instrumented targets faster than ld.bfd.
linker=()
if command -v ld.lld >/dev/null; then linker=(-DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld); fi
cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-gline-tables-only -O1" \
  -DCMAKE_CXX_COMPILER=clang++ -DSIPAS_FUZZ=ON -DSIPAS_BUILD_TESTS=OFF -DSIPAS_BUILD_BENCH=OFF \
  "${linker[@]}" >/dev/null
build_targets=()
for t in "${targets[@]}"; do build_targets+=("${t}_fuzzer"); done
cmake --build "$dir" -j "$jobs" --target "${build_targets[@]}"

# The shipped files are seeds too; they are read from the tree rather than
# copied into fuzz/corpus, so that the seeds follow the formats.
shipped_seeds() {
  case $1 in
    questionnaire) echo questionnaires/forms/*.json questionnaires/examples/*.json ;;
    response) echo questionnaires/examples/responses/*.json ;;
    index_scheme) echo analysis/schemes/*.json ;;
  esac
}

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=()
summary=()
for t in "${targets[@]}"; do
  work=$dir/run/$t
  findings=$dir/findings/$t
  rm -rf "$work"
  mkdir -p "$work/corpus" "$findings"
  cp fuzz/corpus/"$t"/* "$work/corpus/"
  for f in $(shipped_seeds "$t"); do cp "$f" "$work/corpus/"; done
  options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
           -artifact_prefix="$findings/")
  if [ -f fuzz/"$t".dict ]; then options+=(-dict="$root/fuzz/$t.dict"); fi
  echo "fuzz: $t for ${seconds}s"
  status=0
  (cd "$work" && "$dir/fuzz/${t}_fuzzer" "${options[@]}" corpus >"$work/log" 2>&1) || status=$?
  last=$(grep -E '^#[0-9]+' "$work/log" | tail -n 1 || true)
  runs=$(grep -E '^stat::number_of_executed_units' "$work/log" | awk '{print $2}' || true)
  summary+=("$t: ${runs:-?} runs; ${last:-no status line}")
  if [ "$status" -ne 0 ]; then
    failed+=("$t")
    echo "fuzz: $t FAILED (exit $status); input in $findings/, log $work/log" >&2
    grep -E 'ERROR|SUMMARY|property broken|deadly signal|Test unit written' "$work/log" | head -n 20 >&2 || true
  fi
done

echo "fuzz: summary (${seconds}s each)"
for line in "${summary[@]}"; do echo "  $line"; done
if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz: findings in ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: no findings"
