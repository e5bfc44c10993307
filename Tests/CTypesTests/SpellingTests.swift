// Type names parse and print back with LuaJIT's `ctype<...>` spelling.

import CTypes
import Testing

@Suite struct SpellingTests {
    @Test(arguments: [
        ("int", "int"),
        ("unsigned", "unsigned int"),
        ("long unsigned int", "uint64_t"),
        ("long long int", "int64_t"),
        ("unsigned long long", "uint64_t"),
        ("int64_t", "int64_t"),
        ("uint8_t[16]", "unsigned char [16]"),
        ("signed char", "signed char"),
        ("char", "char"),
        ("short", "short"),
        ("unsigned short int", "unsigned short"),
        ("_Bool", "bool"),
        ("long double", "long double"),
        ("complex double", "complex double"),
        ("_Complex float", "complex float"),
        ("const char *", "const char *"),
        ("char const *", "const char *"),
        ("int * const", "int *const"),
        ("const int * volatile", "const int *volatile"),
        ("int[10]", "int [10]"),
        ("int[2][3]", "int [2][3]"),
        ("int[?]", "int [?]"),
        ("char *[]", "char *[]"),
        ("int (*)[]", "int (*)[]"),
        ("char (*)[8]", "char (*)[8]"),
        ("int (**)[4]", "int (**)[4]"),
        ("int (*)(int, double)", "int (*)(int, double)"),
        ("int (*)(int)", "int (*)(int)"),
        ("int (*)()", "int (*)(void)"),
        ("int (*)(void)", "int (*)(void)"),
        ("int (*[3])(void)", "int (*[3])(void)"),
        ("int (*)(const char *, ...)", "int (*)(const char *, ...)"),
        ("void (*(*)(int))(double)", "void (*(*)(int))(double)"),
        ("void (*)(int (*)(int))", "void (*)(int (*)(int))"),
        ("void (*)(int[3])", "void (*)(int *)"),
        ("int &", "int &"),
        ("int (&)[3]", "int (&)[3]"),
        ("size_t", "uint64_t"),
        ("va_list", "void *"),
        ("float __attribute__((vector_size(16)))", "float __attribute__((vector_size(16)))"),
        ("int __attribute__((mode(QI)))", "signed char"),
        ("unsigned __attribute__((__mode__(__HI__)))", "unsigned short"),
        ("__int128", "__int128"),
        ("void * __restrict", "void *restrict"),
        ("__const__ int", "const int"),
        ("int (__stdcall *)(int)", "int (*)(int)"),
        ("__typeof__(int *)", "int *"),
    ])
    func spelling(_ input: String, _ expected: String) throws {
        let scope = CDeclarations()
        #expect(try scope.parseType(input).description == expected)
    }

    @Test func namedTypes() throws {
        let scope = CDeclarations()
        try scope.cdef(
            "struct foo { int a; }; enum bar { X }; typedef struct foo foo_t; union u { int x; };")
        #expect(try scope.parseType("struct foo *").description == "struct foo *")
        #expect(try scope.parseType("enum bar").description == "enum bar")
        #expect(try scope.parseType("foo_t").description == "struct foo")
        #expect(try scope.parseType("struct foo[3]").description == "struct foo [3]")
        #expect(try scope.parseType("const union u *").description == "const union u *")
        #expect(try scope.parseType("struct { int a; }").description == "struct <anonymous>")
    }

    @Test func declarationSpelling() throws {
        let type = try CDeclarations().parseType("int (*[3])(void)")
        #expect(type.declaration(named: "table") == "int (*table[3])(void)")
    }
}
