// Stopping a state's running Lua code from another thread.
import CLua
import CLuaCore

/// Stops the Lua code that a state is running, from any thread.
///
/// Get one with `LuaState.interrupter()` and hand it to the thread that decides
/// (a watchdog, a UI's cancel button). `interrupt()` sets a flag that the state's
/// limit hook reads at its next check, every 1000 instructions at most (see
/// `LuaSandbox.instructionLimit`): the running call then fails with
/// `interrupted` (a ``LuaError/Kind/limit`` error, raised at every further
/// instruction as the other limits, so `pcall` cannot swallow it). Time spent
/// inside one C or Swift function is not cut short. An interrupt that arrives
/// while no Lua code runs is dropped when the next call from Swift starts.
public final class LuaInterrupter: Sendable {
    /// The flag, written with `lf_interrupt`, read and cleared by the hook. Lives
    /// as long as this object; the state keeps this object alive.
    nonisolated(unsafe) let flag: UnsafeMutablePointer<Int32>

    init() {
        flag = .allocate(capacity: 1)
        flag.initialize(to: 0)
    }

    deinit { flag.deallocate() }

    /// Asks the state to stop the Lua code it runs. Safe from any thread, at any
    /// time, also after the state was closed.
    public func interrupt() { lf_interrupt(flag) }
}

extension LuaState {
    /// The state's interrupter (made on first use). A state without instruction or
    /// time limits gets the limit hook now, with no budget: only interrupts trip it
    /// (and finalizers set up afterwards run under it, as in a sandbox).
    public func interrupter() throws -> LuaInterrupter {
        let L = try checkedHandle()
        if let interrupterObject { return interrupterObject }
        let made = LuaInterrupter()
        try installLimits(L).pointee.interrupt = made.flag
        interrupterObject = made
        return made
    }
}
