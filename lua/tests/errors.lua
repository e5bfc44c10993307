-- Error values, levels, handlers and to-be-closed variables behave as in Lua 5.4.
local ok, err = pcall(error, "plain", 0)
assert(not ok and err == "plain")

ok, err = pcall(function() error("with position") end)
assert(err:match("errors%.lua:%d+: with position$"), err)

local t = {}
ok, err = pcall(error, t)
assert(err == t, "error objects pass through unchanged")

local traced
xpcall(function() error("deep") end, function(m) traced = debug.traceback(m, 1) end)
assert(traced:match("deep") and traced:match("stack traceback:"), traced)

local closed = false
ok, err = pcall(function()
  local guard <close> = setmetatable({}, { __close = function() closed = true end })
  error("leaving")
end)
assert(not ok and closed, "__close runs when an error leaves the block")

-- A coroutine keeps its error to itself.
local co = coroutine.create(function() error("in coroutine") end)
ok, err = coroutine.resume(co)
assert(not ok and err:match("in coroutine"))
assert(coroutine.status(co) == "dead")
