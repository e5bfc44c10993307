// The Lua state's limits as long Swift work of the ffi module meets them.
import CLuaCore
import CTypes

/// Holds `ffi.cdef` to the state's limits: a long parse stops when the time limit
/// passes or the state is interrupted (and the Lua code after it stops too), and
/// the memory its declarations keep counts in the state's memory use and limit
/// (`not enough memory`, rolled back, when it does not fit). Callbacks are counted
/// too, while they exist. States that stock lua5.4 made have none (no
/// `lf_StateInfo`).
final class StateBudget: CDeclarationBudget {
    /// The state's allocator data: valid until `lua_close`, which the ffi state
    /// (and so this budget) does not outlive.
    private let info: UnsafeMutablePointer<lf_StateInfo>

    init(_ info: UnsafeMutablePointer<lf_StateInfo>) { self.info = info }

    func check(keeping bytes: Int) -> String? {
        if let reason = lf_budgetcheck(info) { return String(cString: reason) }
        return lf_memoryroom(info, bytes) != 0 ? nil : "not enough memory"
    }

    func charge(_ bytes: Int) { lf_chargememory(info, bytes) }

    /// Charges `bytes` if they fit under the memory limit.
    func reserve(_ bytes: Int) -> Bool {
        guard lf_memoryroom(info, bytes) != 0 else { return false }
        lf_chargememory(info, bytes)
        return true
    }

    /// Takes back a charge (the memory was freed; callbacks die with the ffi
    /// state, during `lua_close` at the latest, while `info` is valid).
    func refund(_ bytes: Int) { lf_refundmemory(info, bytes) }
}

extension Callback {
    /// What a callback keeps outside Lua, about: the object, its C block, its
    /// error value and a libffi closure.
    static let keptBytes = 512
}
