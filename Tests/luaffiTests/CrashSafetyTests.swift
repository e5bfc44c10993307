// Lua code that once crashed the process (or corrupted memory) now gets a Lua error or
// works. Each case runs in a child luaffi, so a regression fails that case alone; under
// `scripts/test --sanitize=address` the child is the AddressSanitizer build, which
// turns any memory error into a failed case. Each case runs with the C fast paths on
// and off (LUAFFI_API_STACK=1).
import Foundation
import Testing

/// The sanitizer options of this run (scripts/test sets them: a huge allocation must
/// fail as malloc does instead of aborting), for the child luaffi.
func sanitizerEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
    let inherited = ProcessInfo.processInfo.environment.filter { $0.key == "ASAN_OPTIONS" || $0.key == "LSAN_OPTIONS" }
    return inherited.merging(extra) { $1 }
}

/// One program: Lua statements run after the prelude; it must end normally.
struct CrashCase: Sendable, CustomTestStringConvertible {
    let name: String
    let body: String
    init(_ name: String, _ body: String) {
        self.name = name
        self.body = body
    }
    var testDescription: String { name }
}

/// `ffi`, and `raises(f, text)`: f must raise an error whose message contains text.
private let prelude = """
    local ffi = require "ffi"
    local function raises(f, text)
      local ok, e = pcall(f)
      assert(not ok, "no error, expected: " .. text)
      assert(tostring(e):find(text, 1, true), "error '" .. tostring(e) .. "', expected: " .. text)
    end

    """

let crashCases: [CrashCase] = [
    // The fast type table grew only when the outer type was appended.
    CrashCase("59 types, then a multi-level pointer", """
        for i = 1, 59 do ffi.typeof("char[" .. i .. "]") end
        ffi.typeof("short ***")
        for i = 60, 400 do ffi.typeof("char[" .. i .. "]"); ffi.typeof("long" .. ("*"):rep(i % 60 + 1)) end
        local p = ffi.new("short **[1]")
        assert(ffi.sizeof(p) == 8)
        """),
    CrashCase("59 structs, then an array of pointers to one", """
        for i = 1, 59 do ffi.cdef("typedef struct rec" .. i .. " { int a; } rec" .. i .. "_t;") end
        local a = ffi.new("rec1_t *[?]", 4)
        assert(ffi.isnull(a[3]))
        """),
    CrashCase("62 levels of pointers at once", """
        ffi.typeof("int" .. ("*"):rep(62))
        ffi.typeof("char" .. ("*"):rep(62))
        """),
    // Structs and unions in the variadic part pass a pointer to them, as in LuaJIT.
    CrashCase("struct as a variadic argument", """
        ffi.cdef "int snprintf(char *b, size_t n, const char *fmt, ...);"
        local function p(x) local b = ffi.new("char[64]"); ffi.C.snprintf(b, 64, "%p", x); return ffi.string(b) end
        local s = ffi.new("struct { int a; double d[64]; }")
        assert(p(s) == p(ffi.cast("void *", s)), p(s))
        local u = ffi.new("union { int a; char c[100]; }")
        assert(p(u) == p(ffi.cast("void *", u)))
        """),
    // ffi.new's C path kept a pointer into the type table across its allocation.
    CrashCase("finalizers that create types while ffi.new runs", """
        ffi.cdef "typedef struct { int a, b, c; } P3;"
        local P3, made = ffi.typeof("P3"), 0
        local function arm()
          setmetatable({}, {__gc = function()
            made = made + 1
            ffi.typeof("char[" .. (1000 + made) .. "]")
            ffi.typeof("struct { int x" .. made .. "; }")
            ffi.metatype(ffi.typeof("struct { int y; }"), {__index = {}})
            arm()
          end})
        end
        arm()
        for i = 1, 100000 do local p = P3(1, 2, i); assert(p.c == i and p.a == 1) end
        assert(made > 10, made)
        """),
    CrashCase("finalizers that create types, metatypes, callbacks and strings in every fast path", """
        ffi.cdef [[
          typedef struct N { struct N *next; int v; } N;
          void *memchr(const void *s, int c, size_t n);
          void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
        ]]
        local made = 0
        local function arm()
          setmetatable({}, {__gc = function()
            made = made + 1
            ffi.typeof("char[" .. (5000 + made) .. "]")
            ffi.metatype(ffi.typeof("struct { int z" .. made .. "; }"), {})
            local cb = ffi.cast("int (*)(int)", function(x) return x end); cb:free()
            local _ = ("s"):rep(made % 100) .. made
            arm()
          end})
        end
        arm()
        local a, b = ffi.new("N"), ffi.new("N")
        a.next, b.v = b, 5
        local buf = ffi.new("char[32]", "hello, world")
        local ints = ffi.new("int[64]")
        for i = 0, 63 do ints[i] = (i * 7919) % 64 end
        local cmp = ffi.cast("int (*)(const void *, const void *)", function(x, y)
          return ffi.cast("const int *", x)[0] - ffi.cast("const int *", y)[0]
        end)
        for i = 1, 20000 do
          assert(a.next.v == 5)                               -- field read: a pointer cdata
          a.next = b                                          -- field write
          assert(ffi.string(buf, 5) == "hello")               -- ffi.string
          assert(not ffi.isnull(ffi.C.memchr(buf, 44, 12)))   -- a call returning a pointer
          local q = ffi.cast("int *", ints) + 3               -- pointer arithmetic
          assert(q - ffi.cast("int *", ints) == 3)
          if i % 500 == 0 then ffi.C.qsort(ints, 64, 4, cmp) end  -- callbacks taking pointers
        end
        for i = 1, 63 do assert(ints[i - 1] <= ints[i]) end
        assert(made > 10, made)
        """),
    // References are bound to an object; NULL and unbound ones raise.
    CrashCase("reference from a number", """
        raises(function() return ffi.new("int &", 2) end, "cannot convert 'number' to 'int &'")
        """),
    CrashCase("reference to a struct", """
        ffi.cdef "struct S { int a; };"
        local st = ffi.typeof("struct S")
        local s = ffi.new(st, 7)
        local r = ffi.new(ffi.typeof("$ &", st), s)
        assert(r.a == 7); r.a = 8; assert(s.a == 8)
        """),
    CrashCase("unbound reference", """
        raises(function() local r = ffi.new("int &"); return r + 1 end, "unbound reference of type 'int &'")
        """),
    CrashCase("NULL reference from a cast", """
        ffi.cdef "struct S { int a; };"
        raises(function() return ffi.cast("struct S &", 0).a end, "NULL reference of type 'struct S &'")
        raises(function() return ffi.cast("int &", nil) + 1 end, "NULL reference of type 'int &'")
        local x = ffi.new("int[1]", 41)
        assert(ffi.tonumber(ffi.cast("int &", x) + 1) == 42)
        """),
    CrashCase("reference dropping const", """
        raises(function() return ffi.new("int &", ffi.new("const int", 1)) end, "cannot convert 'const int' to 'int &'")
        """),
    // The fast __index and __newindex checked nothing about their first argument.
    CrashCase("cdata metamethods called on other values", """
        ffi.cdef "struct T5 { int a; };"
        local mt = debug.getmetatable(ffi.new("struct T5"))
        raises(function() return mt.__index(io.stdout, "a") end, "cdata expected")
        raises(function() mt.__newindex(io.stdout, "a", 1) end, "cdata expected")
        for _, f in pairs(mt) do
          if type(f) == "function" then
            for _, v in ipairs{io.stdout, ffi.typeof("int"), ffi.C, 1, "a", {}} do
              pcall(f, v, "a", 1); pcall(f, v, 1); pcall(f, v, v); pcall(f, v)
            end
          end
        end
        """),
    // Flexible array members and [?] tails are sized by the count and bounded by it.
    CrashCase("flexible array member", """
        local ct = ffi.typeof("struct { int n; double d[]; }")
        assert(ffi.sizeof(ct) == 8)
        local x = ffi.new(ct, 3)
        assert(ffi.sizeof(x) == 32)
        x.d[2] = 1.5; assert(x.d[2] == 1.5)
        raises(function() x.d[3] = 1 end, "index 3 out of range for 'double []' (3 elements)")
        local none = ffi.new(ct)
        raises(function() return none.d[0] end, "index 0 out of range")
        local a = ffi.new("int[]", {1, 2, 3})
        assert(ffi.sizeof(a) == 12 and a[2] == 3)
        raises(function() return a[3] end, "index 3 out of range")
        """),
    CrashCase("variable-length struct tail", """
        local x = ffi.new("struct { int n; double d[?]; }", 3)
        x.d[2] = 2; assert(x.d[2] == 2)
        raises(function() x.d[3] = 1 end, "index 3 out of range for 'double [?]' (3 elements)")
        raises(function() x.d[100000] = 1 end, "out of range")
        """),
    // const is never dropped on the way to void *.
    CrashCase("writing a const array through void *", """
        ffi.cdef "void *memset(void *s, int c, size_t n);"
        local a = ffi.new("const int[4]", {1, 2, 3, 4})
        raises(function() ffi.C.memset(a, 0, 16) end, "cannot convert 'const int [4]' to 'void *'")
        raises(function() ffi.copy(a, "abcd", 4) end, "cannot convert 'const int [4]' to 'void *'")
        raises(function() ffi.fill(a, 16) end, "cannot convert 'const int [4]' to 'void *'")
        assert(a[0] == 1)
        ffi.cdef "int memcmp(const void *a, const void *b, size_t n);"
        assert(ffi.C.memcmp(a, a, 16) == 0)
        """),
    // Swift traps and stack overflows.
    CrashCase("addresses that overflow", """
        local a, p = ffi.new("int[4]"), ffi.cast("int *", ffi.new("int[4]"))
        for _, k in ipairs{2^62, 1 << 62, math.maxinteger, math.mininteger, 2^63, -2^63} do
          pcall(ffi.addressof, a, k); pcall(ffi.addressof, p, k); pcall(function() return p + k end)
          pcall(function() return p - k end); pcall(ffi.new, "char[?]", k); pcall(ffi.sizeof, "int[?]", k)
          pcall(ffi.string, a, k); pcall(ffi.copy, a, a, k); pcall(ffi.fill, a, k)
        end
        raises(function() return ffi.addressof(a, 2^62) end, "out of range")
        """),
    CrashCase("deeply nested declarations", """
        local deep = {
          ("__typeof__("):rep(5000) .. "int" .. (")"):rep(5000),
          "int" .. ("*"):rep(100000),
          "int" .. ("[1]"):rep(100000),
          ("struct {"):rep(5000) .. "int a;" .. ("} a;"):rep(5000),
        }
        for _, decl in ipairs(deep) do raises(function() ffi.typeof(decl) end, "too many syntax levels") end
        """),
    CrashCase("types nested through $", """
        local t, init = ffi.typeof("struct { int a; }"), {a = 1}
        for i = 1, 5000 do
          local ok, nested = pcall(ffi.typeof, "struct { $ x; }", t)
          if not ok then assert(nested:find("too many syntax levels", 1, true)); break end
          t, init = nested, {x = init}
        end
        ffi.new(t); ffi.new(t, init); ffi.new(t, {})
        local q = ffi.typeof("int *")
        for i = 1, 5000 do
          local ok, deeper = pcall(ffi.typeof, "$ *", q)
          if not ok then assert(deeper:find("too many syntax levels", 1, true)); break end
          q = deeper
        end
        ffi.new(q)
        """),
    CrashCase("types that unfold exponentially", """
        -- Each typedef doubles the tree a walk over the type would visit: refused at
        -- 4,096 parts instead of hashing 2^40 of them.
        ffi.cdef "typedef int (*f0)(int);"
        local refused
        for k = 1, 40 do
          local ok, e = pcall(ffi.cdef, ("typedef int (*f%d)(f%d, f%d);"):format(k, k - 1, k - 1))
          if not ok then refused = k; assert(e:find("too many syntax levels", 1, true), e); break end
          ffi.typeof("f" .. k)
        end
        assert(refused and refused < 20, refused)
        """),
    // Shared singletons cannot be released or closed.
    CrashCase("ffi.NULL and ffi.C are shared", """
        raises(function() local h <close> = ffi.NULL end, "ffi.NULL is shared and cannot be released")
        raises(function() ffi.release(ffi.NULL) end, "cannot be released")
        raises(function() ffi.gc(ffi.NULL, print) end, "cannot be given a finalizer")
        assert(ffi.isnull(ffi.NULL))
        raises(function() ffi.dlclose(ffi.C) end, "the C namespace cannot be closed")
        ffi.cdef "int abs(int);"
        assert(ffi.C.abs(-3) == 3)
        """),
]

@Suite struct CrashSafetyTests {
    @Test(arguments: crashCases, [false, true])
    func endsNormally(_ crash: CrashCase, apiStack: Bool) throws {
        let luaffi = try Programs.luaffi()
        let environment = sanitizerEnvironment(apiStack ? ["LUAFFI_API_STACK": "1"] : [:])
        let outcome = try Run(luaffi, ["-e", prelude + crash.body], environment: environment).finish(timeout: 60)
        #expect(outcome.status == "exit 0", "\(outcome)")
    }
}

/// lua/fuzz/ffi_programs.lua: generated programs over the whole ffi API, a fixed
/// budget per seed (docs/architecture.md has the longer run made by hand).
@Suite struct FFIFuzzTests {
    @Test(arguments: [1, 2, 3])
    func generatedProgramsEndNormally(seed: Int) throws {
        let luaffi = try Programs.luaffi()
        let script = Programs.packageRoot.appendingPathComponent("lua/fuzz/ffi_programs.lua").path
        let outcome = try Run(luaffi, [script, "5000", String(seed)], environment: sanitizerEnvironment())
            .finish(timeout: 300)
        #expect(outcome.status == "exit 0", "\(outcome)")
        #expect(String(decoding: outcome.stdout, as: UTF8.self).contains("5000 statements"), "\(outcome)")
    }
}
