// cdata: C values owned by Lua. (The declarations layer only needs to recognise them.)
import CLua
import CTypes

extension FFIState {
    /// The C type of the cdata at `index`, or nil if the value is not a cdata.
    /// No cdata can be created yet, so every value answers nil.
    func cdataType(_ L: OpaquePointer, at index: Int32) -> CType? {
        nil
    }
}
