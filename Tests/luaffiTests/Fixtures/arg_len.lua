-- prints the script's varargs: what lua.c's pushargs passed
print(select("#", ...), ...)
