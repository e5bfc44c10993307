// AArch64: the layout tables. Calls are not implemented for it (CallingRules.swift):
// libffi makes them and what needs AAPCS64's own rules is refused. What adding it
// takes is in docs/architecture.md, "Targets".

extension TargetLayout {
    /// AArch64 Linux (AAPCS64): unsigned char, 128-bit long double.
    public static let aarch64Linux = TargetLayout(
        name: "aarch64", charIsSigned: false, long: SizeAlign(8, 8), pointer: SizeAlign(8, 8),
        longDouble: SizeAlign(16, 16), wcharIsSigned: false, biggestAlignment: 16)
    /// AArch64 Apple (arm64 Darwin): signed char, long double is double.
    public static let aarch64Apple = TargetLayout(
        name: "arm64-apple", charIsSigned: true, long: SizeAlign(8, 8), pointer: SizeAlign(8, 8),
        longDouble: SizeAlign(8, 8), wcharIsSigned: true, biggestAlignment: 16)
}
