// The ffi module: its function table, and how a Lua state gets it.
import CLua
import CLuaCore
import CFFIFast
import CTypes
import Glibc

/// The functions of the `ffi` table, each a Swift function behind the trampoline
/// (those of `fastModuleFunctions`, `new`, `cast` and `string` apart: they have C
/// fast paths).
private let moduleFunctions: [SwiftFunctionEntry] = [
    ("cdef", ffiCdef), ("alignof", ffiAlignof), ("abi", ffiAbi), ("isnull", ffiIsnull),
    ("gc", ffiGc), ("release", ffiRelease), ("metatype", ffiMetatype),
    ("builder", ffiBuilder), ("def_extern", ffiDefExtern),
    ("callback", ffiCallback), ("load", ffiLoad), ("dlopen", ffiDlopen), ("dlclose", ffiDlclose),
    // Python cffi's names (CffiFunctions.swift, Handles.swift, Buffers.swift, Include.swift).
    ("new_handle", ffiNewHandle), ("from_handle", ffiFromHandle), ("buffer", ffiBuffer),
    ("from_buffer", ffiFromBuffer), ("unpack", ffiUnpack), ("memmove", ffiMemmove), ("getctype", ffiGetctype),
    ("list_types", ffiListTypes), ("init_once", ffiInitOnce), ("include", ffiInclude),
]

/// The functions of the `ffi` table with a C fast path in front (lf_pushcdataop).
private let fastModuleFunctions: [(name: StaticString, op: Int32, slow: lf_SwiftFunction)] = [
    ("sizeof", Int32(LF_OP_SIZEOF), ffiSizeof), ("istype", Int32(LF_OP_ISTYPE), ffiIstype),
    ("copy", Int32(LF_OP_COPY), ffiCopy), ("fill", Int32(LF_OP_FILL), ffiFill),
    ("tonumber", Int32(LF_OP_TONUMBER), ffiTonumber), ("typeof", Int32(LF_OP_TYPEOF), ffiTypeof),
    ("offsetof", Int32(LF_OP_OFFSETOF), ffiOffsetof), ("errno", Int32(LF_OP_ERRNO), ffiErrno),
    ("addressof", Int32(LF_OP_ADDRESSOF), ffiAddressof),
]

/// Opens the ffi module: `require "ffi"` calls this. Returns the module table.
/// Corresponds to LuaJIT's `luaopen_ffi`. Never raises (see `lf_SwiftFunction`).
public func openFFI(_ L: OpaquePointer?) -> Int32 {
    guard let L else { return 0 }
    // Everything made here stays reachable: no collection steps while building
    // the module (lua.c does the same around luaL_openlibs).
    let collecting = lf_gc(L, LUA_GCISRUNNING, 0, 0) != 0
    if collecting { _ = lf_gc(L, LUA_GCSTOP, 0, 0) }
    defer { if collecting { _ = lf_gc(L, LUA_GCRESTART, 0, 0) } }
    FFIState.pushNew(L)
    let owner = lua_gettop(L)
    guard let ffi = lua_touserdata(L, owner)?.load(as: UnsafeMutableRawPointer?.self)
        .map({ Unmanaged<FFIState>.fromOpaque($0).takeUnretainedValue() }) else { return 0 }
    ffi.createCTypeMetatable(L)
    ffi.createCDataMetatables(L)
    lua_pushvalue(L, owner)
    ffi.installCTypeConstructor(L)
    lf_pop(L, 1)
    ffi.createNamespaceMetatable(L)
    lua_pushvalue(L, owner)
    ffi.ownerReference = luaL_ref(L, lf_registryindex())
    ffi.mainState = L
    ffi.context.pointee.owner = lf_threadid()
    ffi.context.pointee.info = lf_stateinfo(L)
    lua_createtable(L, 0, Int32(moduleFunctions.count + fastModuleFunctions.count + 6))
    setFunctions(L, moduleFunctions, upvalue: owner)
    for (name, op, slow) in fastModuleFunctions {
        lua_pushvalue(L, owner)
        lf_pushcdataop(L, op, ffi.fastTypes, slow)
        lua_setfield(L, -2, name.cString)
    }
    lua_pushvalue(L, owner)
    lf_pushcdatastring(L, ffi.fastTypes, ffiString)
    lua_setfield(L, -2, "string")
    lua_pushvalue(L, owner)
    lf_pushcdatanew(L, ffi.fastTypes, ffiNew)
    lua_setfield(L, -2, "new")
    lua_pushvalue(L, owner)
    lf_pushcdatacast(L, ffi.fastTypes, ffiCast)
    lua_setfield(L, -2, "cast")
    openAPIMode(L, owner: owner)
    ffi.pushNamespace(L, handle: nil, name: "C")
    lua_setfield(L, -2, "C")
    ffi.pushPointer(L, ffi.voidPointerType, nil)
    ffi.cdata(L, at: -1)!.flags.insert(.shared)
    lua_setfield(L, -2, "NULL")
    lua_pushstring(L, "Linux")
    lua_setfield(L, -2, "os")
    lua_pushstring(L, hostArchitecture.cString)
    lua_setfield(L, -2, "arch")
    return 1
}

/// `ffi.arch` as LuaJIT names it.
#if arch(x86_64)
let hostArchitecture: StaticString = "x64"
#elseif arch(arm64)
let hostArchitecture: StaticString = "arm64"
#else
let hostArchitecture: StaticString = "unknown"
#endif

/// `ffi.abi(param)`: whether the target has the ABI property (LuaJIT's names).
func ffiAbi(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { _, L throws(FFIError) in
        guard let name = stringArgument(L, 1) else { throw FFIError.type(1, "abi", expected: "string", in: L) }
        // "unionval": unions pass by value (LibFFITypes classifies them for x86-64
        // System V; other targets refuse them, CallingRules.swift).
        let properties: Set<String> = ["64bit", "le", "fpu", "hardfp"]
        let unions = name == "unionval" && TargetLayout.host.implementsCalls
        lua_pushboolean(L, properties.contains(name) || unions ? 1 : 0)
        return 1
    }
}
