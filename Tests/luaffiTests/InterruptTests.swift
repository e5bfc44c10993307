// Ctrl-C: SIGINT stops the running chunk with "interrupted!" and a traceback, as
// lua5.4's signal handler does, also inside a blocking read.
import Foundation
import Testing

@Suite("SIGINT")
struct InterruptTests {
    @Test("SIGINT stops a chunk", arguments: [
        ["-e", "while true do end"],
        ["-e", "print(io.read())"],  // the read must not be restarted (no SA_RESTART)
    ])
    func interrupt(_ arguments: [String]) throws {
        let luaffi = try Programs.luaffi()
        let runs = try [Programs.lua, luaffi].map {
            try Run($0, arguments, keepInputOpen: true)
        }
        usleep(300_000)
        for run in runs { run.process.interrupt() }
        let (lua, ours) = (runs[0].finish(timeout: 5), runs[1].finish(timeout: 5))
        let firstLine = { (o: Outcome) in o.stderr.split(separator: 10).first.map(Array.init) ?? [] }
        #expect(ours.status == lua.status)
        #expect(ours.status == "exit 1")
        #expect(String(decoding: firstLine(ours), as: UTF8.self)
            == String(decoding: firstLine(lua), as: UTF8.self))
        #expect(String(decoding: ours.stderr, as: UTF8.self).contains("interrupted!\nstack traceback:\n"))
    }
}
