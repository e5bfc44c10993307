// Instruction and time budgets: set at run time, and per call.
import CLua
import CLuaCore

/// An instruction and time budget for Lua code run from Swift (nil: no limit).
public struct LuaLimits: Sendable, Equatable {
    /// Lua VM instructions, counted in steps of `min(1000, instructions)`.
    public var instructions: Int?
    /// Wall-clock time, checked every 1000 instructions at most.
    public var time: Duration?

    public init(instructions: Int? = nil, time: Duration? = nil) {
        self.instructions = instructions
        self.time = time
    }
}

extension LuaState {
    /// The instruction budget of each call from Swift (nil: none). Can be changed
    /// at any time; inside a running call the new budget counts the instructions
    /// already run. Setting it always installs the budget (on a closed state it
    /// does nothing); see `setLimits(_:)` for the one failure it cannot report.
    public var instructionLimit: Int? {
        get { limits.flatMap { $0.pointee.instruction_limit > 0 ? Int($0.pointee.instruction_limit) : nil } }
        set { try? setLimits(instructions: newValue, time: timeLimit) }
    }

    /// The wall-clock budget of each call from Swift (nil: none). Can be changed at
    /// any time; inside a running call the new budget counts from now. Setting it
    /// always installs the budget, as `instructionLimit` does.
    public var timeLimit: Duration? {
        get { limits.flatMap { $0.pointee.time_limit > 0 ? .seconds($0.pointee.time_limit) : nil } }
        set { try? setLimits(instructions: instructionLimit, time: newValue) }
    }

    /// Sets `instructionLimit` and `timeLimit` together, reporting what the
    /// properties cannot: the budget is in place either way, and finalizers set up
    /// afterwards run under it once `setmetatable` is wrapped, which needs a little
    /// memory. If that fails (the state is at its memory limit) this throws the
    /// memory error after installing the budget, and finalizers set up until a
    /// later call succeeds run outside it. Throws a `.state` error after `close()`.
    public func setLimits(_ budget: LuaLimits) throws {
        try setLimits(instructions: budget.instructions, time: budget.time)
    }

    /// Runs `body` with `limits` as the budget of the Lua code it runs from Swift:
    /// outside Lua, each call in `body` (`run`, `call`, accessors) gets these limits
    /// instead of the state's; inside a running call (in a Swift function called
    /// from Lua), the running budget is only tightened, never extended, and a trip
    /// of the tighter budget stops only what `body` runs. The state's limits are
    /// back when `body` returns.
    @discardableResult
    public func withLimits<T>(_ budget: LuaLimits, _ body: () throws -> T) throws -> T {
        let L = try checkedHandle()
        let limits = try installLimits(L)
        let saved = limits.pointee
        defer {
            limits.pointee.instruction_limit = saved.instruction_limit
            limits.pointee.time_limit = saved.time_limit
            if core.callDepth > 0 {
                limits.pointee.deadline = saved.deadline
                // A trip of the tighter budget ends with it (an interrupt stays).
                if saved.tripped == 0, limits.pointee.tripped != 3 { limits.pointee.tripped = 0 }
            }
            if core.handle != nil { applyStep(L, limits) }
        }
        let instructions = Int64(budget.instructions.map { max($0, 1) } ?? 0)
        let seconds = budget.time.map(Self.seconds) ?? 0
        if core.callDepth > 0 {
            tighten(limits, instructions: instructions, seconds: seconds)
        } else {
            limits.pointee.instruction_limit = instructions
            limits.pointee.time_limit = seconds
        }
        applyStep(L, limits)
        return try body()
    }

    /// Runs a chunk under `limits` (see `withLimits`) and returns its results.
    @discardableResult
    public func run(_ code: String, name: String? = nil, limits: LuaLimits) throws -> [LuaValue] {
        try withLimits(limits) { try run(code, name: name) }
    }

    /// Calls global function `name` under `limits` (see `withLimits`).
    @discardableResult
    public func call(_ name: String, _ arguments: LuaValue..., limits: LuaLimits) throws -> [LuaValue] {
        try withLimits(limits) { try call(name, arguments) }
    }

    /// Sets the state's limits (see `setLimits(_:)`): the budget first, then the
    /// wrapping of finalizers, whose failure throws.
    func setLimits(instructions: Int?, time: Duration?) throws {
        let L = try checkedHandle()
        if limits == nil, instructions == nil, time == nil { return }
        let limits = hookLimits(L)
        let seconds = time.map(Self.seconds) ?? 0
        limits.pointee.instruction_limit = Int64(instructions.map { max($0, 1) } ?? 0)
        if core.callDepth > 0 { limits.pointee.deadline = seconds > 0 ? lf_monotonic() + seconds : 0 }
        limits.pointee.time_limit = seconds
        applyStep(L, limits)
        try check(lf_plimitfinalizers(L))
    }

    /// Tightens the running budget to at most `instructions` more and `seconds`
    /// from now (0: no change).
    private func tighten(_ limits: UnsafeMutablePointer<lf_Limits>, instructions: Int64, seconds: Double) {
        if instructions > 0 {
            let cap = limits.pointee.instructions + instructions
            let current = limits.pointee.instruction_limit
            limits.pointee.instruction_limit = current > 0 ? min(current, cap) : cap
        }
        if seconds > 0 {
            let cap = lf_monotonic() + seconds
            let current = limits.pointee.deadline
            limits.pointee.deadline = current > 0 ? min(current, cap) : cap
        }
    }

    /// The hook step for the instruction budget, set on the main thread (coroutines
    /// take it up at their next check).
    private func applyStep(_ L: OpaquePointer, _ limits: UnsafeMutablePointer<lf_Limits>) {
        let budget = limits.pointee.instruction_limit
        limits.pointee.step = Int32(budget > 0 ? min(budget, 1000) : 1000)
        lf_setlimits(L, limits)
    }

    /// The state's `lf_Limits`, made (with no budget) and hooked in on first use;
    /// finalizers set up afterwards run under the limits (see `LuaSandbox`). Throws
    /// if wrapping them fails (out of memory), with the limits in place.
    func installLimits(_ L: OpaquePointer) throws -> UnsafeMutablePointer<lf_Limits> {
        if let limits { return limits }
        let limits = hookLimits(L)
        try check(lf_plimitfinalizers(L))
        return limits
    }

    /// The state's `lf_Limits`, made (with no budget) and hooked in on first use.
    private func hookLimits(_ L: OpaquePointer) -> UnsafeMutablePointer<lf_Limits> {
        if let limits { return limits }
        let limits = UnsafeMutablePointer<lf_Limits>.allocate(capacity: 1)
        limits.initialize(to: lf_Limits())
        limits.pointee.step = 1000
        self.limits = limits
        lf_setlimits(L, limits)
        return limits
    }

    /// A duration in seconds, at least a nanosecond.
    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return max(Double(seconds) + Double(attoseconds) * 1e-18, 1e-9)
    }
}
