-- run through LUA_INIT=@file
print("init file ran", arg and arg[0])
