// ffi.include: declarations straight from a real header, through the system C
// preprocessor, all of it or the declarations that `only` names with what they need.
import CLua
import CLuaCore
import CTypes

/// Keeps the names that match one of the patterns in full (`^pattern$`, Lua patterns).
/// Run in protected mode: a bad pattern is a Lua error, and `string.find` may raise.
private let matchNames = """
    local names, patterns = ...
    local kept = {}
    for _, pattern in ipairs(patterns) do
      local anchored = "^" .. pattern .. "$"
      for _, name in ipairs(names) do
        if string.find(name, anchored) then kept[#kept + 1] = name end
      end
    end
    return kept
    """

/// What `ffi.include`'s options table asks for.
private struct IncludeOptions {
    var flags: [String] = []
    var patterns: [String]?
    var defines = false
}

/// `ffi.include(header [, {cflags =, only =, defines =}])`.
func ffiInclude(_ L: OpaquePointer?) -> Int32 {
    ffiEntry(L) { ffi, L throws(FFIError) in
        guard let header = stringArgument(L, 1), !header.isEmpty else {
            throw FFIError.type(1, "include", expected: "string", in: L)
        }
        let options = try includeOptions(L, 2)
        let preprocessor = Preprocessor(flags: options.flags)
        try ffi.declareHeader(L, header, preprocessor.run(including: header), options)
        if options.defines {
            try ffi.declareMacros(L, header, preprocessor.run(including: header, definitions: true), options)
        }
        return 0
    }
}

extension FFIState {
    /// Declares the preprocessed `source` of `header`, or what `only` selects of it.
    fileprivate func declareHeader(
        _ L: OpaquePointer, _ header: String, _ source: String, _ options: IncludeOptions
    ) throws(FFIError) {
        let markers = CLineMarkers(source)
        var source = source
        if let patterns = options.patterns {
            let selection: CHeaderSelection
            do throws(CDeclarationError) {
                selection = try CHeaderSelection(source, chunkName: header)
            } catch {
                throw FFIError(markers.mapped(error))
            }
            let matched = try matching(L, selection.declaredNames, patterns)
            guard !matched.isEmpty || options.defines else {
                throw FFIError("include: no declaration of \(header) matches 'only'")
            }
            source = selection.source(keeping: matched)
        }
        try cdef(L, source, chunkName: header, markers: markers)
    }

    /// Declares the integer macros of `definitions` (`cc -dM -E` output) that `only`
    /// selects and the scope does not declare yet.
    fileprivate func declareMacros(
        _ L: OpaquePointer, _ header: String, _ definitions: String, _ options: IncludeOptions
    ) throws(FFIError) {
        var constants = CMacroConstants.parse(definitions)
        if let patterns = options.patterns {
            let matched = try matching(L, constants.map(\.name), patterns)
            constants = constants.filter { matched.contains($0.name) }
        }
        constants = constants.filter { constant in
            let name = constant.name
            return declarations.constant(named: name) == nil && declarations.function(named: name) == nil
                && declarations.variable(named: name) == nil && declarations.typedef(named: name) == nil
        }
        try cdef(L, CMacroConstants.declarations(constants), chunkName: header + " (#define)", markers: nil)
    }
}

extension FFIState {
    /// Declares `source` as `ffi.cdef` does (redeclarations with another type are
    /// Lua warnings); a parse error is reported where the header has the line.
    fileprivate func cdef(_ L: OpaquePointer, _ source: String, chunkName: String, markers: CLineMarkers?) throws(FFIError) {
        do throws(CDeclarationError) {
            try declarations.cdef(source, chunkName: chunkName)
        } catch {
            throw FFIError(markers?.mapped(error) ?? error)
        }
        for warning in declarations.warnings {
            lua_warning(L, markers.map { located(warning, chunkName: chunkName, $0) } ?? warning, 0)
        }
    }

    /// A warning `chunk:line:...` at the header's own file and line.
    private func located(_ warning: String, chunkName: String, _ markers: CLineMarkers) -> String {
        let rest = warning.dropFirst(chunkName.count + 1)
        guard warning.hasPrefix(chunkName + ":"), let colon = rest.firstIndex(of: ":"), let line = Int(rest[..<colon]),
              let origin = markers.origin(ofLine: line) else { return warning }
        return "\(origin.file):\(origin.line)" + rest[colon...]
    }

    /// The names that match a pattern (Lua's matcher, run protected). `[-0, +0, m]`
    fileprivate func matching(_ L: OpaquePointer, _ names: [String], _ patterns: [String]) throws(FFIError) -> Set<String> {
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        var chunk = matchNames
        let status = chunk.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) {
                lf_loadbuffer(L, $0.baseAddress, $0.count, "=ffi.include", "t")
            }
        }
        guard status == LUA_OK else { throw FFIError("include: cannot load the name matcher") }
        for list in [names, patterns] {
            lua_createtable(L, Int32(clamping: list.count), 0)
            for (i, name) in list.enumerated() {
                pushString(L, name)
                lua_rawseti(L, -2, lua_Integer(i + 1))
            }
        }
        guard lf_pcall(L, 2, 1, 0) == LUA_OK else {
            throw FFIError("bad argument #2 to 'include' ('only': \(lf_tostring(L, -1).map { String(cString: $0) } ?? "error"))")
        }
        var kept = Set<String>()
        let count = lua_rawlen(L, -1)
        if count > 0 {
            for i in 1...count {
                lua_rawgeti(L, -1, lua_Integer(i))
                if let name = stringArgument(L, -1) { kept.insert(name) }
                lf_pop(L, 1)
            }
        }
        return kept
    }
}

/// The options table at `index` (absent: none). `[-0, +0, m]`
private func includeOptions(_ L: OpaquePointer, _ index: Int32) throws(FFIError) -> IncludeOptions {
    var options = IncludeOptions()
    guard lua_type(L, index) > LUA_TNIL else { return options }
    guard lua_type(L, index) == LUA_TTABLE else { throw FFIError.type(index, "include", expected: "table", in: L) }
    rawField(L, index, "cflags")
    options.flags = try strings(L, -1, "cflags", splitting: true)
    rawField(L, index, "only")
    if lua_type(L, -1) > LUA_TNIL { options.patterns = try strings(L, -1, "only", splitting: false) }
    rawField(L, index, "defines")
    options.defines = lua_toboolean(L, -1) != 0
    lf_pop(L, 3)
    return options
}

/// A string (split at spaces when `splitting`) or a table of strings at `index`.
private func strings(_ L: OpaquePointer, _ index: Int32, _ option: String, splitting: Bool) throws(FFIError) -> [String] {
    let index = lua_absindex(L, index)
    if lua_type(L, index) <= LUA_TNIL { return [] }
    if let text = stringArgument(L, index) {
        return splitting ? text.split(separator: " ").map(String.init) : [text]
    }
    guard lua_type(L, index) == LUA_TTABLE else {
        throw FFIError("bad argument #2 to 'include' ('\(option)' must be a string or a table of strings)")
    }
    var result: [String] = []
    let count = lua_rawlen(L, index)
    for i in 0..<count {
        lua_rawgeti(L, index, lua_Integer(i + 1))
        defer { lf_pop(L, 1) }
        guard let text = stringArgument(L, -1) else {
            throw FFIError("bad argument #2 to 'include' ('\(option)' must be a string or a table of strings)")
        }
        result.append(text)
    }
    return result
}
