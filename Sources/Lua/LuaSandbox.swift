// Limits for states that run untrusted plugins: libraries, ffi, memory, time.
import CLua
import CLuaCore
import CLuaEmbedding
import LuaFFI

/// What a plugin's state may use and how much: the limits of `LuaState(sandbox:)`.
///
/// A sandboxed state never has `package.loadlib`, C modules (`package.cpath`,
/// the C searchers) or binary chunks (`load` accepts text only). Files (`io`,
/// `dofile`, `loadfile`, Lua modules from `package.path`) and processes
/// (`os.execute`, `os.exit`, `os.remove`, `os.getenv`...) are off unless their
/// library is granted in `libraries`; without `.os`, `os` offers only `clock`,
/// `time`, `date` and `difftime`. `require` always serves `package.preload`
/// (where `ffi` is offered).
public struct LuaSandbox: Sendable {
    /// The standard libraries to open (`.io` grants files, `.os` processes and
    /// files, `.debug` the debug API, which can reach past every other limit).
    public var libraries: LuaLibraries
    /// Whether `require "ffi"` works, and what it reaches.
    public var ffi: FFIAccess
    /// Bytes the state may allocate (nil: no limit).
    public var memoryLimit: Int?
    /// Lua VM instructions per call from Swift (nil: no limit). Counted in steps
    /// of `min(1000, limit)` instructions.
    public var instructionLimit: Int?
    /// Wall-clock time per call from Swift (nil: no limit); checked every 1000
    /// instructions (time spent inside one C or Swift function is not cut short).
    public var timeLimit: Duration?

    public init(libraries: LuaLibraries = .safe, ffi: FFIAccess = .off, memoryLimit: Int? = 16 << 20,
                instructionLimit: Int? = nil, timeLimit: Duration? = .seconds(1)) {
        self.libraries = libraries
        self.ffi = ffi
        self.memoryLimit = memoryLimit
        self.instructionLimit = instructionLimit
        self.timeLimit = timeLimit
    }
}

/// How much of the ffi module a sandboxed state gets.
public enum FFIAccess: Sendable, Equatable {
    /// `require "ffi"` fails: the module is not there.
    case off
    /// `ffi` with C functions and variables limited by name: `ffi.C.name` and
    /// `ffi.load(lib).name` raise unless allowed, and `ffi.load`/`ffi.dlopen`
    /// accept the listed libraries only. Declaring types, `ffi.new`, `ffi.cast`
    /// and the other data functions stay available: pointers made with `ffi.cast`
    /// still reach any memory, so this limits which C code runs by name, not what
    /// memory a plugin can touch. Use `.off` for code you do not trust at all.
    case allowlist(FFIAllowlist)
    /// The whole ffi module.
    case full
}

/// The C symbols a state may reach through the ffi: per library, the symbol names.
public struct FFIAllowlist: Sendable, Equatable {
    /// Symbols of the default namespace `ffi.C` (the process and libc).
    public var c: Set<String>
    /// Library name as passed to `ffi.load`/`ffi.dlopen` -> its allowed symbols.
    public var libraries: [String: Set<String>]

    public init(c: Set<String> = [], libraries: [String: Set<String>] = [:]) {
        self.c = c
        self.libraries = libraries
    }
}

extension LuaState {
    /// Creates a state for untrusted code, limited as `sandbox` says.
    public convenience init(sandbox: LuaSandbox) throws {
        try self.init(libraries: [], memoryLimit: nil)
        do {
            try applySandbox(sandbox)
        } catch {
            close()
            throw error
        }
        memoryLimit = sandbox.memoryLimit
    }

    /// Opens the libraries, trims them, offers the ffi and installs the limits.
    private func applySandbox(_ sandbox: LuaSandbox) throws {
        let L = try checkedHandle()
        try open(sandbox.libraries.union([.base, .package, .os]))
        try trimLibraries(sandbox.libraries)
        try check(lf_plimitfinalizers(L))  // `__gc` runs under the limits below
        switch sandbox.ffi {
        case .off: break
        case .full: try preloadFFI()
        case .allowlist(let allowlist): try preloadRestrictedFFI(allowlist)
        }
        try setLimits(instructions: sandbox.instructionLimit, time: sandbox.timeLimit)
    }

    /// Removes what the sandbox does not grant (see `LuaSandbox`).
    private func trimLibraries(_ granted: LuaLibraries) throws {
        let L = try checkedHandle()
        var flags: Int32 = 0
        if granted.contains(.package) { flags |= LF_SANDBOX_PACKAGE }
        if !granted.isDisjoint(with: [.io, .os]) { flags |= LF_SANDBOX_FILES }
        if granted.contains(.os) { flags |= LF_SANDBOX_OS }
        try check(lf_psandbox(L, flags))
    }

    /// Offers an ffi module limited to `allowlist` as `require "ffi"`.
    private func preloadRestrictedFFI(_ allowlist: FFIAllowlist) throws {
        let L = try checkedHandle()
        let base = top
        let chunk = Self.restrictedFFIChunk
        try check(chunk.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) {
                lf_loadbuffer(L, $0.baseAddress, $0.count, "=ffi allowlist", chunk.isBinary ? "b" : "t")
            }
        })
        lf_pushswiftfunction(L, openFFI, 0)
        Array(allowlist.c).push(to: L)
        allowlist.libraries.mapValues { Array($0) }.push(to: L)
        try call(arguments: 3, results: 1)
        try check(lf_ppreload(L, "ffi"))
        precondition(top == base)
    }

    /// `restrictedFFIScript` compiled once per process (an immutable constant: the
    /// bytecode of this very liblua, loaded by our own code only), or its source
    /// if compiling failed.
    static let restrictedFFIChunk: [UInt8] = {
        let source = Array(restrictedFFIScript.utf8)
        guard let L = luaL_newstate() else { return source }
        defer { lua_close(L) }
        let status = source.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { lf_loadbuffer(L, $0.baseAddress, $0.count, "=ffi allowlist", "t") }
        }
        guard status == LUA_OK else { return source }
        var dump: [UInt8] = []
        let written = withUnsafeMutablePointer(to: &dump) { buffer in
            lua_dump(L, { _, data, size, buffer in
                guard let data, let buffer else { return 1 }
                let bytes = UnsafeRawBufferPointer(start: data, count: size)
                buffer.assumingMemoryBound(to: [UInt8].self).pointee.append(contentsOf: bytes)
                return 0
            }, buffer, 0)
        }
        return written == 0 ? dump : source
    }()

    /// Builds the loader of the restricted ffi: arguments are the real opener,
    /// the allowed `C` symbols and the allowed libraries with their symbols.
    static let restrictedFFIScript = """
        local openffi, csymbols, libraries = ...
        local error, setmetatable, tostring, pairs = error, setmetatable, tostring, pairs
        local function set(list)
          local s = {}
          for _, name in ipairs(list) do s[name] = true end
          return s
        end
        local allowedC, allowedLibraries = set(csymbols), {}
        for name, symbols in pairs(libraries) do allowedLibraries[name] = set(symbols) end
        return function(...)
          local real = openffi(...)
          local ffi, guarded = {}, setmetatable({}, { __mode = "k" })
          local function guard(namespace, library, allowed)
            local proxy = setmetatable({}, {
              __index = function(_, name)
                if not allowed[name] then
                  error("ffi symbol '" .. tostring(name) .. "' of '" .. library
                    .. "' is not allowed in this state", 2)
                end
                return namespace[name]
              end,
              __newindex = function(_, name, value)
                if not allowed[name] then
                  error("ffi symbol '" .. tostring(name) .. "' of '" .. library
                    .. "' is not allowed in this state", 2)
                end
                namespace[name] = value
              end,
              __tostring = function() return "ffi.namespace: " .. library end,
              __metatable = false,
            })
            guarded[proxy] = namespace
            return proxy
          end
          local function loader(open, what)
            return function(name, ...)
              local allowed = allowedLibraries[name]
              if not allowed then
                error("ffi library '" .. tostring(name) .. "' is not allowed in this state", 2)
              end
              return guard(open(name, ...), name, allowed)
            end
          end
          for k, v in pairs(real) do ffi[k] = v end
          ffi.C = guard(real.C, "C", allowedC)
          ffi.load = loader(real.load)
          ffi.dlopen = loader(real.dlopen)
          ffi.dlclose = function(lib) return real.dlclose(guarded[lib] or lib) end
          ffi.include = nil  -- it runs the C compiler, whose flags can run any program
          return ffi
        end
        """
}

extension Array where Element == UInt8 {
    /// Whether the bytes are a precompiled Lua chunk (start with `LUA_SIGNATURE`).
    fileprivate var isBinary: Bool { first == 0x1B }
}
