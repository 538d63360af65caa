-- SPDX-License-Identifier: BSD-3-Clause
--
-- blacklist.lua: keep the global deny list equal to a file of IPv4 prefixes
-- (one per line, "#" comments). The file is plb.config.blacklist_file
-- (lua.config in plb.conf), else the FILE below. Re-read every
-- plb.config.blacklist_every seconds (default 5) when its mtime changed; a
-- file with a bad line is refused whole (logged with its file:line) and the
-- list in force stays.
--   lua = { scripts = [ "scripts/lua/blacklist.lua" ];
--           config = { blacklist_file = "/etc/plb/deny.txt"; blacklist_every = 5; }; };

local FILE = plb.config.blacklist_file or "/etc/plb/deny.txt"
local EVERY = plb.config.blacklist_every or 5
local seen = nil		-- mtime of the file last applied

local function refresh()
	local mtime = plb.mtime(FILE)
	if mtime == nil then
		if seen ~= nil then
			plb.log("warning", FILE .. ": cannot read it; the deny list in force stays")
			seen = nil
		end
		return
	end
	if mtime == seen then
		return
	end
	local list, why = plb.load_prefixes(FILE)
	seen = mtime
	if list == nil then
		plb.log("err", "deny list refused: " .. why)
		return
	end
	plb.set_deny(list)
	plb.log("info", string.format("deny list: %d prefixes from %s", #list, FILE))
end

refresh()
plb.every(EVERY, refresh)
