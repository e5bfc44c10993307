// libFuzzer target for the C declaration parser; a plain build runs inputs from files.
//
// Fuzz build (see docs/ctypes.md): -sanitize=fuzzer,address and -DCTYPES_FUZZ; `main`
// then runs libFuzzer's driver. A plain build runs each file given as an argument once
// (to reproduce a crash under the debugger).
import CTypes

#if canImport(Glibc)
    import Glibc
#endif

/// One input: declared twice into one scope (the second time as redeclarations), then
/// parsed as a type name; every error must be a `CDeclarationError` and leave no trace.
func fuzzOne(_ bytes: UnsafeBufferPointer<UInt8>) {
    let source = String(decoding: bytes, as: UTF8.self)
    let parameters: [CParameter] = [
        .integer(3), .type(.int32), .name("n"), .type(.pointer(to: .char)),
    ]
    let scope = CDeclarations()
    if (try? scope.cdef(source, parameters: parameters)) != nil {
        _ = try? scope.cdef(source, parameters: parameters)
    }
    _ = try? scope.parseType(source, parameters: parameters)
    do {
        try scope.cdef(source, chunkName: "again", parameters: parameters)
    } catch {
        precondition(error.message.hasPrefix("again:"), "bad error \(error.message)")
    }
    fuzzInclude(source)
}

/// `ffi.include`'s pure parts on the input: a selection (blanking keeps every line),
/// line markers, integer macros.
func fuzzInclude(_ source: String) {
    if let selection = try? CHeaderSelection(source, chunkName: "h") {
        let kept = selection.source(keeping: Set(selection.declaredNames.prefix(3)))
        precondition(kept.utf8.count == source.utf8.count, "a selection changed the size")
        _ = try? CDeclarations().cdef(kept)
    }
    _ = CLineMarkers(source).origin(ofLine: 3)
    _ = CMacroConstants.declarations(CMacroConstants.parse(source))
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzOne(UnsafeBufferPointer(start: size > 0 ? data : nil, count: size))
    return 0
}

#if CTYPES_FUZZ
    /// libFuzzer's entry point for a program with its own `main` (SwiftPM links the
    /// executable's `main`, so libFuzzer's is not used).
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<Int32>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
    ) -> Int32
#endif

/// Fuzz build: hands over to libFuzzer. Plain build: runs each file named on the command
/// line through the target once.
@main struct CTypesFuzz {
    static func main() {
        #if CTYPES_FUZZ
            var argc = CommandLine.argc
            var argv = CommandLine.unsafeArgv
            exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzerTestOneInput))
        #else
            for path in CommandLine.arguments.dropFirst() {
                guard let bytes = readFile(path) else {
                    print("cannot read \(path)")
                    continue
                }
                bytes.withUnsafeBufferPointer { fuzzOne($0) }
                print("ok \(path)")
            }
        #endif
    }
}
