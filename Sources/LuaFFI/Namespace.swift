// Library namespaces: ffi.C, ffi.load, ffi.dlopen, ffi.dlclose. Reading a name
// resolves the symbol once (dlsym) and caches it: functions become callables,
// variables are read and written in place, constants are values.
//
// A namespace is a userdata whose own metatable has the symbol cache *table* as
// `__index`: a cached name is found by Lua's VM with no function call at all. The
// cache's metatable resolves misses (upvalue: the namespace).
import CLua
import CLuaCore
import CTypes
import Glibc

/// The metamethods every namespace shares (its `__index` is its own cache).
private let namespaceMethods: [SwiftFunctionEntry] = [
    ("__newindex", namespaceNewIndex), ("__gc", namespaceGC), ("__tostring", namespaceToString),
]

/// The start of a namespace userdata (user value 1: the cache, 2: the name; for an
/// API-mode module's `lib`, 3: its table of addresses, used instead of dlsym, and 4:
/// the declarations read on first use, by name).
struct LibraryHeader {
    var handle: UnsafeMutableRawPointer?
    var closed: Bool
}

extension FFIState {
    /// Pushes a namespace for a dlopen handle, or for an API-mode module: `symbols`
    /// pushes its addresses and its declarations read on first use. `[-0, +1, m]`
    func pushNamespace(
        _ L: OpaquePointer, handle: UnsafeMutableRawPointer?, name: String, symbols: (() -> Void)? = nil
    ) {
        let block = lf_newuserdata(L, MemoryLayout<LibraryHeader>.stride, symbols == nil ? 2 : 4)!
        block.initializeMemory(as: LibraryHeader.self, repeating: LibraryHeader(handle: handle, closed: false), count: 1)
        let namespace = lua_gettop(L)
        pushString(L, name)
        lua_setiuservalue(L, namespace, 2)
        if let symbols {
            symbols()
            lua_setiuservalue(L, namespace, 4)
            lua_setiuservalue(L, namespace, 3)
        }
        // The cache, whose misses go to the resolver.
        lua_createtable(L, 0, 8)
        lua_createtable(L, 0, 1)
        lua_rawgeti(L, lf_registryindex(), lua_Integer(ownerReference ?? LUA_NOREF))
        lua_pushvalue(L, namespace)
        lf_pushswiftfunction(L, namespaceMiss, 2)
        lua_setfield(L, -2, "__index")
        lua_setmetatable(L, -2)
        lua_pushvalue(L, -1)
        lua_setiuservalue(L, namespace, 1)
        // The namespace's metatable: the shared methods, the cache as __index.
        lua_createtable(L, 0, 8)
        lua_rawgeti(L, lf_registryindex(), lua_Integer(namespaceMetatableRef))
        lua_pushnil(L)
        while lua_next(L, -2) != 0 {
            lua_pushvalue(L, -2)
            lf_insert(L, -2)
            lua_rawset(L, -5)
        }
        lf_pop(L, 1)
        lf_insert(L, -2)
        lua_setfield(L, -2, "__index")
        lua_pushlightuserdata(L, UnsafeMutableRawPointer(mutating: namespaceMetatable))
        lua_setfield(L, -2, "__library")
        lua_setmetatable(L, namespace)
    }

    /// Creates the namespace metatable; the FFI owner userdata is on top.
    func createNamespaceMetatable(_ L: OpaquePointer) {
        lua_createtable(L, 0, 5)
        setFunctions(L, namespaceMethods, upvalue: -2)
        lua_pushstring(L, "ffi.namespace")
        lua_setfield(L, -2, "__name")
        namespaceMetatable = lua_topointer(L, -1)
        namespaceMetatableRef = luaL_ref(L, lf_registryindex())
    }

    /// The namespace at `index`, or nil: its metatable carries the marker
    /// `__library`. `[-0, +0, -]`
    func library(_ L: OpaquePointer, at index: Int32) -> UnsafeMutablePointer<LibraryHeader>? {
        guard lua_type(L, index) == LUA_TUSERDATA, lua_getmetatable(L, index) != 0 else { return nil }
        lua_pushstring(L, "__library")
        lua_rawget(L, -2)
        let isNamespace = lua_touserdata(L, -1) == UnsafeMutableRawPointer(mutating: namespaceMetatable)
        lf_pop(L, 2)
        return isNamespace ? lua_touserdata(L, index)?.assumingMemoryBound(to: LibraryHeader.self) : nil
    }

    /// The library name of the namespace at `index`.
    func libraryName(_ L: OpaquePointer, at index: Int32) -> String {
        lua_getiuservalue(L, index, 2)
        defer { lf_pop(L, 1) }
        return stringArgument(L, -1) ?? "?"
    }

    /// Pushes `namespace.name` (namespace at 1, name at 2), resolving it once.
    func pushSymbol(_ L: OpaquePointer, _ library: UnsafeMutablePointer<LibraryHeader>) throws(FFIError) {
        guard let name = stringArgument(L, 2) else {
            throw FFIError("bad symbol name (string expected, got \(typeName(L, 2)))")
        }
        guard !library.pointee.closed else { throw FFIError("library '\(libraryName(L, at: 1))' is closed") }
        try declarePending(L, name)
        if let constant = declarations.constant(named: name) {
            pushConstant(L, constant)
            cachedSymbols[name] = declaration(of: name)
        } else if let function = declarations.function(named: name) {
            let address = try resolve(L, library, function.symbol, name: name)
            try pushFunction(L, type: intern(CType(.function(function.type))), address: address, name: name, anchor: 1)
            cachedSymbols[name] = declaration(of: name)
        } else if let variable = declarations.variable(named: name) {
            let address = try resolve(L, library, variable.symbol, name: name)
            return try push(L, intern(variable.type), from: address, anchor: 1)
        } else {
            throw FFIError("missing declaration for symbol '\(name)'")
        }
        lua_getiuservalue(L, 1, 1)  // cache functions and constants
        lua_pushvalue(L, 2)
        lua_pushvalue(L, -3)
        lua_rawset(L, -3)
        lf_pop(L, 1)
    }

    /// Declares `name` if it is an API-mode module's declaration not read yet (namespace
    /// at 1).
    private func declarePending(_ L: OpaquePointer, _ name: String) throws(FFIError) {
        defer { lf_pop(L, 1) }
        guard lua_getiuservalue(L, 1, 4) == LUA_TTABLE else { return }
        pushString(L, name)
        lua_rawget(L, -2)
        defer { lf_pop(L, 1) }
        guard let text = stringArgument(L, -1) else { return }
        do throws(CDeclarationError) {
            try declarations.cdef(text, chunkName: libraryName(L, at: 1))
        } catch {
            throw FFIError(error)
        }
        // Another type declared first (by ffi.cdef) would call the module's function
        // with the wrong signature.
        if let warning = declarations.warnings.first { throw FFIError(warning) }
        pushString(L, name)
        lua_pushnil(L)
        lua_rawset(L, -4)
    }

    /// `namespace.name = value`: writes a declared variable.
    func storeSymbol(_ L: OpaquePointer, _ library: UnsafeMutablePointer<LibraryHeader>) throws(FFIError) {
        guard let name = stringArgument(L, 2) else { throw FFIError("bad symbol name") }
        guard !library.pointee.closed else { throw FFIError("library '\(libraryName(L, at: 1))' is closed") }
        try declarePending(L, name)
        guard let variable = declarations.variable(named: name) else {
            if declarations.constant(named: name) != nil || declarations.function(named: name) != nil {
                throw FFIError("attempt to write to constant '\(name)'")
            }
            throw FFIError("missing declaration for symbol '\(name)'")
        }
        let address = try resolve(L, library, variable.symbol, name: name)
        let id = intern(variable.type)
        if info(id).isConst { throw constError(id) }
        try store(L, 3, as: id, to: address)
    }

    /// The address of `symbol` in the library, or LuaJIT's error.
    func resolve(
        _ L: OpaquePointer, _ library: UnsafeMutablePointer<LibraryHeader>, _ symbol: String, name: String
    ) throws(FFIError) -> UnsafeMutableRawPointer {
        if lua_getiuservalue(L, 1, 3) == LUA_TTABLE {
            pushString(L, name)
            lua_rawget(L, -2)
            let address = lua_touserdata(L, -1)
            lf_pop(L, 2)
            guard let address else { throw FFIError("'\(name)' is not declared in module '\(libraryName(L, at: 1))'") }
            return address
        }
        lf_pop(L, 1)
        _ = dlerror()
        let handle = library.pointee.handle ?? UnsafeMutableRawPointer(bitPattern: 0)  // RTLD_DEFAULT
        guard let address = dlsym(handle, symbol) else {
            throw FFIError("cannot resolve symbol '\(name)' in '\(libraryName(L, at: 1))': undefined symbol")
        }
        return address
    }

    /// How function or constant `name` is declared now (`int (int)`, `= 5`), or nil.
    private func declaration(of name: String) -> String? {
        if let constant = declarations.constant(named: name) { return "= \(constant.value)" }
        return declarations.function(named: name).map { CType(.function($0.type)).description }
    }

    /// After a `cdef` override: warns (`lua_warning`) of each function or constant it
    /// redeclared that a namespace has cached, which keeps what it was, as Python
    /// cffi's `lib` keeps what it looked up. Once per symbol. `[-0, +0, -]`
    func warnCachedSymbols(_ L: OpaquePointer) {
        for (name, was) in cachedSymbols.sorted(by: { $0.key < $1.key }) {
            guard let now = declaration(of: name), now != was else { continue }
            lua_warning(L, "cdef: '\(name)' was looked up before this override and keeps '\(was)' (now '\(now)')", 0)
            cachedSymbols[name] = nil
        }
    }

    /// Pushes an integer constant: a Lua integer, or a boxed `uint64_t` above 2^63-1.
    func pushConstant(_ L: OpaquePointer, _ constant: CConstant) {
        if case .integer(size: 8, isSigned: false) = constant.type.kind, constant.value < 0 {
            pushBoxed(L, uint64: UInt64(bitPattern: constant.value))
        } else {
            lua_pushinteger(L, lua_Integer(constant.value))
        }
    }
}

/// `__index` of a namespace's cache: a name not cached yet (the cache at 1, the
/// name at 2; the namespace is upvalue 3 and takes the cache's place).
private func namespaceMiss(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        lua_pushvalue(L, lf_upvalueindex(3))
        lf_replace(L, 1)
        guard let library = ffi.library(L, at: 1) else { throw FFIError("namespace expected") }
        try ffi.pushSymbol(L, library)
        return 1
    }
}

private func namespaceNewIndex(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        guard let library = ffi.library(L, at: 1) else { throw FFIError("namespace expected") }
        try ffi.storeSymbol(L, library)
        return 0
    }
}

/// `__gc`: the library is unloaded when its namespace and every function taken
/// from it are gone (functions keep their namespace alive).
private func namespaceGC(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        guard let library = ffi.library(L, at: 1) else { return 0 }
        if let handle = library.pointee.handle { dlclose(handle) }
        library.pointee.handle = nil
        library.pointee.closed = true
        return 0
    }
}

private func namespaceToString(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        guard ffi.library(L, at: 1) != nil else { return 0 }
        let text = "library: \(ffi.libraryName(L, at: 1))"
        lua_pushstring(L, text)
        return 1
    }
}
