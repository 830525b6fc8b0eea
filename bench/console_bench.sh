#!/usr/bin/env bash
# The console's pages at the server's usual load (bench/RESULTS.md, "Console pages"): a fresh
# `sipas serve` (Release), the sipas-citizen survey opened, INVITATIONS main units in 30 strata of
# 7 PSUs, wrk posting answers as fast as it can for SECONDS (to fill the database), a manager
# account, then each console page timed by wrk (2 connections, 10 s, a session cookie) twice:
#   idle:  nothing else running;
#   load:  while 4 connections post answers steadily (each waits 50 ms between requests, about
#          70 answers a second: a province's busiest hour, not a flood), so that the live indices
#          are out of date on every survey page (they are shown as last computed while newer
#          ones are computed in the background).
#
#   bench/console_bench.sh BUILD_DIR INVITATIONS SECONDS      (e.g. build/release 100000 4)
#
# Needs wrk, curl and sqlite3.
set -euo pipefail
build=$1; n=$2; secs=$3
here=$(cd "$(dirname "$0")" && pwd)
sipas=$build/cli/sipas
work=$(mktemp -d /tmp/console-bench.XXXX)
echo "manager bench-manager-key-0123456789abcdef" >$work/keys.txt; chmod 600 $work/keys.txt
$sipas serve --db $work/b.db --listen 127.0.0.1:0 --admin-key-file $work/keys.txt --public-url http://127.0.0.1 --max-connections-per-address 100000 --create-db >$work/out 2>$work/err &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf $work' EXIT
for _ in $(seq 200); do port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' $work/out); [[ -n $port ]] && break; sleep 0.05; done
base=http://127.0.0.1:$port
auth=(-H "Authorization: Bearer bench-manager-key-0123456789abcdef")
survey=sipas-citizen
curl -sf "${auth[@]}" -H 'Content-Type: application/json' -d "{\"id\":\"$survey\",\"standard\":\"sipas-citizen\"}" $base/api/v1/surveys >/dev/null
curl -sf "${auth[@]}" -X POST $base/api/v1/surveys/$survey/open >/dev/null
awk -v n=$n 'BEGIN{print "id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank,sex"; for(i=0;i<n;i++) printf "p%d,S%d,S%d-%d,0.01,100,main,,%d\n",i,i%30,i%30,i%7,1+i%2}' >$work/s.csv
curl -sf "${auth[@]}" -H 'Content-Type: text/csv' --data-binary @$work/s.csv "$base/api/v1/surveys/$survey/invitations?raw=1" -o $work/links.csv
tail -n +2 $work/links.csv | cut -d, -f6 >$work/tokens.txt
# The first answers fill the database; the rest are kept for the steady load.
head -n $((n * 6 / 10)) $work/tokens.txt >$work/fill.txt
tail -n +$((n * 6 / 10 + 1)) $work/tokens.txt >$work/steady.txt
SIPAS_SURVEY=$survey SIPAS_TOKENS=$work/fill.txt SIPAS_BODY=$here/server_response.json SIPAS_THREADS=2 SIPAS_RUN=fill \
   wrk -t2 -c64 -d${secs}s -s $here/wrk_post_responses.lua $base/api/v1/surveys/$survey/responses >/dev/null
echo "invitations: $n; responses: $(sqlite3 "file:$work/b.db?mode=ro" 'select count(*) from responses')"
# A manager, and a session as a browser gets one.
echo "bench manager password 2026" | $sipas user add --db $work/b.db --name minh --role manager --password-stdin >/dev/null
login=$(curl -s -c $work/jar "$base/admin/login")
csrf=$(grep -o 'name="_csrf" value="[0-9a-f]*"' <<<"$login" | head -1 | sed 's/.*value="//; s/"//')
curl -s -b $work/jar -c $work/jar -o /dev/null --data-urlencode "user=minh" --data-urlencode "password=bench manager password 2026" --data-urlencode "_csrf=$csrf" "$base/admin/login"
session=$(awk '$6=="sipas_session"{print $7}' $work/jar)
[[ -n $session ]] || { echo "login failed" >&2; exit 1; }
cookie="Cookie: sipas_session=$session"
# The indices computed once (the first view of a survey waits for them).
curl -s -o /dev/null -w "first survey page (computes the indices): %{http_code} %{time_total}s\n" -H "$cookie" "$base/admin/surveys/$survey"
pages=("/admin/" "/admin/surveys" "/admin/surveys/$survey" "/admin/surveys/$survey/invitations"
       "/admin/surveys/$survey/invitations?offset=99000" "/admin/surveys/$survey/review"
       "/admin/audit" "/admin/units" "/admin/surveys/$survey/progress")
measure() {
  for page in "${pages[@]}"; do
    status=$(curl -s -o /dev/null -w "%{http_code}" -H "$cookie" "$base$page")
    line=$(wrk -t1 -c2 -d10s -H "$cookie" -s $here/wrk_report.lua "$base$page" | grep SIPAS_WRK)
    printf "%-6s %-50s %s %s\n" "$1" "$page" "$status" "${line#SIPAS_WRK }"
  done
}
measure idle
SIPAS_SURVEY=$survey SIPAS_TOKENS=$work/steady.txt SIPAS_BODY=$here/server_response.json SIPAS_THREADS=2 SIPAS_RUN=steady SIPAS_DELAY_MS=50 \
   wrk -t2 -c4 -d$(( ${#pages[@]} * 11 + 5 ))s -s $here/wrk_post_responses.lua $base/api/v1/surveys/$survey/responses >$work/steady.out &
steady=$!
sleep 2
measure load
wait $steady
echo "steady load: $(grep -o 'Requests/sec: *[0-9.]*' $work/steady.out)"
echo "responses at the end: $(sqlite3 "file:$work/b.db?mode=ro" 'select count(*) from responses')"
