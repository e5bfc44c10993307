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

/// How a `cdef` declares (Python cffi's `cdef` keywords).
public struct CDefOptions: Hashable, Sendable {
    /// The initial `#pragma pack` value: the largest alignment of a member (1:
    /// packed), nil for the target's natural alignment.
    public var pack: Int?
    /// Whether a redeclaration replaces the earlier declaration (a typedef, function,
    /// variable or constant with another type or value; a struct, union or enum with
    /// another body becomes a new type) instead of keeping the first or failing.
    public var override: Bool
    /// Casts in constant expressions convert as C does: `(unsigned char)0x1ff` is 255.
    /// Off, they follow LuaJIT's `cdef`, which converts nothing to a type narrower
    /// than `int` (257); `ffi.include` reads real headers and turns it on.
    public var cCasts: Bool

    /// Options that change nothing.
    public init(pack: Int? = nil, override: Bool = false, cCasts: Bool = false) {
        self.pack = pack
        self.override = override
        self.cCasts = cCasts
    }
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

/// A function as the symbol table keeps it: its name is the key (not stored twice).
struct FunctionEntry {
    var asmName: String?
    var type: CFunctionType
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

/// Where a symbol table entry was declared, in 12 bytes where a `CSourceLocation?` takes
/// 32 (its chunk name `String` repeated in every entry): the chunk is an index into the
/// scope's `chunkNames`, -1 for the predefined typedefs.
struct DeclaredAt {
    var chunk: Int32
    var line: Int32
    var column: Int32

    static let predefined = DeclaredAt(chunk: -1, line: 0, column: 0)
}

/// A symbol table entry: the declared thing and where it was first declared.
struct Declared<Value> {
    var value: Value
    var at: DeclaredAt
}

/// A symbol table key: a C name and a cheap hash of it. `String` hashes its bytes
/// with SipHash plus a terminator and compares through its general path; C names
/// are short, and FNV-1a of their bytes, given to the hasher as one word, costs
/// about half (and the lexer has computed it already for every ASCII identifier). Equal
/// names have equal hashes, so unequal hashes settle `==` at once.
struct SymbolName: Hashable {
    let string: String
    let fnv: UInt32

    init(_ string: String) {
        var copy = string
        self.init(string, fnv: copy.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return KeywordTable.emptyHash }
            return KeywordTable.hash(base, 0, bytes.count)
        })
    }

    /// A name whose FNV-1a hash is known (`Token.Kind.identifier`).
    init(_ string: String, fnv: UInt32) {
        self.string = string
        self.fnv = fnv
    }

    static func == (a: SymbolName, b: SymbolName) -> Bool { a.fnv == b.fnv && a.string == b.string }
    func hash(into hasher: inout Hasher) { hasher.combine(fnv) }
}

/// The symbol tables of one scope.
struct SymbolTable {
    var typedefs = SymbolMap<Declared<CType>>()
    var tags = SymbolMap<Declared<CTag>>()
    var functions = SymbolMap<Declared<FunctionEntry>>()
    var variables = SymbolMap<Declared<CVariableDeclaration>>()
    var constants = SymbolMap<Declared<CConstant>>()
}

/// A C declarations scope, the state behind `ffi.cdef` and `ffi.typeof`.
///
/// Predefines `int8_t`...`uint64_t`, `intptr_t`, `uintptr_t`, `ptrdiff_t`, `size_t`,
/// `ssize_t`, `wchar_t`, `va_list`, `__builtin_va_list`, `__gnuc_va_list`, `bool`.
/// Not thread-safe: use one scope per thread or serialize access.
/// A budget that long `cdef`s answer to (a Lua state's limits, say): asked as the
/// parse goes and before it commits, and told what the scope keeps. It must not
/// call back into the scope (see `CDeclarations.table`).
public protocol CDeclarationBudget: AnyObject {
    /// Asked every 1,024 tokens and once before a `cdef` commits, with about how many
    /// bytes its declarations keep so far: a reason (`time limit exceeded`) stops
    /// the `cdef`, rolled back, with that reason at the position reached; nil lets
    /// it go on.
    func check(keeping bytes: Int) -> String?
    /// A `cdef` committed declarations that keep about `bytes` bytes.
    func charge(_ bytes: Int)
}

public final class CDeclarations {
    /// Records completed in this scope. Their members can refer back to them (`struct
    /// node { struct node *next; }` is a reference cycle), so `deinit` empties them.
    var completedRecords: [CRecord] = []
    /// The compiler's layouts for the record bodies of the current parse (API mode).
    var compilerLayouts: [CCompilerLayout?]?
    var nextCompilerLayout = 0

    deinit {
        for record in completedRecords { record.resetToIncomplete() }
    }

    /// The target whose layout rules are used.
    public let target: TargetLayout
    /// What the last `cdef` or `parseType` kept out: each function, variable or typedef
    /// redeclared with another type, whose first declaration stays (LuaJIT's rule;
    /// LuaJIT says nothing, `ffi.cdef` passes these to `lua_warning`), as
    /// `cdef:2:5: 'f' redeclared with another type (first declaration at cdef:1:5 kept)`.
    public private(set) var warnings: [String] = []
    /// Asked and told about the work and memory of each `cdef` (nil: no budget).
    public var budget: (any CDeclarationBudget)?
    /// About how many bytes the committed declarations keep (see `Transaction.keptBytes`).
    public private(set) var keptBytes = 0
    /// The names in scope.
    ///
    /// Exclusivity is unchecked for this file's and CRecord's stored properties:
    /// without, `ffi.cdef` parses 5% slower (callgrind, bench case cdef_parse,
    /// 32,976 -> 34,627 instructions per declaration). Re-entry cannot overlap an
    /// access: CTypes calls nothing outside itself while one is open (its one
    /// callout, the `CDeclarationBudget`, runs C and never Lua), so a finalizer or
    /// callback that re-enters the ffi starts only between CTypes calls; and a
    /// scope is used by one thread at a time.
    @exclusivity(unchecked) var table = SymbolTable()
    /// Pointer kinds to the plain scalar types, by `Self.scalarSlot` (allocated on first
    /// use): `const char *`, `void *`, `int *`... share one box instead of allocating
    /// one (32 bytes) per declarator.
    @exclusivity(unchecked) private var scalarPointers: [CType.Kind?] = []

    /// The kind of a pointer to `pointee`.
    @inline(__always) func pointer(to pointee: CType) -> CType.Kind {
        guard let slot = Self.scalarSlot(pointee) else { return .pointer(pointee) }
        return scalarPointer(to: pointee, slot: slot)
    }

    private func scalarPointer(to pointee: CType, slot: Int) -> CType.Kind {
        if scalarPointers.isEmpty { scalarPointers = Array(repeating: nil, count: Self.scalarSlots) }
        if let kind = scalarPointers[slot] { return kind }
        let kind = CType.Kind.pointer(pointee)
        scalarPointers[slot] = kind
        return kind
    }

    private static let scalarSlots = 15 << 3

    /// A slot for a scalar type without a payload box (void, bool, char, float, double,
    /// the integers of 1 to 16 bytes) and its qualifiers; nil for any other type.
    @inline(__always) private static func scalarSlot(_ type: CType) -> Int? {
        let slot: Int
        switch type.kind {
        case .void: slot = 0
        case .bool: slot = 1
        case .char: slot = 2
        case .float: slot = 3
        case .double: slot = 4
        case .integer(let size, let isSigned):
            guard size > 0, size <= 16, size & (size - 1) == 0 else { return nil }
            slot = 5 + size.trailingZeroBitCount * 2 + (isSigned ? 1 : 0)
        default: return nil
        }
        let qualifiers = Int(type.qualifiers.rawValue)
        guard qualifiers < 8 else { return nil }
        return slot << 3 | qualifiers
    }

    /// The chunk names `DeclaredAt.chunk` indexes, each once.
    @exclusivity(unchecked) var chunkNames: [String] = []
    @exclusivity(unchecked) var chunkIndices: [String: Int32] = [:]

    /// The index of `chunkName` in `chunkNames`, adding it when new.
    func chunkIndex(_ chunkName: String) -> Int32 {
        if let index = chunkIndices[chunkName] { return index }
        let index = Int32(chunkNames.count)
        chunkNames.append(chunkName)
        chunkIndices[chunkName] = index
        return index
    }

    /// The location `at` stands for (nil for a predefined typedef).
    func location(_ at: DeclaredAt) -> CSourceLocation? {
        guard at.chunk >= 0 else { return nil }
        return CSourceLocation(chunkName: chunkNames[Int(at.chunk)], line: Int(at.line), column: Int(at.column))
    }

    /// Creates a scope with the predefined typedefs of `target`.
    public init(target: TargetLayout = .host) {
        self.target = target
        table.typedefs = target == .host ? Self.hostPredefined : Self.predefined(for: target)
    }

    /// The host's predefined typedefs, built once: every scope shares them until it
    /// declares a typedef of its own (the map's arrays are copy-on-write). Immutable.
    nonisolated(unsafe) private static let hostPredefined = predefined(for: .host)

    private static func predefined(for target: TargetLayout) -> SymbolMap<Declared<CType>> {
        let long = target.long.size
        let pointerSized = { (isSigned: Bool) in CType(.integer(size: target.pointer.size, isSigned: isSigned)) }
        // Pairs, not a dictionary literal: this runs at every start-up, and hashing
        // the names twice costs more than the rest of making the scope.
        let types: [(String, CType)] = [
            ("int8_t", .int8), ("uint8_t", .uint8), ("int16_t", .int16), ("uint16_t", .uint16),
            ("int32_t", .int32), ("uint32_t", .uint32), ("int64_t", .int64), ("uint64_t", .uint64),
            ("intptr_t", pointerSized(true)), ("uintptr_t", pointerSized(false)),
            ("ptrdiff_t", pointerSized(true)),
            ("size_t", CType(.integer(size: long, isSigned: false))),
            ("ssize_t", CType(.integer(size: long, isSigned: true))),
            ("wchar_t", CType(.integer(size: target.wcharSize, isSigned: target.wcharIsSigned))),
            ("va_list", .pointer(to: .void)), ("__builtin_va_list", .pointer(to: .void)),
            ("__gnuc_va_list", .pointer(to: .void)),
        ]
        var map = SymbolMap<Declared<CType>>()
        for (name, type) in types { map.updateValue(Declared(value: type, at: .predefined), forKey: SymbolName(name)) }
        return map
    }

    /// The type a typedef name stands for.
    public func typedef(named name: String) -> CType? { table.typedefs[SymbolName(name)]?.value }
    /// The struct, union or enum with this tag.
    public func tag(named name: String) -> CTag? { table.tags[SymbolName(name)]?.value }
    /// A declared function.
    public func function(named name: String) -> CFunctionDeclaration? {
        guard let (key, entry) = table.functions.entry(forKey: SymbolName(name)) else { return nil }
        return CFunctionDeclaration(name: key.string, type: entry.value.type, asmName: entry.value.asmName)
    }
    /// A declared variable.
    public func variable(named name: String) -> CVariableDeclaration? {
        table.variables[SymbolName(name)]?.value
    }
    /// A named integer constant (enumerator or `static const`).
    public func constant(named name: String) -> CConstant? { table.constants[SymbolName(name)]?.value }

    /// Where a typedef was declared (nil for the predefined ones).
    public func location(ofTypedef name: String) -> CSourceLocation? {
        table.typedefs[SymbolName(name)].flatMap { location($0.at) }
    }
    /// Where a tag was first declared (or defined, when the definition came first).
    public func location(ofTag name: String) -> CSourceLocation? {
        table.tags[SymbolName(name)].flatMap { location($0.at) }
    }
    /// Where a function, variable or constant was first declared.
    public func location(of name: String) -> CSourceLocation? {
        let at = table.functions[SymbolName(name)]?.at ?? table.variables[SymbolName(name)]?.at
            ?? table.constants[SymbolName(name)]?.at
        return at.flatMap { location($0) }
    }

    /// All typedef names.
    public var typedefNames: some Collection<String> { table.typedefs.keys.map(\.string) }
    /// All declared function names.
    public var functionNames: some Collection<String> { table.functions.keys.map(\.string) }
    /// All tags.
    public var tagNames: some Collection<String> { table.tags.keys.map(\.string) }
    /// All declared variable names.
    public var variableNames: some Collection<String> { table.variables.keys.map(\.string) }
    /// All named constants (enumerators and `static const` integers).
    public var constantNames: some Collection<String> { table.constants.keys.map(\.string) }

    /// What a scope declared, by kind, each sorted: the typedefs (not the predefined
    /// ones), struct tags, union tags. Corresponds to Python cffi's `ffi.list_types()`.
    public func declaredTypes() -> (typedefs: [String], structs: [String], unions: [String]) {
        let typedefs = table.typedefs.entries.filter { $0.value.at.chunk >= 0 }.map(\.key.string)
        var structs: [String] = [], unions: [String] = []
        for (key, entry) in table.tags.entries {
            guard case .record(let record) = entry.value else { continue }
            if record.isUnion { unions.append(key.string) } else { structs.append(key.string) }
        }
        return (typedefs.sorted(), structs.sorted(), unions.sorted())
    }

    /// Parses and declares C declarations, all or nothing. Corresponds to `ffi.cdef`.
    ///
    /// On error nothing changes: no typedef, tag, symbol or constant is added and no
    /// struct or enum is completed. `$` in `source` takes the next of `parameters`.
    public func cdef(
        _ source: String, chunkName: String = "cdef", parameters: [CParameter] = [],
        options: CDefOptions = CDefOptions()
    ) throws(CDeclarationError) {
        _ = try parse(source, chunkName: chunkName, parameters: parameters, options: options) {
            (parser: inout Parser) throws(CDeclarationError) -> CType? in
            try parser.parseDeclarations()
            return nil
        }
    }

    /// `cdef` over UTF-8 bytes read in place (no `String`: the Lua layer passes the
    /// bytes of a Lua string, which can be megabytes of preprocessed headers).
    public func cdef(
        utf8 bytes: UnsafeBufferPointer<UInt8>, chunkName: String = "cdef", parameters: [CParameter] = [],
        options: CDefOptions = CDefOptions()
    ) throws(CDeclarationError) {
        _ = try parse(bytes, chunkName: chunkName, parameters: parameters, options: options) {
            (parser: inout Parser) throws(CDeclarationError) -> CType? in
            try parser.parseDeclarations()
            return nil
        }
    }

    /// Parses an abstract declarator such as `struct foo *` or `int (*)(int)`.
    /// Corresponds to `ffi.typeof` on a string. Inline struct definitions are allowed
    /// and, like any tag declared here, are kept only if parsing succeeds.
    public func parseType(
        _ text: String, chunkName: String = "typeof", parameters: [CParameter] = []
    ) throws(CDeclarationError) -> CType {
        let type = try parse(text, chunkName: chunkName, parameters: parameters) {
            (parser: inout Parser) throws(CDeclarationError) -> CType? in
            try parser.parseTypeName()
        }
        return type ?? .void
    }

    /// Runs `body` on a parser of `source` in a transaction: committed when it succeeds,
    /// rolled back when it fails. The source bytes are read in place (no copy).
    private func parse(
        _ source: String, chunkName: String, parameters: [CParameter], options: CDefOptions = CDefOptions(),
        _ body: (inout Parser) throws(CDeclarationError) -> CType?
    ) throws(CDeclarationError) -> CType? {
        var source = source
        let result: Result<CType?, CDeclarationError> = source.withUTF8 { bytes in
            do throws(CDeclarationError) {
                return .success(try parse(bytes, chunkName: chunkName, parameters: parameters, options: options, body))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// `parse` over bytes.
    private func parse(
        _ bytes: UnsafeBufferPointer<UInt8>, chunkName: String, parameters: [CParameter],
        options: CDefOptions = CDefOptions(), _ body: (inout Parser) throws(CDeclarationError) -> CType?
    ) throws(CDeclarationError) -> CType? {
        let transaction = Transaction(base: self, source: bytes, override: options.override)
        let result: Result<CType?, CDeclarationError> = {
            do throws(CDeclarationError) {
                var parser = try Parser(
                    bytes: bytes, chunkName: chunkName, transaction: transaction,
                    parameters: parameters)
                parser.pack = options.pack
                parser.cCasts = options.cCasts
                defer { parser.release() }
                do throws(CDeclarationError) {
                    let value = try body(&parser)
                    try parser.checkLexer()
                    if let error = parser.budgetError() { throw error }
                    return .success(value)
                } catch {
                    return .failure(parser.finalError(error))
                }
            } catch {
                return .failure(error)
            }
        }()
        warnings = transaction.warnings
        switch result {
        case .success(let value):
            let kept = transaction.keptBytes
            transaction.commit()
            keptBytes += kept
            budget?.charge(kept)
            return value
        case .failure(let error):
            transaction.rollBack()
            warnings = []
            throw error
        }
    }
}

/// The changes of one `cdef`, made in place in the scope's tables with an undo log (so
/// a successful `cdef` costs nothing more, and a failed one undoes exactly its own
/// changes): symbols added or replaced, records and enums completed.
final class Transaction {
    let base: CDeclarations
    // Exclusivity unchecked: see `CDeclarations.table`.
    @exclusivity(unchecked) private var typedefLog = UndoLog<Declared<CType>>()
    @exclusivity(unchecked) private var tagLog = UndoLog<Declared<CTag>>()
    @exclusivity(unchecked) private var functionLog = UndoLog<Declared<FunctionEntry>>()
    @exclusivity(unchecked) private var variableLog = UndoLog<Declared<CVariableDeclaration>>()
    @exclusivity(unchecked) private var constantLog = UndoLog<Declared<CConstant>>()
    /// The records this transaction completed are `base.completedRecords` from here on.
    private let firstCompletedRecord: Int
    /// Likewise the chunk names it added.
    private let firstChunkName: Int
    @exclusivity(unchecked) private var completedEnums: [CEnum] = []
    /// Redeclarations with another type, kept out (see `CDeclarations.warnings`).
    @exclusivity(unchecked) var warnings: [String] = []

    /// The scope's target (a stored `let`, so the parser can borrow it).
    let target: TargetLayout
    /// The source being parsed: the undo logs keep names as byte ranges in it.
    let source: UnsafeBufferPointer<UInt8>
    /// Whether redeclarations replace (`CDefOptions.override`).
    let override: Bool

    init(base: CDeclarations, source: UnsafeBufferPointer<UInt8>, override: Bool = false) {
        self.base = base
        self.source = source
        self.override = override
        target = base.target
        firstCompletedRecord = base.completedRecords.count
        firstChunkName = base.chunkNames.count
    }

    func typedef(_ key: SymbolName) -> Declared<CType>? { base.table.typedefs[key] }
    func tag(_ name: String) -> Declared<CTag>? { base.table.tags[SymbolName(name)] }
    func constant(_ name: String) -> Declared<CConstant>? { base.table.constants[SymbolName(name)] }
    func variable(_ name: String) -> Declared<CVariableDeclaration>? {
        base.table.variables[SymbolName(name)]
    }

    // The `add` functions take the token that spells the name (the identifier, or the
    // `$` of a name parameter): the undo logs keep where it is.

    /// Adds the typedef unless the name is taken; returns the existing entry (one hash).
    /// With `override`, replaces it (and returns nil).
    func addTypedefIfAbsent(_ key: SymbolName, at token: Token, _ value: Declared<CType>)
        -> Declared<CType>?
    {
        if override {
            typedefLog.record(key, at: token, in: source, replacing: base.table.typedefs.updateValue(value, forKey: key))
            return nil
        }
        let old = base.table.typedefs.insertIfAbsent(key, value)
        if old == nil { typedefLog.recordAdded(key, at: token, in: source) }
        return old
    }
    /// Adds the function unless the name is taken; returns the existing entry. With
    /// `override`, replaces it (and returns nil).
    func addFunctionIfAbsent(
        _ key: SymbolName, at token: Token, _ value: Declared<FunctionEntry>
    ) -> Declared<FunctionEntry>? {
        if override {
            functionLog.record(key, at: token, in: source, replacing: base.table.functions.updateValue(value, forKey: key))
            return nil
        }
        let old = base.table.functions.insertIfAbsent(key, value)
        if old == nil { functionLog.recordAdded(key, at: token, in: source) }
        return old
    }

    /// The tag's entry; when the name is free, first adds the one `make` builds (one
    /// hash either way).
    func tagOrAdd(_ key: SymbolName, at token: Token, _ make: () -> Declared<CTag>) -> Declared<CTag> {
        let (entry, added) = base.table.tags.valueOrInsert(key, make)
        if added { tagLog.recordAdded(key, at: token, in: source) }
        return entry
    }

    func addTag(_ name: String, at token: Token, _ value: Declared<CTag>) {
        let key = SymbolName(name)
        tagLog.record(key, at: token, in: source, replacing: base.table.tags.updateValue(value, forKey: key))
    }
    func addVariable(_ name: String, at token: Token, _ value: Declared<CVariableDeclaration>) {
        let key = SymbolName(name)
        variableLog.record(
            key, at: token, in: source, replacing: base.table.variables.updateValue(value, forKey: key))
    }
    func addConstant(_ name: String, at token: Token, _ value: Declared<CConstant>) {
        let key = SymbolName(name)
        constantLog.record(
            key, at: token, in: source, replacing: base.table.constants.updateValue(value, forKey: key))
    }
    /// Changes the type of a constant this transaction declared.
    func setType(ofConstant name: String, _ type: CType) {
        base.table.constants.modifyValue(forKey: SymbolName(name)) { $0.value.type = type }
    }

    /// Records that `record` was completed with `members` members, so a rollback can
    /// undo it (and the scope's `deinit` can break its cycles).
    func willComplete(_ record: CRecord, members: Int) {
        base.completedRecords.append(record)
        definitionBytes += 200 + 40 * members
    }
    /// Records that `enumeration` was completed.
    func willComplete(_ enumeration: CEnum) {
        completedEnums.append(enumeration)
        definitionBytes += 160
    }

    /// Bytes kept by the records and enums completed so far (see `keptBytes`).
    @exclusivity(unchecked) private var definitionBytes = 0

    /// About how many bytes this transaction's declarations keep: weights per entry
    /// measured with malloc statistics on x86-64 (a function 256 bytes, a struct of
    /// n fields 300 + 40n with its tag...), an estimate for memory limits.
    var keptBytes: Int {
        definitionBytes + 96 * (typedefLog.addedCount + tagLog.addedCount) + 256 * functionLog.addedCount
            + 128 * variableLog.addedCount + 160 * constantLog.addedCount
    }

    /// Keeps every change.
    func commit() {
        typedefLog = UndoLog()
        tagLog = UndoLog()
        functionLog = UndoLog()
        variableLog = UndoLog()
        constantLog = UndoLog()
        completedEnums = []
    }

    /// Undoes every change, newest first.
    func rollBack() {
        for record in base.completedRecords[firstCompletedRecord...] { record.resetToIncomplete() }
        base.completedRecords.removeSubrange(firstCompletedRecord...)
        while base.chunkNames.count > firstChunkName {
            base.chunkIndices[base.chunkNames.removeLast()] = nil
        }
        for enumeration in completedEnums { enumeration.resetToIncomplete() }
        typedefLog.undo(&base.table.typedefs, source: source)
        tagLog.undo(&base.table.tags, source: source)
        functionLog.undo(&base.table.functions, source: source)
        variableLog.undo(&base.table.variables, source: source)
        constantLog.undo(&base.table.constants, source: source)
        commit()
    }
}

/// What a transaction did to one symbol table: the names it added and the entries it
/// overwrote, with their previous values.
struct UndoLog<Value> {
    /// The byte range of an identifier in the source.
    struct SourceName {
        var start: Int32
        var end: Int32
    }

    /// Added names spelled in the source (the common case), as their byte ranges: 8
    /// bytes each where a key takes 24; `undo` rebuilds the keys from the source.
    var addedInSource: [SourceName] = []
    /// Other added names (`$` name parameters).
    var added: [SymbolName] = []
    var replaced: [(SymbolName, Value)] = []
    /// How many names were added.
    var addedCount: Int { addedInSource.count + added.count }

    mutating func record(
        _ name: SymbolName, at token: Token, in source: UnsafeBufferPointer<UInt8>, replacing old: Value?
    ) {
        if let old { replaced.append((name, old)) } else { recordAdded(name, at: token, in: source) }
    }

    /// Records that `name`, spelled by `token`, was added.
    @inline(__always) mutating func recordAdded(
        _ name: SymbolName, at token: Token, in source: UnsafeBufferPointer<UInt8>
    ) {
        // A name spliced by backslash-newline is not its source text: kept as a key.
        guard token.isIdentifier, name.string.utf8.count == token.end - token.start else {
            return added.append(name)
        }
        assert(identifierString(source, token.start, token.end) == name.string, "token does not spell the name")
        addedInSource.append(
            SourceName(start: Int32(truncatingIfNeeded: token.start), end: Int32(truncatingIfNeeded: token.end)))
    }

    /// Restores the overwritten entries (newest first), then removes the added names (a
    /// name added and then overwritten is removed in the end, as it should be).
    func undo(_ table: inout SymbolMap<Value>, source: UnsafeBufferPointer<UInt8>) {
        for (name, old) in replaced.reversed() { table.updateValue(old, forKey: name) }
        for name in added { table.removeValue(forKey: name) }
        for name in addedInSource {
            let string = identifierString(source, Int(name.start), Int(name.end))
            table.removeValue(forKey: SymbolName(string))
        }
    }
}
