-- The differential test against luajit: generates programs (diff_gen.lua), runs each
-- statement under luajit and under luaffi (diff_run.lua) and compares the outcomes.
--   luaffi scripts/luajit/diff.lua PROGRAMS SEED [LUAJIT]
-- Prints each statement whose outcome differs (with its program), then
-- "N programs, N statements: N compared, N skipped, N differ"; exits 1 on a difference.
-- Normalised (each a documented difference, docs/luajit-compat.md):
--   * an error is compared as "error", not by its message;
--   * numbers are compared as values (Lua 5.4 tells integers from floats, writes
--     floats `1.0` - STR - and has no integer -0);
--   * a 64-bit integer or enum cdata of LuaJIT equals the same Lua integer here
--     (64-bit results and enum values are Lua integers); later statements using that
--     value are not compared;
--   * not compared (the harness's OP and CAST give "skip"): `==` between a cdata and
--     a non-cdata, integer division and Lua's integer `%` by zero, `..` of a number, the difference of two pointers
--     and casts of strings and pointers (addresses);
--   * a `uint64_t` cdata that LuaJIT made 2^63 from a negative number matches any
--     `uint64_t` here (luaffi converts as C does);
--   * addresses, `LL`/`ULL` suffixes in strings and numbered anonymous types
--     (LuaJIT's `struct 105`) are left out of strings and type names.
-- Programs on which luajit itself crashes are counted and not compared.
local count, seed = tonumber(arg[1]), tonumber(arg[2])
assert(count and seed, "usage: diff.lua PROGRAMS SEED [LUAJIT]")
local luajit = arg[3] or "luajit"
local luaffi = arg[-1]
local here = arg[0]:match("^(.*)/[^/]*$") or "."
local generate = dofile(here .. "/diff_gen.lua")

local programs = generate(seed, 1, count)
local input = os.tmpname()
local out = assert(io.open(input, "w"))
for id, lines in ipairs(programs) do
  out:write("P ", id, "\n", table.concat(lines, "\n"), "\n")
end
out:close()

--- Runs the harness under `interpreter`; returns outcomes[id][i] and the ids of the
--- programs it crashed on (the harness is started again after each).
local function outcomes(interpreter)
  local results, crashed, first = {}, {}, 1
  while first <= count do
    local pipe = assert(io.popen(string.format('"%s" "%s/diff_run.lua" "%s" %d 2>&1',
      interpreter, here, input, first)))
    local id, finished
    for line in pipe:lines() do
      local p = line:match("^P (%d+)$")
      if p then id = tonumber(p); results[id] = {}
      elseif line == "END" then finished = true
      elseif id then results[id][#results[id] + 1] = line end
    end
    pipe:close()
    if finished then break end
    crashed[#crashed + 1] = id or first
    first = (id or first) + 1
  end
  return results, crashed
end

local theirs, theirCrashes = outcomes(luajit)
local ours, ourCrashes = outcomes(luaffi)
os.remove(input)
local crashedThere = {}
for _, id in ipairs(theirCrashes) do crashedThere[id] = true end

local function kind(outcome) return (outcome or "missing"):match("^[^\t]*") end

-- Whether LuaJIT's int64_t/uint64_t or enum cdata and our Lua integer hold the same
-- value (64-bit results and enum values are Lua integers here).
local function sameInteger(a, b)
  -- LuaJIT converts a negative double to uint64_t as 2^63; luaffi as C does.
  if a == "c:uint64_t:9223372036854775808" and b:match("^c:uint64_t:") then return true end
  local name, value = a:match("^c:([^:]*int64_t):(%-?%d+)$")
  if not name then name, value = a:match("^c:(enum [^:]*):(%-?%d+)$") end
  return name and b == "n:" .. value
end

local stats = { statements = 0, compared = 0, skipped = 0, differ = 0 }
for id, lines in ipairs(programs) do
  if not crashedThere[id] then
    local tainted, shown = {}, false
    for i, line in ipairs(lines) do
      stats.statements = stats.statements + 1
      local a, b = theirs[id] and theirs[id][i], ours[id] and ours[id][i]
      local usesTainted = false
      for k in line:gmatch("V%[(%d+)%]") do usesTainted = usesTainted or tainted[tonumber(k)] end
      if usesTainted or kind(a) == "skip" or kind(b) == "skip" then
        tainted[i] = usesTainted or nil
        stats.skipped = stats.skipped + 1
      elseif kind(a) == kind(b) or sameInteger(kind(a), kind(b)) then
        tainted[i] = kind(a) ~= kind(b) or nil
        stats.compared = stats.compared + 1
      else
        stats.compared, stats.differ = stats.compared + 1, stats.differ + 1
        if not shown then
          print(string.format("program %d (seed %d):\n  %s", id, seed, table.concat(lines, "\n  ")))
          shown = true
        end
        print(string.format("  statement %d: %s\n    luajit: %s\n    luaffi: %s", i, line:sub(3), a, b))
      end
    end
  end
end
for _, id in ipairs(ourCrashes) do
  print("luaffi crashed on program " .. id)
  stats.differ = stats.differ + 1
end
print(string.format("%d programs, %d statements: %d compared, %d skipped, %d differ; luajit crashed on %d programs",
  count, stats.statements, stats.compared, stats.skipped, stats.differ, #theirCrashes))
os.exit(stats.differ == 0)
