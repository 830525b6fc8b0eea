-- wrk script for bench/server_bench.sh: POST JSON submissions, each request a
-- new invitation token and a new submission_id, the same valid answers.
--
-- Environment:
--   SIPAS_SURVEY   survey id
--   SIPAS_TOKENS   file of invitation tokens, one per line (none used twice)
--   SIPAS_BODY     response JSON file whose submission_id is "@@SID@@"
--   SIPAS_THREADS  the -t given to wrk (thread k takes lines k, k+T, k+2T, ...)
--   SIPAS_RUN      a tag that makes the submission ids of this run unique
--   SIPAS_DELAY_MS optional: each connection waits this long before each
--                  request (a steady load instead of as fast as possible)
-- A thread that has used all its tokens sends GET /healthz instead and counts
-- it as "exhausted" (then the token file was too short for the run).

local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local function read_file(path)
  local f = assert(io.open(path, "rb"))
  local text = f:read("*a")
  f:close()
  return text
end

function init(args)
  local count = tonumber(os.getenv("SIPAS_THREADS") or "1")
  local survey = assert(os.getenv("SIPAS_SURVEY"), "SIPAS_SURVEY")
  run = os.getenv("SIPAS_RUN") or "run"
  tokens = {}
  local line_no = 0
  local path = assert(os.getenv("SIPAS_TOKENS"), "SIPAS_TOKENS")
  for line in io.lines(path) do
    if line_no % count == id - 1 then tokens[#tokens + 1] = line end
    line_no = line_no + 1
  end
  local body = read_file((assert(os.getenv("SIPAS_BODY"), "SIPAS_BODY")))
  local at = assert(body:find("@@SID@@", 1, true), "no @@SID@@ in the body")
  before, after = body:sub(1, at - 1), body:sub(at + 7)
  prefix = "/api/v1/surveys/" .. survey .. "/responses?t="
  headers = {["Content-Type"] = "application/json"}
  used, created, conflicts, other, exhausted = 0, 0, 0, 0, 0
end

local delay_ms = tonumber(os.getenv("SIPAS_DELAY_MS") or "")
if delay_ms then
  function delay() return delay_ms end
end

function request()
  used = used + 1
  local token = tokens[used]
  if token == nil then
    exhausted = exhausted + 1
    return wrk.format("GET", "/healthz")
  end
  return wrk.format("POST", prefix .. token, headers,
                    before .. run .. "-" .. id .. "-" .. used .. after)
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
  elseif status == 409 then
    conflicts = conflicts + 1
  elseif status ~= 200 then
    other = other + 1
  end
end

function done(summary, latency, requests)
  local c, k, o, e = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    c = c + thread:get("created")
    k = k + thread:get("conflicts")
    o = o + thread:get("other")
    e = e + thread:get("exhausted")
  end
  local seconds = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write +
                 summary.errors.timeout
  io.write(string.format("SIPAS_WRK requests=%d seconds=%.2f rps=%.0f p50_ms=%.2f p99_ms=%.2f " ..
                         "non2xx=%d socket_errors=%d created=%d conflicts=%d other=%d " ..
                         "exhausted=%d\n",
                         summary.requests, seconds, summary.requests / seconds,
                         latency:percentile(50) / 1000, latency:percentile(99) / 1000,
                         summary.errors.status, errors, c, k, o, e))
end
