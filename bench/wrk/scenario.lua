-- One load scenario for wrk, written by bench/load.py into the file named by BENCH_WRK_CONFIG.
--
-- wrk runs one thread per connection here (-t N -c N), so each thread is one user with its own
-- session cookie. mode "get": every request is a GET of the session's path, and a response is
-- counted as expected when its status is the scenario's. mode "pledge": each user opens its
-- pledge form (GET, 200), reads the pledge's current version from the form, and saves the draft
-- with it (POST, 302 back to the form); a 409 means someone else saved in between, which cannot
-- happen with one pledge per user, so it counts as unexpected like any other status.

local config = dofile(os.getenv("BENCH_WRK_CONFIG"))
local threads = {}
local slots = 0

function setup(thread)
  slots = slots + 1
  thread:set("slot", slots)
  table.insert(threads, thread)
end

function init(args)
  session = config.sessions[((slot - 1) % #config.sessions) + 1]
  expected, unexpected, saved = 0, 0, 0
  statuses = {}
  pending = "get"
  version = nil
  get_headers = { ["Cookie"] = session.cookie }
  post_headers = {
    ["Cookie"] = session.cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Referer"] = session.referer,
  }
end

function request()
  if pending == "post" then
    return wrk.format("POST", session.path, post_headers, session.body .. version)
  end
  return wrk.format("GET", session.path, get_headers)
end

local function count(ok, status)
  if ok then
    expected = expected + 1
  else
    unexpected = unexpected + 1
    local key = tostring(status)
    statuses[key] = (statuses[key] or 0) + 1
  end
end

function response(status, headers, body)
  if config.mode ~= "pledge" then
    count(status == config.status, status)
    return
  end
  if pending == "get" then
    local found = body and string.match(body, 'name="version" value="(%d+)"')
    count(status == 200 and found ~= nil, status)
    if found then
      version = found
      pending = "post"
    end
  else
    local location = headers["Location"] or headers["location"] or ""
    local ok = status == 302 and string.find(location, session.path, 1, true) ~= nil
    count(ok, status)
    if ok then
      saved = saved + 1
    end
    pending = "get"
  end
end

function done(summary, latency, requests)
  local total_expected, total_unexpected, total_saved = 0, 0, 0
  local by_status = {}
  for _, thread in ipairs(threads) do
    total_expected = total_expected + thread:get("expected")
    total_unexpected = total_unexpected + thread:get("unexpected")
    total_saved = total_saved + thread:get("saved")
    for key, value in pairs(thread:get("statuses")) do
      by_status[key] = (by_status[key] or 0) + value
    end
  end
  local parts = {}
  for key, value in pairs(by_status) do
    table.insert(parts, string.format('"%s": %d', key, value))
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH_WRK {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "expected": %d, "unexpected": %d, "saved": %d, "unexpected_statuses": {%s}, '
      .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, total_expected, total_unexpected, total_saved,
    table.concat(parts, ", "), errors.connect, errors.read, errors.write, errors.status, errors.timeout
  ))
end
