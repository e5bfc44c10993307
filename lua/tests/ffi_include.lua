-- ffi.include: declarations from real headers through the system preprocessor,
-- checked against the C compiler's own numbers and by calling the functions.
local ffi = require("ffi")

local function fails(expected, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error: " .. expected)
  assert(tostring(err):find(expected, 1, true), err)
  return err
end

-- The compiler's answer for a C program's output.
local function compiled(includes, body)
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir " .. dir))
  local file = assert(io.open(dir .. "/t.c", "w"))
  file:write(includes, "\n#include <stdio.h>\n#include <stddef.h>\nint main(void) { ", body, " return 0; }\n")
  file:close()
  assert(os.execute("cc -o " .. dir .. "/t " .. dir .. "/t.c"))
  local pipe = assert(io.popen(dir .. "/t"))
  local output = pipe:read("a")
  pipe:close()
  os.execute("rm -r " .. dir)
  return output
end

-- zlib: a selection with what it needs, and its integer macros.
ffi.include("<zlib.h>", { only = { "compress2", "uncompress", "compressBound", "zlibVersion", "deflate.*", "z_stream", "Z_.*" }, defines = true })
local z = ffi.load("z")
assert(ffi.C.Z_OK == 0 and ffi.C.Z_BEST_COMPRESSION == 9 and ffi.C.Z_DEFAULT_COMPRESSION == -1)
local sizes = compiled("#include <zlib.h>",
  'printf("%zu %zu %zu", sizeof(z_stream), offsetof(z_stream, total_out), offsetof(z_stream, adler));')
assert(sizes == string.format("%d %d %d", ffi.sizeof("z_stream"), ffi.offsetof("z_stream", "total_out"),
  ffi.offsetof("z_stream", "adler")), sizes)
assert(ffi.string(z.zlibVersion()):match("^%d+%.%d+"))
local input = ("luaffi include "):rep(100)
local bound = z.compressBound(#input)
local packed, packedLength = ffi.new("uint8_t[?]", bound), ffi.new("unsigned long[1]", bound)
assert(z.compress2(packed, packedLength, input, #input, ffi.C.Z_BEST_COMPRESSION) == ffi.C.Z_OK)
local unpacked, unpackedLength = ffi.new("char[?]", #input), ffi.new("unsigned long[1]", #input)
assert(z.uncompress(unpacked, unpackedLength, packed, packedLength[0]) == ffi.C.Z_OK)
assert(ffi.string(unpacked, unpackedLength[0]) == input)
-- What the selection left out is not declared; what it needs is.
assert(not pcall(ffi.typeof, "gzFile"))
assert(ffi.typeof("alloc_func"))  -- z_stream's zalloc field needs it

-- struct stat: the layout every hand-copied binding gets wrong, from the header.
ffi.include("<sys/stat.h>", { only = { "stat" } })
local statSize = compiled("#include <sys/stat.h>",
  'printf("%zu %zu %zu", sizeof(struct stat), offsetof(struct stat, st_mode), offsetof(struct stat, st_size));')
assert(statSize == string.format("%d %d %d", ffi.sizeof("struct stat"), ffi.offsetof("struct stat", "st_mode"),
  ffi.offsetof("struct stat", "st_size")), statSize)
local st = ffi.new("struct stat")
assert(ffi.C.stat("/", st) == 0)
assert(st.st_mode & 0xF000 == 0x4000, "/ is a directory")

-- A whole header, then a second include of the same one (identical redeclarations).
ffi.include("<stdio.h>")
ffi.include("<stdio.h>")
local chars = ffi.new("char[32]")
assert(ffi.C.snprintf(chars, 32, "%s-%d", "x", 7) == 3 and ffi.string(chars) == "x-7")

-- <complex.h>: complex double calls; long double _Complex is laid out, not passed.
ffi.include("<complex.h>")
assert(ffi.C.cabs(ffi.new("complex double", 3, 4)) == 5)
assert(ffi.sizeof("long double _Complex") == 2 * ffi.sizeof("long double"))
fails("cannot pass 'complex long double' to a C function", function() return ffi.C.cabsl end)

-- A local header: "quoted" paths are relative to the working directory; #pragma pack
-- stays around what it packs; macros: hex, negative, unsigned, aliases.
local dir = os.tmpname()
os.remove(dir)
assert(os.execute("mkdir " .. dir))
local header = assert(io.open(dir .. "/local.h", "w"))
header:write([[
#define LH_HEX 0x10
#define LH_NEG (-3)
#define LH_BIG 0xFFFFFFFFFFFFFFFFULL
#define LH_ALIAS LH_HEX
#define LH_EXPR (1 + 2)
typedef unsigned int lh_id;
#pragma pack(push, 1)
struct lh_packed { char c; lh_id id; };
#pragma pack(pop)
struct lh_unrelated { int u; };
struct lh_node { struct lh_packed item; struct lh_node *next; };
int lh_count(const struct lh_node *head);
]])
header:close()
ffi.include('"' .. dir .. '/local.h"', { only = { "lh_count", "LH_.*" }, defines = true })
assert(ffi.sizeof("struct lh_packed") == 5 and ffi.sizeof("struct lh_node") == 16)
assert(not pcall(ffi.sizeof, "struct lh_unrelated"), "not needed, not declared")
assert(ffi.C.LH_HEX == 16 and ffi.C.LH_NEG == -3 and ffi.C.LH_ALIAS == 16)
assert(tostring(ffi.C.LH_BIG) == "18446744073709551615ULL")
assert(not pcall(function() return ffi.C.LH_EXPR end), "expressions are not simple integers")

-- A header's constant expressions are C's: a cast converts ((unsigned char)0x1ff is
-- 255), where ffi.cdef follows LuaJIT (511).
header = assert(io.open(dir .. "/casts.h", "w"))
header:write("enum lh_casts { LH_NARROW = (unsigned char)0x1ff, LH_SIGNED = (signed char)0xff };\n")
header:close()
ffi.include('"' .. dir .. '/casts.h"')
assert(ffi.C.LH_NARROW == 255 and ffi.C.LH_SIGNED == -1)
ffi.cdef "enum lh_cdef_casts { LH_CDEF_NARROW = (unsigned char)0x1ff };"
assert(ffi.C.LH_CDEF_NARROW == 511)

-- A header the parser cannot read: the error names the header's file and line.
header = assert(io.open(dir .. "/broken.h", "w"))
header:write("int fine(void);\n\nint broken(int x;\n")
header:close()
local err = fails("broken.h:3:", ffi.include, dir .. "/broken.h")
assert(err:find("')' expected", 1, true) or err:find("expected", 1, true), err)
-- Through a selection: only when the selection needs it.
fails("broken.h:3:", ffi.include, dir .. "/broken.h", { only = { "broken" } })
ffi.include(dir .. "/broken.h", { only = { "fine" } })
fails("undefined symbol", function() return ffi.C.fine end)  -- declared; no library has it
fails("matches 'only'", ffi.include, dir .. "/broken.h", { only = { "absent" } })
os.execute("rm -r " .. dir)

-- Bad input: a missing header, bad options, no compiler.
fails("No such file", ffi.include, "<no_such_header_luaffi.h>")
fails("string expected", ffi.include, 42)
fails("table expected", ffi.include, "<zlib.h>", "only")
fails("'cflags' must be a string or a table of strings", ffi.include, "<zlib.h>", { cflags = { 1 } })
fails("'only'", ffi.include, "<zlib.h>", { only = { "[" } })
fails("undeclared identifier 'garbage'", ffi.include, "<zlib.h>", { cflags = "-DZEXTERN=garbage" })
local interpreter = arg and arg[-1]
if interpreter then
  local pipe = assert(io.popen("CC=/nonexistent/cc '" .. interpreter .. [[' -e 'local ffi = require "ffi"
    print(select(2, pcall(ffi.include, "<zlib.h>")))' 2>&1]]))
  local output = pipe:read("a")
  pipe:close()
  assert(output:find("cannot run the C compiler '/nonexistent/cc'", 1, true), output)
  -- A redeclaration with another type keeps the first, as in cdef; the warning names
  -- the header's own file and line.
  pipe = assert(io.popen("'" .. interpreter .. [[' -W -e 'local ffi = require "ffi"
    ffi.cdef "int printf(int);"
    ffi.include("<stdio.h>", { only = { "printf" } })
    print(ffi.typeof(ffi.C.printf))' 2>&1]]))
  output = pipe:read("a")
  pipe:close()
  assert(output:find("/stdio.h:%d+:%d+: 'printf' redeclared with another type"), output)
end
