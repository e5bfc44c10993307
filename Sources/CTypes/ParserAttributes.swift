// GCC attributes, `__declspec`, `_Alignas` and `__asm__("symbol")` redirections.

/// A GCC machine mode from `__attribute__((mode(X)))`.
enum MachineMode: Hashable {
    case integer(size: Int)
    case float, double, longDouble
    /// `V4SF`, `V16QI`...: a vector of `count` elements of a scalar mode.
    indirect case vector(count: Int, element: MachineMode)
}

/// Attributes that matter for a declaration; the others are skipped.
struct DeclarationAttributes {
    var isPacked = false
    var aligned: Int?
    var mode: MachineMode?
    var vectorSize: Int?
    /// The `__asm__("sym")` label: an index into the parser's `asmNames` (so that the
    /// attributes are plain data, cheap to copy).
    var asmName: Int32?

    /// Whether no attribute is set (the common case).
    @inline(__always) var isEmpty: Bool {
        !isPacked && aligned == nil && mode == nil && vectorSize == nil && asmName == nil
    }

    /// Adds the attributes of `other`.
    @inline(__always) mutating func merge(_ other: DeclarationAttributes) {
        if other.isEmpty { return }
        isPacked = isPacked || other.isPacked
        if let a = other.aligned { aligned = max(aligned ?? 1, a) }
        mode = other.mode ?? mode
        vectorSize = other.vectorSize ?? vectorSize
        asmName = other.asmName ?? asmName
    }
}

extension Parser {
    /// Whether the current token starts an attribute-like construct.
    @inline(__always) var atAttribute: Bool {
        if case .keyword(let k) = current.kind {
            return k == .attribute || k == .declspec || k == .alignas || k == .asm
                || k == .callingConvention
        }
        return false
    }

    /// The `__asm__` label of `attributes`, if any.
    mutating func asmName(of attributes: DeclarationAttributes) -> String? {
        guard let index = attributes.asmName else { return nil }
        return asmNames[Int(index)]
    }

    /// Parses any run of attributes, `__asm__` labels and calling conventions.
    mutating func attributes(into attributes: inout DeclarationAttributes) throws(CDeclarationError)
    {
        while case .keyword(let keyword) = current.kind {
            switch keyword {
            case .attribute: try gnuAttribute(into: &attributes)
            case .declspec: try declspec(into: &attributes)
            case .alignas: try alignas(into: &attributes)
            case .asm:
                let label = try asmLabel()
                attributes.asmName = Int32(asmNames.count)
                asmNames.append(label)
            case .callingConvention: advance()
            default: return
            }
        }
    }

    /// `__attribute__ (( name, name(args), ... ))`.
    private mutating func gnuAttribute(into attributes: inout DeclarationAttributes)
        throws(CDeclarationError)
    {
        advance()
        try expect(.lparen, "(")
        try expect(.lparen, "(")
        while !current.isPunct(.rparen) {
            if accept(.comma) { continue }
            try attribute(into: &attributes)
        }
        try expect(.rparen, ")")
        try expect(.rparen, ")")
    }

    /// One attribute inside `__attribute__((...))`.
    private mutating func attribute(into attributes: inout DeclarationAttributes)
        throws(CDeclarationError)
    {
        let token = current
        let name: String
        switch token.kind {
        case .identifier: name = self.name(of: token)
        case .keyword: name = text(of: token)
        default: throw error("'<identifier>' expected")
        }
        advance()
        switch Self.bare(name) {
        case "packed": attributes.isPacked = true
        case "aligned": attributes.aligned = try alignedArgument(at: token)
        case "mode": attributes.mode = try modeArgument()
        case "vector_size": attributes.vectorSize = try parenthesizedInteger()
        default: try skipBalancedParentheses()
        }
    }

    /// `name` without leading and trailing `__`.
    static func bare(_ name: String) -> Substring {
        var s = Substring(name)
        if s.hasPrefix("__") { s = s.dropFirst(2) }
        if s.hasSuffix("__") { s = s.dropLast(2) }
        return s
    }

    /// `aligned` or `aligned(n)`: n must be a power of two.
    private mutating func alignedArgument(at token: Token) throws(CDeclarationError) -> Int {
        guard current.isPunct(.lparen) else { return target.biggestAlignment }
        let value = try parenthesizedInteger()
        guard value > 0 && value & (value - 1) == 0 && value <= 1 << 28 else {
            throw error("requested alignment is not a power of 2", at: token, near: false)
        }
        return value
    }

    /// `(expr)` as a non-negative Int.
    private mutating func parenthesizedInteger() throws(CDeclarationError) -> Int {
        try expect(.lparen, "(")
        let token = current
        let value = try constantExpression()
        try expect(.rparen, ")")
        guard let n = value.nonNegativeInt else { throw error("invalid value", at: token) }
        return n
    }

    /// `mode(QI)`, `mode(__DI__)`, `mode(V4SF)`...
    private mutating func modeArgument() throws(CDeclarationError) -> MachineMode {
        try expect(.lparen, "(")
        let token = current
        let name = Self.bare(try expectIdentifier())
        try expect(.rparen, ")")
        guard let mode = machineMode(name) else {
            throw error("unknown machine mode '\(name)'", at: token, near: false)
        }
        return mode
    }

    /// The mode a GCC mode name stands for (`V` + count + scalar mode: a vector).
    private func machineMode(_ name: Substring) -> MachineMode? {
        if name.first == "V" {
            let digits = name.dropFirst().prefix(while: \.isNumber)
            guard let count = Int(digits), count > 0, count <= 4096,
                let element = machineMode(name.dropFirst(1 + digits.count))
            else { return nil }
            if case .vector = element { return nil }
            return .vector(count: count, element: element)
        }
        switch name {
        case "QI", "byte": return .integer(size: 1)
        case "HI": return .integer(size: 2)
        case "SI": return .integer(size: 4)
        case "DI": return .integer(size: 8)
        case "TI": return .integer(size: 16)
        case "word", "pointer": return .integer(size: target.pointer.size)
        case "SF": return .float
        case "DF": return .double
        case "XF", "TF": return .longDouble
        default: return nil
        }
    }

    /// `__declspec(align(n))`; other declspecs are skipped.
    private mutating func declspec(into attributes: inout DeclarationAttributes)
        throws(CDeclarationError)
    {
        advance()
        try expect(.lparen, "(")
        while !current.isPunct(.rparen) {
            let token = current
            if case .eof = token.kind { throw error("')' expected") }
            if token.isIdentifier && name(of: token) == "align" {
                advance()
                attributes.aligned = try alignedArgument(at: token)
            } else {
                advance()
                try skipBalancedParentheses()
            }
        }
        try expect(.rparen, ")")
    }

    /// `_Alignas(n)` or `_Alignas(type)`.
    private mutating func alignas(into attributes: inout DeclarationAttributes)
        throws(CDeclarationError)
    {
        advance()
        try expect(.lparen, "(")
        let value =
            startsTypeName(current)
            ? try typeName().alignment(on: target) : try constantExpression().nonNegativeInt ?? 0
        try expect(.rparen, ")")
        guard value & (value &- 1) == 0, value <= 1 << 28 else {
            throw error("requested alignment is not a power of 2", near: false)
        }
        if value > 0 { attributes.aligned = max(attributes.aligned ?? 1, value) }
    }

    /// `__asm__("name" "more")`: the symbol name.
    mutating func asmLabel() throws(CDeclarationError) -> String {
        advance()
        while case .keyword(let k) = current.kind, k == .volatile || k == .inline { advance() }
        try expect(.lparen, "(")
        var name = ""
        while case .string(let part) = current.kind {
            name += literals[part]
            advance()
        }
        try expect(.rparen, ")")
        return name
    }

    /// Skips `( ... )` with any nesting, if present.
    mutating func skipBalancedParentheses() throws(CDeclarationError) {
        guard current.isPunct(.lparen) else { return }
        var level = 0
        repeat {
            if case .eof = current.kind { throw error("')' expected") }
            if current.isPunct(.lparen) { level += 1 }
            if current.isPunct(.rparen) { level -= 1 }
            advance()
        } while level > 0
    }

    /// Applies `mode` and `vector_size` to a base type.
    mutating func applying(_ attributes: DeclarationAttributes, to type: CType, at token: Token)
        throws(CDeclarationError) -> CType
    {
        if attributes.mode == nil && attributes.vectorSize == nil { return type }
        var type = type
        if let mode = attributes.mode { type = try applying(mode, to: type, at: token) }
        if let size = attributes.vectorSize { type = try vector(of: type, size: size, at: token) }
        return type
    }

    /// A GCC vector of `size` bytes of `type` (`vector_size`, `mode(V4SF)`).
    private mutating func vector(of type: CType, size: Int, at token: Token) throws(CDeclarationError) -> CType {
        guard let elementSize = type.size(on: target), elementSize > 0, size % elementSize == 0,
            size & (size - 1) == 0, size <= 4096,
            type.isInteger || type.kind == .float || type.kind == .double || type.kind == .float16
        else { throw error("invalid vector type", at: token, near: false) }
        return CType(.vector(type, size: size))
    }

    private mutating func applying(_ mode: MachineMode, to type: CType, at token: Token)
        throws(CDeclarationError) -> CType
    {
        switch mode {
        case .integer(let size):
            guard type.isInteger else {
                throw error("invalid machine mode", at: token, near: false)
            }
            var isSigned = target.charIsSigned
            if case .integer(_, let s) = type.kind { isSigned = s }
            return CType(.integer(size: size, isSigned: isSigned), qualifiers: type.qualifiers)
        case .float: return CType(.float, qualifiers: type.qualifiers)
        case .double: return CType(.double, qualifiers: type.qualifiers)
        case .longDouble: return CType(.longDouble, qualifiers: type.qualifiers)
        case .vector(let count, let element):
            let scalar = try applying(element, to: type, at: token)
            return try vector(of: scalar, size: count * (scalar.size(on: target) ?? 0), at: token)
        }
    }
}

extension CType {
    /// The type of a typedef or type name with its `aligned` attribute (the declarator's,
    /// else the specifiers'; the last one written wins, as in LuaJIT). Members keep
    /// theirs in `MemberSpec.alignAttribute` instead: there it can only raise alignment.
    @inline(__always) func aligned(by declarator: Declarator, _ specs: Specifiers) -> CType {
        guard let n = declarator.attributes.aligned ?? specs.attributes.aligned else { return self }
        return aligned(n)
    }
}
