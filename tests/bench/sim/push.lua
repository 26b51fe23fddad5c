-- wrk script for push_bench.sh: LINE pushes with a fresh retry key on every request,
-- spread over 100 friends, the way musubi's dispatcher sends them.
local counter = 0
local threads = {}
-- thread_id is a global that setup() gives each thread, so their retry keys differ.
thread_id = 0

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function request()
  counter = counter + 1
  local user = string.format("U%032x", counter % 100)
  local key = string.format("%08x-0000-4000-8000-%012x", thread_id, counter)
  local body = '{"to":"' .. user .. '","messages":[{"type":"text","text":"ご注文ありがとうございます。発送は明日の予定です。"}]}'
  return wrk.format("POST", "/v2/bot/message/push", {
    ["Authorization"] = "Bearer musubi-sim-token",
    ["Content-Type"] = "application/json",
    ["X-Line-Retry-Key"] = key,
  }, body)
end

local statuses = {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format("push requests: %d in %.2f s = %.0f requests/second (non-2xx: %d)\n",
    summary.requests, seconds, summary.requests / seconds, summary.errors.status))
end
