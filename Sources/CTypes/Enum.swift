// C enums: nominal, with named constants and an underlying integer type.

/// One enumerator.
public struct CEnumConstant: Hashable, Sendable {
    /// The enumerator's name.
    public var name: String
    /// The value as a two's complement bit pattern; read it as `UInt64(bitPattern:)` when
    /// the enum's underlying type is unsigned 64-bit.
    public var value: Int64
    /// Creates an enumerator.
    public init(name: String, value: Int64) {
        self.name = name
        self.value = value
    }
}

/// An enum. Compared by identity; created incomplete (`enum foo;`) and completed later.
public final class CEnum: Hashable, CustomStringConvertible {
    /// The tag, nil when anonymous.
    public let tag: String?
    /// The enumerators in declaration order.
    public internal(set) var constants: [CEnumConstant] = []
    /// The underlying integer type: `unsigned int` when no value is negative, `int` when
    /// one is, 64-bit when a value needs it (as GCC does), or the declared `enum x : T`.
    public internal(set) var underlying: CType = .uint32
    /// Whether the enumerator list has been declared.
    public internal(set) var isComplete = false
    /// Where the enumerator list was defined (nil while incomplete).
    public internal(set) var location: CSourceLocation?

    /// Creates an incomplete enum.
    public init(tag: String?) { self.tag = tag }

    /// `enum tag`, or `enum <anonymous>`.
    public var description: String { "enum \(tag ?? "<anonymous>")" }

    /// The value of the named enumerator.
    public func value(of name: String) -> Int64? {
        constants.first { $0.name == name }?.value
    }

    /// Completes the enum.
    func complete(constants: [CEnumConstant], underlying: CType) {
        self.constants = constants
        self.underlying = underlying
        isComplete = true
    }

    /// Returns the enum to the incomplete state (rollback).
    func resetToIncomplete() {
        constants = []
        underlying = .uint32
        isComplete = false
        location = nil
    }

    public static func == (a: CEnum, b: CEnum) -> Bool { a === b }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}
