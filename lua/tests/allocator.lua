-- The state's allocator keeps freed small blocks for reuse (CLuaCore/core.c): blocks
-- that grow and shrink across its size classes and beyond keep their contents.
local ffi = require("ffi")
for round = 1, 3 do
  local t = {}
  for i = 1, 300 do t[i] = i * round end        -- the array part grows through every class
  for i = 1, 300 do assert(t[i] == i * round) end
  for i = 300, 2, -1 do t[i] = nil end
  collectgarbage()                               -- shrinks it again
  assert(t[1] == round and #t == 1)
  local h = {}
  for i = 1, 200 do h["k" .. i] = i end         -- the hash part: rehashes across classes
  for i = 1, 200 do assert(h["k" .. i] == i) end
  local strings = {}
  for n = 1, 200 do strings[n] = string.rep(string.char(64 + n % 26), n) end
  for n = 1, 200 do assert(#strings[n] == n and strings[n]:byte(n) == 64 + n % 26) end
  local cdata = {}
  for n = 1, 160 do cdata[n] = ffi.new("uint8_t[?]", n, n % 251) end
  collectgarbage()
  for n = 1, 160 do assert(ffi.sizeof(cdata[n]) == n and cdata[n][n - 1] == n % 251) end
end
