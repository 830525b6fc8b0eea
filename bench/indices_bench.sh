#!/usr/bin/env bash
# The live indices and the progress over HTTP on a survey with many answers (bench/RESULTS.md, "Live
# indices"): a fresh `sipas serve`, the sipas-citizen survey opened, INVITATIONS main units in 30 strata
# of 7 PSUs imported, then wrk posts answers for SECONDS (bench/wrk_post_responses.lua), then
#   GET /api/v1/surveys/sipas-citizen/indices five times (the first computes; the others find the
#   answers unchanged and are served from the cache), and GET .../progress three times.
#
#   bench/indices_bench.sh BUILD_DIR INVITATIONS SECONDS      (e.g. build/release 100000 3)
#
# Needs wrk, curl and sqlite3.
set -euo pipefail
build=$1; n=$2; secs=$3
here=/work/main/bench
sipas=$build/cli/sipas
work=$(mktemp -d /tmp/idx.XXXX)
echo "manager bench-manager-key-0123456789abcdef" >$work/keys.txt; chmod 600 $work/keys.txt
$sipas serve --db $work/b.db --listen 127.0.0.1:0 --admin-key-file $work/keys.txt --public-url http://127.0.0.1 --max-connections-per-address 100000 --create-db >$work/out 2>$work/err &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf $work' EXIT
for _ in $(seq 200); do port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' $work/out); [[ -n $port ]] && break; sleep 0.05; done
base=http://127.0.0.1:$port
auth=(-H "Authorization: Bearer bench-manager-key-0123456789abcdef")
curl -sf "${auth[@]}" -H 'Content-Type: application/json' -d '{"id":"sipas-citizen","standard":"sipas-citizen"}' $base/api/v1/surveys >/dev/null
curl -sf "${auth[@]}" -X POST $base/api/v1/surveys/sipas-citizen/open >/dev/null
awk -v n=$n 'BEGIN{print "id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank,sex"; for(i=0;i<n;i++) printf "p%d,S%d,S%d-%d,0.01,100,main,,%d\n",i,i%30,i%30,i%7,1+i%2}' >$work/s.csv
curl -sf "${auth[@]}" -H 'Content-Type: text/csv' --data-binary @$work/s.csv "$base/api/v1/surveys/sipas-citizen/invitations?raw=1" -o $work/links.csv
tail -n +2 $work/links.csv | cut -d, -f6 >$work/tokens.txt
SIPAS_SURVEY=sipas-citizen SIPAS_TOKENS=$work/tokens.txt SIPAS_BODY=$here/server_response.json SIPAS_THREADS=2 SIPAS_RUN=x \
   wrk -t2 -c64 -d${secs}s -s $here/wrk_post_responses.lua $base/api/v1/surveys/sipas-citizen/responses >/dev/null
echo "responses: $(sqlite3 "file:$work/b.db?mode=ro" 'select count(*) from responses')"
for i in 1 2 3 4 5; do curl -s -o /dev/null -w "indices: %{http_code} %{time_total}s\n" "${auth[@]}" "$base/api/v1/surveys/sipas-citizen/indices"; done
for i in 1 2 3; do curl -s -o /dev/null -w "progress: %{http_code} %{time_total}s\n" "${auth[@]}" "$base/api/v1/surveys/sipas-citizen/progress"; done
