#!/usr/bin/env bash
# Soak run of `sipas serve` (bench/RESULTS.md, "Soak run (issue 7)"): does memory or the number of file
# descriptors grow under a long mixed load?
#
#   bench/soak.sh [BUILD_DIR] [SECONDS] [CSV]
#
# BUILD_DIR (default /tmp/hB-rel) must hold a Release build of `sipas` and `soak_load`; this script
# builds nothing:
#   cmake -S . -B /tmp/hB-rel -G Ninja -DCMAKE_BUILD_TYPE=Release
#   cmake --build /tmp/hB-rel -j2 --target sipas soak_load
# SECONDS (default 600) is the length of the load; CSV (default /tmp/sipas-soak-samples.csv) receives
# one sample every SAMPLE seconds (default 10). RATE (default 300 requests/s), THREADS (6) and IDLE (8)
# shape the load (bench/soak_load.cpp): form pages with and without a token, JSON submissions with
# tokens and their repeats, form posts that fail validation (422) and that succeed (303), draft saves,
# admin export and progress reads, rejected requests (400, 401, 403/429, 404, 409, 415), /healthz and
# /metrics, and IDLE keep-alive connections that sit idle until the server closes them (30 s), then
# reopen.
#
# Sampled from /proc/PID: VmRSS, open file descriptors, threads; and the size of the WAL file. The
# summary gives each at the start, after the warm-up (WARMUP seconds, default 60), at the end and at
# its maximum, and the least-squares slope after the warm-up (per minute).
set -euo pipefail

build=${1:-/tmp/hB-rel}
seconds=${2:-600}
csv=${3:-/tmp/sipas-soak-samples.csv}
sample_every=${SAMPLE:-10}
warmup=${WARMUP:-60}
rate=${RATE:-300}
threads=${THREADS:-6}
idle=${IDLE:-8}
sipas=$build/cli/sipas
load=$build/bench/soak_load
manager_key=soak-manager-key-0123456789abcdef
analyst_key=soak-analyst-key-0123456789abcdef

for exe in "$sipas" "$load"; do
  [[ -x $exe ]] || { echo "soak: $exe is missing: build Release first (see the header)" >&2; exit 2; }
done
if grep -q 'CMAKE_BUILD_TYPE:STRING=' "$build/CMakeCache.txt"; then
  type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt")
  [[ $type == Release ]] || echo "soak: warning: $build is a $type build, not Release" >&2
fi

work=$(mktemp -d /tmp/sipas-soak.XXXXXX)
server_pid='' sampler_pid=''
cleanup() {
  [[ -n $sampler_pid ]] && kill "$sampler_pid" 2>/dev/null && wait "$sampler_pid" 2>/dev/null
  [[ -n $server_pid ]] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

echo "== machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
echo "== date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== commit: $(git -C "$(dirname "$0")/.." rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "== load: $seconds s at $rate requests/s, $threads threads, $idle idle connections; samples every $sample_every s"

printf 'manager %s\nanalyst %s\n' "$manager_key" "$analyst_key" >"$work/keys.txt"
chmod 600 "$work/keys.txt"
db=$work/soak.db
"$sipas" serve --db "$db" --listen 127.0.0.1:0 --threads 2 --admin-key-file "$work/keys.txt" --public-url http://127.0.0.1 \
  --max-connections-per-address 100000 --create-db >"$work/serve.out" 2>"$work/serve.err" &
server_pid=$!
port=''
for _ in $(seq 1 200); do
  port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/serve.out")
  [[ -n $port ]] && break
  sleep 0.05
done
[[ -n $port ]] || { echo "soak: sipas serve did not start: $(cat "$work/serve.err")" >&2; exit 2; }
echo "== $(head -1 "$work/serve.out")"

sample() {
  local t=$1
  local rss threads_now fds wal
  rss=$(sed -n 's/^VmRSS:\s*\([0-9]*\) kB/\1/p' "/proc/$server_pid/status")
  threads_now=$(sed -n 's/^Threads:\s*//p' "/proc/$server_pid/status")
  fds=$(find "/proc/$server_pid/fd" -mindepth 1 -maxdepth 1 | wc -l)
  wal=$(stat -c %s "$db-wal" 2>/dev/null || echo 0)
  echo "$t,$rss,$fds,$threads_now,$wal,$(stat -c %s "$db")"
}
echo "seconds,rss_kib,fds,threads,wal_bytes,db_bytes" >"$csv"
start=$(date +%s.%N)
(
  next=0
  while kill -0 "$server_pid" 2>/dev/null; do
    now=$(echo "$(date +%s.%N) - $start" | bc -l)
    if (($(echo "$now >= $next" | bc -l))); then
      sample "$(printf '%.0f' "$now")" >>"$csv"
      next=$((next + sample_every))
    fi
    sleep 0.5
  done
) &
sampler_pid=$!

status=0
"$load" --port "$port" --manager-key "$manager_key" --analyst-key "$analyst_key" \
  --duration "$seconds" --rate "$rate" --threads "$threads" --idle "$idle" >"$work/load.out" \
  2>"$work/load.err" || status=$?
sample "$(printf '%.0f' "$(echo "$(date +%s.%N) - $start" | bc -l)")" >>"$csv"
kill "$sampler_pid" 2>/dev/null && wait "$sampler_pid" 2>/dev/null || true
sampler_pid=''

echo
cat "$work/load.out"
if [[ -s $work/load.err ]]; then
  echo "-- soak_load's complaints (first 20 lines):"
  head -20 "$work/load.err"
fi
echo
echo "== server samples ($csv, $(($(wc -l <"$csv") - 1)) rows)"
awk -F, -v warmup="$warmup" '
  NR == 1 { next }
  {
    n++; t[n] = $1; for (c = 2; c <= 6; c++) v[c, n] = $c
    for (c = 2; c <= 6; c++) if (n == 1 || $c > max[c]) max[c] = $c
    if (w == 0 && $1 >= warmup) w = n
  }
  END {
    split("rss_kib fds threads wal_bytes db_bytes", name, " ")
    printf "%-10s %12s %12s %12s %12s %16s\n", "", "start", "warm-up", "end", "max", "slope/min (after warm-up)"
    for (c = 2; c <= 6; c++) {
      sx = sy = sxx = sxy = m = 0
      for (i = w; i <= n; i++) { m++; sx += t[i]; sy += v[c, i]; sxx += t[i] * t[i]; sxy += t[i] * v[c, i] }
      slope = (m > 1 && m * sxx - sx * sx != 0) ? (m * sxy - sx * sy) / (m * sxx - sx * sx) * 60 : 0
      printf "%-10s %12d %12d %12d %12d %16.1f\n", name[c - 1], v[c, 1], v[c, w], v[c, n], max[c], slope
    }
    printf "(warm-up sample at %d s; end at %d s)\n", t[w], t[n]
  }' "$csv"

echo
echo "== server /metrics (commits, connections):"
curl -sf "http://127.0.0.1:$port/metrics" 2>/dev/null | grep -E '^sipas_(commits_total|responses_stored_total|connections|request_timeouts)' | sed 's/^/   /' || true
if command -v sqlite3 >/dev/null; then
  echo "== rows: responses $(sqlite3 "file:$db?mode=ro" 'SELECT count(*) FROM responses'), drafts $(sqlite3 "file:$db?mode=ro" 'SELECT count(*) FROM drafts')"
fi
kill -TERM "$server_pid"
wait "$server_pid" && code=0 || code=$?
server_pid=''
echo "== sipas serve: exit $code after SIGTERM; $(tail -1 "$work/serve.out")"
if [[ -s $work/serve.err ]]; then
  echo "-- sipas serve's standard error (first 10 lines):"
  head -10 "$work/serve.err"
fi
exit "$status"
