// The parser's temporary lists: members of the record bodies and parameters of the
// parameter lists being parsed.

/// A stack of values in one manually managed buffer, innermost list last. One buffer
/// serves a whole parse (no array allocated per struct body or parameter list), a
/// finished list is moved out without reference counting, and the views handed out
/// are plain pointers. Owned by one parser, released with `release()`.
struct ScratchStack<Element> {
    private var base: UnsafeMutablePointer<Element>?
    private(set) var count = 0
    private var capacity = 0

    init() {}

    /// Pushes `element` (invalidates the views handed out before).
    @inline(__always) mutating func push(_ element: consuming Element) {
        if count == capacity { grow() }
        (base.unsafelyUnwrapped + count).initialize(to: element)
        count &+= 1
    }

    private mutating func grow() {
        let newCapacity = max(8, capacity * 2)
        let newBase = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        if let base {
            newBase.moveInitialize(from: base, count: count)
            base.deallocate()
        }
        base = newBase
        capacity = newCapacity
    }

    /// The elements from index `first` on (valid until the next push or pop).
    func elements(from first: Int) -> UnsafeBufferPointer<Element> {
        guard let base else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: base + first, count: count - first)
    }

    /// Moves the elements from index `first` on into an array of exactly their number.
    mutating func popArray(from first: Int) -> [Element] {
        let n = count - first
        guard n > 0, let base else { return [] }
        count = first
        return Array(unsafeUninitializedCapacity: n) { buffer, initialized in
            buffer.baseAddress!.moveInitialize(from: base + first, count: n)
            initialized = n
        }
    }

    /// Drops the elements from index `first` on (nothing when they were moved out).
    @inline(__always) mutating func pop(to first: Int) {
        guard count > first else { return }
        base.unsafelyUnwrapped.advanced(by: first).deinitialize(count: count - first)
        count = first
    }

    /// Frees the buffer (call once, when done with the parser).
    func release() {
        guard let base else { return }
        base.deinitialize(count: count)
        base.deallocate()
    }
}
