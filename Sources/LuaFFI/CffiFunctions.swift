// Python cffi's names: ffi.unpack, memmove, getctype, list_types, init_once.
import CLua
import CLuaCore
import CTypes
import Glibc

/// `ffi.unpack(p, n)`: `n` elements from a pointer or array; a Lua string for `char`,
/// else a table (1-based) of the elements converted as reads convert them.
func ffiUnpack(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        guard let cdata = ffi.cdata(L, at: 1), let (address, element) = try ffi.address(of: cdata),
              [.pointer, .array].contains(ffi.info(ffi.value(of: cdata).type).kind) else {
            throw FFIError.type(1, "unpack", expected: "pointer or array cdata", in: L)
        }
        try ffi.checkOwnerUsable(L, 1)
        let count = try ffi.length(L, 2, "unpack")
        guard let size = ffi.info(element).size, size > 0 else {
            throw FFIError.argument(1, "unpack", "size of '\(ffi.types[Int(element)].cName)' unknown")
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: size)
        guard !overflow else { throw FFIError.argument(2, "unpack", "\(count) elements are too many") }
        try ffi.checkExtent(L, 1, bytes, "unpack")
        guard let address else {
            if count == 0 { return ffi.pushEmpty(L, element) }
            throw FFIError("attempt to unpack a NULL pointer")
        }
        if ffi.types[Int(element)].kind == .char {
            lua_pushlstring(L, address.assumingMemoryBound(to: CChar.self), bytes)
            return 1
        }
        lua_createtable(L, Int32(clamping: count), 0)
        for i in 0..<count {
            try ffi.push(L, element, from: address + i * size, anchor: 1)
            lua_rawseti(L, -2, lua_Integer(i + 1))
        }
        return 1
    }
}

extension FFIState {
    /// Pushes what unpacking no elements of type `id` gives. `[-0, +1, m]`
    func pushEmpty(_ L: OpaquePointer, _ id: Int32) -> Int32 {
        if types[Int(id)].kind == .char { lua_pushstring(L, "") } else { lua_createtable(L, 0, 0) }
        return 1
    }
}

/// `ffi.memmove(dest, src, n)`: copies `n` bytes; the areas may overlap. `dest` is a
/// cdata or writable buffer, `src` also a Lua string.
func ffiMemmove(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        try ffi.copyBytes(L, "memmove") { L throws(FFIError) in try ffi.length(L, 3, "memmove") }
        return 0
    }
}

/// `ffi.getctype(ct [, extra])`: the C spelling of a type; `extra` (a name, `*`,
/// `[5]`...) is put where a declarator goes: `getctype("int[5]", "*")` is
/// `int (*)[5]`, `getctype("int", "x")` is `int x`.
func ffiGetctype(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        let type = try ffi.checkedType(L, 1, "getctype")
        guard lua_type(L, 2) > LUA_TNIL else {
            pushString(L, type.cName)
            return 1
        }
        guard let extra = stringArgument(L, 2)?.trimmingSpaces else {
            throw FFIError.type(2, "getctype", expected: "string", in: L)
        }
        pushString(L, spell(type, with: extra))
        return 1
    }
}

/// `type` declared with `extra` as its declarator: a pointer declarator in front of
/// an array or function suffix is parenthesized (Python cffi's rule).
func spell(_ type: CType, with extra: String) -> String {
    let mark: Character = "\u{1}"
    let spelled = type.declaration(named: String(mark))
    guard !extra.isEmpty, let at = spelled.firstIndex(of: mark) else { return type.cName }
    let after = spelled[spelled.index(after: at)...]
    let grouped = extra.hasPrefix("*") && (after.first == "[" || after.first == "(")
    return spelled[..<at] + (grouped ? "(" + extra + ")" : extra) + after
}

extension String {
    /// Without leading and trailing spaces.
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}

/// `ffi.list_types()`: three sorted tables, the typedef names, struct tags and union
/// tags declared so far (Python cffi's `list_types`).
func ffiListTypes(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        let declared = ffi.declarations.declaredTypes()
        for names in [declared.typedefs, declared.structs, declared.unions] {
            lua_createtable(L, Int32(clamping: names.count), 0)
            for (i, name) in names.enumerated() {
                pushString(L, name)
                lua_rawseti(L, -2, lua_Integer(i + 1))
            }
        }
        return 3
    }
}

/// `ffi.init_once(fn, tag)`: calls `fn()` the first time for `tag` and returns its
/// result; later calls return that result. An error is not remembered (the next call
/// tries again); a call for a tag whose `fn` is running is an error.
func ffiInitOnce(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        guard lua_type(L, 1) == LUA_TFUNCTION else { throw FFIError.type(1, "init_once", expected: "function", in: L) }
        guard lua_type(L, 2) > LUA_TNIL else { throw FFIError.argument(2, "init_once", "tag expected") }
        // A table cannot hold a NaN key (lua_rawset would raise through this frame).
        if lua_type(L, 2) == LUA_TNUMBER, lf_tonumber(L, 2, nil).isNaN {
            throw FFIError.argument(2, "init_once", "tag is NaN")
        }
        lua_settop(L, 2)
        ffi.pushInitOnceResults(L)  // 3
        lua_pushvalue(L, 2)
        switch lua_rawget(L, 3) {
        case LUA_TTABLE:
            lua_rawgeti(L, -1, 1)  // the result, boxed (it may be nil)
            return 1
        case LUA_TBOOLEAN:
            throw FFIError("init_once: the function for this tag is already running")
        default:
            break
        }
        lua_pushvalue(L, 2)
        lua_pushboolean(L, 0)
        lua_rawset(L, 3)
        lua_pushvalue(L, 1)
        let status = lf_pcall(L, 0, 1, 0)
        lua_pushvalue(L, 2)
        if status != LUA_OK {
            lua_pushnil(L)
            lua_rawset(L, 3)
            return LF_RAISE  // the error value is on top
        }
        lua_createtable(L, 1, 0)
        lua_pushvalue(L, -3)
        lua_rawseti(L, -2, 1)
        lua_rawset(L, 3)
        return 1
    }
}

extension FFIState {
    /// Pushes the `init_once` table (tag -> `{result}`, or false while running).
    /// `[-0, +1, m]`
    func pushInitOnceResults(_ L: OpaquePointer) {
        if initOnceRef == LUA_NOREF {
            lua_createtable(L, 0, 0)
            initOnceRef = luaL_ref(L, lf_registryindex())
        }
        lua_rawgeti(L, lf_registryindex(), lua_Integer(initOnceRef))
    }
}
