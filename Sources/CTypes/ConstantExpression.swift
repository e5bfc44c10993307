// C integer constant expressions: literals, operators, ternary, casts, sizeof, alignof.

extension Parser {
    /// Parses and evaluates a conditional expression (no comma operator); `first`
    /// is its first operand when the caller has parsed it already.
    mutating func constantExpression(first: ConstantValue? = nil) throws(CDeclarationError) -> ConstantValue {
        try enter()
        defer { depth -= 1 }
        let condition = try binary(minimumPrecedence: 1, first: first)
        guard accept(.question) else { return condition }
        if !condition.isTrue { unevaluated += 1 }
        let a = try constantExpression()
        if !condition.isTrue { unevaluated -= 1 }
        try expect(.colon, ":")
        if condition.isTrue { unevaluated += 1 }
        let b = try constantExpression()
        if condition.isTrue { unevaluated -= 1 }
        let (width, isUnsigned, isNarrow) = ConstantValue.arithmetic(a, b)
        var value = ConstantValue(
            bits: (condition.isTrue ? a : b).bits, width: width, isUnsigned: isUnsigned)
        value.isNarrow = isNarrow
        return value
    }

    /// The precedence of a binary operator token (0 when it is not one).
    private static func precedence(_ p: Punct) -> Int {
        switch p {
        case .orOr: return 1
        case .andAnd: return 2
        case .pipe: return 3
        case .caret: return 4
        case .amp: return 5
        case .equal, .notEqual: return 6
        case .less, .greater, .lessEqual, .greaterEqual: return 7
        case .shiftLeft, .shiftRight: return 8
        case .plus, .minus: return 9
        case .star, .slash, .percent: return 10
        default: return 0
        }
    }

    private mutating func binary(minimumPrecedence: Int, first: ConstantValue? = nil) throws(CDeclarationError)
        -> ConstantValue
    {
        var left: ConstantValue
        if let first { left = first } else { left = try unary() }
        while case .punct(let op) = current.kind {
            let precedence = Self.precedence(op)
            guard precedence >= minimumPrecedence, precedence > 0 else { break }
            let token = current
            advance()
            let skip = (op == .andAnd && !left.isTrue) || (op == .orOr && left.isTrue)
            if skip { unevaluated += 1 }
            let right = try binary(minimumPrecedence: precedence + 1)
            if skip { unevaluated -= 1 }
            left = try apply(op, left, right, at: token)
        }
        return left
    }

    private mutating func unary() throws(CDeclarationError) -> ConstantValue {
        try enter()
        defer { depth -= 1 }
        let token = current
        switch token.kind {
        case .punct(.plus), .punct(.minus), .punct(.tilde), .punct(.bang):
            advance()
            return Self.applyUnary(token, try unary())
        case .keyword(.sizeof), .keyword(.alignof):
            advance()
            return try sizeOrAlignment(isSize: token.isKeyword(.sizeof), at: token)
        case .punct(.lparen) where startsTypeName(peek()):
            advance()
            let type = try typeName()
            try expect(.rparen, ")")
            let operand = try unary()
            guard let value = ConstantValue.cast(operand, to: type, target: target, asC: cCasts) else {
                throw error("invalid cast to '\(type)'", at: token, near: false)
            }
            return value
        default:
            return try primary()
        }
    }

    /// `-`, `~` and `+` keep a narrow operand narrow, as LuaJIT keeps its type.
    private static func applyUnary(_ token: Token, _ v: ConstantValue) -> ConstantValue {
        let w = max(v.width, 4)
        var result: ConstantValue
        switch token.kind {
        case .punct(.minus): result = ConstantValue(bits: 0 &- v.bits, width: w, isUnsigned: v.isUnsigned)
        case .punct(.tilde): result = ConstantValue(bits: ~v.bits, width: w, isUnsigned: v.isUnsigned)
        case .punct(.bang): return ConstantValue(int: v.isTrue ? 0 : 1)
        default: return v
        }
        result.isNarrow = v.isNarrow
        return result
    }

    /// After `sizeof`/`alignof`: `(type)` or an expression.
    private mutating func sizeOrAlignment(isSize: Bool, at token: Token) throws(CDeclarationError)
        -> ConstantValue
    {
        let type: CType
        if current.isPunct(.lparen) && startsTypeName(peek()) {
            advance()
            type = try typeName()
            try expect(.rparen, ")")
        } else if let length = try stringLiteralOperand() {
            type = CType(.array(.char, .fixed(length + 1)))
        } else {
            type = try unary().type
        }
        let value = isSize ? type.size(on: target) : type.alignment(on: target)
        guard let value else {
            throw error("invalid application of 'sizeof' to '\(type)'", at: token, near: false)
        }
        return ConstantValue(bits: UInt64(value), width: target.long.size, isUnsigned: true)
    }

    /// The byte length of a string literal operand of `sizeof`, adjacent literals
    /// joined and parentheses allowed (`sizeof("aa" "bb")`, as LuaJIT); nil, with
    /// nothing consumed, when the operand is something else.
    private mutating func stringLiteralOperand() throws(CDeclarationError) -> Int? {
        var open = 0
        while peek(open).isPunct(.lparen) && open < Self.lookahead { open += 1 }
        guard case .string = peek(open).kind else { return nil }
        for _ in 0..<open { advance() }
        var length = 0
        while case .string(let index) = current.kind {
            length += literals[index].utf8.count
            advance()
        }
        for _ in 0..<open { try expect(.rparen, ")") }
        return length
    }

    private mutating func primary() throws(CDeclarationError) -> ConstantValue {
        let token = current
        switch token.kind {
        case .integer(let value, let isUnsigned, let isLong, let isDecimal):
            advance()
            return .literal(value, isUnsigned: isUnsigned, isLong: isLong, isDecimal: isDecimal)
        case .character(let code, let isWide):
            advance()
            if !isWide && code <= 0xFF && target.charIsSigned {
                return ConstantValue(int: Int64(Int8(truncatingIfNeeded: code)))
            }
            return ConstantValue(int: code)
        case .identifier:
            let name = name(of: token)
            advance()
            if current.isPunct(.dot) || current.isPunct(.arrow), transaction.constant(name) == nil,
               let variable = transaction.variable(name)?.value {
                return try memberConstant(of: variable.type, at: token)  // `extk.K_99`
            }
            // Inside a record body, its `static const` members are in scope too (as in
            // C++; LuaJIT has no scope for them).
            guard let constant = transaction.constant(name)?.value
                ?? recordConstants.last(where: { $0.name == name })
            else {
                throw error("undeclared identifier '\(name)'", at: token, near: false)
            }
            return Self.named(constant, target: target)
        case .punct(.lparen):
            advance()
            if let value = try parenthesizedCast() { return value }
            let value = try constantExpression()
            try expect(.rparen, ")")
            return value
        case .punct(.dollar):
            return ConstantValue(
                bits: UInt64(bitPattern: try integerParameter()), width: 8, isUnsigned: false)
        default:
            throw error("unexpected symbol")
        }
    }

    /// After `(`, a cast `(T)x`, the expression it starts and the closing `)`, or nil
    /// when no cast starts here. A cast to a struct or a struct pointer must be the
    /// whole parenthesized expression and be followed by `.K` or `->K`, a constant
    /// scoped to the struct (LuaJIT: `((struct s *)0)->K`).
    private mutating func parenthesizedCast() throws(CDeclarationError) -> ConstantValue? {
        guard current.isPunct(.lparen), startsTypeName(peek()) else { return nil }
        let token = current
        advance()
        let type = try typeName()
        try expect(.rparen, ")")
        let operand = try unary()
        if Self.recordOperand(type) {
            try expect(.rparen, ")")
            return try memberConstant(of: type, at: token)
        }
        guard let value = ConstantValue.cast(operand, to: type, target: target, asC: cCasts) else {
            throw error("invalid cast to '\(type)'", at: token, near: false)
        }
        let result = try constantExpression(first: value)
        try expect(.rparen, ")")
        return result
    }

    /// Whether `type` is a struct or union, or a pointer to one.
    private static func recordOperand(_ type: CType) -> Bool {
        if case .record = type.kind { return true }
        if case .pointer(let target) = type.kind, case .record = target.kind { return true }
        return false
    }

    /// `.K` after a struct or `->K` after a struct pointer (the current token is the
    /// `.` or `->`): the constant `K` scoped to the struct (`static const` members and
    /// enumerators of its body), as LuaJIT evaluates `extk.K_99`.
    private mutating func memberConstant(of type: CType, at token: Token) throws(CDeclarationError)
        -> ConstantValue
    {
        var record: CRecord?
        switch type.kind {
        case .record(let r) where current.isPunct(.dot): record = r
        case .pointer(let target) where current.isPunct(.arrow):
            if case .record(let r) = target.kind { record = r }
        default: break
        }
        advance()
        guard case .identifier = current.kind else { throw error("identifier expected") }
        let name = name(of: current)
        guard let record, let constant = record.constant(named: name) else {
            throw error("'\(type)' has no member named '\(name)'", at: token, near: false)
        }
        advance()
        return Self.named(constant, target: target)
    }

    /// The value of a named constant, narrow when its type is (as LuaJIT types it).
    private static func named(_ constant: CConstant, target: TargetLayout) -> ConstantValue {
        var value = ConstantValue(UInt64(bitPattern: constant.value), as: constant.type, target: target)
            ?? ConstantValue(int: constant.value)
        value.isNarrow = ConstantValue.isNarrow(constant.type)
        return value
    }

    /// Evaluates a binary operator with C's conversions; division by zero is an error.
    private func apply(_ op: Punct, _ a: ConstantValue, _ b: ConstantValue, at token: Token)
        throws(CDeclarationError) -> ConstantValue
    {
        let (width, isUnsigned, isNarrow) = ConstantValue.arithmetic(a, b)
        let x = ConstantValue(bits: a.bits, width: width, isUnsigned: isUnsigned)
        let y = ConstantValue(bits: b.bits, width: width, isUnsigned: isUnsigned)
        func make(_ bits: UInt64) -> ConstantValue {
            var value = ConstantValue(bits: bits, width: width, isUnsigned: isUnsigned)
            value.isNarrow = isNarrow
            return value
        }
        func truth(_ value: Bool) -> ConstantValue { ConstantValue(int: value ? 1 : 0) }
        switch op {
        case .plus: return make(x.bits &+ y.bits)
        case .minus: return make(x.bits &- y.bits)
        case .star: return make(x.bits &* y.bits)
        case .slash, .percent:
            var quotient = try divide(op, x, y, at: token)
            quotient.isNarrow = isNarrow
            return quotient
        case .shiftLeft, .shiftRight: return shift(op, a, b)
        case .amp: return make(x.bits & y.bits)
        case .pipe: return make(x.bits | y.bits)
        case .caret: return make(x.bits ^ y.bits)
        case .andAnd: return truth(a.isTrue && b.isTrue)
        case .orOr: return truth(a.isTrue || b.isTrue)
        case .equal: return truth(x.bits == y.bits)
        case .notEqual: return truth(x.bits != y.bits)
        // LuaJIT compares signed only two `int` operands.
        default: return truth(Self.compare(op, x, y, isUnsigned || a.isNarrow || b.isNarrow))
        }
    }

    private static func compare(
        _ op: Punct, _ x: ConstantValue, _ y: ConstantValue, _ isUnsigned: Bool
    ) -> Bool {
        let less = isUnsigned ? x.bits < y.bits : x.signedValue < y.signedValue
        let greater = isUnsigned ? x.bits > y.bits : x.signedValue > y.signedValue
        switch op {
        case .less: return less
        case .greater: return greater
        case .lessEqual: return !greater
        default: return !less
        }
    }

    private func divide(_ op: Punct, _ x: ConstantValue, _ y: ConstantValue, at token: Token)
        throws(CDeclarationError) -> ConstantValue
    {
        guard y.bits != 0 else {
            if unevaluated > 0 { return x }
            throw error("division by zero", at: token, near: false)
        }
        let bits: UInt64
        if x.isUnsigned {
            bits = op == .slash ? x.bits / y.bits : x.bits % y.bits
        } else {
            let (q, overflow) = x.signedValue.dividedReportingOverflow(by: y.signedValue)
            let r = overflow ? 0 : x.signedValue % y.signedValue
            bits = UInt64(bitPattern: op == .slash ? q : r)
        }
        return ConstantValue(bits: bits, width: x.width, isUnsigned: x.isUnsigned)
    }

    /// `<<` and `>>`: the result has the promoted left operand's type.
    private func shift(_ op: Punct, _ a: ConstantValue, _ b: ConstantValue) -> ConstantValue {
        let count = b.isUnsigned || b.signedValue >= 0 ? min(b.bits, 64) : 64
        let bitsWide = UInt64(a.width * 8)
        if op == .shiftLeft {
            var value = ConstantValue(
                bits: count >= bitsWide ? 0 : a.bits << count, width: a.width,
                isUnsigned: a.isUnsigned)
            value.isNarrow = a.isNarrow
            return value
        }
        if a.isUnsigned || a.isNarrow {  // LuaJIT shifts a narrow value as unsigned
            let bits = a.width == 4 ? a.bits & 0xFFFF_FFFF : a.bits
            var value = ConstantValue(
                bits: count >= 64 ? 0 : bits >> count, width: a.width, isUnsigned: a.isUnsigned)
            value.isNarrow = a.isNarrow
            return value
        }
        let shifted = a.signedValue >> Int64(min(count, 63))
        return ConstantValue(bits: UInt64(bitPattern: shifted), width: a.width, isUnsigned: false)
    }
}
