// Arithmetic, bitwise operators and comparisons on cdata: pointer arithmetic and
// 64-bit integer arithmetic (LuaJIT's rules; Lua 5.4 adds //, & | ~ << >>).
import CLua
import CLuaCore
import CFFIFast
import CTypes
import Glibc

/// The operators a cdata metamethod implements.
enum ArithmeticOperator {
    case add, subtract, multiply, divide, modulo, power, floorDivide, negate
    case and, or, xor, shiftLeft, shiftRight, not
}

extension ArithmeticOperator {
    /// Whether the operator is one of Lua 5.4's bitwise operators.
    var isBitwise: Bool {
        switch self {
        case .and, .or, .xor, .shiftLeft, .shiftRight, .not: true
        default: false
        }
    }

    /// The metamethod event (LF_E_*), as the integer rules of arith.c take it.
    var event: Int32 {
        switch self {
        case .add: Int32(LF_E_ADD)
        case .subtract: Int32(LF_E_SUB)
        case .multiply: Int32(LF_E_MUL)
        case .divide: Int32(LF_E_DIV)
        case .modulo: Int32(LF_E_MOD)
        case .power: Int32(LF_E_POW)
        case .floorDivide: Int32(LF_E_IDIV)
        case .negate: Int32(LF_E_UNM)
        case .and: Int32(LF_E_BAND)
        case .or: Int32(LF_E_BOR)
        case .xor: Int32(LF_E_BXOR)
        case .shiftLeft: Int32(LF_E_SHL)
        case .shiftRight: Int32(LF_E_SHR)
        case .not: Int32(LF_E_BNOT)
        }
    }

    /// The operator as Lua spells it (in error messages).
    var symbol: String {
        switch self {
        case .divide: "/"
        case .floorDivide: "//"
        case .modulo: "%"
        default: "?"
        }
    }
}

/// Comparison operators.
enum ComparisonOperator {
    case equal, less, lessOrEqual

    /// The metamethod event (LF_E_*), as lf_int64compare takes it.
    var event: Int32 {
        switch self {
        case .equal: Int32(LF_E_EQ)
        case .less: Int32(LF_E_LT)
        case .lessOrEqual: Int32(LF_E_LE)
        }
    }
}

/// An operand of cdata arithmetic.
private enum Operand {
    case pointer(address: UInt, element: Int32, type: Int32)
    case integer(Int64, unsigned: Bool)
    /// A floating value: a Lua float or a floating cdata.
    case number(Double)
}

extension FFIState {
    /// The operand at `index`: pointers (arrays decay), integers (64-bit cdata and
    /// Lua integers), floating numbers.
    private func operand(_ L: OpaquePointer, _ index: Int32) throws(FFIError) -> Operand? {
        if lua_type(L, index) == LUA_TNUMBER {
            if lua_isinteger(L, index) != 0 { return .integer(Int64(lf_tointeger(L, index, nil)), unsigned: false) }
            return .number(lf_tonumber(L, index, nil))
        }
        guard let cdata = cdata(L, at: index) else { return nil }
        try checkUsable(cdata)
        let (address, id) = value(of: cdata)
        let info = info(id)
        switch info.kind {
        case .pointer:
            return .pointer(address: UInt(bitPattern: address.load(as: UnsafeMutableRawPointer?.self)),
                            element: info.target, type: id)
        case .array:
            return .pointer(address: UInt(bitPattern: address), element: info.target, type: pointerType(to: info.target))
        case let kind where kind.isInteger || kind == .bool:
            return .integer(loadInteger(address, kind: kind == .bool ? .uint8 : kind), unsigned: kind == .uint64)
        case let kind where kind.isFloating:
            return .number(loadFloating(address, kind: kind))
        default:
            return nil
        }
    }

    /// Whether arguments 1 and 2 (1 alone for a unary operator) are operands of the
    /// built-in arithmetic and comparisons: numbers, numeric cdata, pointers and
    /// arrays. LuaJIT tries those before a metatype's metamethods (a pointer to a
    /// metatyped struct moves and compares as a pointer).
    func areBuiltinOperands(_ L: OpaquePointer, unary: Bool) -> Bool {
        guard (try? operand(L, 1)) != nil else { return false }
        return unary || (try? operand(L, 2)) != nil
    }

    /// Performs `op` on arguments 1 and 2 and pushes the result.
    func arithmetic(_ L: OpaquePointer, _ op: ArithmeticOperator) throws(FFIError) -> Int32 {
        let unary = op == .negate || op == .not
        guard var a = try operand(L, 1), var b = unary ? try operand(L, 1) : try operand(L, 2) else {
            throw arithmeticError(L, op)
        }
        // A pointer moves by a float truncated (`p + 2.0`, `p + 2.5`), as in LuaJIT.
        if case .pointer = a, case .number(let d) = b { b = .integer(truncatedBits(d), unsigned: false) }
        if case .pointer = b, case .number(let d) = a { a = .integer(truncatedBits(d), unsigned: false) }
        // Pointer arithmetic needs the size of what is pointed to: none for void,
        // incomplete types and functions (an error, as in LuaJIT).
        switch (a, b) {
        case (.pointer(let p, let element, let type), .integer(let n, _)) where op == .add || op == .subtract:
            guard let size = info(element).size else { throw arithmeticError(L, op) }
            // Addresses wrap around, as in LuaJIT (an overflowing offset must not trap).
            let step = size &* Int(n) &* (op == .add ? 1 : -1)
            pushDerivedPointer(L, type, UnsafeMutableRawPointer(bitPattern: Int(bitPattern: p) &+ step), from: 1)
        case (.integer(let n, _), .pointer(let p, let element, let type)) where op == .add:
            guard let size = info(element).size else { throw arithmeticError(L, op) }
            pushDerivedPointer(L, type, UnsafeMutableRawPointer(bitPattern: Int(bitPattern: p) &+ size &* Int(n)), from: 2)
        case (.pointer(let p, let element, _), .pointer(let q, let other, _)) where op == .subtract:
            // Only pointers to the same type (qualifiers aside) subtract, as in LuaJIT.
            guard let size = info(element).size, types[Int(element)].unqualified == types[Int(other)].unqualified
            else { throw arithmeticError(L, op) }
            lua_pushinteger(L, lua_Integer((Int(bitPattern: p) &- Int(bitPattern: q)) / max(size, 1)))
        case (.integer(let x, let ux), .integer(let y, let uy)):
            try integerArithmetic(L, op, x, y, unsigned: ux || uy)
        // A float, a Lua number or a floating cdata, converts to the 64-bit type of
        // the operation as LuaJIT converts it (lj_carith.c: every numeric operand of
        // cdata arithmetic is converted to `int64_t`, or `uint64_t`, truncating;
        // `ffi.new("double", 2.5) + 1` is `3LL`).
        case (.integer(let x, let ux), .number(let d)):
            try integerArithmetic(L, op, x, try integralBits(d, op, unsigned: ux), unsigned: ux)
        case (.number(let d), .integer(let y, let uy)):
            try integerArithmetic(L, op, try integralBits(d, op, unsigned: uy), y, unsigned: uy)
        case (.number(let x), .number(let y)):
            try integerArithmetic(L, op, try integralBits(x, op), try integralBits(y, op), unsigned: false)
        default:
            throw arithmeticError(L, op)
        }
        return 1
    }

    /// A Lua float operand of 64-bit integer arithmetic: converted to the operation's
    /// type as LuaJIT converts it (`integerBits`: 2^63 is -2^63 for `int64_t`), but
    /// the bitwise operators require an integral value (as Lua 5.4).
    private func integralBits(_ value: Double, _ op: ArithmeticOperator, unsigned: Bool = false) throws(FFIError)
        -> Int64
    {
        if op.isBitwise, value.rounded(.towardZero) != value {
            throw FFIError("number has no integer representation")
        }
        return integerBits(value, to: unsigned ? .uint64 : .int64)
    }

    /// 64-bit integer arithmetic with wrap-around, by the rules of arith.c (which
    /// its C fast path shares); the result is boxed (`int64_t`, or `uint64_t` when
    /// either operand is unsigned).
    private func integerArithmetic(
        _ L: OpaquePointer, _ op: ArithmeticOperator, _ x: Int64, _ y: Int64, unsigned: Bool
    ) throws(FFIError) {
        var result: Int64 = 0
        guard lf_int64arith(op.event, x, y, unsigned ? 1 : 0, &result) != 0 else {
            throw FFIError("attempt to perform 'n\(op.symbol)0'")
        }
        if unsigned { pushBoxed(L, uint64: UInt64(bitPattern: result)) } else { pushBoxed(L, int64: result) }
    }

    /// LuaJIT's message: `attempt to perform arithmetic on 'struct foo' and 'number'`.
    private func arithmeticError(_ L: OpaquePointer, _ op: ArithmeticOperator) -> FFIError {
        if op == .negate || op == .not {
            return FFIError("attempt to perform arithmetic on '\(typeName(L, 1))'")
        }
        return FFIError("attempt to perform arithmetic on '\(typeName(L, 1))' and '\(typeName(L, 2))'")
    }

    /// Compares arguments 1 and 2: pointers by address, numbers by value.
    func compare(_ L: OpaquePointer, _ op: ComparisonOperator) throws(FFIError) -> Bool {
        guard let a = try operand(L, 1), let b = try operand(L, 2) else {
            // Structs, unions and complex numbers compare by address (LuaJIT): two
            // references to one element are equal.
            if op == .equal, let x = cdata(L, at: 1), let y = cdata(L, at: 2),
               let (p, _) = try address(of: x), let (q, _) = try address(of: y) {
                return p == q
            }
            if op == .equal { return lua_rawequal(L, 1, 2) != 0 }
            throw FFIError("attempt to compare '\(typeName(L, 1))' with '\(typeName(L, 2))'")
        }
        switch (a, b) {
        case (.pointer(let p, _, let s), .pointer(let q, _, let t)):
            if op == .equal { return p == q }
            // Only compatible pointers order (LuaJIT's lj_cconv_compatptr: one pointee
            // type, qualifiers and integer signedness aside; void is not one).
            guard types[Int(s)].isLuaJITInstanceType(types[Int(t)]) else {
                throw FFIError("attempt to compare '\(typeName(L, 1))' with '\(typeName(L, 2))'")
            }
            return op == .less ? p < q : p <= q
        case (.integer(let x, let ux), .integer(let y, let uy)):
            return compareIntegers(x, y, unsigned: ux || uy, op)
        // A float (a Lua number or a floating cdata) converts to the 64-bit type first,
        // as in LuaJIT (3 < 3.5 is false; 2^53 + 1 > 2^53 is true; a `double` cdata of
        // 2.5 is not below 2.7).
        case (.integer(let x, let ux), .number(let d)):
            return compareIntegers(x, integerBits(d, to: ux ? .uint64 : .int64), unsigned: ux, op)
        case (.number(let d), .integer(let y, let uy)):
            return compareIntegers(integerBits(d, to: uy ? .uint64 : .int64), y, unsigned: uy, op)
        case (.number(let x), .number(let y)):
            return compareIntegers(integerBits(x, to: .int64), integerBits(y, to: .int64), unsigned: false, op)
        default:
            if op == .equal { return false }
            throw FFIError("attempt to compare '\(typeName(L, 1))' with '\(typeName(L, 2))'")
        }
    }
}

/// `x op y` for 64-bit integers, unsigned when either side is `uint64_t` (arith.c).
private func compareIntegers(_ x: Int64, _ y: Int64, unsigned: Bool, _ op: ComparisonOperator) -> Bool {
    lf_int64compare(op.event, x, y, unsigned ? 1 : 0) != 0
}
