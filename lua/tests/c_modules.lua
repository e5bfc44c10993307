-- C modules built for stock lua5.4 load and run (one Lua in the process).
local ok, lfs = pcall(require, "lfs")
if not ok then
  print("skipped: lua-filesystem is not installed (" .. tostring(lfs):match("[^\n]*") .. ")")
  return
end
assert(type(lfs.currentdir()) == "string")
assert(lfs.attributes(".", "mode") == "directory")
-- The module's functions see the same state: a table made here is usable there.
local count = 0
for entry in lfs.dir(".") do count = count + 1 end
assert(count >= 2, "'.' and '..' at least")
