#!/usr/bin/env bash
# Loopback benchmark of `sipas serve` with wrk (bench/RESULTS.md, "Survey server (issue 5)").
#
#   bench/server_bench.sh [BUILD_DIR] [INVITATIONS]
#
# BUILD_DIR (default /tmp/hC-rel) must hold a Release build of `sipas`; this script builds nothing:
#   cmake -S . -B /tmp/hC-rel -G Ninja -DCMAKE_BUILD_TYPE=Release -DSIPAS_BUILD_TESTS=OFF
#   cmake --build /tmp/hC-rel -j2 --target sipas beast_static_server   (the second with -DSIPAS_BUILD_BENCH=ON, for (d))
# Needs wrk, nginx (nginx-light), curl and sqlite3 (apt-get install -y wrk nginx-light curl sqlite3).
#
# Every client of this benchmark is 127.0.0.1, so the per-address connection cap (64 by default) is lifted
# with --max-connections-per-address; with it, the 256-connection cases would measure refusals.
# In a fresh temporary directory: `sipas serve` on 127.0.0.1 (a free port, default threads) with a
# new database; survey sipas-citizen (the standard form; its open link on, for the token-less form
# page) created and opened; INVITATIONS (default 400,000) main units imported over HTTP in one
# request (timed). The form page /s/sipas-citizen is
# saved to a file (its per-request _submission id frozen) and served as a static file by nginx (2 workers, no access log, keep-alive without
# a request limit) on another loopback port. Then, at 64 and at 256 connections, 20 s each
# (DURATION=seconds to change), wrk -t2 --latency:
#   (a) GET /s/sipas-citizen from sipas, (c) the same page from nginx, right after,
#   (d) the same page from bench/beast_static_server (the least a Beast server does), when built,
#   (b) POST /api/v1/surveys/sipas-citizen/responses?t=TOKEN, each request a token of its own and a
#       submission_id of its own (bench/wrk_post_responses.lua), the body bench/server_response.json.
# After each POST run the rows of `responses` are counted with sqlite3: never fewer than the 201s wrk
# saw, at most one more per connection (requests in flight when wrk stops are stored, not counted); durable submissions/s = new rows / run seconds.
# A summary of the issue's figures follows (durable POST/s and p99 at 64 and 256 connections; form GET
# req/s of sipas and of nginx, and their ratio), then the commit batch sizes from /metrics.
set -euo pipefail

build=${1:-/tmp/hC-rel}
invitations=${2:-400000}
duration=${DURATION:-20}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
sipas=$build/cli/sipas
survey=sipas-citizen
manager_key=bench-manager-key-0123456789abcdef

[[ -x $sipas ]] || { echo "server_bench: $sipas is missing: build Release first (see the header)" >&2; exit 2; }
for tool in wrk nginx curl sqlite3; do
  command -v "$tool" >/dev/null || { echo "server_bench: $tool is missing (see the header)" >&2; exit 2; }
done
if grep -q 'CMAKE_BUILD_TYPE:STRING=' "$build/CMakeCache.txt"; then
  type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt")
  [[ $type == Release ]] || echo "server_bench: warning: $build is a $type build, not Release" >&2
fi

work=$(mktemp -d /tmp/sipas-server-bench.XXXXXX)
server_pid='' nginx_pid=''
cleanup() {
  [[ -n $server_pid ]] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [[ -n $nginx_pid ]] && kill -TERM "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
  [[ -n ${beast_pid:-} ]] && kill -TERM "$beast_pid" 2>/dev/null && wait "$beast_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

echo "== machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
echo "== date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== commit: $(git -C "$here/.." rev-parse --short HEAD 2>/dev/null || echo unknown), binary $sipas"

# The response body: must validate against the form before it is used.
sed 's/"submission_id":"[^"]*"/"submission_id":"bench-check"/' "$here/server_response.json" >"$work/check.json"
"$sipas" questionnaire validate "$here/../questionnaires/forms/sipas-citizen.json" "$work/check.json" >/dev/null \
  || { echo "server_bench: bench/server_response.json does not validate" >&2; exit 2; }

echo "manager $manager_key" >"$work/keys.txt"
chmod 600 "$work/keys.txt"
create_db=()
"$sipas" serve --help | grep -q -- --create-db && create_db=(--create-db)
"$sipas" serve --db "$work/bench.db" --listen 127.0.0.1:0 --admin-key-file "$work/keys.txt" --public-url http://127.0.0.1 \
  --max-connections-per-address 100000 "${create_db[@]}" >"$work/serve.out" 2>"$work/serve.err" &
server_pid=$!
port=''
for _ in $(seq 1 200); do
  port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/serve.out")
  [[ -n $port ]] && break
  sleep 0.05
done
[[ -n $port ]] || { echo "server_bench: sipas serve did not start: $(cat "$work/serve.err")" >&2; exit 2; }
base=http://127.0.0.1:$port
echo "== $(head -1 "$work/serve.out")"

auth=(-H "Authorization: Bearer $manager_key")
curl -sf "${auth[@]}" -H 'Content-Type: application/json' \
  -d "{\"id\":\"$survey\",\"standard\":\"sipas-citizen\",\"open_link\":true}" "$base/api/v1/surveys" >/dev/null
curl -sf "${auth[@]}" -X POST "$base/api/v1/surveys/$survey/open" >/dev/null

awk -v n="$invitations" 'BEGIN {
  print "id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank,sex"
  for (i = 0; i < n; i++) printf "p%d,S%d,S%d,0.01,100,main,,%d\n", i, i % 63, i % 63, 1 + i % 2
}' >"$work/sample.csv"
start=$(date +%s.%N)
# raw=1: the tokens as they are (no apostrophe before a token that starts with
# '-'), for cut below.
curl -sf "${auth[@]}" -H 'Content-Type: text/csv' --data-binary "@$work/sample.csv" \
  "$base/api/v1/surveys/$survey/invitations?raw=1" -o "$work/links.csv"
end=$(date +%s.%N)
imported=$(($(wc -l <"$work/links.csv") - 1))
printf '== import: %d invitations over HTTP in %.2f s (%.0f/s), links CSV %d bytes\n' "$imported" \
  "$(echo "$end - $start" | bc -l)" "$(echo "$imported / ($end - $start)" | bc -l)" \
  "$(stat -c %s "$work/links.csv")"
[[ $imported == "$invitations" ]] || { echo "server_bench: imported $imported of $invitations" >&2; exit 2; }
# Tokens (6th column), split in two halves: one per POST run, never reused.
tail -n +2 "$work/links.csv" | cut -d, -f6 >"$work/tokens.txt"
half=$((invitations / 2))
head -n "$half" "$work/tokens.txt" >"$work/tokens-64.txt"
tail -n +"$((half + 1))" "$work/tokens.txt" >"$work/tokens-256.txt"

# The form page as a static file behind nginx.
curl -sf "$base/s/$survey" -o "$work/form.html"
mkdir -p "$work/nginx/www" "$work/nginx/logs"
cp "$work/form.html" "$work/nginx/www/form.html"
# nginx workers run as www-data when started as root: let them read the page.
chmod 755 "$work" "$work/nginx" "$work/nginx/www" && chmod 644 "$work/nginx/www/form.html"
nginx_port=$((port + 1))
while curl -s "http://127.0.0.1:$nginx_port/" -o /dev/null 2>&1; do nginx_port=$((nginx_port + 1)); done
cat >"$work/nginx/nginx.conf" <<EOF
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
daemon off;
events { worker_connections 4096; }
http {
  types { text/html html; }
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 60s;
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/nginx/www;
    location = /s/$survey { default_type "text/html; charset=utf-8"; try_files /form.html =404; }
  }
}
EOF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
nginx_pid=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$nginx_port/s/$survey" -o "$work/nginx-form.html" && break
  sleep 0.05
done
# Same bytes but the per-request _submission id (22 characters) in the page.
[[ $(stat -c %s "$work/form.html") == $(stat -c %s "$work/nginx-form.html") ]] ||
  { echo "server_bench: nginx serves another page: $(cat "$work/nginx/logs/error.log" 2>&1)" >&2; exit 2; }
echo "== form page: $(stat -c %s "$work/form.html") bytes; nginx $(nginx -v 2>&1 | sed 's/.*\///') on port $nginx_port"

# The same page from the least a Beast server does (bench/beast_static_server.cpp), when it was built:
# the floor of the HTTP library sipas is built on, between sipas and nginx.
beast_pid='' beast_port=''
if [[ -x $build/bench/beast_static_server ]]; then
  "$build/bench/beast_static_server" "$work/form.html" 2 >"$work/beast.out" &
  beast_pid=$!
  for _ in $(seq 1 100); do
    beast_port=$(sed -n 's/^listening on //p' "$work/beast.out")
    [[ -n $beast_port ]] && break
    sleep 0.05
  done
  echo "== Beast floor: bench/beast_static_server on port $beast_port"
else
  echo "== Beast floor: not measured ($build/bench/beast_static_server not built; -DSIPAS_BUILD_BENCH=ON)"
fi

field() { sed -n "s/.*SIPAS_WRK.* $1=\([^ ]*\).*/\1/p" "$2"; }
rows() { sqlite3 "file:$work/bench.db?mode=ro" 'SELECT count(*) FROM responses'; }

summary=()
printf '\n%-34s %5s %10s %9s %9s %8s %s\n' case conns 'req/s' 'p50 ms' 'p99 ms' errors notes
for conns in 64 256; do
  wrk -t2 -c"$conns" -d"${duration}s" --latency -s "$here/wrk_report.lua" "$base/s/$survey" >"$work/get-$conns.txt"
  wrk -t2 -c"$conns" -d"${duration}s" --latency -s "$here/wrk_report.lua" \
    "http://127.0.0.1:$nginx_port/s/$survey" >"$work/nginx-$conns.txt"
  gets=(get nginx)
  if [[ -n $beast_port ]]; then
    wrk -t2 -c"$conns" -d"${duration}s" --latency -s "$here/wrk_report.lua" \
      "http://127.0.0.1:$beast_port/s/$survey" >"$work/beast-$conns.txt"
    gets+=(beast)
  fi
  for f in "${gets[@]}"; do
    r=$work/$f-$conns.txt
    case $f in get) what='(a) GET form, sipas' ;; nginx) what='(c) GET form, nginx static' ;; beast) what='(d) GET form, Beast floor' ;; esac
    printf '%-34s %5d %10s %9s %9s %8s %s\n' "$what" \
      "$conns" "$(field rps "$r")" "$(field p50_ms "$r")" "$(field p99_ms "$r")" \
      "$(($(field non2xx "$r") + $(field socket_errors "$r")))" ""
  done
  ratio=$(echo "$(field rps "$work/get-$conns.txt") / $(field rps "$work/nginx-$conns.txt")" | bc -l)
  printf '%-34s %5d %10.3f\n' '    ratio sipas / nginx GET' "$conns" "$ratio"
  beast_note=''
  if [[ -n $beast_port ]]; then
    floor=$(echo "$(field rps "$work/beast-$conns.txt") / $(field rps "$work/nginx-$conns.txt")" | bc -l)
    printf '%-34s %5d %10.3f\n' '    ratio Beast floor / nginx GET' "$conns" "$floor"
    printf '%-34s %5d %10.3f\n' '    ratio sipas / Beast floor GET' "$conns" \
      "$(echo "$(field rps "$work/get-$conns.txt") / $(field rps "$work/beast-$conns.txt")" | bc -l)"
    beast_note=$(printf ' | Beast floor %7s/s (%.3f of nginx)' "$(field rps "$work/beast-$conns.txt")" "$floor")
  fi

  before=$(rows)
  SIPAS_SURVEY=$survey SIPAS_TOKENS=$work/tokens-$conns.txt SIPAS_BODY=$here/server_response.json \
    SIPAS_THREADS=2 SIPAS_RUN=c$conns \
    wrk -t2 -c"$conns" -d"${duration}s" --latency -s "$here/wrk_post_responses.lua" \
    "$base/api/v1/surveys/$survey/responses" >"$work/post-$conns.txt"
  after=$(rows)
  r=$work/post-$conns.txt
  created=$(field created "$r")
  seconds=$(field seconds "$r")
  new_rows=$((after - before))
  printf '%-34s %5d %10s %9s %9s %8s %s\n' '(b) POST JSON, distinct tokens' "$conns" "$(field rps "$r")" \
    "$(field p50_ms "$r")" "$(field p99_ms "$r")" "$(($(field other "$r") + $(field socket_errors "$r")))" \
    "201s=$created rows=$new_rows 409s=$(field conflicts "$r") exhausted=$(field exhausted "$r")"
  printf '%-34s %5d %10.0f\n' '    durable submissions/s (rows/s)' "$conns" "$(echo "$new_rows / $seconds" | bc -l)"
  summary+=("$(printf 'c%-4d durable POST %6.0f/s p99 %6s ms | GET sipas %7s/s nginx %7s/s ratio %.3f' "$conns" \
    "$(echo "$new_rows / $seconds" | bc -l)" "$(field p99_ms "$r")" "$(field rps "$work/get-$conns.txt")" \
    "$(field rps "$work/nginx-$conns.txt")" "$ratio")$beast_note")
  # wrk stops with up to one request in flight per connection: stored, never counted as a 201.
  # Fewer rows than 201s would be a lost acknowledged answer.
  if ((new_rows < created || new_rows > created + conns)); then
    echo "server_bench: MISMATCH: $created acknowledged (201) but $new_rows new rows" >&2
  else
    echo "    rows - 201s = $((new_rows - created)) (requests in flight when wrk stopped; at most $conns)"
  fi
done

echo
echo "== summary (the issue's figures: durable submissions/s and p99 of the POSTs; form GET of sipas and nginx, same run):"
printf '   %s\n' "${summary[@]}"
echo
echo "== commit batches (sipas_commit_batch_size, from /metrics):"
curl -sf "${auth[@]}" "$base/metrics" | grep -E '^sipas_commit' | sed 's/^/   /'
echo "== raw wrk output: kept in $work only while the script runs; rerun with DURATION=... to repeat"
for f in "$work"/get-64.txt "$work"/post-256.txt; do
  echo "-- $(basename "$f")"
  sed -n '/Latency Distribution/,/Requests\/sec/p' "$f" | sed 's/^/   /'
done
