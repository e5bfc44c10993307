-- a module for -l mod and -l g=mod
print("loading mod", ...)
return { name = "mod" }
