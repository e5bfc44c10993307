// Errors of the ffi module, in Lua's dialect, and the entry wrapper that raises them.
import CLua
import CLuaCore
import CTypes

/// An error an `ffi` function reports to Lua. Raised by the trampoline after the
/// Swift frames have returned (see `ffiEntry`).
struct FFIError: Error {
    /// The message without position.
    var message: String
    /// Whether the caller's position (`chunk:line: `) is prepended, as `luaL_error`.
    var positioned = true

    init(_ message: String, positioned: Bool = true) {
        self.message = message
        self.positioned = positioned
    }

    /// lauxlib's argument error: `bad argument #2 to 'sizeof' (value expected)`.
    static func argument(_ index: Int32, _ function: String, _ detail: String) -> FFIError {
        FFIError("bad argument #\(index) to '\(function)' (\(detail))")
    }

    /// lauxlib's type error: `bad argument #1 to 'typeof' (C type expected, got nil)`.
    static func type(_ index: Int32, _ function: String, expected: String, in L: OpaquePointer) -> FFIError {
        let got = String(cString: lf_typename(L, index))
        return argument(index, function, "\(expected) expected, got \(got)")
    }

    /// A C declaration error, with the caller's position in front of the parser's.
    init(_ error: CDeclarationError) {
        self.init(error.message)
    }

    /// Pushes the message and returns LF_RAISE for the trampoline. `[-0, +1, m]`
    func raise(_ L: OpaquePointer) -> Int32 {
        var text = message
        if positioned {
            luaL_where(L, 1)
            text = (lf_tostring(L, -1).map { String(cString: $0) } ?? "") + text
            lf_pop(L, 1)
        }
        lua_pushlstring(L, text, text.utf8.count)
        return LF_RAISE
    }
}

/// Runs the body of an `ffi` function. The FFI state is upvalue 2 of every ffi
/// closure. A thrown `FFIError` is pushed and LF_RAISE returned: the Lua error is
/// raised by the C trampoline once this Swift frame is gone (never longjmp
/// through Swift).
@inline(__always)
func ffiEntry(
    _ L: OpaquePointer?, _ body: (FFIState, OpaquePointer) throws(FFIError) -> Int32
) -> Int32 {
    guard let L, let ffi = FFIState.fromUpvalue(L)?.takeUnretainedValue() else { return 0 }
    do throws(FFIError) {
        return try body(ffi, L)
    } catch {
        return error.raise(L)
    }
}
