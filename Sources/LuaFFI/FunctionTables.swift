// Tables of Swift functions for Lua, named by string literals.
import CLuaShims

/// A function table entry. The name is a literal that Lua receives as a C string:
/// a `String` would be converted (and allocated) for every field of every state.
typealias SwiftFunctionEntry = (name: StaticString, function: lf_SwiftFunction)

extension StaticString {
    /// The literal as a C string (string literals are NUL-terminated).
    var cString: UnsafePointer<CChar> {
        UnsafeRawPointer(utf8Start).assumingMemoryBound(to: CChar.self)
    }
}
