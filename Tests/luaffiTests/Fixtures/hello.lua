-- print and its conversions
print("hello, world")
print(1, 2.5, nil, true, "x")
print(10 // 3, 2^53, math.maxinteger, -0.0)
