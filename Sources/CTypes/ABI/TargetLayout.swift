// Target facts (sizes, alignments, char signedness, layout rules) as a table, one per
// target: each target's table and calling rules are in a file of their own in this
// folder (X86_64SysV.swift, AArch64.swift); CallingRules.swift says which are implemented.

/// The size and alignment of one primitive type, in bytes.
public struct SizeAlign: Hashable, Sendable {
    /// The size in bytes.
    public var size: Int
    /// The alignment in bytes.
    public var alignment: Int
    /// Creates a size/alignment pair.
    public init(_ size: Int, _ alignment: Int) {
        self.size = size
        self.alignment = alignment
    }
}

/// The data layout of a C target: primitive sizes and the record layout rules.
///
/// Adding a target is adding a table, not code: see `x86_64SysV` (X86_64SysV.swift),
/// `aarch64Linux` and `aarch64Apple` (AArch64.swift).
public struct TargetLayout: Hashable, Sendable {
    /// The target's name, for diagnostics.
    public var name: String
    /// Whether plain `char` is signed.
    public var charIsSigned: Bool
    /// `short`, `int`, `long`, `long long` (integers are canonical by size; `long` gives the
    /// size of `long`, the others the layout of each size).
    public var short = SizeAlign(2, 2)
    public var int = SizeAlign(4, 4)
    public var long: SizeAlign
    public var longLong = SizeAlign(8, 8)
    /// Pointers (also references and function pointers).
    public var pointer: SizeAlign
    /// `float`, `double`, `long double`.
    public var float = SizeAlign(4, 4)
    public var double = SizeAlign(8, 8)
    public var longDouble: SizeAlign
    /// `__int128`, `_Float128`.
    public var int128 = SizeAlign(16, 16)
    public var float128 = SizeAlign(16, 16)
    /// `wchar_t` size and signedness.
    public var wcharSize = 4
    public var wcharIsSigned: Bool
    /// The alignment of `__attribute__((aligned))` without an argument.
    public var biggestAlignment: Int
    /// Unnamed bitfields raise the record's alignment (false on SysV and AAPCS64 Linux).
    public var unnamedBitfieldsAlignRecord = false
    /// `va_list` is a pointer (true on x86-64 as LuaJIT models it, Apple arm64); when
    /// false it is still modelled as `void *` (documented limit).
    public var vaListIsPointer = true

    /// The target this code was compiled for.
    public static var host: TargetLayout {
        #if arch(arm64) && canImport(Darwin)
            return .aarch64Apple
        #elseif arch(arm64)
            return .aarch64Linux
        #else
            return .x86_64SysV
        #endif
    }
}
