// Reference cdata (`T &`) made by ffi.new and ffi.cast: always bound to an object.
import CLua
import CLuaCore
import CTypes

extension FFIState {
    /// Pushes a reference of type `id` bound to what the value at `index` designates:
    /// a cdata of the referenced type (kept alive by the reference) or, for a cast,
    /// an address. A reference cdata never holds NULL, so every use of one may follow
    /// it: `ffi.new("int &")` and `ffi.cast("int &", 0)` raise instead (LuaJIT
    /// crashes on their first use). `[-0, +1, m]`
    func pushBoundReference(_ L: OpaquePointer, _ id: Int32, _ index: Int32, cast: Bool) throws(FFIError) {
        let target = info(id).target
        guard lua_type(L, index) != LUA_TNONE else {
            throw FFIError("cannot create an unbound reference of type '\(types[Int(id)].cName)'")
        }
        if let cdata = cdata(L, at: index) {
            let (address, type) = value(of: cdata)
            if canBind(target, to: type) {
                return pushReference(L, to: target, at: address, anchor: index)
            }
            // An array designates its first element, as the pointer it decays to would
            // (LuaJIT: `ffi.new("int &", ffi.new("int[1]"))`); an empty one nothing.
            let array = info(type)
            if array.kind == .array, canBind(target, to: array.target),
               (array.count ?? elementsLeft(L, in: index, from: address, type)) != 0 {
                return pushReference(L, to: target, at: address, anchor: index)
            }
        }
        guard cast, let bits = try castBits(L, index) else { throw conversionError(L, index, to: id) }
        guard let address = UnsafeMutableRawPointer(bitPattern: Int(bits)) else {
            throw FFIError("NULL reference of type '\(types[Int(id)].cName)'")
        }
        // Like a derived pointer, it keeps the owner of the memory alive (Lifetimes).
        pushDerivedPointer(L, id, address, from: index)
    }

    /// Whether a `target &` may designate an object of type `type`: the same type,
    /// adding qualifiers but never dropping `const` or `volatile`.
    private func canBind(_ target: Int32, to type: Int32) -> Bool {
        let wanted = types[Int(target)], found = types[Int(type)]
        return wanted.unqualified == found.unqualified && wanted.qualifiers.isSuperset(of: found.qualifiers)
    }
}
