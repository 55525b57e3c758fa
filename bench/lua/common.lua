-- Shared by the wrk scripts of bench/run.sh. Environment (read once per wrk thread):
--   BENCH_PAIRS  file of "key request_id" lines (polls) or "key" lines (submits)
--   BENCH_RATE   requests per second for the whole run (0 = as fast as possible); BENCH_CONNS connections
-- Constant rate: each connection sends on its own schedule (interval = conns / rate), computed from the
-- wall clock, so a slow answer does not lower the offered rate (an approximation of wrk2, which apt lacks;
-- like plain wrk it measures from the send, so queueing behind a slow answer is not counted).
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_usec; } bench_timeval;
int gettimeofday(bench_timeval *tv, void *tz);
]]
local tv = ffi.new("bench_timeval")
local M = {}

function M.now_ms()
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) * 1000 + tonumber(tv.tv_usec) / 1000
end

function M.lines(path)
  local out = {}
  for line in io.lines(path) do
    if line ~= "" then out[#out + 1] = line end
  end
  return out
end

local rate = tonumber(os.getenv("BENCH_RATE") or "0")
local conns = tonumber(os.getenv("BENCH_CONNS") or "1")
local interval = rate > 0 and (conns * 1000.0 / rate) or 0
local next_at = nil

-- wrk calls delay() before each request of a connection; one Lua state per thread serves several
-- connections, so the schedule is per thread with interval / (connections of this thread)
local threads = tonumber(os.getenv("BENCH_THREADS") or "1")
local thread_interval = interval * threads / conns

function M.delay()
  if thread_interval == 0 then return 0 end
  local now = M.now_ms()
  -- far behind (the server is slower than the rate): restart the schedule instead of bursting
  if next_at == nil or next_at < now - 1000 then next_at = now + math.random() * thread_interval end
  next_at = next_at + thread_interval
  local wait = next_at - now
  return wait > 0 and wait or 0
end

return M
