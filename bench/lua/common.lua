-- Shared by the wrk scripts of bench/run.sh. Environment (read once per wrk thread):
--   BENCH_PAIRS  file of "key request_id" lines (polls) or "key" lines (submits)
--   BENCH_RATE   requests per second for the whole run (0 = as fast as possible); BENCH_CONNS connections
--
-- Constant rate, corrected for coordinated omission (wrk2's method, in wrk's Lua): bench/run.sh starts one wrk
-- thread per connection, so this Lua state is one connection. It sends on its own fixed schedule
-- (interval = connections / rate, the first send at a random offset), and a request's latency runs from the time
-- the schedule meant to send it (or from the send, when wrk's millisecond timer fired a little early), not from when
-- it went out: an answer that comes late delays the next sends, and
-- their wait counts in their latency (plain wrk, and this script's first version, measured from the send and so
-- hid that queue). The schedule never skips or restarts: past the server's capacity the latencies grow without
-- bound, as they should. The latencies go into a histogram (1 us steps below 1 ms, then 3 significant digits)
-- that done() merges over the threads and prints as the "CO-corrected" line bench/run.sh reads.
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")
local M = {}

-- CLOCK_MONOTONIC
function M.now_us()
  ffi.C.clock_gettime(1, ts)
  return tonumber(ts.tv_sec) * 1000000 + tonumber(ts.tv_nsec) / 1000
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
local interval_us = rate > 0 and (conns * 1000000.0 / rate) or 0
local next_at = nil
local intended = nil
-- globals: read by done() through thread:get()
hist = {}
late = 0

local function bucket(us)
  if us < 1000 then return math.floor(us) end
  local scale = 10 ^ (math.floor(math.log10(us)) - 2)
  return math.floor(us / scale) * scale
end

function M.delay()
  local now = M.now_us()
  if next_at == nil then next_at = now + math.random() * interval_us else next_at = next_at + interval_us end
  intended = next_at
  local wait = next_at - now
  if wait <= 0 then late = late + 1; return 0 end
  return wait / 1000
end

-- the scripts' request() calls this as the request goes out
local sent_at = nil
function M.sending()
  if interval_us > 0 then sent_at = M.now_us() end
end

-- From the scheduled send, or from the actual one when wrk's millisecond timer sent it a little early.
function M.response(status, headers, body)
  if intended == nil then return end
  local from = intended
  if sent_at ~= nil and sent_at < from then from = sent_at end
  local b = bucket(M.now_us() - from)
  hist[b] = (hist[b] or 0) + 1
  intended = nil
end

local threads = {}
function M.setup(thread)
  threads[#threads + 1] = thread
end

function M.done(summary, latency, requests)
  local merged, total, sent_late = {}, 0, 0
  for _, t in ipairs(threads) do
    for b, n in pairs(t:get("hist")) do
      merged[b] = (merged[b] or 0) + n
      total = total + n
    end
    sent_late = sent_late + t:get("late")
  end
  local keys = {}
  for b in pairs(merged) do keys[#keys + 1] = b end
  table.sort(keys)
  local function pct(p)
    local want, seen = math.ceil(total * p / 100), 0
    for _, b in ipairs(keys) do
      seen = seen + merged[b]
      if seen >= want then return b / 1000 end
    end
    return 0
  end
  io.write(string.format("CO-corrected latency ms: p50 %.3f p90 %.3f p99 %.3f p99.9 %.3f max %.3f (%d answers, %d sent behind schedule)\n",
    pct(50), pct(90), pct(99), pct(99.9), total > 0 and keys[#keys] / 1000 or 0, total, sent_late))
end

-- the scripts install these only for a constant rate: as fast as possible, wrk needs neither
function M.install_pacing()
  if rate > 0 then
    setup = M.setup
    delay = M.delay
    response = M.response
    done = M.done
  end
end

return M
