#!/usr/bin/env bash
# Two attacks of the outside review (issue 15), old and new server in the same run
# (bench/RESULTS.md, "Admission and validation"):
#
#   bench/admission_bench.sh NEW_BUILD [OLD_BUILD]
#
# Each BUILD is a Release build directory with cli/sipas and bench/healthz_under_load:
#   cmake -S . -B /tmp/build-rel -G Ninja -DCMAKE_BUILD_TYPE=Release -DSIPAS_BUILD_TESTS=OFF
#   cmake --build /tmp/build-rel -j2 --target sipas healthz_under_load
# (OLD_BUILD: the same from an older commit; its healthz_under_load may be the new one's.)
#
# (1) Memory: `sipas serve` with a key file; 16 curl processes at once POST a 60 MB CSV to
#     /api/v1/surveys/S/invitations without a key. The server's resident memory (VmRSS of
#     /proc/PID/status) is read every 20 ms; printed: idle, peak, peak - idle, and the statuses.
# (2) Validation: a survey of bench/worst_submission/questionnaire.json, 8 invitations; 8 clients
#     post bench/worst_submission/response.json with their tokens for DURATION s (default 20)
#     while one connection asks GET /healthz every 10 ms: /healthz p50/p99/max
#     (bench/healthz_under_load.cpp). The server runs with --threads 2.
set -euo pipefail

new=${1:?usage: admission_bench.sh NEW_BUILD [OLD_BUILD]}
old=${2:-}
duration=${DURATION:-20}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
worst=${WORST:-$here/worst_submission}
key=bench-manager-key-0123456789abcdef-0123456789
load=$new/bench/healthz_under_load
for tool in curl; do
  command -v "$tool" >/dev/null || { echo "admission_bench: $tool is missing" >&2; exit 2; }
done
[[ -x $load ]] || { echo "admission_bench: $load is missing (see the header)" >&2; exit 2; }
[[ -f $worst/questionnaire.json && -f $worst/response.json ]] ||
  { echo "admission_bench: $worst/questionnaire.json and response.json are missing" >&2; exit 2; }

work=$(mktemp -d /tmp/sipas-admission-bench.XXXXXX)
server_pid=''
cleanup() {
  [[ -n $server_pid ]] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

echo "== machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1); load $(cut -d' ' -f1-3 /proc/loadavg)"
printf 'manager %s\n' "$key" >"$work/keys.txt"
chmod 600 "$work/keys.txt"
# 60 MB of sample rows (the content does not matter: no byte of it should be read).
{
  echo "id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank"
  seq 1 1850000 | awk '{printf "r%07d,s%d,p%d,0.01,100,main,0\n", $1, $1 % 50, $1 % 900}'
} >"$work/big.csv"
echo "== upload: $(stat -c %s "$work/big.csv") bytes"

start_server() {  # BUILD DB -> sets port, server_pid
  local sipas=$1/cli/sipas db=$2
  local extra=()
  "$sipas" serve --help | grep -q -- --public-url && extra+=(--public-url http://127.0.0.1)
  "$sipas" serve --help | grep -q -- --create-db && extra+=(--create-db)
  "$sipas" serve --db "$db" --listen 127.0.0.1:0 --threads 2 --admin-key-file "$work/keys.txt" \
    "${extra[@]}" >"$work/serve.out" 2>"$work/serve.err" &
  server_pid=$!
  port=''
  for _ in $(seq 1 100); do
    port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$work/serve.out")
    [[ -n $port ]] && break
    sleep 0.1
  done
  [[ -n $port ]] || { echo "admission_bench: sipas serve did not start: $(cat "$work/serve.err")" >&2; exit 2; }
}

stop_server() {
  kill -TERM "$server_pid" && wait "$server_pid" || true
  server_pid=''
}

rss_kib() { sed -n 's/^VmRSS:\s*\([0-9]*\) kB/\1/p' "/proc/$1/status"; }

upload_memory() {  # BUILD LABEL
  local sipas=$1/cli/sipas
  rm -f "$work/up.db"*
  "$sipas" survey create --db "$work/up.db" --survey up --standard sipas-short >/dev/null
  start_server "$1" "$work/up.db"
  sleep 0.5
  local idle peak now
  idle=$(rss_kib "$server_pid")
  peak=$idle
  local pids=()
  for i in $(seq 1 16); do
    curl -s -o /dev/null -w '%{http_code}\n' -H 'Content-Type: text/csv' -H 'Expect:' \
      --data-binary "@$work/big.csv" "http://127.0.0.1:$port/api/v1/surveys/up/invitations" \
      >"$work/status.$i" 2>/dev/null &
    pids+=($!)
  done
  while kill -0 "${pids[@]}" 2>/dev/null; do
    now=$(rss_kib "$server_pid")
    ((now > peak)) && peak=$now
    sleep 0.02
  done
  wait "${pids[@]}" || true
  local statuses
  statuses=$(sort "$work"/status.* | uniq -c | awk '{printf "%s×%s ", $1, $2}')
  printf '%-4s idle %6d KiB  peak %7d KiB  peak-idle %7d KiB  statuses %s\n' "$2" "$idle" "$peak" \
    $((peak - idle)) "$statuses"
  rm -f "$work"/status.*
  stop_server
}

healthz_under_validation() {  # BUILD LABEL
  local sipas=$1/cli/sipas
  rm -f "$work/v.db"*
  "$sipas" survey create --db "$work/v.db" --survey worst --questionnaire "$worst/questionnaire.json" >/dev/null
  "$sipas" survey open --db "$work/v.db" --survey worst >/dev/null
  {
    echo "id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank"
    for i in $(seq 1 8); do echo "w$i,s1,p1,0.5,2,main,0"; done
  } >"$work/sample.csv"
  "$sipas" invite import --db "$work/v.db" --survey worst --sample "$work/sample.csv" \
    --base-url http://127.0.0.1 --out "$work/links.csv" >/dev/null
  local targets
  targets=$(tail -n +2 "$work/links.csv" | awk -F, '{printf "%s/api/v1/surveys/worst/responses?t=%s,", "", $6}')
  # The same submission id each time: nothing is stored (too much work), so none is a retry.
  sed '0,/{/s//{"submission_id": "bench-worst", /' "$worst/response.json" >"$work/response.json"
  start_server "$1" "$work/v.db"
  echo "$2: $("$load" --port "$port" --target "$targets" --body "$work/response.json" \
    --clients 8 --duration "$duration" | tr '\n' ' ')"
  stop_server
}

echo "== (1) 16 unauthenticated 60 MB uploads at once"
[[ -n $old ]] && upload_memory "$old" old
upload_memory "$new" new
echo "== (2) /healthz while 8 clients post the worst submission (${duration} s)"
[[ -n $old ]] && healthz_under_validation "$old" old
healthz_under_validation "$new" new
