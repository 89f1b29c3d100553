-- wrk script for scripts/http-bench.sh: every request is one quick-log tap with its own
-- key, as the rep's page sends it (POST /api/log_activity). The cookie, Origin and
-- Content-Type headers come from wrk's -H options.
local threads = 0
local run = tostring(os.time())

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  counter = 0
end

function request()
  counter = counter + 1
  local body = "type_key=call&client_key=wrk-" .. run .. "-" .. id .. "-" .. counter
  return wrk.format("POST", "/api/log_activity", nil, body)
end
