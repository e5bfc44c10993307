// ctype objects: the Lua values that stand for a C type (`ffi.typeof` results).
import CLua
import CLuaCore
import CFFIFast
import CTypes
import Glibc

extension FFIState {
    /// Pushes the ctype object of type `id`; the same object for the same type.
    /// `[-0, +1, m]`
    func pushCType(_ L: OpaquePointer, _ id: Int32) {
        lua_rawgeti(L, lf_registryindex(), lua_Integer(ctypeCacheRef))
        if lua_rawgeti(L, -1, lua_Integer(id) + 1) == LUA_TUSERDATA {
            lf_remove(L, -2)
            return
        }
        lf_pop(L, 1)
        let block = lf_newuserdata(L, MemoryLayout<Int32>.size, 0)!
        block.storeBytes(of: id, as: Int32.self)
        lua_rawgeti(L, lf_registryindex(), lua_Integer(ctypeMetatableRef))
        lua_setmetatable(L, -2)
        lua_pushvalue(L, -1)
        lua_rawseti(L, -3, lua_Integer(id) + 1)
        lf_remove(L, -2)
    }

    /// The type id of the ctype object at `index`, or nil if it is not one.
    /// `[-0, +0, -]`
    func ctypeID(_ L: OpaquePointer, at index: Int32) -> Int32? {
        guard lua_type(L, index) == LUA_TUSERDATA, lua_getmetatable(L, index) != 0 else { return nil }
        let isCType = lua_topointer(L, -1) == ctypeMetatable
        lf_pop(L, 1)
        guard isCType, let block = lua_touserdata(L, index) else { return nil }
        return block.load(as: Int32.self)
    }

    /// Creates the ctype metatable and cache; the FFI owner userdata is on top.
    /// `[-0, +0, m]`
    func createCTypeMetatable(_ L: OpaquePointer) {
        lua_createtable(L, 0, Int32(ctypeMetamethods.count + 2))
        setFunctions(L, ctypeMetamethods, upvalue: -2)
        lua_pushstring(L, "ctype")
        lua_setfield(L, -2, "__name")
        lua_pushboolean(L, 0)
        lua_setfield(L, -2, "__metatable")
        ctypeMetatable = lua_topointer(L, -1)
        ctypeMetatableRef = luaL_ref(L, lf_registryindex())
        lua_createtable(L, 0, 0)  // grows with the types a script uses
        ctypeCacheRef = luaL_ref(L, lf_registryindex())
        lua_createtable(L, 0, 0)
        typeStringsRef = luaL_ref(L, lf_registryindex())
        lua_createtable(L, 0, 0)
        fastTypes.pointee.prefixes_ref = luaL_ref(L, lf_registryindex())
        fastTypes.pointee.ctype_metatable = ctypeMetatable
        fastTypes.pointee.ctype_cache_ref = ctypeCacheRef
    }

    /// Sets the ctype objects' `__call` (the constructor), with ffi.new's C fast
    /// path: after the cdata metatables exist. The FFI owner userdata is on top.
    /// `[-0, +0, m]`
    func installCTypeConstructor(_ L: OpaquePointer) {
        lua_rawgeti(L, lf_registryindex(), lua_Integer(ctypeMetatableRef))
        lua_pushvalue(L, -2)
        lf_pushctypecall(L, fastTypes, ctypeCall)
        lua_setfield(L, -2, "__call")
        lf_pop(L, 1)
    }

    /// The C type named by argument `index` of `function`: a C declaration string,
    /// a ctype object or a cdata (its type). `$` parameters follow at `index + 1`...
    /// when `parameters` is true. Corresponds to LuaJIT's `ffi_checkctype`.
    func checkType(
        _ L: OpaquePointer, _ index: Int32, _ function: String, parameters: Bool = false
    ) throws(FFIError) -> Int32 {
        if let id = ctypeID(L, at: index) { return id }
        if let cdata = cdata(L, at: index) { return cdata.typeID }
        // A C function from a namespace (a Lua closure here, a cdata in LuaJIT).
        if let plan = lf_tocallable(L, index)?.pointee.swift.1 {
            return Unmanaged<CallPlan>.fromOpaque(plan).takeUnretainedValue().typeID
        }
        guard lua_type(L, index) == LUA_TSTRING, let text = stringArgument(L, index) else {
            throw FFIError.type(index, function, expected: "C type", in: L)
        }
        let params = parameters ? try typeParameters(L, from: index + 1, for: index) : []
        if params.isEmpty, let id = parsedTypes[text] {
            rememberTypeString(L, index, id)
            return id
        }
        let type: CType
        do throws(CDeclarationError) {
            type = try declarations.parseType(text, parameters: params)
        } catch {
            throw FFIError(error)
        }
        try checkRoom(for: type)
        let id = intern(type)
        if params.isEmpty, !text.utf8.contains(UInt8(ascii: "{")) {
            parsedTypes[text] = id
            declarations.budget?.charge(text.utf8.count + 64)  // the cached string and its entry
            rememberTypeString(L, index, id)
        }
        return id
    }

    /// The C type of argument `index` (see `checkType`).
    func checkedType(_ L: OpaquePointer, _ index: Int32, _ function: String) throws(FFIError) -> CType {
        let id = try checkType(L, index, function)  // may intern: read `types` after
        return types[Int(id)]
    }

    /// The type whose size `ffi.sizeof` gives: a reference's target, as in LuaJIT
    /// (`ffi.sizeof("char &")` is 1; `ffi.alignof` keeps the reference's own, 8).
    func measuredType(_ L: OpaquePointer, _ index: Int32, _ function: String) throws(FFIError) -> CType {
        let type = try checkedType(L, index, function)
        if case .reference(let target) = type.kind { return target }
        return type
    }

    /// The `$` parameters from stack index `first` to the top: ctypes (a cdata stands
    /// for its type), integers, or strings (names). Corresponds to LuaJIT's parameterized types.
    func typeParameters(
        _ L: OpaquePointer, from first: Int32, for source: Int32
    ) throws(FFIError) -> [CParameter] {
        var result: [CParameter] = []
        let top = lua_gettop(L)
        let wanted = dollarCount(L, source)
        guard wanted == max(0, top - first + 1) else {
            throw FFIError("wrong number of type parameters")
        }
        guard first <= top else { return result }
        for index in first...top {
            if let id = ctypeID(L, at: index) {
                result.append(.type(types[Int(id)]))
            } else if let cdata = cdata(L, at: index) {
                result.append(.type(types[Int(cdata.typeID)]))  // its type, as LuaJIT
            } else if lua_type(L, index) == LUA_TNUMBER {
                var isInteger: Int32 = 0
                let value = lf_tointeger(L, index, &isInteger)
                guard isInteger != 0 else {
                    throw FFIError.argument(index, "typeof", "number has no integer representation")
                }
                result.append(.integer(Int64(value)))
            } else if lua_type(L, index) == LUA_TSTRING, let name = stringArgument(L, index) {
                result.append(.name(name))
            } else {
                throw FFIError.type(index, "typeof", expected: "C type", in: L)
            }
        }
        return result
    }
}

/// How many `$` placeholders the Lua string at `index` has (memchr over its bytes:
/// a cdef source can be megabytes long).
func dollarCount(_ L: OpaquePointer, _ index: Int32) -> Int {
    var length = 0
    guard var cursor = lua_tolstring(L, index, &length).map(UnsafeRawPointer.init) else { return 0 }
    var remaining = length, count = 0
    while remaining > 0, let found = memchr(cursor, Int32(UInt8(ascii: "$")), remaining) {
        count += 1
        let skip = UnsafeRawPointer(found) - cursor + 1
        cursor += skip
        remaining -= skip
    }
    return count
}

/// The Lua string at `index` as Swift text (Lua strings are bytes; C declarations
/// are ASCII). `[-0, +0, -]`
func stringArgument(_ L: OpaquePointer, _ index: Int32) -> String? {
    var length = 0
    guard lua_type(L, index) == LUA_TSTRING, let chars = lua_tolstring(L, index, &length) else {
        return nil
    }
    return String(decoding: UnsafeRawBufferPointer(start: chars, count: length), as: UTF8.self)
}

/// The metamethods of ctype objects.
private let ctypeMetamethods: [SwiftFunctionEntry] = [
    ("__tostring", ctypeToString), ("__eq", ctypeEquals), ("__index", ctypeIndex),
]

/// `__tostring` of ctype objects: `ctype<struct foo *>`.
private func ctypeToString(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        guard let id = ffi.ctypeID(L, at: 1) else { throw FFIError.type(1, "tostring", expected: "ctype", in: L) }
        let text = "ctype<\(ffi.types[Int(id)].luajitName)>"
        lua_pushlstring(L, text, text.utf8.count)
        return 1
    }
}

/// `__eq` of ctype objects: the same C type.
private func ctypeEquals(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        let a = ffi.ctypeID(L, at: 1), b = ffi.ctypeID(L, at: 2)
        guard let a, let b else { lua_pushboolean(L, 0); return 1 }
        // LuaJIT has one type for `char` and `int8_t` (x86-64: `char` is signed), arrays too.
        let x = ffi.types[Int(a)], y = ffi.types[Int(b)]
        let same = a == b || (x.qualifiers == y.qualifiers && x.isLuaJITSameType(y))
        lua_pushboolean(L, same ? 1 : 0)
        return 1
    }
}
