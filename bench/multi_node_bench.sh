#!/usr/bin/env bash
# One node on SQLite, one node on PostgreSQL, two nodes on PostgreSQL behind nginx: durable
# submissions/s and latency of each, measured in the same run (bench/RESULTS.md).
#
#   bench/multi_node_bench.sh [BUILD_DIR] [INVITATIONS]
#
# BUILD_DIR (default build/release) must hold a Release build of `sipas`; this script builds nothing.
# Needs wrk, nginx (nginx-light), curl, sqlite3 and PostgreSQL 15 (postgresql-15: the server is
# started here, in a temporary directory, by tests/support/postgres.sh, on a private port).
#
# For each case, in a fresh database: survey sipas-citizen created and opened over the admin API,
# INVITATIONS (default 400,000; PG_INVITATIONS, default 120,000, on PostgreSQL) main units imported
# over HTTP (timed), then at 64 and at 256
# connections, DURATION seconds each (default 10), wrk -t2 --latency POSTs one JSON answer a token
# (bench/wrk_post_responses.lua, the body bench/server_response.json), and GET /s/sipas-citizen?t=...
# is not measured here (bench/server_bench.sh compares the form GET with nginx). After each POST run
# the rows of `responses` are counted in the database: never fewer than the 201s wrk saw (an
# acknowledged answer lost), at most one more per connection (in flight when wrk stopped); durable
# submissions/s = new rows / run seconds.
#   sqlite-1    one `sipas serve --db FILE`
#   postgres-1  one `sipas serve --db postgresql://...` (the server on this machine, fsync on,
#               synchronous_commit on)
#   postgres-2  two such nodes on one database behind nginx (round robin, keep-alive upstreams);
#               on this 2-core machine the two nodes, nginx, PostgreSQL and wrk share the cores.
# CASES="sqlite-1 postgres-1" runs a subset; SERVE_ARGS="--postgres-writers 1" adds flags to every node.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
build=${1:-$root/build/release}
invitations=${2:-400000}
# PostgreSQL imports row by row over the network (a few thousand a second): fewer invitations there,
# still more than its runs answer.
pg_invitations=${PG_INVITATIONS:-120000}
duration=${DURATION:-10}
cases=${CASES:-sqlite-1 postgres-1 postgres-2}
sipas=$build/cli/sipas
survey=sipas-citizen
manager_key=bench-manager-key-0123456789abcdef

[[ -x $sipas ]] || { echo "multi_node_bench: $sipas is missing: build Release first" >&2; exit 2; }
for tool in wrk nginx curl sqlite3; do
  command -v "$tool" >/dev/null || { echo "multi_node_bench: $tool is missing" >&2; exit 2; }
done

work=$(mktemp -d /tmp/sipas-multi-node.XXXXXX)
chmod 755 "$work"
pids=()
pg_dir=$work/pg
# start_node runs in a command substitution (a subshell): it records its
# node's pid in a file, which stop_all reads.
stop_all() {
  for pid in "${pids[@]}" $(cat "$work/node-pids" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  for pid in $(cat "$work/node-pids" 2>/dev/null); do
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  done
  rm -f "$work/node-pids"
  pids=()
}
cleanup() {
  stop_all
  [[ -d $pg_dir ]] && bash "$root/tests/support/postgres.sh" stop "$pg_dir" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  local port=$1
  while (echo >/dev/tcp/127.0.0.1/"$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}

echo "== machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
echo "== date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== commit: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown), binary $sipas"

echo "manager $manager_key" >"$work/keys.txt"
chmod 600 "$work/keys.txt"
make_sample() {
  awk -v n="$1" 'BEGIN {
    print "id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank,sex"
    for (i = 0; i < n; i++) printf "p%d,S%d,S%d,0.01,100,main,,%d\n", i, i % 63, i % 63, 1 + i % 2
  }' >"$2"
}
make_sample "$invitations" "$work/sample.csv"
make_sample "$pg_invitations" "$work/sample-pg.csv"

if [[ $cases == *postgres* ]]; then
  pg_port=$(free_port 56100)
  bash "$root/tests/support/postgres.sh" start "$pg_dir" "$pg_port" >"$work/pg-start.log" 2>&1 ||
    { cat "$work/pg-start.log" >&2; exit 2; }
  export PGPASSFILE=$pg_dir/pgpass
  pg_url=$(cat "$pg_dir/url")
  echo "== PostgreSQL $(psql "$pg_url" -Atc 'SHOW server_version') on 127.0.0.1:$pg_port" \
    "(fsync $(psql "$pg_url" -Atc 'SHOW fsync'), synchronous_commit on, shared_buffers" \
    "$(psql "$pg_url" -Atc 'SHOW shared_buffers'))"
fi

field() { sed -n "s/.*SIPAS_WRK.* $1=\([^ ]*\).*/\1/p" "$2"; }

# start_node DB: a node on a free port; prints the port.
start_node() {
  local db=$1 port
  port=$(free_port 18200)
  "$sipas" serve --db "$db" --listen "127.0.0.1:$port" --admin-key-file "$work/keys.txt" \
    --public-url http://127.0.0.1 --max-connections-per-address 100000 --create-db ${SERVE_ARGS:-} \
    >"$work/node-$port.out" 2>"$work/node-$port.err" &
  echo $! >>"$work/node-pids"
  for _ in $(seq 1 200); do
    curl -sf "http://127.0.0.1:$port/healthz" -o /dev/null && { echo "$port"; return; }
    sleep 0.05
  done
  echo "multi_node_bench: the node on $port did not start: $(cat "$work/node-$port.err")" >&2
  exit 2
}

start_nginx() {
  local port=$1
  shift
  local dir=$work/nginx-$port upstreams=''
  mkdir -p "$dir/logs"
  for node in "$@"; do upstreams+="    server 127.0.0.1:$node;"$'\n'; done
  cat >"$dir/nginx.conf" <<EOF
worker_processes 2;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  upstream sipas {
$upstreams    keepalive 128;
  }
  server {
    listen 127.0.0.1:$port;
    client_max_body_size 4m;
    location / {
      proxy_pass http://sipas;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$remote_addr;
    }
  }
}
EOF
  nginx -p "$dir" -c "$dir/nginx.conf" &
  pids+=($!)
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/healthz" -o /dev/null && return
    sleep 0.05
  done
  echo "multi_node_bench: nginx did not start: $(cat "$dir/logs/error.log")" >&2
  exit 2
}

printf '\n%-12s %5s %10s %9s %9s %9s %8s %s\n' case conns 'POST/s' 'durable/s' 'p50 ms' 'p99 ms' errors notes
summary=()
for case in $cases; do
  case $case in
    sqlite-1)
      db=$work/bench.db
      count_rows() { sqlite3 "file:$db?mode=ro" 'SELECT count(*) FROM responses'; }
      base=http://127.0.0.1:$(start_node "$db")
      ;;
    postgres-1 | postgres-2)
      name=bench_${case/-/_}
      psql "$pg_url" -qc "CREATE DATABASE $name" >/dev/null
      db=$(sed "s|/postgres\$|/$name|" <<<"$pg_url")
      count_rows() { psql "$db" -Atc 'SELECT count(*) FROM responses'; }
      first=$(start_node "$db")
      if [[ $case == postgres-2 ]]; then
        second=$(start_node "$db")
        lb=$(free_port 18300)
        start_nginx "$lb" "$first" "$second"
        base=http://127.0.0.1:$lb
      else
        base=http://127.0.0.1:$first
      fi
      ;;
    *) echo "multi_node_bench: unknown case $case" >&2; exit 2 ;;
  esac
  auth=(-H "Authorization: Bearer $manager_key")
  curl -sf "${auth[@]}" -H 'Content-Type: application/json' \
    -d "{\"id\":\"$survey\",\"standard\":\"sipas-citizen\"}" "$base/api/v1/surveys" >/dev/null
  curl -sf "${auth[@]}" -X POST "$base/api/v1/surveys/$survey/open" >/dev/null
  start=$(date +%s.%N)
  sample=$work/sample.csv
  [[ $case == postgres* ]] && sample=$work/sample-pg.csv
  curl -sf "${auth[@]}" -H 'Content-Type: text/csv' --data-binary "@$sample" \
    "$base/api/v1/surveys/$survey/invitations?raw=1" -o "$work/links-$case.csv"
  end=$(date +%s.%N)
  imported=$(($(wc -l <"$work/links-$case.csv") - 1))
  printf '%-12s import: %d invitations over HTTP in %.1f s (%.0f/s)\n' "$case" "$imported" \
    "$(echo "$end - $start" | bc -l)" "$(echo "$imported / ($end - $start)" | bc -l)"
  tail -n +2 "$work/links-$case.csv" | cut -d, -f6 >"$work/tokens.txt"
  half=$((imported / 2))
  head -n "$half" "$work/tokens.txt" >"$work/tokens-64.txt"
  tail -n +"$((half + 1))" "$work/tokens.txt" >"$work/tokens-256.txt"
  for conns in 64 256; do
    before=$(count_rows)
    r=$work/post-$case-$conns.txt
    SIPAS_SURVEY=$survey SIPAS_TOKENS=$work/tokens-$conns.txt SIPAS_BODY=$here/server_response.json \
      SIPAS_THREADS=2 SIPAS_RUN=$case-$conns \
      wrk -t2 -c"$conns" -d"${duration}s" --latency -s "$here/wrk_post_responses.lua" \
      "$base/api/v1/surveys/$survey/responses" >"$r"
    after=$(count_rows)
    created=$(field created "$r")
    new_rows=$((after - before))
    durable=$(echo "$new_rows / $(field seconds "$r")" | bc -l)
    printf '%-12s %5d %10s %9.0f %9s %9s %8s %s\n' "$case" "$conns" "$(field rps "$r")" "$durable" \
      "$(field p50_ms "$r")" "$(field p99_ms "$r")" "$(($(field other "$r") + $(field socket_errors "$r")))" \
      "201s=$created rows=$new_rows exhausted=$(field exhausted "$r")"
    if ((new_rows < created || new_rows > created + conns)); then
      echo "multi_node_bench: MISMATCH in $case: $created acknowledged (201) but $new_rows new rows" >&2
    fi
    summary+=("$case $conns $durable $(field p99_ms "$r")")
  done
  # This case's processes stop before the next starts.
  stop_all
done

echo
echo "== ratios (durable submissions/s) in this run:"
for line in "${summary[@]}"; do
  read -r c n d _ <<<"$line"
  for other in "${summary[@]}"; do
    read -r c2 n2 d2 _ <<<"$other"
    [[ $c2 == sqlite-1 && $n2 == "$n" && $c != sqlite-1 ]] &&
      printf '   %s / sqlite-1 at %s connections: %.2f\n' "$c" "$n" "$(echo "$d / $d2" | bc -l)"
  done
done
exit 0
