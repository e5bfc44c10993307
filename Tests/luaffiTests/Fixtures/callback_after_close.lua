-- Callbacks whose C pointers are called after the Lua state closed (by an exit
-- handler of the C test library, after luaffi closed the state): each returns a
-- defined zero and reports it, static entries and libffi closures alike (run by
-- CallbackSafetyTests in a child).
local ffi = require("ffi")
local lib = ffi.load(assert(os.getenv("LUAFFI_TESTLIB"), "LUAFFI_TESTLIB"))
ffi.cdef [[
typedef struct { int a, b; } IntPair;
int call_int_cb(int (*f)(int), int x);
void store_pair_cb(IntPair (*f)(IntPair));
IntPair call_stored_pair(int a, int b);
int keep_for_exit(int (*f)(int));
int call_kept_at_exit(void);
]]
-- a register signature: a static entry point
local first = ffi.cast("int (*)(int)", function(x) return x + 1 end)
assert(lib.call_int_cb(first, 1) == 2)
lib.keep_for_exit(first)
-- past the static entries (256 in the process): libffi closures
local many = {}
for i = 1, 300 do many[i] = ffi.cast("int (*)(int)", function(x) return x + i end) end
assert(lib.call_int_cb(many[300], 1) == 301)
lib.keep_for_exit(many[300])
-- a struct by value: always a libffi closure
local pair = ffi.cast("IntPair (*)(IntPair)", function(p) return ffi.new("IntPair", p.b, p.a) end)
lib.store_pair_cb(pair)
local swapped = lib.call_stored_pair(1, 2)
assert(swapped.a == 2 and swapped.b == 1)
-- one freed before the state closes
local freed = ffi.cast("int (*)(int)", function(x) return x * 3 end)
lib.keep_for_exit(freed)
freed:free()
assert(lib.call_kept_at_exit() == 0)
print("closing")
