#!/usr/bin/env bash
# The paged survey form: HTML size of each page and first paint on a slow phone
# (bench/RESULTS.md, "The form a page at a time").
#
#   bench/form_pages_bench.sh BUILD [RUNS]
#
# BUILD holds cli/sipas (build/release, or build/asan: the sizes do not depend on
# the build, the paint time does). Needs node, curl and tests/browser/node_modules
# (cd tests/browser && npm ci) with Debian's chromium (SIPAS_CHROMIUM to override).
#
# Starts `sipas serve` on a fresh database with the survey sipas-citizen, opens it
# and imports two invitations, then bench/form_pages_bench.mjs records:
#   - the bytes of each of the 6 pages (GET /s/demo?t=TOKEN&page=N) blank, and
#     again after walking through them with next (every page answered, carried in
#     the draft), raw and gzip -6;
#   - first-contentful-paint of page 1 (a fresh invitation) in headless Chromium at
#     390 px under Chrome's "Slow 3G" (Network.emulateNetworkConditions: 400 ms
#     latency, 50,000 bytes/s down and up) and 4x CPU throttling
#     (Emulation.setCPUThrottlingRate), RUNS times (default 5) with a fresh
#     browser context each: median and max.
set -euo pipefail

build=${1:?usage: form_pages_bench.sh BUILD [RUNS]}
runs=${2:-5}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
sipas=$build/cli/sipas
[[ -x $sipas ]] || { echo "form_pages_bench: $sipas is missing" >&2; exit 2; }
for tool in node curl; do
  command -v "$tool" >/dev/null || { echo "form_pages_bench: $tool is missing" >&2; exit 2; }
done
[[ -d $here/../tests/browser/node_modules/playwright-core ]] || {
  echo "form_pages_bench: run npm ci in tests/browser first" >&2; exit 2; }

manager_key=bench-manager-key-0123456789abcdef
work=$(mktemp -d /tmp/sipas-form-pages-bench.XXXXXX)
server_pid=''
cleanup() {
  [[ -n $server_pid ]] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

printf 'manager %s\n' "$manager_key" >"$work/keys"
chmod 600 "$work/keys"
"$sipas" survey create --db "$work/survey.db" --survey demo --standard sipas-citizen >/dev/null
"$sipas" serve --db "$work/survey.db" --listen 127.0.0.1:0 --admin-key-file "$work/keys" \
  --public-url http://127.0.0.1 --threads 2 >"$work/serve.out" 2>"$work/serve.err" &
server_pid=$!
port=''
for _ in $(seq 600); do
  port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/serve.out")
  [[ -n $port ]] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.err" >&2; exit 1; }
  sleep 0.1
done
[[ -n $port ]] || { echo "form_pages_bench: the server did not start" >&2; exit 1; }
base=http://127.0.0.1:$port
auth=(-H "Authorization: Bearer $manager_key")
curl -sf "${auth[@]}" -X POST "$base/api/v1/surveys/demo/open" >/dev/null
printf 'id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank\nw1,A,A1,0.1,10,main,\nf1,A,A2,0.1,10,main,\n' \
  >"$work/sample.csv"
curl -sf "${auth[@]}" -H 'Content-Type: text/csv' --data-binary "@$work/sample.csv" \
  "$base/api/v1/surveys/demo/invitations?base_url=$base" >"$work/links.csv"
link_of() {
  awk -F, -v id="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "link") c = i } NR > 1 && $1 == id { print $c }' \
    "$work/links.csv"
}
walk_link=$(link_of w1)
paint_link=$(link_of f1)
[[ $walk_link == "$base/s/demo?t="* && $paint_link == "$base/s/demo?t="* ]] || {
  echo "form_pages_bench: no links in the import's answer:" >&2; cat "$work/links.csv" >&2; exit 1; }

echo "sipas: $sipas ($(git -C "$here/.." rev-parse --short HEAD 2>/dev/null || echo '?')); $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
node "$here/form_pages_bench.mjs" --walk "$walk_link" --paint "$paint_link" --runs "$runs"
