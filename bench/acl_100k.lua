-- SPDX-License-Identifier: BSD-3-Clause
-- plb-bench scenario (d), fnat_tcp_acl: a global deny list of plb.config.count
-- (default 100000) random IPv4 prefixes, set once with plb.set_deny at load
-- time. No prefix covers plb.config.keep (the bench's client network), so
-- every client packet is checked and passes. A share of the prefixes
-- (plb.config.near, default 1%) is /32s and /28s around the clients in
-- their own /16, so the matcher's slot for the clients' /16 is not empty
-- and the check does a real binary search. Seeded: every run gets the same list.
local cfg = plb.config
local count = cfg.count or 100000
local keep = cfg.keep or "203.0.113.0/24"
local near = cfg.near or 0.01
math.randomseed(cfg.seed or 7)

local function parse(p)
	local a, b, c, d, len = p:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)/(%d+)$")
	return ((tonumber(a) * 256 + tonumber(b)) * 256 + tonumber(c)) * 256 + tonumber(d), tonumber(len)
end

local keep_lo, keep_len = parse(keep)
local keep_hi = keep_lo + 2 ^ (32 - keep_len) - 1
local near_base = keep_lo - keep_lo % 65536	-- the clients' /16

local function fmt(a, len)
	return string.format("%d.%d.%d.%d/%d", math.floor(a / 16777216), math.floor(a / 65536) % 256,
		math.floor(a / 256) % 256, a % 256, len)
end

-- 60% /32, 30% /24, 10% /16../31, like tests/unit/test_acl.c's 100k list
local function random_len()
	local r = math.random()
	if r < 0.6 then return 32 end
	if r < 0.9 then return 24 end
	return math.random(16, 31)
end

local list, seen, n = {}, {}, 0
while n < count do
	local a, len
	if math.random() < near then
		a, len = near_base + math.random(0, 65535), math.random() < 0.5 and 32 or 28
	else
		a, len = math.random(0, 4294967295), random_len()
	end
	local size = 2 ^ (32 - len)
	a = a - a % size
	-- keep out anything that overlaps the clients' network
	if (a + size - 1 < keep_lo or a > keep_hi) and not seen[a * 64 + len] then
		seen[a * 64 + len] = true
		n = n + 1
		list[n] = fmt(a, len)
	end
end
plb.set_deny(list)
seen, list = nil, nil
plb.log("notice", string.format("bench: %d prefixes staged for the global deny list, none in %s", n, keep))
