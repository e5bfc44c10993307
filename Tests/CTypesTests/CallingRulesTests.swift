// The calls of a target whose calling convention is not implemented: what crosses them
// by value is refused with the target's name; x86-64 System V refuses nothing.

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
}
