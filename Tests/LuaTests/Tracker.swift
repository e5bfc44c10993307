// Counts live instances, to prove that nothing is leaked across the boundary.
import Synchronization

/// An object whose live instances are counted (per tag, so tests can run in parallel).
final class Tracker: Sendable {
    static let live = Mutex<[String: Int]>([:])
    let tag: String

    init(_ tag: String) {
        self.tag = tag
        Self.live.withLock { $0[tag, default: 0] += 1 }
    }

    deinit {
        let tag = self.tag
        Self.live.withLock { $0[tag, default: 0] -= 1 }
    }

    static func count(_ tag: String) -> Int { live.withLock { $0[tag, default: 0] } }
}

/// A Swift error that carries a tracked object.
struct TrackedError: Error, CustomStringConvertible {
    let tracker: Tracker
    let code: Int
    var description: String { "tracked failure \(code)" }
}
