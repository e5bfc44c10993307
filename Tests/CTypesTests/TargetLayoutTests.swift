// Other targets are tables of facts: the same code lays out AArch64 Linux and Apple.

import CTypes
import Testing

@Suite struct TargetLayoutTests {
    @Test func aarch64Linux() throws {
        let target = TargetLayout.aarch64Linux
        let scope = CDeclarations(target: target)
        try scope.cdef("struct s { char c; long double d; }; static const char C = 0xff;")
        #expect(try scope.parseType("struct s").size(on: target) == 32)
        #expect(try scope.parseType("long double").size(on: target) == 16)
        #expect(scope.constant(named: "C")?.value == 255)
        #expect(try scope.parseType("wchar_t").description == "unsigned int")
    }

    @Test func aarch64Apple() throws {
        let target = TargetLayout.aarch64Apple
        let scope = CDeclarations(target: target)
        try scope.cdef("struct s { char c; long double d; }; static const char C = 0xff;")
        #expect(try scope.parseType("struct s").size(on: target) == 16)
        #expect(try scope.parseType("long double").alignment(on: target) == 8)
        #expect(scope.constant(named: "C")?.value == -1)
    }

    @Test func hostIsX86_64OnThisMachine() {
        #if arch(x86_64)
            #expect(TargetLayout.host == .x86_64SysV)
        #endif
    }
}
