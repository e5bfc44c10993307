-- strings with embedded NUL bytes through print, io.write and error
print("a\0b", #"a\0b")
io.write("c\0d\n")
print(("x\0"):rep(3))
