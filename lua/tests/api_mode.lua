-- API mode (ffi.builder): cffi's `...` forms against the compiler's own numbers, each
-- kind of wrong declaration caught with its message, no .so after a failed build.
local ffi = require("ffi")

local folder = os.tmpname()
os.remove(folder)
assert(os.execute("mkdir -p '" .. folder .. "'"))
package.cpath = folder .. "/?.so;" .. package.cpath

local function exists(path)
  local file = io.open(path)
  if file then file:close() end
  return file ~= nil
end

-- The C side: types with members the cdef does not name, and the compiler's numbers.
local source = [[
#include <stddef.h>
#include <stdint.h>
struct point { int hidden; double y; char tag[5]; int x; long more[3]; };
typedef unsigned long long big_t;
typedef signed char small_t;
typedef float real_t;
enum color { RED = 3, GREEN = 7, BLUE = -2 };
#define ANSWER 42
#define NEGATIVE (-5)
#define GREETING "hello"
#define RATE 0.5
#define HUGE_MASK 0xFFFFFFFFFFFFFFF0ULL
#define BIG_OK 0x7FFFFFFFFFFFFFFFULL
int table[7] = {1, 2, 3, 4, 5, 6, 7};
int counter = 10;
static const double ratio = 0.25;
#define MODE_A 1
#define MODE_B 2
static inline int twice(int x) { return 2 * x; }
#define triple(x) (3 * (x))
#define quad(x) (4 * (x))
static long long bump_impl(long long *p) { return ++*p; }
#define bump(p) bump_impl(p)
size_t c_sizeof_point(void) { return sizeof(struct point); }
size_t c_alignof_point(void) { return _Alignof(struct point); }
size_t c_offsetof_x(void) { return offsetof(struct point, x); }
size_t c_offsetof_tag(void) { return offsetof(struct point, tag); }
int c_counter(void) { return counter; }
int c_spare(int x) { return x; }
typedef int vec_t[3];
typedef struct { char pad[3]; short s; int hidden; } anon_t;
union number { double d; long l; char bytes[12]; };
size_t c_sizeof_number(void) { return sizeof(union number); }
size_t c_sizeof_anon(void) { return sizeof(anon_t); }
size_t c_offsetof_anon_s(void) { return offsetof(anon_t, s); }
struct opaque { int secret; };
typedef struct opaque opaque_t;
opaque_t *make_opaque(int v) { static opaque_t o; o.secret = v; return &o; }
int read_opaque(opaque_t *o) { return o->secret; }
]]
local b = ffi.builder("api_forms")
b:cdef [[
  struct point { int x; char tag[...]; double y; ...; };
  typedef int... big_t;
  typedef int... small_t;
  typedef float... real_t;
  typedef ... opaque_t;
  typedef int vec_t[...];
  typedef struct { short s; ...; } anon_t;
  union number { long l; ...; };
  size_t c_sizeof_number(void);
  size_t c_sizeof_anon(void);
  size_t c_offsetof_anon_s(void);
  enum color { RED, GREEN, BLUE, ... };
  #define ANSWER ...
  #define NEGATIVE ... // a comment after the dots
  #define GREETING ...
  #define RATE ...
  #define HUGE_MASK ...
  #define BIG_OK ...
  extern int table[...];
  extern int counter;
  static const double ratio;
  static const int MODE_A, MODE_B;
  int twice(int x);
  int triple(int x);
  int twice(int twice);
  int quad(int);
  long long bump(long long *counter);
  size_t c_sizeof_point(void);
  size_t c_alignof_point(void);
  size_t c_offsetof_x(void);
  size_t c_offsetof_tag(void);
  int c_counter(void);
  int c_spare(int x);
  opaque_t *make_opaque(int v);
  int read_opaque(opaque_t *o);
]]
b:set_source(source)
local path = b:compile { tmpdir = folder }
assert(path == folder .. "/api_forms.so" and exists(path))
assert(exists(folder .. "/api_forms.c"), "the C file stays")
local m = require("api_forms")
local lib = m.lib
assert(m.ffi == ffi)
-- `...;`: size, alignment and offsets from the compiler.
assert(ffi.sizeof("struct point") == ffi.tonumber(lib.c_sizeof_point()))
assert(ffi.alignof("struct point") == ffi.tonumber(lib.c_alignof_point()))
assert(ffi.offsetof("struct point", "x") == ffi.tonumber(lib.c_offsetof_x()))
assert(ffi.offsetof("struct point", "tag") == ffi.tonumber(lib.c_offsetof_tag()))
local p = ffi.new("struct point", { x = 9, y = 1.5 })
assert(ffi.sizeof(p.tag) == 5, "char tag[...] is 5 long")
assert(p.x == 9 and p.y == 1.5)
assert(ffi.sizeof("vec_t") == 12, "typedef int vec_t[...]")
assert(ffi.sizeof("anon_t") == ffi.tonumber(lib.c_sizeof_anon())
  and ffi.offsetof("anon_t", "s") == ffi.tonumber(lib.c_offsetof_anon_s()), "an anonymous struct named by its typedef")
assert(ffi.sizeof("union number") == ffi.tonumber(lib.c_sizeof_number()) and ffi.alignof("union number") == 8)
-- `typedef int...` / `typedef float...`: size and signedness from C.
assert(ffi.sizeof("big_t") == 8 and ffi.new("big_t", -1) > 0, "big_t is unsigned 64-bit")
assert(ffi.sizeof("small_t") == 1 and ffi.tonumber(ffi.new("small_t", -1)) == -1)
assert(ffi.sizeof("real_t") == 4 and tostring(ffi.typeof("real_t")) == "ctype<float>")
-- `typedef ...`: opaque, used through pointers.
assert(lib.read_opaque(lib.make_opaque(17)) == 17)
assert(not pcall(ffi.new, "opaque_t"), "an opaque type has no size")
-- enum with `...`, `#define NAME ...` (integer, negative, string).
assert(ffi.tonumber(ffi.new("enum color", "GREEN")) == 7 and ffi.tonumber(ffi.new("enum color", "BLUE")) == -2)
assert(ffi.tonumber(ffi.cast("enum color", 3)) == ffi.C.RED)
assert(lib.ANSWER == 42 and lib.NEGATIVE == -5 and lib.GREETING == "hello")
assert(math.type(lib.ANSWER) == "integer" and lib.RATE == 0.5 and lib.RED == 3)
assert(tostring(lib.HUGE_MASK) == "18446744073709551600ULL", "above 2^63-1: a uint64_t cdata")
assert(lib.BIG_OK == math.maxinteger and math.type(lib.BIG_OK) == "integer")
-- `int table[...]`, extern variables read and written, `static const`.
assert(ffi.sizeof(lib.table) == 7 * 4 and lib.table[6] == 7)
assert(lib.counter == 10)
lib.counter = 11
assert(lib.c_counter() == 11)
assert(lib.ratio == 0.25)
assert(lib.MODE_A == 1 and lib.MODE_B == 2, "several static const in one declaration")
assert(not pcall(function() lib.ratio = 1 end), "a static const is read-only")
-- static inline functions and function-like macros are callable.
assert(lib.twice(21) == 42 and lib.triple(5) == 15)
assert(lib.quad(2) == 8, "a macro declared with an unnamed parameter: a wrapper spelled from the type")
local ll = ffi.new("long long[1]", 41)
assert(lib.bump(ll) == 42 and ll[0] == 42, "the wrapper keeps 'long long *' as written")
assert(not pcall(function() return lib.nothere end))
ffi.cdef("int abs(int); long c_spare(long);")
local okc, errc = pcall(function() return lib.c_spare end)
assert(not okc and errc:find("'c_spare' redeclared with another type"), errc)
local okabs, errabs = pcall(function() return lib.abs end)
assert(not okabs and errabs:find("'abs' is not declared in module 'api_forms'"), errabs)

-- Each wrong declaration is an error naming the cdef line and quoting the compiler.
local function refused(cdef, src, pattern, opts)
  local name = "api_bad"
  local builder = ffi.builder(name)
  builder:cdef(cdef)
  builder:set_source(src, opts)
  local ok, err = pcall(builder.compile, builder, { tmpdir = folder })
  assert(not ok, "accepted: " .. cdef)
  assert(err:find(pattern), err)
  assert(not exists(folder .. "/" .. name .. ".so"), "a failed build leaves no .so")
  local leftovers = io.popen("ls '" .. folder .. "'"):read("a")
  assert(not leftovers:find("%.tmp") and not leftovers:find("%.log"), leftovers)
  return err
end
local header = "int f(int a); long g(void); struct s { int a; long b; };\n#define K 5\n"
local err = refused("int f(long a);", header, "cdef:1:.*incompatible pointer type")
assert(err:find("cannot build module 'api_bad'"), err)
refused("\n\nint g(void);", header, "cdef:3:.*incompatible pointer type")
refused("struct s { int a; int b; };", header, "member 'b' of 'struct s' has another type in C")
refused("struct s { int a; long c; ...; };", header, "has no member named 'c'")
refused("struct s { long b; };", header, "'struct s' has members the cdef does not declare")
refused("struct s {\n long b;\n int a; };", header, "cdef:3:.*member 'a' of 'struct s' is at another offset in C")
refused("static const long K;", header, "constant 'K' has another type in C")
refused("int nope(void);", header, "'nope' undeclared")
refused("#define NOPE ...", header, "'NOPE' undeclared")
refused("typedef int... T;", "typedef double T;", "'T' is not an integer type")
refused("int f(int);", "#include <no/such/header.h>", "no/such/header.h: No such file")
refused("int f(int);", header, "cannot find %-lno_such_library", { libraries = { "no_such_library" } })
refused("int deflateEnd(void *);", "int deflateEnd(void *);", "does not load %(a library missing from 'libraries'%?%).*deflateEnd")
-- Options: extra sources, include folders and macro definitions reach the compiler.
assert(io.open(folder .. "/extra.c", "w")):write("int extra_value(void) { return EXTRA; }\n"):close()
assert(os.execute("mkdir -p '" .. folder .. "/inc'"))
assert(io.open(folder .. "/inc/extra.h", "w")):write("int extra_value(void);\n#define SCALE 3\n"):close()
local o = ffi.builder("api_options")
o:cdef("int extra_value(void);\n#define SCALE ...\n#define FLAG ...")
o:set_source("#include <extra.h>", { sources = { folder .. "/extra.c" }, include_dirs = { folder .. "/inc" },
  define_macros = { "EXTRA=40", { "FLAG", "2" } }, extra_compile_args = { "-DUNUSED=1" } })
o:compile { tmpdir = folder }
local opt = require("api_options").lib
assert(opt.extra_value() == 40 and opt.SCALE == 3 and opt.FLAG == 2)

-- Bad input to the builder itself.
assert(not pcall(ffi.builder, "not a name"))
local x = ffi.builder("x")
local okx, errx = pcall(x.cdef, x, "int f(int x")
assert(not okx and errx:find("cdef:1"), errx)
assert(not pcall(b.set_source, b, "", { libraries = "z" }), "a list is expected")

-- No compiler: a clear error.
local interpreter = arg and arg[-1]
if interpreter and interpreter:match("/") then
  if not interpreter:match("^/") then interpreter = os.getenv("PWD") .. "/" .. interpreter end
  local script = folder .. "/nocc.lua"
  local file = assert(io.open(script, "w"))
  file:write([[
    local ffi = require("ffi")
    local b = ffi.builder("nocc")
    b:cdef("int abs(int);")
    b:set_source("#include <stdlib.h>")
    local ok, err = pcall(b.compile, b, { tmpdir = ...})
    print(ok, err)]])
  file:close()
  local pipe = io.popen(string.format("PATH=/nonexistent '%s' '%s' '%s' 2>&1", interpreter, script, folder))
  local output = pipe:read("a")
  pipe:close()
  assert(output:find("C compiler 'cc' not found"), output)
  -- ffi.verify's default cache folder: $XDG_CACHE_HOME/luaffi.
  pipe = io.popen(string.format([[XDG_CACHE_HOME='%s/xdg' '%s' -e 'local ffi = require("ffi")
    print(ffi.verify("#include <stdlib.h>", { cdef = "int abs(int);" }).abs(-4))' 2>&1]], folder, interpreter))
  output = pipe:read("a")
  pipe:close()
  assert(output == "4\n", output)
  assert(io.popen("ls '" .. folder .. "/xdg/luaffi'"):read("a"):find("_luaffi_%x+%.so"))
end

-- emit_c_code writes the C for a project's own build; a module from another version
-- of luaffi is refused when it loads.
local e = ffi.builder("api_old")
e:cdef("int abs(int);")
e:set_source("#include <stdlib.h>")
local cfile = e:emit_c_code(folder .. "/api_old.c")
local original = assert(io.open(cfile)):read("a")
assert(original:find("luaopen_api_old"))
local text = original:gsub("luaffi%-api%-%d+", "luaffi-api-0")
assert(io.open(cfile, "w")):write(text):close()
assert(os.execute(string.format("cc -shared -fPIC -o '%s/api_old.so' '%s'", folder, cfile)))
local ok, message = pcall(require, "api_old")
assert(not ok and message:find("module 'api_old' was built by another version of luaffi"), message)
local other = ffi.arch == "x64" and "arm64" or "x64"
text = original:gsub('"' .. ffi.arch .. '"', '"' .. other .. '"'):gsub("api_old", "api_arch")
cfile = folder .. "/api_arch.c"
assert(io.open(cfile, "w")):write(text):close()
assert(os.execute(string.format("cc -shared -fPIC -o '%s/api_arch.so' '%s'", folder, cfile)))
ok, message = pcall(require, "api_arch")
assert(not ok and message:find("module 'api_arch' was built for another architecture %(" .. other), message)

-- extern "Lua": a real C function of the module that calls the Lua function bound by
-- def_extern, protected as ffi.callback is.
local x = ffi.builder("api_extern")
x:cdef [[
  extern "Lua" int visit(int value);
  extern "Lua" void note(const char *text);
  typedef int... wide_t;
  extern "Lua" wide_t widen(wide_t v);
  wide_t run_widen(wide_t v);
  int walk(int n);
  typedef int (*visitor)(int);
  visitor get_visitor(void);
]]
x:set_source [[
  int visit(int value);
  void note(const char *text);
  typedef long long wide_t;
  wide_t widen(wide_t v);
  wide_t run_widen(wide_t v) { return widen(v) + 1; }
  int walk(int n) { int sum = 0; for (int i = 1; i <= n; i++) sum += visit(i); note("walked"); return sum; }
  typedef int (*visitor)(int);
  visitor get_visitor(void) { return visit; }
]]
x:compile { tmpdir = folder }
local ext = require("api_extern")
assert(ext.lib.walk(3) == 0, "unbound: each call returns zero")
local notes = {}
ext.def_extern("visit", function(v) return v * v end)
ffi.def_extern("note", function(text) notes[#notes + 1] = ffi.string(text) end)
assert(ext.lib.walk(3) == 1 + 4 + 9 and notes[1] == "walked")
assert(ext.lib.get_visitor()(5) == 25, "through a function pointer too")
ext.def_extern("widen", function(v) return v * 2^32 end)
assert(ext.lib.run_widen(3) == 3 * 2^32 + 1, "extern \"Lua\" with a typedef'd 64-bit type")
ext.def_extern("visit", function(v) return -v end)
assert(ext.lib.walk(2) == -3, "bound again")
ext.def_extern("visit", function(v) error("no visits today") end)
local okw, errw = pcall(ext.lib.walk, 2)
assert(not okw and errw:find("no visits today"), errw)
assert(ext.lib.walk == ext.lib.walk)
assert(not pcall(ffi.def_extern, "nothing", print), "unknown extern")
assert(not pcall(ffi.def_extern, "visit", 1), "a function is expected")

-- ffi.verify: built once into the cache folder, reused while nothing changes.
local cache = folder .. "/cache"
assert(os.execute("mkdir '" .. cache .. "'"))
local function built() return io.popen("ls '" .. cache .. "'"):read("a"):gsub("[^\n]*%.c\n", "") end
local vlib = ffi.verify("#include <stdlib.h>\n#define TWO 2\nstatic int add(int a, int b) { return a + b; }",
  { cdef = "int add(int, int); long labs(long);\n#define TWO ...", tmpdir = cache })
assert(vlib.add(2, 3) == 5 and vlib.labs(-7) == 7 and vlib.TWO == 2)
local first = built()
assert(select(2, first:gsub("%.so", "")) == 1, first)
local again = ffi.verify("#include <stdlib.h>\n#define TWO 2\nstatic int add(int a, int b) { return a + b; }",
  { cdef = "int add(int, int); long labs(long);\n#define TWO ...", tmpdir = cache })
assert(again.add(1, 1) == 2 and built() == first, "reused")
ffi.verify("#include <stdlib.h>", { cdef = "long labs(long);", tmpdir = cache, define_macros = { "X=1" } })
assert(select(2, built():gsub("%.so", "")) == 2, "other options, another module")
local okv, errv = pcall(ffi.verify, "#include <stdlib.h>", { cdef = "int labs(int);", tmpdir = cache })
assert(not okv and errv:find("incompatible pointer type"), errv)
assert(not pcall(ffi.verify, "", {}), "cdef is required")

os.execute("rm -rf '" .. folder .. "'")
print("api_mode ok")
