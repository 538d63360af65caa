-- SPDX-License-Identifier: BSD-3-Clause
--
-- drain.lua: take one dest out of service gently. Its weight goes from
-- what it has now to 0 in STEPS equal steps, one every INTERVAL seconds
-- (new conns move to the other dests while established ones finish), then
-- it is marked down (plb.down: never picked) with the weight it had before
-- the drain put back in the same step, so plb.up (or `plbctl dest edit ...
-- down false`) brings it back at full weight. Settings (lua.config):
--   drain_service = "tcp:192.0.2.100:80"; drain_dest = "198.51.100.11:8080";
--   drain_steps = 5; drain_interval = 10;
-- Without drain_service/drain_dest the script does nothing.

local SVC = plb.config.drain_service
local DEST = plb.config.drain_dest
local STEPS = plb.config.drain_steps or 5
local INTERVAL = plb.config.drain_interval or 10

local function find()
	for _, s in ipairs(plb.services()) do
		if s.name == SVC then
			for _, d in ipairs(s.dests) do
				if d.name == DEST or d.addr == DEST then
					return s, d
				end
			end
		end
	end
end

if SVC == nil or DEST == nil then
	plb.log("notice", "drain.lua: set lua.config drain_service and drain_dest to drain a dest")
	return
end

local s, d = find()
if s == nil then
	error("drain.lua: no dest " .. DEST .. " in service " .. SVC)
end
if d.down then
	return		-- drained already
end

local start = d.weight
local step = 0
local timer
timer = plb.every(INTERVAL, function()
	step = step + 1
	local w = math.floor(start * (STEPS - step) / STEPS)
	if step < STEPS then
		plb.set_weight(SVC, DEST, w)
		plb.log("info", string.format("drain %s %s: step %d/%d, weight %d", SVC, DEST, step, STEPS, w))
		return
	end
	-- one transaction: down, and the weight it comes back with when it is up again
	plb.down(SVC, DEST)
	plb.set_weight(SVC, DEST, start)
	plb.cancel(timer)
	plb.log("notice", string.format("drain %s %s: done, marked down", SVC, DEST))
end)
