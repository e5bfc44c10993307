// Whole system headers, preprocessed by `cc -E -P`, are accepted by cdef.

import CTypes
import Testing

@Suite struct HeaderTests {
    static let headers = [
        "stdio.h", "stdlib.h", "string.h", "math.h", "time.h", "sys/stat.h", "pthread.h",
        "zlib.h", "sqlite3.h", "complex.h", "regex.h", "signal.h", "sys/socket.h", "netdb.h",
    ]

    @Test(arguments: headers)
    func header(_ name: String) throws {
        let source = try CCompiler.preprocess(header: name)
        let scope = CDeclarations()
        try scope.cdef(source, chunkName: name)
        #expect(!scope.functionNames.isEmpty)
    }

    @Test func allHeadersInOneScope() throws {
        let scope = CDeclarations()
        for name in Self.headers {
            try scope.cdef(try CCompiler.preprocess(header: name), chunkName: name)
        }
        #expect(scope.function(named: "printf")?.type.isVariadic == true)
        #expect(scope.function(named: "sqlite3_open") != nil)
        #expect(scope.function(named: "deflate") != nil)
        #expect(scope.constant(named: "Z_OK") == nil || scope.constant(named: "Z_OK")?.value == 0)
    }
}
