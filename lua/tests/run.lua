-- Runs every Lua test script in this folder, each in a fresh interpreter process.
--   luaffi lua/tests/run.lua [pattern]
-- Prints one line per script and a closing "N passed, N failed" line; exits 1 on failure.
local interpreter = arg[-1] or "luaffi"
if interpreter:match("/") and not interpreter:match("^/") then
  interpreter = (os.getenv("PWD") or ".") .. "/" .. interpreter -- the cd below moves us
end
local folder = (arg[0]:match("^(.*)/[^/]*$") or ".")
local pattern = arg[1]

local function scripts()
  local list = {}
  local pipe = assert(io.popen('ls "' .. folder .. '"'))
  for name in pipe:lines() do
    if name:match("%.lua$") and name ~= "run.lua" and not name:match("^_")
       and (not pattern or name:match(pattern)) then
      list[#list + 1] = name
    end
  end
  pipe:close()
  return list
end

local passed, failed = 0, 0
for _, name in ipairs(scripts()) do
  local command = string.format('cd "%s" && "%s" "%s" 2>&1', folder, interpreter, name)
  local pipe = assert(io.popen(command))
  local output = pipe:read("a")
  local ok = pipe:close()
  if ok then
    passed = passed + 1
    print("ok     " .. name)
  else
    failed = failed + 1
    print("FAILED " .. name)
    io.write((output:gsub("[^\n]+", "       %0")))
  end
end
print(string.format("%d passed, %d failed", passed, failed))
os.exit(failed == 0)
