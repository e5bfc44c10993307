-- a C module (Debian lua-filesystem) loaded through require
local lfs = require "lfs"
print(type(lfs), type(lfs.currentdir()), lfs.attributes(".", "mode"))
