-- A first script for luaffi: the interpreter runs plain Lua 5.4 like lua5.4 does.
print(_VERSION .. " under " .. (arg and arg[-1] or "?"))
local words = {}
for word in ("hello from luaffi"):gmatch("%a+") do words[#words + 1] = word:upper() end
print(table.concat(words, " "))
