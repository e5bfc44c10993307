-- sqlite3 through the API-mode module that build.lua made: opaque handles
-- (`typedef ... sqlite3;`) and result codes from sqlite3.h's #defines.
--   luaffi examples/api-mode/sqlite3.lua [module folder]   (or lua5.4 with ffi.so)
local folder = arg[1] or arg[0]:match("^(.*)/[^/]*$") or "."
package.cpath = folder .. "/?.so;" .. package.cpath
local s = require("sqlite_api")
local ffi, lib = s.ffi, s.lib

print(string.format("sqlite %s (header %s), SQLITE_ROW = %d, SQLITE_DONE = %d",
  ffi.string(lib.sqlite3_libversion()), lib.SQLITE_VERSION, lib.SQLITE_ROW, lib.SQLITE_DONE))

local handle = ffi.new("sqlite3 *[1]")
assert(lib.sqlite3_open(":memory:", handle) == lib.SQLITE_OK)
local db = handle[0]

local function check(code, what)
  if code ~= lib.SQLITE_OK and code ~= lib.SQLITE_ROW and code ~= lib.SQLITE_DONE then
    error(string.format("%s: %s (sqlite code %d)", what, ffi.string(lib.sqlite3_errmsg(db)), code), 2)
  end
  return code
end

check(lib.sqlite3_exec(db, "create table fruit(name text unique, price real)", nil, nil, nil), "create")
local statement = ffi.new("sqlite3_stmt *[1]")
check(lib.sqlite3_prepare_v2(db, "insert into fruit values (?, ?)", -1, statement, nil), "prepare")
local insert = statement[0]
for name, price in pairs { apple = 1.25, pear = 2.5, fig = 4 } do
  lib.sqlite3_bind_text(insert, 1, name, -1, nil)
  lib.sqlite3_bind_double(insert, 2, price)
  check(lib.sqlite3_step(insert), "insert")
  lib.sqlite3_reset(insert)
end
lib.sqlite3_bind_text(insert, 1, "fig", -1, nil)
local code = lib.sqlite3_step(insert)
print("duplicate insert: code " .. code .. ", SQLITE_CONSTRAINT: " .. tostring(code == lib.SQLITE_CONSTRAINT))
lib.sqlite3_finalize(insert)

check(lib.sqlite3_prepare_v2(db, "select name, price from fruit order by price", -1, statement, nil), "prepare")
while check(lib.sqlite3_step(statement[0]), "step") == lib.SQLITE_ROW do
  print(string.format("row: %s %.2f", ffi.string(lib.sqlite3_column_text(statement[0], 0)),
    lib.sqlite3_column_double(statement[0], 1)))
end
lib.sqlite3_finalize(statement[0])
assert(lib.sqlite3_close(db) == lib.SQLITE_OK)
print("closed")
