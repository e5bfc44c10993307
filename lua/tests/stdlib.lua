-- The standard libraries of Lua 5.4 are all present and work.
assert(_VERSION == "Lua 5.4")
for _, name in ipairs({ "coroutine", "debug", "io", "math", "os", "package", "string",
                        "table", "utf8" }) do
  assert(type(_G[name]) == "table", name .. " is missing")
end
assert(math.type(1) == "integer" and math.type(1.0) == "float")
assert(string.format("%5.2f|%d|%q", 3.14159, 42, "a\n") == " 3.14|42|\"a\\\n\"")
assert(utf8.len("héllo") == 5)
assert(table.concat({ 1, 2, 3 }, ",") == "1,2,3")
assert(select("#", table.unpack({ 1, nil, 3 }, 1, 3)) == 3)
assert(1.0 // 0 == math.huge and -7 // 2 == -4 and 7 % -3 == -2)
assert(not pcall(function() return 1 // 0 end), "integer division by zero is an error")
assert(0x7fffffffffffffff + 1 == math.mininteger, "integers wrap")
assert(package.path:match("%?%.lua"))
assert(os.time{ year = 2000, month = 1, day = 1, hour = 12 } > 0)
