// busted (Debian's lua-busted) runs spec suites that use ffi under luaffi: the
// project's spec/ passes, and a fixture's known outcomes are counted right.
import Foundation
import Testing

/// The counts of busted's summary line (`-o plainTerminal`):
/// "2 successes / 1 failure / 1 error / 1 pending : 0.01 seconds".
struct BustedCounts: Equatable, CustomStringConvertible {
    var successes = 0, failures = 0, errors = 0, pendings = 0

    init(successes: Int, failures: Int, errors: Int, pendings: Int) {
        (self.successes, self.failures, self.errors, self.pendings) = (successes, failures, errors, pendings)
    }

    init?(summary output: String) {
        guard let line = output.split(separator: "\n").first(where: { $0.contains(" pending : ") }) else { return nil }
        let numbers = line.split(separator: " ").compactMap { Int($0) }
        guard numbers.count >= 4 else { return nil }
        self.init(successes: numbers[0], failures: numbers[1], errors: numbers[2], pendings: numbers[3])
    }

    var description: String { "\(successes) successes / \(failures) failures / \(errors) errors / \(pendings) pending" }
}

/// Runs `luaffi /usr/bin/busted -o plainTerminal <folder>` in `directory`; nil
/// (reason recorded) when luaffi or busted is missing.
func runBusted(_ folder: String, in directory: URL) throws -> (Outcome, BustedCounts?)? {
    guard let luaffi = Paths.luaffi else { skip("luaffi is not built: busted not run"); return nil }
    guard let busted = Paths.program("busted") else { skip("busted (lua-busted) is not installed"); return nil }
    let outcome = try run(luaffi, [busted, "-o", "plainTerminal", folder], in: directory)
    return (outcome, BustedCounts(summary: outcome.stdout))
}

@Suite struct BustedTests {
    @Test func specSuitePasses() throws {
        guard let (outcome, counts) = try runBusted("spec", in: Paths.packageRoot) else { return }
        #expect(outcome.status == 0, "\(outcome)")
        #expect(counts?.failures == 0 && counts?.errors == 0, "\(outcome)")
        #expect((counts?.successes ?? 0) >= 21, "spec/ should run at least 21 tests: \(String(describing: counts))")
    }

    @Test func countsKnownOutcomes() throws {
        guard let (outcome, counts) = try runBusted("busted", in: Paths.fixtures) else { return }
        #expect(outcome.status != 0, "busted must fail when a test fails:\n\(outcome)")
        #expect(counts == BustedCounts(successes: 2, failures: 1, errors: 1, pendings: 1), "\(outcome)")
    }
}
