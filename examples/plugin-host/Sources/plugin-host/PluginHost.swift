// A host that runs every plugin of a folder in its own limited Lua state.
import Foundation
import Lua

/// One plugin: its own sandboxed state and the hooks it returned.
final class Plugin {
    /// The file name without `.lua`.
    let name: String
    /// The plugin's state; nil once the plugin is disabled (the state is closed).
    private(set) var state: LuaState?
    /// The table the plugin's chunk returned (`{ on_message = function ... }`).
    private var hooks: LuaTable?
    /// Why the plugin was disabled, if it was.
    private(set) var disabledReason: String?
    /// Errors so far; a plugin is disabled at `maxStrikes`.
    private(set) var strikes = 0
    static let maxStrikes = 3

    init(name: String) { self.name = name }

    var isEnabled: Bool { disabledReason == nil }

    /// Loads the plugin file into a fresh sandbox. The first line may ask for C
    /// functions: `--! ffi: abs, getpid`.
    func load(path: String, log: @escaping (String) -> Void) {
        do {
            let source = try String(contentsOfFile: path, encoding: .utf8)
            let state = try LuaState(sandbox: Self.sandbox(for: source))
            try state.register("log") { [name] (message: String) in log("[\(name)] \(message)") }
            self.state = state
            hooks = try state.evaluate(source, name: "@" + (path as NSString).lastPathComponent, as: LuaTable.self)
        } catch {
            disable(because: "cannot load: \(Self.describe(error))")
        }
    }

    /// The limits every plugin runs with; ffi only for the symbols it declared.
    static func sandbox(for source: String) -> LuaSandbox {
        var sandbox = LuaSandbox(memoryLimit: 4 << 20, instructionLimit: 5_000_000, timeLimit: .milliseconds(200))
        if let first = source.split(separator: "\n", maxSplits: 1).first, first.hasPrefix("--! ffi:") {
            let symbols = first.dropFirst("--! ffi:".count).split(separator: ",")
                .map { $0.trimmingCharacters(in: .whitespaces) }
            sandbox.ffi = .allowlist(FFIAllowlist(c: Set(symbols)))
        }
        return sandbox
    }

    /// Calls hook `name` with one argument if the plugin has it. Returns its
    /// result as text, nil if the hook is absent or failed (then the failure is
    /// counted, and the plugin disabled when it ran out of limits or strikes).
    func call(_ hook: String, _ argument: LuaValue) -> String? {
        guard isEnabled, let hooks, let state else { return nil }
        do {
            guard let function = try hooks.get(hook, as: LuaFunction?.self) else { return nil }
            let results = try function.call(argument)
            try state.run("collectgarbage('step')")
            return results.first.map { $0.description } ?? "nil"
        } catch let error as LuaError where error.kind == .limit || error.kind == .memory {
            disable(because: "\(hook) stopped: \(error.message)")
        } catch {
            strikes += 1
            if strikes >= Self.maxStrikes {
                disable(because: "\(hook) failed \(strikes) times, last: \(Self.describe(error))")
            } else {
                FileHandle.standardError.write(Data("[\(name)] \(hook) failed: \(Self.describe(error))\n".utf8))
            }
        }
        return nil
    }

    /// Stops using the plugin: its state (and every object in it) goes away.
    private func disable(because reason: String) {
        disabledReason = reason
        hooks = nil
        state = nil
    }

    /// An error's one-line message.
    static func describe(_ error: any Error) -> String {
        (error as? LuaError)?.message ?? String(describing: error)
    }
}

/// Loads plugins from a folder and dispatches events to them.
final class PluginHost {
    private(set) var plugins: [Plugin] = []
    private let output: (String) -> Void

    init(output: @escaping (String) -> Void = { print($0) }) { self.output = output }

    /// Loads every `*.lua` file of `folder`, in name order.
    func loadPlugins(in folder: String) throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0.hasSuffix(".lua") }.sorted()
        for file in files {
            let plugin = Plugin(name: String(file.dropLast(4)))
            plugin.load(path: folder + "/" + file, log: output)
            plugins.append(plugin)
            output(plugin.isEnabled ? "loaded \(plugin.name)" : "disabled \(plugin.name): \(plugin.disabledReason!)")
        }
    }

    /// Sends `message` to every enabled plugin's `on_message` hook.
    func broadcast(_ message: String) {
        for plugin in plugins where plugin.isEnabled {
            if let reply = plugin.call("on_message", .string(message)) {
                output("\(plugin.name) replied: \(reply)")
            } else if !plugin.isEnabled {
                output("disabled \(plugin.name): \(plugin.disabledReason!)")
            }
        }
    }

    /// One line per plugin: enabled or why not.
    func summary() -> [String] {
        plugins.map { $0.isEnabled ? "\($0.name): ok" : "\($0.name): disabled (\($0.disabledReason!))" }
    }
}
