-- a syntax error on line 3
local x = 1
if x then print(x) else
