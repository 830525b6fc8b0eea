#!/usr/bin/env bash
# GET /progress and the cost of keeping its counts (bench/RESULTS.md, "Progress counts").
#
#   bench/progress_bench.sh OLD_BUILD NEW_BUILD [INVITATIONS]
#
# OLD_BUILD and NEW_BUILD hold Release builds of `sipas` (cmake -DCMAKE_BUILD_TYPE=Release
# -DSIPAS_BUILD_TESTS=OFF; --target sipas): OLD counts progress by scanning the invitations
# (schema 2), NEW keeps the counts with triggers (schema 3). Needs wrk, curl and sqlite3.
#
# OLD makes the base database: survey sipas-citizen, INVITATIONS (default 300,000) main units in 63
# strata imported over HTTP, and wrk posting JSON answers for 8 s or until its 3/8 of the tokens are
# used (64 connections, a token each).
# Each binary then serves its own copy of that file, twice in turn (OLD, NEW, OLD, NEW): the time from
# start to listening (NEW's first includes the migration that fills the counts), 40 GET /progress one
# after another (median and 90th percentile of curl's total time), and wrk posting answers for
# DURATION (default 3) s on 64 connections with tokens no run has used: durable submissions/s from
# the rows added. The first progress reply of each binary on the base file must be the same JSON.
set -euo pipefail

old_build=${1:?usage: progress_bench.sh OLD_BUILD NEW_BUILD [INVITATIONS]}
new_build=${2:?usage: progress_bench.sh OLD_BUILD NEW_BUILD [INVITATIONS]}
invitations=${3:-300000}
duration=${DURATION:-3}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
survey=sipas-citizen
manager_key=bench-manager-key-0123456789abcdef
for b in "$old_build" "$new_build"; do
  [[ -x $b/cli/sipas ]] || { echo "progress_bench: $b/cli/sipas is missing (see the header)" >&2; exit 2; }
done
for tool in wrk curl sqlite3; do
  command -v "$tool" >/dev/null || { echo "progress_bench: $tool is missing" >&2; exit 2; }
done

work=$(mktemp -d /tmp/sipas-progress-bench.XXXXXX)
server_pid=''
cleanup() {
  [[ -n $server_pid ]] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
echo "manager $manager_key" >"$work/keys.txt"
chmod 600 "$work/keys.txt"
auth=(-H "Authorization: Bearer $manager_key")

# start BINARY DB: serves DB; sets port and prints the seconds until it listened.
start() {
  local t0 t1
  : >"$work/serve.out"
  t0=$(date +%s.%N)
  local create_db=()
  "$1" serve --help | grep -q -- --create-db && create_db=(--create-db)
  "$1" serve --db "$2" --listen 127.0.0.1:0 --admin-key-file "$work/keys.txt" --public-url http://127.0.0.1 \
    "${create_db[@]}" >"$work/serve.out" 2>"$work/serve.err" &
  server_pid=$!
  port=''
  for _ in $(seq 1 2000); do
    port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/serve.out")
    [[ -n $port ]] && break
    sleep 0.01
  done
  t1=$(date +%s.%N)
  [[ -n $port ]] || { echo "progress_bench: sipas serve did not start: $(cat "$work/serve.err")" >&2; exit 2; }
  started=$(echo "$t1 - $t0" | bc -l)
}
stop() {
  kill -TERM "$server_pid" && wait "$server_pid" || { echo "progress_bench: serve failed: $(cat "$work/serve.err")" >&2; exit 2; }
  server_pid=''
}
rows() { sqlite3 "file:$1?mode=ro" 'SELECT count(*) FROM responses'; }
field() { sed -n "s/.*SIPAS_WRK.* $1=\([^ ]*\).*/\1/p" "$2"; }
post() { # post TOKENS SECONDS RUN [may-run-out]
  SIPAS_SURVEY=$survey SIPAS_TOKENS=$1 SIPAS_BODY=$here/server_response.json SIPAS_THREADS=2 SIPAS_RUN=$3 \
    wrk -t2 -c64 -d"$2s" --latency -s "$here/wrk_post_responses.lua" \
    "http://127.0.0.1:$port/api/v1/surveys/$survey/responses" >"$work/post.txt"
  [[ -n ${4:-} || $(field exhausted "$work/post.txt") == 0 ]] || { echo "progress_bench: the run used up its tokens" >&2; exit 2; }
}

echo "== machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
echo "== date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== old: $old_build/cli/sipas, new: $new_build/cli/sipas (tree $(git -C "$here/.." rev-parse --short HEAD))"

start "$old_build/cli/sipas" "$work/base.db"
base=http://127.0.0.1:$port
curl -sf "${auth[@]}" -H 'Content-Type: application/json' \
  -d "{\"id\":\"$survey\",\"standard\":\"sipas-citizen\"}" "$base/api/v1/surveys" >/dev/null
curl -sf "${auth[@]}" -X POST "$base/api/v1/surveys/$survey/open" >/dev/null
awk -v n="$invitations" 'BEGIN {
  print "id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank,sex"
  for (i = 0; i < n; i++) printf "p%d,S%d,S%d,0.01,100,main,,%d\n", i, i % 63, i % 63, 1 + i % 2
}' >"$work/sample.csv"
# raw=1: the tokens as they are (no apostrophe before a token that starts with
# '-'), for cut below.
curl -sf "${auth[@]}" -H 'Content-Type: text/csv' --data-binary "@$work/sample.csv" \
  "$base/api/v1/surveys/$survey/invitations?raw=1" -o "$work/links.csv"
tail -n +2 "$work/links.csv" | cut -d, -f6 >"$work/tokens.txt"
# Tokens: the first 3/8 for the base answers, then a 1/8 slice per timed run.
slice=$((invitations / 8))
head -n $((3 * slice)) "$work/tokens.txt" >"$work/tokens-base.txt"
for k in 0 1 2 3; do
  sed -n "$(((3 + k) * slice + 1)),$(((4 + k) * slice))p" "$work/tokens.txt" >"$work/tokens-$k.txt"
done
post "$work/tokens-base.txt" 8 base may-run-out
stop
echo "== base: $invitations invitations, $(rows "$work/base.db") responses"
cp "$work/base.db" "$work/old.db"
cp "$work/base.db" "$work/new.db"

printf '\n%-5s %-4s %10s %14s %14s %12s\n' run sipas 'start s' 'progress p50' 'progress p90' 'posts/s'
k=0
for run in 1 2; do
  for which in old new; do
    build=$old_build
    [[ $which == new ]] && build=$new_build
    db=$work/$which.db
    start "$build/cli/sipas" "$db"
    for _ in $(seq 1 40); do
      curl -sf -o "$work/progress-$which-$run.json" -w '%{time_total}\n' -H "Authorization: Bearer $manager_key" \
        "http://127.0.0.1:$port/api/v1/surveys/$survey/progress"
    done | sort -n >"$work/times.txt"
    p50=$(sed -n '20p' "$work/times.txt")
    p90=$(sed -n '36p' "$work/times.txt")
    before=$(rows "$db")
    post "$work/tokens-$k.txt" "$duration" "$which$run"
    after=$(rows "$db")
    stop
    printf '%-5s %-4s %10.3f %11.2f ms %11.2f ms %12.0f\n' "$run" "$which" "$started" \
      "$(echo "$p50 * 1000" | bc -l)" "$(echo "$p90 * 1000" | bc -l)" \
      "$(echo "($after - $before) / $(field seconds "$work/post.txt")" | bc -l)"
    k=$((k + 1))
  done
done
if cmp -s "$work/progress-old-1.json" "$work/progress-new-1.json"; then
  echo "== the first progress reply of both on the base file: the same JSON ($(stat -c %s "$work/progress-old-1.json") bytes)"
else
  echo "progress_bench: MISMATCH: old and new progress replies differ on the same file" >&2
  diff <(tr ',' '\n' <"$work/progress-old-1.json") <(tr ',' '\n' <"$work/progress-new-1.json") | head -20 >&2
  exit 1
fi
