-- SPDX-License-Identifier: BSD-3-Clause
--
-- weights.lua: adaptive weights from observed load. Every PERIOD seconds,
-- each dest of every service gets
--     weight = max(1, BASE - floor(active / PER_STEP))
-- so a dest holding many active conns gets fewer new ones. Dests marked down
-- and dests whose configured weight is 0 (quiesced) are left alone.
-- Settings (lua.config): weights_base (10), weights_per_step (10 active
-- conns per weight step), weights_period (2 s), weights_service (only this
-- service, "tcp:192.0.2.100:80"; default all).

local BASE = plb.config.weights_base or 10
local PER_STEP = plb.config.weights_per_step or 10
local PERIOD = plb.config.weights_period or 2
local ONLY = plb.config.weights_service

local quiesced = {}	-- "svc/dest" -> true: weight 0 when the script started

local function key(s, d)
	return s.name .. "/" .. d.name
end

for _, s in ipairs(plb.services()) do
	for _, d in ipairs(s.dests) do
		if d.weight == 0 then
			quiesced[key(s, d)] = true
		end
	end
end

local function adjust()
	for _, s in ipairs(plb.services()) do
		if ONLY == nil or s.name == ONLY then
			for _, d in ipairs(s.dests) do
				if not d.down and not quiesced[key(s, d)] then
					local w = math.max(1, BASE - math.floor(d.active / PER_STEP))
					if w ~= d.weight then
						plb.set_weight(s, d, w)
					end
				end
			end
		end
	end
end

adjust()
plb.every(PERIOD, adjust)
