// Swift classes as Lua userdata types: methods, properties, metamethods.
import CLua
import CLuaCore
import LuaFFI

/// A Lua userdata type for the Swift class `T`: what Lua code can do with its objects.
///
/// Describe the type, then `LuaState.register(_:)` it; `LuaState.push(object:)`
/// (or `LuaBridged`) gives Lua an object. A Lua userdata holds one retain of its
/// object: the object lives as long as Lua holds it and is released by `__gc` (at
/// the latest when the state closes). The same object pushed twice is the same
/// userdata while Lua holds it.
///
/// ```swift
/// let counter = LuaClass(Counter.self, name: "Counter")
/// counter.property("count", get: { $0.count }, set: { $0.count = $1 })
/// counter.method("add") { (c: Counter, n: Int) in c.count += n; return c.count }
/// try state.register(counter)
/// ```
public final class LuaClass<T: AnyObject> {
    /// The type name Lua shows (`__name`; `bad argument ... (Counter expected, ...)`).
    public let name: String
    var methods: [(String, SwiftFunctionBox)] = []
    var getters: [String: (T, OpaquePointer) -> Void] = [:]
    var setters: [String: (T, LuaArguments) throws -> Void] = [:]
    var metamethods: [(String, SwiftFunctionBox)] = []

    /// Starts a description of `type` under the Lua name `name` (by default the
    /// Swift type's name).
    public init(_ type: T.Type = T.self, name: String? = nil) {
        self.name = name ?? String(describing: T.self)
    }

    /// Adds a method whose body reads its arguments (the object is argument 1) and
    /// pushes its results, returning how many.
    public func method(_ name: String, raw body: @escaping (T, LuaArguments) throws -> Int32) {
        let typeName = self.name
        methods.append((name, SwiftFunctionBox(name: name) { arguments in
            guard let object = LuaState.owner(of: arguments.L)?.object(at: 1, in: arguments.L, as: T.self) else {
                throw arguments.argumentError(1, "\(typeName) expected, got \(LuaConversion.typeName(arguments.L, 1))")
            }
            return try body(object, arguments)
        }))
    }

    /// Adds a method with typed arguments and result, called as `obj:name(...)`.
    public func method<each A: LuaConvertible, R: LuaConvertible>(
        _ name: String, _ body: @escaping (T, repeat each A) throws -> R
    ) {
        method(name, raw: { object, arguments in
            var position = 1
            let result = try body(object, repeat try LuaState.next((each A).self, arguments, &position))
            result.push(to: arguments.L)
            return 1
        })
    }

    /// Adds a method with typed arguments and no result.
    public func method<each A: LuaConvertible>(_ name: String, _ body: @escaping (T, repeat each A) throws -> Void) {
        method(name, raw: { object, arguments in
            var position = 1
            try body(object, repeat try LuaState.next((each A).self, arguments, &position))
            return 0
        })
    }

    /// Adds a property `obj.name`, read-only when `set` is nil. Assigning a value
    /// of the wrong type raises `bad argument #3 to '__newindex'`-style errors.
    public func property<V: LuaConvertible>(
        _ name: String, get: @escaping (T) -> V, set: ((T, V) throws -> Void)? = nil
    ) {
        getters[name] = { object, L in get(object).push(to: L) }
        if let set {
            let typeName = self.name  // not `self`: the class would own itself
            setters[name] = { object, arguments in
                guard let value = V.peek(arguments.L, at: 3) else {
                    throw LuaUsageError("bad value for property '\(name)' of '\(typeName)' (\(V.luaTypeName) expected, got \(LuaConversion.typeName(arguments.L, 3)))")
                }
                try set(object, value)
            }
        }
    }

    /// Adds a metamethod (`"__tostring"`, `"__len"`, `"__eq"`, `"__add"`,
    /// `"__call"`, `"__close"`...) whose body reads its arguments and pushes its
    /// results. `__index`, `__newindex`, `__gc` and `__name` are the class's own.
    public func metamethod(_ event: String, raw body: @escaping (LuaArguments) throws -> Int32) {
        precondition(!["__index", "__newindex", "__gc", "__name", "__metatable"].contains(event),
                     "\(event) is managed by LuaClass")
        metamethods.append((event, SwiftFunctionBox(name: event, body)))
    }

    /// Adds a metamethod on the object with typed further arguments, such as
    /// `__tostring` (no argument), `__len`, `__call` or `__concat`.
    public func metamethod<each A: LuaConvertible, R: LuaConvertible>(
        _ event: String, _ body: @escaping (T, repeat each A) throws -> R
    ) {
        let typeName = name
        metamethod(event, raw: { arguments in
            guard let object = LuaState.owner(of: arguments.L)?.object(at: 1, in: arguments.L, as: T.self) else {
                throw arguments.argumentError(1, "\(typeName) expected, got \(LuaConversion.typeName(arguments.L, 1))")
            }
            var position = 1
            let result = try body(object, repeat try LuaState.next((each A).self, arguments, &position))
            result.push(to: arguments.L)
            return 1
        })
    }

    /// `__index`: a method, else a property getter, else nil. Never raises.
    func index(_ arguments: LuaArguments, methods methodTable: Int32) -> Int32 {
        let L = arguments.L
        lua_pushvalue(L, 2)
        if lua_rawget(L, methodTable) != LUA_TNIL { return 1 }
        lf_pop(L, 1)
        if let key = LuaState.string(at: 2, in: L), let getter = getters[key],
           let object = LuaState.owner(of: L)?.object(at: 1, in: L, as: T.self) {
            getter(object, L)
            return 1
        }
        lua_pushnil(L)
        return 1
    }

    /// `__newindex`: a property setter, or an error naming the field.
    func newIndex(_ arguments: LuaArguments) throws -> Int32 {
        let L = arguments.L
        let key = LuaState.string(at: 2, in: L) ?? "?"
        guard let setter = setters[key] else {
            let what = getters[key] == nil ? "no field" : "read-only property"
            throw LuaUsageError("cannot assign '\(key)': '\(name)' has \(what) '\(key)'")
        }
        guard let object = LuaState.owner(of: L)?.object(at: 1, in: L, as: T.self) else { return 0 }
        try setter(object, arguments)
        return 0
    }
}

/// What a state keeps per registered class.
struct LuaClassInfo {
    /// The registry name of the metatable (`luaL_newmetatable`).
    let metatableName: String
    /// The metatable's address, to recognise the class's userdata quickly.
    let metatable: UnsafeRawPointer
}

/// A class whose objects convert to Lua as userdata of their registered
/// `LuaClass` (register it before pushing any). Gives `LuaConvertible`, so that
/// the class can appear in typed functions and calls.
public protocol LuaBridged: AnyObject, LuaConvertible {}

extension LuaBridged {
    public func push(to L: OpaquePointer) {
        guard let state = LuaState.owner(of: L) else { preconditionFailure("not a LuaState") }
        state.push(object: self, to: L)
    }
    public static func peek(_ L: OpaquePointer, at index: Int32) -> Self? {
        LuaState.owner(of: L)?.object(at: index, in: L, as: Self.self)
    }
    public static var luaTypeName: String { String(describing: Self.self) }
}

/// The registry key of the weak table from object address to its userdata.
private let objectCacheKey = "luaffi.swiftobjects"

extension LuaState {
    /// Registers a userdata type: builds its metatable (`luaL_newmetatable` under
    /// `"swift." + name`). Registering the same Swift type again replaces it for
    /// objects pushed afterwards.
    public func register<T: AnyObject>(_ type: LuaClass<T>) throws {
        let L = try checkedHandle()
        let registryName = "swift." + type.name
        _ = luaL_newmetatable(L, registryName)
        let metatable = lua_gettop(L)
        lua_createtable(L, 0, Int32(type.methods.count))
        for (name, box) in type.methods {
            Self.pushBox(box, to: L, yielding: false)
            lua_setfield(L, -2, name)
        }
        Self.pushBox(SwiftFunctionBox(name: "__index") { arguments in
            type.index(arguments, methods: lf_upvalueindex(2))
        }, to: L, yielding: false, upvalues: 1)  // upvalue 2: the methods table
        lua_setfield(L, metatable, "__index")
        Self.pushBox(SwiftFunctionBox(name: "__newindex") { try type.newIndex($0) }, to: L, yielding: false)
        lua_setfield(L, metatable, "__newindex")
        for (event, box) in type.metamethods {
            Self.pushBox(box, to: L, yielding: false)
            lua_setfield(L, metatable, event)
        }
        lf_pushswiftfunction(L, releaseObject, 0)
        lua_setfield(L, metatable, "__gc")
        lua_pushboolean(L, 0)
        lua_setfield(L, metatable, "__metatable")
        classes[ObjectIdentifier(T.self)] = LuaClassInfo(metatableName: registryName, metatable: lua_topointer(L, metatable))
        lua_settop(L, metatable - 1)
    }

    /// Pushes `object` as a userdata of its registered class (the same userdata
    /// while Lua holds it). On a closed state nothing is pushed (every later
    /// operation throws). `[-0, +1, m]`
    public func push<T: AnyObject>(object: T) {
        guard let L = handle else { return }
        push(object: object, to: L)
    }

    /// Pushes `object` on `L`, a thread of this state. `[-0, +1, m]`
    func push<T: AnyObject>(object: T, to L: OpaquePointer) {
        guard let info = classes[ObjectIdentifier(T.self)] else {
            preconditionFailure("class \(T.self) is not registered in this Lua state")
        }
        _ = lua_checkstack(L, 4)
        let address = Unmanaged.passUnretained(object).toOpaque()
        Self.pushObjectCache(L)
        if lua_rawgetp(L, -1, address) == LUA_TUSERDATA {
            lua_rotate(L, -2, 1)
            lf_pop(L, 1)
            return
        }
        lf_pop(L, 1)
        let slot = lf_newuserdata(L, MemoryLayout<UnsafeMutableRawPointer>.size, 0)!
        slot.storeBytes(of: Unmanaged.passRetained(object).toOpaque(), as: UnsafeMutableRawPointer.self)
        _ = lf_getmetatable(L, info.metatableName)
        lua_setmetatable(L, -2)
        lua_pushvalue(L, -1)
        lua_rawsetp(L, -3, address)
        lua_rotate(L, -2, 1)
        lf_pop(L, 1)
    }

    /// Pushes the weak-valued table of live object userdata. `[-0, +1, m]`
    private static func pushObjectCache(_ L: OpaquePointer) {
        if lua_getfield(L, lf_registryindex(), objectCacheKey) == LUA_TTABLE { return }
        lf_pop(L, 1)
        pushWeakTable(L, mode: "v")
        lua_pushvalue(L, -1)
        lua_setfield(L, lf_registryindex(), objectCacheKey)
    }

    /// The object of class `T` in the userdata at `index`, or nil. `[-0, +0, -]`
    public func object<T: AnyObject>(at index: Int32, as type: T.Type = T.self) -> T? {
        guard let L = handle else { return nil }
        return object(at: index, in: L, as: T.self)
    }

    /// The object of class `T` at `index` of `L`, or nil. `[-0, +0, -]`
    func object<T: AnyObject>(at index: Int32, in L: OpaquePointer, as type: T.Type) -> T? {
        guard let info = classes[ObjectIdentifier(T.self)], lua_type(L, index) == LUA_TUSERDATA,
              lua_getmetatable(L, index) != 0 else { return nil }
        let same = lua_topointer(L, -1) == info.metatable
        lf_pop(L, 1)
        guard same, let raw = lua_touserdata(L, index)?.load(as: UnsafeMutableRawPointer?.self) else { return nil }
        return Unmanaged<T>.fromOpaque(raw).takeUnretainedValue()
    }
}

/// `__gc` of an object userdata: drops Lua's retain of the object.
private func releaseObject(_ L: OpaquePointer?) -> Int32 {
    guard let L, let slot = lua_touserdata(L, 1) else { return 0 }
    let raw = slot.load(as: UnsafeMutableRawPointer?.self)
    slot.storeBytes(of: nil, as: UnsafeMutableRawPointer?.self)
    if let raw { Unmanaged<AnyObject>.fromOpaque(raw).release() }
    return 0
}
