-- sqlite3 through ffi.load("sqlite3"): an in-memory database, a table, inserts with
-- bound parameters, queries with sqlite3_exec and a Lua callback and with the step
-- API, and sqlite's errors turned into Lua errors with sqlite's message.
--   luaffi examples/sqlite3.lua
local ffi = require("ffi")
local sqlite = ffi.load("sqlite3")

ffi.cdef [[
  typedef struct sqlite3 sqlite3;
  typedef struct sqlite3_stmt sqlite3_stmt;
  typedef int (*sqlite3_callback)(void *, int, char **, char **);
  const char *sqlite3_libversion(void);
  int sqlite3_open(const char *filename, sqlite3 **db);
  int sqlite3_close(sqlite3 *db);
  const char *sqlite3_errmsg(sqlite3 *db);
  int sqlite3_exec(sqlite3 *db, const char *sql, sqlite3_callback callback, void *arg, char **errmsg);
  void sqlite3_free(void *p);
  int sqlite3_prepare_v2(sqlite3 *db, const char *sql, int bytes, sqlite3_stmt **stmt, const char **tail);
  int sqlite3_bind_int64(sqlite3_stmt *stmt, int index, int64_t value);
  int sqlite3_bind_double(sqlite3_stmt *stmt, int index, double value);
  int sqlite3_bind_text(sqlite3_stmt *stmt, int index, const char *text, int bytes, intptr_t destructor);
  int sqlite3_step(sqlite3_stmt *stmt);
  int sqlite3_reset(sqlite3_stmt *stmt);
  int sqlite3_finalize(sqlite3_stmt *stmt);
  int sqlite3_column_count(sqlite3_stmt *stmt);
  const char *sqlite3_column_name(sqlite3_stmt *stmt, int column);
  int sqlite3_column_type(sqlite3_stmt *stmt, int column);
  int64_t sqlite3_column_int64(sqlite3_stmt *stmt, int column);
  double sqlite3_column_double(sqlite3_stmt *stmt, int column);
  const unsigned char *sqlite3_column_text(sqlite3_stmt *stmt, int column);
]]
local SQLITE_OK, SQLITE_ROW, SQLITE_DONE = 0, 100, 101
local SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_NULL = 1, 2, 5
local SQLITE_TRANSIENT = -1 -- sqlite copies the bound text

-- An error from sqlite, with its message, raised at the caller's level.
local function check(db, code, what)
  if code ~= SQLITE_OK and code ~= SQLITE_ROW and code ~= SQLITE_DONE then
    error(string.format("%s: %s (sqlite code %d)", what, ffi.string(sqlite.sqlite3_errmsg(db)), code), 3)
  end
  return code
end

-- Opens a database; sqlite3_close runs when the handle is collected (or released).
local function open(filename)
  local out = ffi.new("sqlite3 *[1]")
  local code = sqlite.sqlite3_open(filename, out)
  local db = out[0]
  if code ~= SQLITE_OK then
    local message = db ~= ffi.NULL and ffi.string(sqlite.sqlite3_errmsg(db)) or "out of memory"
    sqlite.sqlite3_close(db)
    error("sqlite3_open: " .. message, 2)
  end
  return ffi.gc(db, sqlite.sqlite3_close)
end

-- Runs SQL with sqlite3_exec; each row calls `row(columns)` through a C callback.
local function exec(db, sql, row)
  local callback = ffi.NULL
  if row then
    callback = ffi.cast("sqlite3_callback", function(_, n, values, names)
      local columns = {}
      for i = 0, n - 1 do
        columns[ffi.string(names[i])] = values[i] ~= ffi.NULL and ffi.string(values[i]) or nil
      end
      row(columns)
      return 0
    end)
  end
  local message = ffi.new("char *[1]")
  local code = sqlite.sqlite3_exec(db, sql, callback, nil, message)
  if row then callback:free() end
  if code ~= SQLITE_OK then
    local text = message[0] ~= ffi.NULL and ffi.string(message[0]) or "unknown error"
    sqlite.sqlite3_free(message[0])
    error("sqlite3_exec: " .. text, 2)
  end
end

-- Prepares a statement; finalized when collected.
local function prepare(db, sql)
  local out = ffi.new("sqlite3_stmt *[1]")
  check(db, sqlite.sqlite3_prepare_v2(db, sql, #sql, out, nil), "prepare")
  return ffi.gc(out[0], sqlite.sqlite3_finalize)
end

-- Binds Lua values to ?1, ?2, ... by their Lua type.
local function bind(db, stmt, ...)
  for i = 1, select("#", ...) do
    local value = select(i, ...)
    local code
    if math.type(value) == "integer" then
      code = sqlite.sqlite3_bind_int64(stmt, i, value)
    elseif type(value) == "number" then
      code = sqlite.sqlite3_bind_double(stmt, i, value)
    else
      code = sqlite.sqlite3_bind_text(stmt, i, tostring(value), -1, SQLITE_TRANSIENT)
    end
    check(db, code, "bind #" .. i)
  end
end

-- Iterates the rows of a statement (step API), each as a table by column name.
local function rows(db, stmt)
  return function()
    local code = check(db, sqlite.sqlite3_step(stmt), "step")
    if code == SQLITE_DONE then return nil end
    local row = {}
    for i = 0, sqlite.sqlite3_column_count(stmt) - 1 do
      local name, kind = ffi.string(sqlite.sqlite3_column_name(stmt, i)), sqlite.sqlite3_column_type(stmt, i)
      if kind == SQLITE_INTEGER then row[name] = sqlite.sqlite3_column_int64(stmt, i)
      elseif kind == SQLITE_FLOAT then row[name] = sqlite.sqlite3_column_double(stmt, i)
      elseif kind ~= SQLITE_NULL then row[name] = ffi.string(sqlite.sqlite3_column_text(stmt, i)) end
    end
    return row
  end
end

print("sqlite " .. ffi.string(sqlite.sqlite3_libversion()))
local db = open(":memory:")
exec(db, "CREATE TABLE fruit (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, price REAL)")

local insert = prepare(db, "INSERT INTO fruit (name, price) VALUES (?1, ?2)")
for _, fruit in ipairs { { "apple", 1.25 }, { "pear", 2.5 }, { "fig", 4 }, { "kiwi", 0.75 } } do
  bind(db, insert, fruit[1], fruit[2])
  check(db, sqlite.sqlite3_step(insert), "insert")
  sqlite.sqlite3_reset(insert)
end
ffi.release(insert) -- finalize now, not at collection

exec(db, "SELECT name, price FROM fruit ORDER BY name", function(row)
  print(string.format("exec row: %s %s", row.name, row.price))
end)

local query = prepare(db, "SELECT id, name, price FROM fruit WHERE price > ?1 ORDER BY price")
bind(db, query, 1.0)
for row in rows(db, query) do
  print(string.format("step row: %d %s %.2f", row.id, row.name, row.price))
end
ffi.release(query)

-- Errors carry sqlite's own message.
local ok, err = pcall(exec, db, "SELECT * FROM vegetables")
print("error: " .. err)
ok, err = pcall(prepare, db, "INSERT INTO fruit (name) VALUES (")
print("error: " .. err)
local again = prepare(db, "INSERT INTO fruit (name) VALUES (?1)")
bind(db, again, "apple")
ok, err = pcall(function() check(db, sqlite.sqlite3_step(again), "insert") end)
print("error: " .. err)
ffi.release(again)
ffi.release(db)
print("closed")
