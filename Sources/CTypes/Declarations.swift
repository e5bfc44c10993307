// The declarations scope: typedefs, tags, functions, variables and constants, with cdef.

/// A `$` argument of `cdef`/`parseType`, substituted where `$` appears (LuaJIT's
/// parameterized types).
public enum CParameter: Hashable {
    /// A type, where a type specifier is expected (`$ *`, `struct { $ x; }`).
    case type(CType)
    /// An integer, where a constant is expected (`int [$]`, `enum { A = $ }`).
    case integer(Int64)
    /// A name, where an identifier is expected (`struct $`, `int $;`).
    case name(String)
}

/// A declared function.
public struct CFunctionDeclaration: Hashable {
    /// The C name.
    public var name: String
    /// Its type.
    public var type: CFunctionType
    /// The `__asm__("sym")` redirection, if any.
    public var asmName: String?
    /// The symbol to look up in a library: the asm name, or the C name.
    public var symbol: String { asmName ?? name }
}

/// A declared (extern) variable.
public struct CVariableDeclaration: Hashable {
    /// The C name.
    public var name: String
    /// Its type.
    public var type: CType
    /// The `__asm__("sym")` redirection, if any.
    public var asmName: String?
    /// The symbol to look up in a library: the asm name, or the C name.
    public var symbol: String { asmName ?? name }
}

/// A named integer constant: an enumerator or a `static const` integer.
public struct CConstant: Hashable {
    /// The name.
    public var name: String
    /// The value (a two's complement bit pattern when `type` is unsigned 64-bit).
    public var value: Int64
    /// Its type (`int` for most enumerators, the declared type for `static const`).
    public var type: CType
}

/// A struct, union or enum tag.
public enum CTag: Hashable {
    case record(CRecord)
    case enumeration(CEnum)
}

/// Where a declaration is: `chunk:line:column`.
public struct CSourceLocation: Hashable, Sendable, CustomStringConvertible {
    /// The chunk name given to `cdef` or `parseType`.
    public var chunkName: String
    /// 1-based line and (byte) column.
    public var line: Int
    public var column: Int
    /// Creates a location.
    public init(chunkName: String, line: Int, column: Int) {
        self.chunkName = chunkName
        self.line = line
        self.column = column
    }
    /// `cdef:3:8`.
    public var description: String { "\(chunkName):\(line):\(column)" }
}

/// A symbol table entry: the declared thing and where it was first declared (nil for
/// the predefined typedefs).
struct Declared<Value> {
    var value: Value
    var location: CSourceLocation?
}

/// The symbol tables of one scope (also the pending additions of a transaction).
struct SymbolTable {
    var typedefs: [String: Declared<CType>] = [:]
    var tags: [String: Declared<CTag>] = [:]
    var functions: [String: Declared<CFunctionDeclaration>] = [:]
    var variables: [String: Declared<CVariableDeclaration>] = [:]
    var constants: [String: Declared<CConstant>] = [:]

    /// Adds everything in `other`, replacing entries with the same name.
    mutating func merge(_ other: SymbolTable) {
        Self.merge(&typedefs, other.typedefs)
        Self.merge(&tags, other.tags)
        Self.merge(&functions, other.functions)
        Self.merge(&variables, other.variables)
        Self.merge(&constants, other.constants)
    }

    /// `base.merge(added)` with `added` winning, rehashing the smaller of the two.
    private static func merge<V>(_ base: inout [String: V], _ added: [String: V]) {
        if added.isEmpty { return }
        if added.count <= base.count {
            base.merge(added) { $1 }
        } else {
            var result = added
            result.merge(base) { old, _ in old }
            base = result
        }
    }
}

/// A C declarations scope, the state behind `ffi.cdef` and `ffi.typeof`.
///
/// Predefines `int8_t`...`uint64_t`, `intptr_t`, `uintptr_t`, `ptrdiff_t`, `size_t`,
/// `ssize_t`, `wchar_t`, `va_list`, `__builtin_va_list`, `__gnuc_va_list`, `bool`.
/// Not thread-safe: use one scope per thread or serialize access.
public final class CDeclarations {
    /// Records completed in this scope. Their members can refer back to them (`struct
    /// node { struct node *next; }` is a reference cycle), so `deinit` empties them.
    var completedRecords: [CRecord] = []

    deinit {
        for record in completedRecords { record.resetToIncomplete() }
    }

    /// The target whose layout rules are used.
    public let target: TargetLayout
    var table = SymbolTable()

    /// Creates a scope with the predefined typedefs of `target`.
    public init(target: TargetLayout = .host) {
        self.target = target
        table.typedefs = Self.predefined(for: target)
    }

    private static func predefined(for target: TargetLayout) -> [String: Declared<CType>] {
        let long = target.long.size
        var types: [String: CType] = [
            "int8_t": .int8, "uint8_t": .uint8, "int16_t": .int16, "uint16_t": .uint16,
            "int32_t": .int32, "uint32_t": .uint32, "int64_t": .int64, "uint64_t": .uint64,
            "intptr_t": CType(.integer(size: target.pointer.size, isSigned: true)),
            "uintptr_t": CType(.integer(size: target.pointer.size, isSigned: false)),
            "ptrdiff_t": CType(.integer(size: target.pointer.size, isSigned: true)),
            "size_t": CType(.integer(size: long, isSigned: false)),
            "ssize_t": CType(.integer(size: long, isSigned: true)),
            "wchar_t": CType(.integer(size: target.wcharSize, isSigned: target.wcharIsSigned)),
        ]
        let vaList = CType.pointer(to: .void)
        for name in ["va_list", "__builtin_va_list", "__gnuc_va_list"] { types[name] = vaList }
        return types.mapValues { Declared(value: $0, location: nil) }
    }

    /// The type a typedef name stands for.
    public func typedef(named name: String) -> CType? { table.typedefs[name]?.value }
    /// The struct, union or enum with this tag.
    public func tag(named name: String) -> CTag? { table.tags[name]?.value }
    /// A declared function.
    public func function(named name: String) -> CFunctionDeclaration? {
        table.functions[name]?.value
    }
    /// A declared variable.
    public func variable(named name: String) -> CVariableDeclaration? {
        table.variables[name]?.value
    }
    /// A named integer constant (enumerator or `static const`).
    public func constant(named name: String) -> CConstant? { table.constants[name]?.value }

    /// Where a typedef was declared (nil for the predefined ones).
    public func location(ofTypedef name: String) -> CSourceLocation? {
        table.typedefs[name]?.location
    }
    /// Where a tag was first declared (or defined, when the definition came first).
    public func location(ofTag name: String) -> CSourceLocation? { table.tags[name]?.location }
    /// Where a function, variable or constant was first declared.
    public func location(of name: String) -> CSourceLocation? {
        table.functions[name]?.location ?? table.variables[name]?.location
            ?? table.constants[name]?.location
    }

    /// All typedef names.
    public var typedefNames: some Collection<String> { table.typedefs.keys }
    /// All declared function names.
    public var functionNames: some Collection<String> { table.functions.keys }
    /// All tags.
    public var tagNames: some Collection<String> { table.tags.keys }

    /// Parses and declares C declarations, all or nothing. Corresponds to `ffi.cdef`.
    ///
    /// On error nothing changes: no typedef, tag, symbol or constant is added and no
    /// struct or enum is completed. `$` in `source` takes the next of `parameters`.
    public func cdef(
        _ source: String, chunkName: String = "cdef", parameters: [CParameter] = []
    ) throws(CDeclarationError) {
        let transaction = Transaction(base: self)
        do {
            var parser = try Parser(
                source: source, chunkName: chunkName, transaction: transaction,
                parameters: parameters)
            try parser.parseDeclarations()
        } catch {
            transaction.rollBack()
            throw error
        }
        table.merge(transaction.added)
    }

    /// Parses an abstract declarator such as `struct foo *` or `int (*)(int)`.
    /// Corresponds to `ffi.typeof` on a string. Inline struct definitions are allowed
    /// and, like any tag declared here, are kept only if parsing succeeds.
    public func parseType(
        _ text: String, chunkName: String = "typeof", parameters: [CParameter] = []
    ) throws(CDeclarationError) -> CType {
        let transaction = Transaction(base: self)
        let type: CType
        do {
            var parser = try Parser(
                source: text, chunkName: chunkName, transaction: transaction,
                parameters: parameters)
            type = try parser.parseTypeName()
        } catch {
            transaction.rollBack()
            throw error
        }
        table.merge(transaction.added)
        return type
    }
}

/// The pending changes of one `cdef`: additions plus an undo log of completions.
final class Transaction {
    let base: CDeclarations
    var added = SymbolTable()
    private var completedRecords: [CRecord] = []
    private var completedEnums: [CEnum] = []

    init(base: CDeclarations) { self.base = base }

    var target: TargetLayout { base.target }

    func typedef(_ name: String) -> Declared<CType>? {
        added.typedefs[name] ?? base.table.typedefs[name]
    }
    func tag(_ name: String) -> Declared<CTag>? { added.tags[name] ?? base.table.tags[name] }
    func constant(_ name: String) -> Declared<CConstant>? {
        added.constants[name] ?? base.table.constants[name]
    }
    func function(_ name: String) -> Declared<CFunctionDeclaration>? {
        added.functions[name] ?? base.table.functions[name]
    }
    func variable(_ name: String) -> Declared<CVariableDeclaration>? {
        added.variables[name] ?? base.table.variables[name]
    }

    /// Records that `record` was completed, so a rollback can undo it.
    func willComplete(_ record: CRecord) { completedRecords.append(record) }
    /// Records that `enumeration` was completed.
    func willComplete(_ enumeration: CEnum) { completedEnums.append(enumeration) }

    /// Undoes every completion.
    func rollBack() {
        for record in completedRecords { record.resetToIncomplete() }
        for enumeration in completedEnums { enumeration.resetToIncomplete() }
        added = SymbolTable()
    }
}
