-- Status polls, each by its job's owner: GET /fal-ai/flux-1/requests/<id>/status with that tenant's key.
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
local common = require("common")
local pairs_ = {}
for _, line in ipairs(common.lines(os.getenv("BENCH_PAIRS"))) do
  local key, id = line:match("^(%S+)%s+(%S+)$")
  pairs_[#pairs_ + 1] = { key = key, id = id }
end
math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)

request = function()
  common.sending()
  local p = pairs_[math.random(#pairs_)]
  return wrk.format("GET", "/fal-ai/flux-1/requests/" .. p.id .. "/status",
    { ["Authorization"] = "Key " .. p.key })
end
common.install_pacing()
