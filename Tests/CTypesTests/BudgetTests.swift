// A budget stops long cdefs (rolled back, with the position reached) and is told
// what committed declarations keep.

import CTypes
import Testing

@Suite struct BudgetTests {
    /// Stops after `checks` questions, or when more than `room` bytes would be kept.
    final class Budget: CDeclarationBudget {
        var checks: Int
        var room: Int
        var asked = 0
        var charged: [Int] = []
        init(checks: Int = .max, room: Int = .max) { (self.checks, self.room) = (checks, room) }
        func check(keeping bytes: Int) -> String? {
            asked += 1
            if asked > checks { return "time limit exceeded" }
            return bytes > room ? "not enough memory" : nil
        }
        func charge(_ bytes: Int) { charged.append(bytes) }
    }

    static func source(_ count: Int) -> String {
        (1...count).map { "struct s\($0) { int a; double b; }; int f\($0)(int);\n" }.joined()
    }

    @Test func aStopRollsBackAtThePositionReached() throws {
        let scope = CDeclarations()
        let budget = Budget(checks: 2)
        scope.budget = budget
        let error = try #require(throws: CDeclarationError.self) { try scope.cdef(Self.source(2_000)) }
        #expect(error.reason == "time limit exceeded" && error.line > 100 && error.line < 2_000, "\(error)")
        #expect(budget.asked == 3 && budget.charged.isEmpty)
        #expect(scope.tag(named: "s1") == nil && scope.keptBytes == 0)
    }

    @Test func keptBytesAreChargedOnCommit() throws {
        let scope = CDeclarations()
        let budget = Budget()
        scope.budget = budget
        try scope.cdef(Self.source(100))
        let kept = try #require(budget.charged.first)
        // 100 x (tag 96 + record of 2 fields 280 + function 256)
        #expect(kept == 100 * (96 + 280 + 256) && scope.keptBytes == kept)
        try scope.cdef(Self.source(100))  // the same again: nothing new
        #expect(budget.charged == [kept, 0])
        scope.budget = Budget(room: 1_000)
        let error = try #require(throws: CDeclarationError.self) { try scope.cdef("struct big { int a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u; };") }
        #expect(error.reason == "not enough memory" && scope.tag(named: "big") == nil)
    }
}
