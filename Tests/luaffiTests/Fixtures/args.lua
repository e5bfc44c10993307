-- the arg table (negative indexes too) and the script's varargs
for i = -3, #arg do print(i, arg[i]) end
print("#arg", #arg)
print("...", select("#", ...), ...)
