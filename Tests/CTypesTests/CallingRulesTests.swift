// The calls of a target whose calling convention is not implemented: what crosses them
// by value is refused with the target's name; x86-64 System V refuses nothing, and its
// classification and register rules (CTypes/ABI/X86_64SysV.swift).

import CTypes
import Testing

@Suite struct CallingRulesTests {
    static let declarations = """
        struct plain { int a; double b; float c[2]; };
        struct nested { struct plain p; long n; };
        union u { int i; float f; };
        struct holds_union { int tag; union u v; };
        struct bits { unsigned a : 3, b : 5; };
        struct __attribute__((packed)) tight { char c; int i; };
        struct wide { long double x; };
        struct arr_of_unions { union u items[2]; };
        """

    /// Each type and the part of it a target without implemented calls refuses.
    static let refused: [(String, String?)] = [
        ("int", nil), ("double", nil), ("char *", nil), ("struct plain", nil), ("struct nested", nil),
        ("union u", "a union ('union u')"),
        ("struct holds_union", "a union ('union u')"),
        ("struct bits", "a struct with bitfields ('struct bits')"),
        ("struct tight", "a packed struct ('struct tight')"),
        ("long double", "'long double'"),
        ("struct wide", "'long double'"),
        ("complex double", "a complex number"),
        ("struct arr_of_unions", "a union ('union u')"),
    ]

    @Test(arguments: [TargetLayout.aarch64Linux, .aarch64Apple])
    func unimplementedTargetsRefuseWhatOnlyX86RulesPass(target: TargetLayout) throws {
        #expect(!target.implementsCalls)
        let scope = CDeclarations(target: target)
        try scope.cdef(Self.declarations)
        for (spelling, part) in Self.refused {
            let refusal = target.byValueRefusal(try scope.parseType(spelling))
            if let part {
                #expect(refusal == "\(part) by value is not supported on \(target.name): only x86-64 System V calls are implemented")
            } else {
                #expect(refusal == nil, "\(spelling)")
            }
        }
    }

    @Test func x86_64SysVPassesEverything() throws {
        let target = TargetLayout.x86_64SysV
        #expect(target.implementsCalls)
        let scope = CDeclarations(target: target)
        try scope.cdef(Self.declarations)
        for (spelling, _) in Self.refused {
            #expect(target.byValueRefusal(try scope.parseType(spelling)) == nil, "\(spelling)")
        }
    }

    /// The eightbyte classes of x86-64 System V (psABI 3.2.3), as gcc passes these
    /// types (the call tests pass each through real C functions: CTestLib).
    @Test func sysVEightbyteClasses() throws {
        let scope = CDeclarations(target: .x86_64SysV)
        try scope.cdef(Self.declarations + """
            struct ff { float a, b; };
            struct di { double d; int i; };
            struct fi { float f; int i; };
            struct big { long a, b, c; };
            struct wrapped { struct wide w; };
            """)
        let expected: [(String, [Bool]?)] = [
            ("struct ff", [true]), ("struct di", [true, false]), ("struct fi", [false]),
            ("union u", [false]), ("struct holds_union", [false]), ("struct bits", [false]),
            ("struct plain", nil), ("struct big", nil), ("struct tight", nil), ("struct wide", nil),
        ]
        for (spelling, classes) in expected {
            #expect(SysVCalls.eightbyteClasses(of: try scope.parseType(spelling)) == classes, "\(spelling)")
        }
        #expect(SysVCalls.isSingleLongDouble(try scope.parseType("struct wrapped")))
        #expect(!SysVCalls.isSingleLongDouble(try scope.parseType("struct di")))
    }

    /// Six integer and eight floating registers, each kind counted on its own.
    @Test func sysVRegisterSlots() {
        let ints = [SysVCalls.RegisterClass?](repeating: .integer, count: 6)
        let floats = [SysVCalls.RegisterClass?](repeating: .floating, count: 8)
        #expect(SysVCalls.registerSlots(ints + floats) == Array(0..<14))
        #expect(SysVCalls.registerSlots([.floating, .integer, .floating]) == [6, 0, 7])
        #expect(SysVCalls.registerSlots(ints + [.integer]) == nil)
        #expect(SysVCalls.registerSlots(floats + [.floating]) == nil)
        #expect(SysVCalls.registerSlots([.integer, nil]) == nil)
        #expect(SysVCalls.registerSlots([]) == [])
    }
}
