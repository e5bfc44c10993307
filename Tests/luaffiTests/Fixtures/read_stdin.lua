-- reads standard input: lines, then a number and the rest
local first = io.read("l")
print("first:", first)
local n = io.read("n")
print("number:", n, math.type(n))
local rest = io.read("a")
io.write("rest:[", rest, "]\n")
print("eof:", io.read("l"))
