// Codable values to and from Lua tables.
import CLua
import CLuaCore

/// A Swift value on its way to or from Lua: plain values, and tables split into
/// their sequence part and their string-keyed part.
indirect enum LuaTree {
    case value(LuaValue)
    case table(array: [LuaTree], fields: [String: LuaTree])

    /// Pushes the tree as Lua values. `[-0, +1, m]`
    func push(to L: OpaquePointer) {
        switch self {
        case .value(let value): LuaState.push(value, to: L)
        case .table(let array, let fields):
            _ = lua_checkstack(L, 3)
            lua_createtable(L, Int32(clamping: array.count), Int32(clamping: fields.count))
            for (i, element) in array.enumerated() {
                element.push(to: L)
                lua_rawseti(L, -2, lua_Integer(i + 1))
            }
            for (key, field) in fields {
                LuaState.pushString(key, to: L)
                field.push(to: L)
                lua_rawset(L, -3)
            }
        }
    }

    /// Reads the value at `index` (tables recursively, up to `depth` levels; other
    /// keys than strings and 1...n are ignored). `[-0, +0, -]`
    static func read(_ L: OpaquePointer, _ index: Int32, depth: Int = 100) throws -> LuaTree {
        guard lua_type(L, index) == LUA_TTABLE else { return .value(LuaState.value(at: index, in: L)) }
        guard depth > 0, lua_checkstack(L, 3) != 0 else { throw LuaError(message: "table too deep to decode") }
        let table = lua_absindex(L, index)
        var array: [LuaTree] = []
        let count = Int(lua_rawlen(L, table))
        for i in 0..<count {
            lua_rawgeti(L, table, lua_Integer(i + 1))
            defer { lf_pop(L, 1) }
            array.append(try read(L, -1, depth: depth - 1))
        }
        var fields: [String: LuaTree] = [:]
        lua_pushnil(L)
        while lua_next(L, table) != 0 {
            if lua_type(L, -2) == LUA_TSTRING, let key = LuaState.string(at: -2, in: L) {
                do { fields[key] = try read(L, -1, depth: depth - 1) } catch { lf_pop(L, 2); throw error }
            }
            lf_pop(L, 1)
        }
        return .table(array: array, fields: fields)
    }
}

// MARK: - Encoding

/// A node being encoded (a container writes into it while it is open).
private final class Node {
    var tree: LuaTree = .value(.nil)
    var array: [Node]?
    var fields: [String: Node]?

    /// The finished tree.
    func resolve() -> LuaTree {
        if array != nil || fields != nil {
            return .table(array: (array ?? []).map { $0.resolve() },
                          fields: (fields ?? [:]).mapValues { $0.resolve() })
        }
        return tree
    }
}

/// Encodes `Encodable` values as Lua values: structs as tables with a field per
/// property, arrays as sequences, `nil` as `nil`.
struct LuaTreeEncoder: Encoder {
    fileprivate let node: Node
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    static func encode<T: Encodable>(_ value: T) throws -> LuaTree {
        let node = Node()
        try value.encode(to: LuaTreeEncoder(node: node, codingPath: []))
        return node.resolve()
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if node.fields == nil { node.fields = [:] }
        return KeyedEncodingContainer(Keyed<Key>(node: node, codingPath: codingPath))
    }
    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if node.array == nil { node.array = [] }
        return Unkeyed(node: node, codingPath: codingPath)
    }
    func singleValueContainer() -> any SingleValueEncodingContainer { Single(node: node, codingPath: codingPath) }

    /// Encodes a plain value or a nested `Encodable` into `node`.
    fileprivate static func put<T: Encodable>(_ value: T, into node: Node, path: [any CodingKey]) throws {
        switch value {
        case let v as Bool: node.tree = .value(.boolean(v))
        case let v as String: node.tree = .value(.string(v))
        case let v as Double: node.tree = .value(.number(v))
        case let v as Float: node.tree = .value(.number(Double(v)))
        case let v as any BinaryInteger:
            guard let i = Int64(exactly: v) else {
                throw EncodingError.invalidValue(v, .init(codingPath: path, debugDescription: "integer does not fit a Lua integer"))
            }
            node.tree = .value(.integer(i))
        default: try value.encode(to: LuaTreeEncoder(node: node, codingPath: path))
        }
    }

    private struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let node: Node
        var codingPath: [any CodingKey]
        func child(_ key: Key) -> Node {
            let child = Node()
            node.fields![key.stringValue] = child
            return child
        }
        mutating func encodeNil(forKey key: Key) throws {}
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            try LuaTreeEncoder.put(value, into: child(key), path: codingPath + [key])
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            LuaTreeEncoder(node: child(key), codingPath: codingPath + [key]).container(keyedBy: NestedKey.self)
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            LuaTreeEncoder(node: child(key), codingPath: codingPath + [key]).unkeyedContainer()
        }
        mutating func superEncoder() -> any Encoder { LuaTreeEncoder(node: node, codingPath: codingPath) }
        mutating func superEncoder(forKey key: Key) -> any Encoder { LuaTreeEncoder(node: child(key), codingPath: codingPath + [key]) }
    }

    private struct Unkeyed: UnkeyedEncodingContainer {
        let node: Node
        var codingPath: [any CodingKey]
        var count: Int { node.array!.count }
        func child() -> Node {
            let child = Node()
            node.array!.append(child)
            return child
        }
        mutating func encodeNil() throws { _ = child() }
        mutating func encode<T: Encodable>(_ value: T) throws {
            try LuaTreeEncoder.put(value, into: child(), path: codingPath)
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            LuaTreeEncoder(node: child(), codingPath: codingPath).container(keyedBy: NestedKey.self)
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            LuaTreeEncoder(node: child(), codingPath: codingPath).unkeyedContainer()
        }
        mutating func superEncoder() -> any Encoder { LuaTreeEncoder(node: child(), codingPath: codingPath) }
    }

    private struct Single: SingleValueEncodingContainer {
        let node: Node
        var codingPath: [any CodingKey]
        mutating func encodeNil() throws { node.tree = .value(.nil) }
        mutating func encode<T: Encodable>(_ value: T) throws {
            try LuaTreeEncoder.put(value, into: node, path: codingPath)
        }
    }
}

// MARK: - Decoding

/// Decodes `Decodable` values from Lua values (see `LuaTreeEncoder`). Integral
/// floats decode as integers, integers as floating-point numbers.
struct LuaTreeDecoder: Decoder {
    let tree: LuaTree
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .table(_, let fields) = tree else { throw mismatch("table") }
        return KeyedDecodingContainer(Keyed<Key>(fields: fields, codingPath: codingPath))
    }
    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .table(let array, _) = tree else { throw mismatch("table") }
        return Unkeyed(array: array, codingPath: codingPath)
    }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { Single(tree: tree, codingPath: codingPath) }

    func mismatch(_ expected: String) -> DecodingError {
        let got: String
        switch tree {
        case .table: got = "table"
        case .value(let v): got = LuaTreeDecoder.typeName(v)
        }
        return .typeMismatch(Any.self, .init(codingPath: codingPath, debugDescription: "\(expected) expected, got \(got)"))
    }

    static func typeName(_ value: LuaValue) -> String {
        if case .lightUserdata = value { return "light userdata" }
        return value.typeName
    }

    /// Decodes a plain value or a nested `Decodable`.
    static func take<T: Decodable>(_ type: T.Type, from tree: LuaTree, path: [any CodingKey]) throws -> T {
        let decoder = LuaTreeDecoder(tree: tree, codingPath: path)
        if case .value(let value) = tree {
            switch T.self {
            case is Bool.Type:
                if case .boolean(let b) = value { return b as! T }
                throw decoder.mismatch("boolean")
            case is String.Type:
                if case .string(let s) = value { return s as! T }
                if case .bytes(let b) = value { return String(decoding: b, as: UTF8.self) as! T }
                throw decoder.mismatch("string")
            case is Double.Type, is Float.Type:
                let d: Double
                switch value {
                case .integer(let i): d = Double(i)
                case .number(let n): d = n
                default: throw decoder.mismatch("number")
                }
                return (T.self == Double.self ? d as! T : Float(d) as! T)
            case let integer as any FixedWidthInteger.Type:
                let i: Int64
                switch value {
                case .integer(let v): i = v
                case .number(let n) where n == n.rounded() && abs(n) < 0x1p63: i = Int64(n)
                default: throw decoder.mismatch("number")
                }
                guard let result = integer.init(exactly: i) else {
                    throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "\(i) does not fit \(T.self)"))
                }
                return result as! T
            default: break
            }
        }
        return try T(from: decoder)
    }

    private struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let fields: [String: LuaTree]
        var codingPath: [any CodingKey]
        var allKeys: [Key] { fields.keys.compactMap { Key(stringValue: $0) } }
        func contains(_ key: Key) -> Bool { fields[key.stringValue] != nil }
        func field(_ key: Key) throws -> LuaTree {
            guard let tree = fields[key.stringValue] else {
                throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no field '\(key.stringValue)'"))
            }
            return tree
        }
        func decodeNil(forKey key: Key) throws -> Bool {
            if case .value(.nil) = fields[key.stringValue] ?? .value(.nil) { return true }
            return false
        }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            try LuaTreeDecoder.take(T.self, from: try field(key), path: codingPath + [key])
        }
        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            try LuaTreeDecoder(tree: try field(key), codingPath: codingPath + [key]).container(keyedBy: NestedKey.self)
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try LuaTreeDecoder(tree: try field(key), codingPath: codingPath + [key]).unkeyedContainer()
        }
        func superDecoder() throws -> any Decoder {
            LuaTreeDecoder(tree: .table(array: [], fields: fields), codingPath: codingPath)
        }
        func superDecoder(forKey key: Key) throws -> any Decoder {
            LuaTreeDecoder(tree: try field(key), codingPath: codingPath + [key])
        }
    }

    private struct Unkeyed: UnkeyedDecodingContainer {
        let array: [LuaTree]
        var codingPath: [any CodingKey]
        var currentIndex = 0
        var count: Int? { array.count }
        var isAtEnd: Bool { currentIndex >= array.count }
        init(array: [LuaTree], codingPath: [any CodingKey]) {
            self.array = array
            self.codingPath = codingPath
        }
        mutating func next() throws -> LuaTree {
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath, debugDescription: "end of sequence"))
            }
            defer { currentIndex += 1 }
            return array[currentIndex]
        }
        mutating func decodeNil() throws -> Bool {
            if !isAtEnd, case .value(.nil) = array[currentIndex] { currentIndex += 1; return true }
            return false
        }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            try LuaTreeDecoder.take(T.self, from: try next(), path: codingPath)
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            try LuaTreeDecoder(tree: try next(), codingPath: codingPath).container(keyedBy: NestedKey.self)
        }
        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            try LuaTreeDecoder(tree: try next(), codingPath: codingPath).unkeyedContainer()
        }
        mutating func superDecoder() throws -> any Decoder { LuaTreeDecoder(tree: try next(), codingPath: codingPath) }
    }

    private struct Single: SingleValueDecodingContainer {
        let tree: LuaTree
        var codingPath: [any CodingKey]
        func decodeNil() -> Bool {
            if case .value(.nil) = tree { return true }
            return false
        }
        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            try LuaTreeDecoder.take(T.self, from: tree, path: codingPath)
        }
    }
}

extension LuaState {
    /// Pushes an `Encodable` value as Lua values (structs become tables). `[-0, +1, m]`
    public func push<T: Encodable>(encoding value: T) throws {
        let L = try checkedHandle()
        try LuaTreeEncoder.encode(value).push(to: L)
    }

    /// Decodes the Lua value at `index` (a table, usually) as `T`. Throws
    /// `DecodingError` when it does not fit. `[-0, +0, -]`
    public func decode<T: Decodable>(_ type: T.Type, at index: Int32 = -1) throws -> T {
        let L = try checkedHandle()
        return try LuaTreeDecoder.take(T.self, from: try LuaTree.read(L, index), path: [])
    }

    /// Sets global `name` to an `Encodable` value.
    public func setGlobal<T: Encodable>(_ name: String, encoding value: T) throws {
        try push(encoding: value)
        try setGlobal(name)
    }

    /// Decodes global `name` as `T`.
    public func global<T: Decodable>(_ name: String, decoding type: T.Type) throws -> T {
        try pushGlobal(name)
        defer { pop() }
        return try decode(T.self)
    }
}

extension LuaTable {
    /// The table decoded as `T`.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (state, L) = try checked()
        push(to: L)
        defer { lf_pop(L, 1) }
        return try state.decode(T.self)
    }
}
