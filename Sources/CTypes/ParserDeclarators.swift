// Declarators: pointers, references, arrays, function parameter lists, grouping.

/// One derivation step of a declarator, applied to the base type in order.
enum DeclaratorOperation {
    case pointer(CQualifiers)
    case reference
    case array(CArrayCount)
    case function([CFunctionParameter], isVariadic: Bool)
}

/// Derivation steps in order. One step (the common `*p`, `a[n]`, `f(...)`) is held
/// inline: an array is allocated only for two or more.
struct DeclaratorOperations: Sequence {
    private var one: DeclaratorOperation?
    /// All the steps when there are two or more (`one` is then nil).
    private var many: [DeclaratorOperation] = []

    init() {}

    var isEmpty: Bool { one == nil && many.isEmpty }
    var count: Int { many.isEmpty ? (one == nil ? 0 : 1) : many.count }
    var last: DeclaratorOperation? { many.last ?? one }

    mutating func append(_ operation: DeclaratorOperation) {
        if !many.isEmpty {
            many.append(operation)
        } else if let first = one {
            many = [first, operation]
            one = nil
        } else {
            one = operation
        }
    }

    mutating func append(contentsOf other: DeclaratorOperations) {
        for operation in other { append(operation) }
    }

    /// The steps in reverse order.
    func reversed() -> DeclaratorOperations {
        var result = self
        if !many.isEmpty { result.many.reverse() }
        return result
    }

    struct Iterator: IteratorProtocol {
        fileprivate let list: DeclaratorOperations
        fileprivate var index = 0
        mutating func next() -> DeclaratorOperation? {
            defer { index += 1 }
            if list.many.isEmpty { return index == 0 ? list.one : nil }
            return index < list.many.count ? list.many[index] : nil
        }
    }

    func makeIterator() -> Iterator { Iterator(list: self) }
}

/// A parsed declarator: the declared name (nil when abstract) and its derivations.
struct Declarator {
    var name: String?
    var nameToken: Token?
    var operations = DeclaratorOperations()
    var attributes = DeclarationAttributes()

    /// Whether the declarator declares a function (its last step is a parameter list).
    var isFunction: Bool {
        if case .function? = operations.last { return true }
        return false
    }
}

extension Parser {
    /// A type name: specifiers and an abstract declarator (`const char *`).
    mutating func typeName() throws(CDeclarationError) -> CType {
        let start = current
        var specs = Specifiers()
        try specifiers(into: &specs)
        var declarator = Declarator()
        try self.declarator(abstract: true, into: &declarator)
        if let token = declarator.nameToken { throw error("unexpected symbol", at: token) }
        try attributes(into: &declarator.attributes)
        return try type(of: declarator, specifiers: specs, at: start).aligned(by: declarator, specs)
    }

    /// The declared type: `specifiers` with attributes, derived by `declarator`.
    mutating func type(of declarator: Declarator, specifiers: Specifiers, at token: Token)
        throws(CDeclarationError) -> CType
    {
        if declarator.operations.isEmpty && specifiers.attributes.isEmpty
            && declarator.attributes.isEmpty
        {
            return specifiers.type
        }
        if declarator.operations.count > CNesting.maximum {
            throw error("chunk has too many syntax levels", at: declarator.nameToken ?? token)
        }
        var attributes = specifiers.attributes
        attributes.merge(declarator.attributes)
        var type = try applying(attributes, to: specifiers.type, at: token)
        for operation in declarator.operations {
            type = try derive(type, operation, at: declarator.nameToken ?? token)
        }
        if type.nestingDepth > CNesting.maximum {
            throw error("chunk has too many syntax levels", at: declarator.nameToken ?? token)
        }
        return type
    }

    /// Applies one derivation, rejecting arrays of functions and functions returning
    /// arrays or functions. (Inlined into `type(of:)`: called out of line, it costs more
    /// than the pointer boxes the scalar pointer cache saves.)
    @inline(__always)
    private mutating func derive(_ type: CType, _ operation: DeclaratorOperation, at token: Token)
        throws(CDeclarationError) -> CType
    {
        switch operation {
        case .pointer(let qualifiers):
            return CType(transaction.base.pointer(to: type), qualifiers: qualifiers)
        case .reference:
            return CType(.reference(type))
        case .array(let count):
            switch type.kind {
            case .function, .void, .reference:
                throw error("invalid array element type", at: token, near: false)
            case .array(_, let inner) where inner != .fixed(0) && type.size(on: target) == nil:
                throw error("invalid array element type", at: token, near: false)
            default:
                let array = CType(.array(type, count))
                if case .fixed(let n) = count, n > 0, array.size(on: target) == nil, type.size(on: target) != nil {
                    throw error("size of C type is unknown or too large", at: token, near: false)
                }
                return array
            }
        case .function(let parameters, let isVariadic):
            switch type.kind {
            case .function, .array:
                throw error("invalid function result type", at: token, near: false)
            default:
                return CType(
                    .function(
                        CFunctionType(result: type, parameters: parameters, isVariadic: isVariadic))
                )
            }
        }
    }

    /// Parses a declarator into `result` (a fresh `Declarator()`; filled in place, so
    /// the large value is never copied on the way out). `abstract` allows (but does
    /// not require) the name to be absent.
    mutating func declarator(abstract: Bool, into result: inout Declarator) throws(CDeclarationError) {
        try enter()
        defer { depth -= 1 }
        var prefix = DeclaratorOperations()
        try pointers(into: &prefix, attributes: &result.attributes)
        if current.isPunct(.lparen) && !(abstract && startsParameterList()) {
            advance()
            try attributes(into: &result.attributes)
            var inner = Declarator()
            try declarator(abstract: abstract, into: &inner)
            try expect(.rparen, ")")
            try appendSuffixes(to: &result, prefix)
            if result.operations.isEmpty {
                result.operations = inner.operations
            } else {
                result.operations.append(contentsOf: inner.operations)
            }
            result.name = inner.name
            result.nameToken = inner.nameToken
            result.attributes.merge(inner.attributes)
            return
        }
        if current.isIdentifier || (current.isPunct(.dollar) && !abstract) {
            result.nameToken = current
            result.name = try expectIdentifier()
        } else if !abstract {
            throw error("'<identifier>' expected")
        }
        try appendSuffixes(to: &result, prefix)
    }

    /// Sets the operations of `result`: the suffixes (innermost first), then `prefix`.
    private mutating func appendSuffixes(
        to result: inout Declarator, _ prefix: consuming DeclaratorOperations
    ) throws(CDeclarationError) {
        let suffixes = try self.suffixes()
        if suffixes.isEmpty {
            result.operations = prefix
        } else if prefix.isEmpty && suffixes.count == 1 {
            result.operations = suffixes
        } else {
            var operations = prefix
            operations.append(contentsOf: suffixes.reversed())
            result.operations = operations
        }
    }

    /// `* const`, `&`, with qualifiers and attributes, outermost first.
    private mutating func pointers(
        into operations: inout DeclaratorOperations, attributes: inout DeclarationAttributes
    ) throws(CDeclarationError) {
        while true {
            if accept(.star) {
                operations.append(.pointer(try pointerQualifiers(&attributes)))
            } else if accept(.amp) {
                operations.append(.reference)
            } else if atAttribute && !current.isKeyword(.asm) {
                try self.attributes(into: &attributes)
            } else {
                return
            }
        }
    }

    private mutating func pointerQualifiers(_ attributes: inout DeclarationAttributes)
        throws(CDeclarationError) -> CQualifiers
    {
        var qualifiers: CQualifiers = []
        while case .keyword(let k) = current.kind {
            switch k {
            case .const, .volatile, .restrict, .atomic:
                qualifiers.formUnion(qualifier(k))
                advance()
            case .attribute, .declspec, .callingConvention:
                try self.attributes(into: &attributes)
            default:
                return qualifiers
            }
        }
        return qualifiers
    }

    /// Whether `(` at the current token opens a parameter list rather than grouping.
    private mutating func startsParameterList() -> Bool {
        let next = peek()
        if next.isPunct(.rparen) || next.isPunct(.ellipsis) { return true }
        if case .keyword(let k) = next.kind,
            k == .attribute || k == .callingConvention || k == .declspec
        {
            return false
        }
        return startsTypeName(next)
    }

    /// Array and parameter-list suffixes in source order.
    private mutating func suffixes() throws(CDeclarationError) -> DeclaratorOperations {
        var result = DeclaratorOperations()
        while true {
            if accept(.lbracket) {
                result.append(.array(try arrayCount()))
            } else if current.isPunct(.lparen) {
                advance()
                let (parameters, isVariadic) = try parameterList()
                result.append(.function(parameters, isVariadic: isVariadic))
            } else {
                return result
            }
        }
    }

    /// After `[`: `]`, `?]`, `*]`, `[static const n]`, `n]`.
    private mutating func arrayCount() throws(CDeclarationError) -> CArrayCount {
        while case .keyword(let k) = current.kind,
            k == .static || k == .const || k == .volatile || k == .restrict
        {
            advance()
        }
        if accept(.rbracket) { return .unspecified }
        if current.isPunct(.question) || (current.isPunct(.star) && peek().isPunct(.rbracket)) {
            advance()
            try expect(.rbracket, "]")
            return .variable
        }
        // Fast path: `[16]`.
        if case .integer(let n, _, _, _) = current.kind, n <= UInt64(Int32.max),
            peek().isPunct(.rbracket)
        {
            advance()
            advance()
            return .fixed(Int(n))
        }
        let token = current
        let value: ConstantValue
        if parameterDepth > 0 {
            // A parameter's array becomes a pointer: its size may name other parameters
            // (`size_t n, int a[n]`, as glibc's regexec does), so it need not be constant.
            let start = position
            guard let known = try? constantExpression(), current.isPunct(.rbracket) else {
                position = start
                try skipBrackets()
                return .unspecified
            }
            value = known
        } else {
            value = try constantExpression()
        }
        guard let count = value.nonNegativeInt, count <= Int(Int32.max) else {
            throw error("invalid array size", at: token, near: false)
        }
        try expect(.rbracket, "]")
        return .fixed(count)
    }

    /// After `(`: parameters up to and including `)`.
    private mutating func parameterList() throws(CDeclarationError) -> ([CFunctionParameter], Bool)
    {
        if accept(.rparen) { return ([], false) }
        if current.isKeyword(.void) && peek().isPunct(.rparen) {
            advance()
            advance()
            return ([], false)
        }
        // The parameters go on `parameterStack` (above those of an enclosing list) and
        // are moved out into an array of exactly their number: the function type keeps
        // it for good, so no reserved slack and no regrowth. They come off again however
        // the list ends (an error may be caught by `try?`).
        let first = parameterStack.count
        defer { parameterStack.pop(to: first) }
        while true {
            if accept(.ellipsis) {
                try expect(.rparen, ")")
                return (parameterStack.popArray(from: first), true)
            }
            parameterStack.push(try parameter())
            if accept(.rparen) { return (parameterStack.popArray(from: first), false) }
            if !accept(.comma) { throw error("')' expected") }
        }
    }

    /// Skips to after the `]` that closes the current array suffix.
    private mutating func skipBrackets() throws(CDeclarationError) {
        var depth = 1
        while depth > 0 {
            if case .eof = current.kind { throw error("']' expected") }
            if current.isPunct(.lbracket) { depth += 1 }
            if current.isPunct(.rbracket) { depth -= 1 }
            advance()
        }
    }

    /// One parameter: type adjusted as C does (arrays and functions become pointers).
    private mutating func parameter() throws(CDeclarationError) -> CFunctionParameter {
        parameterDepth += 1
        defer { parameterDepth -= 1 }
        let start = current
        var specs = Specifiers()
        try specifiers(into: &specs)
        var declarator = Declarator()
        try self.declarator(abstract: true, into: &declarator)
        try attributes(into: &declarator.attributes)
        let type = try self.type(of: declarator, specifiers: specs, at: start)
        if type.kind == .void { throw error("invalid use of 'void'", at: start, near: false) }
        return CFunctionParameter(name: declarator.name, type: type.decayed)
    }
}
