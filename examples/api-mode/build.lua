-- Builds the API-mode modules of this folder with ffi.builder: zlib_api.so and
-- sqlite_api.so, checked against the real zlib.h and sqlite3.h by the C compiler.
--   luaffi examples/api-mode/build.lua [output folder]
-- Then examples/api-mode/zlib.lua and sqlite3.lua use them, under luaffi or under
-- stock lua5.4 with ffi.so, with no compiler needed.
local ffi = require("ffi")
local folder = arg[1] or arg[0]:match("^(.*)/[^/]*$") or "."

local z = ffi.builder("zlib_api")
z:cdef [[
  typedef int... uInt;
  typedef unsigned long uLong;
  typedef struct z_stream_s {
    unsigned char *next_in; uInt avail_in; uLong total_in;
    unsigned char *next_out; uInt avail_out; uLong total_out;
    char *msg;
    ...;
  } z_stream;
  #define ZLIB_VERSION ...
  #define Z_OK ...
  #define Z_STREAM_END ...
  #define Z_FINISH ...
  #define Z_DEFAULT_COMPRESSION ...
  const char *zlibVersion(void);
  uLong compressBound(uLong sourceLen);
  int deflateInit(z_stream *strm, int level);   // a macro in zlib.h
  int deflate(z_stream *strm, int flush);
  int deflateEnd(z_stream *strm);
  int inflateInit(z_stream *strm);              // a macro too
  int inflate(z_stream *strm, int flush);
  int inflateEnd(z_stream *strm);
]]
z:set_source("#include <zlib.h>", { libraries = { "z" } })
print("built " .. z:compile { tmpdir = folder })

local s = ffi.builder("sqlite_api")
s:cdef [[
  typedef ... sqlite3;
  typedef ... sqlite3_stmt;
  #define SQLITE_VERSION ...
  #define SQLITE_OK ...
  #define SQLITE_ROW ...
  #define SQLITE_DONE ...
  #define SQLITE_CONSTRAINT ...
  const char *sqlite3_libversion(void);
  int sqlite3_open(const char *filename, sqlite3 **db);
  int sqlite3_close(sqlite3 *db);
  const char *sqlite3_errmsg(sqlite3 *db);
  int sqlite3_exec(sqlite3 *db, const char *sql, int (*callback)(void *, int, char **, char **),
                   void *arg, char **errmsg);
  int sqlite3_prepare_v2(sqlite3 *db, const char *sql, int n, sqlite3_stmt **stmt, const char **tail);
  int sqlite3_bind_text(sqlite3_stmt *stmt, int i, const char *text, int n, void (*destructor)(void *));
  int sqlite3_bind_double(sqlite3_stmt *stmt, int i, double value);
  int sqlite3_step(sqlite3_stmt *stmt);
  const unsigned char *sqlite3_column_text(sqlite3_stmt *stmt, int i);
  double sqlite3_column_double(sqlite3_stmt *stmt, int i);
  int sqlite3_reset(sqlite3_stmt *stmt);
  int sqlite3_finalize(sqlite3_stmt *stmt);
]]
s:set_source("#include <sqlite3.h>", { libraries = { "sqlite3" } })
print("built " .. s:compile { tmpdir = folder })
