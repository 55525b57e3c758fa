-- Billed submits: POST /fal-ai/flux-1/dev (750 credits) with a key picked at random from BENCH_PAIRS.
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
local common = require("common")
local keys = common.lines(os.getenv("BENCH_PAIRS"))
math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
local body = '{"prompt":"a red fox in the snow","num_images":1}'

request = function()
  common.sending()
  local key = keys[math.random(#keys)]
  return wrk.format("POST", "/fal-ai/flux-1/dev",
    { ["Authorization"] = "Key " .. key, ["Content-Type"] = "application/json" }, body)
end
common.install_pacing()
