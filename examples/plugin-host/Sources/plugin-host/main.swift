// plugin-host: loads every plugin (*.lua) of a folder, each in its own limited Lua
// state, sends them a few messages and keeps running whatever they do.
//
// Usage: plugin-host [folder]   (default: the plugins folder next to this example)
import Foundation

let folder = CommandLine.arguments.count > 1
    ? CommandLine.arguments[1]
    : URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../plugins").standardized.path
let host = PluginHost()
do {
    try host.loadPlugins(in: folder)
} catch {
    FileHandle.standardError.write(Data("plugin-host: \(error)\n".utf8))
    exit(1)
}
for message in ["hello", "how are you", "bye"] {
    print("-- message: \(message)")
    host.broadcast(message)
}
print("-- summary")
for line in host.summary() { print(line) }
