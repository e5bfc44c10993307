// How deeply a type nests and how big it unfolds: bounded, so that every recursive
// walk over a type (hashing, equality, interning, initializers, libffi descriptions)
// stays shallow and short. Types share parts (`typedef int (*f2)(f1, f1)`), so a
// small declaration can unfold exponentially; the walk below stops early.

/// The bounds, as LuaJIT bounds its declaration stack.
public enum CNesting {
    /// The deepest a type may nest: derivation steps (`*`, `&`, `[n]`, `(...)`)
    /// plus records contained by value. Far beyond real C, far below the stack.
    public static let maximum = 200
    /// The most parts (types, counted as a tree) a type may unfold to.
    public static let maximumParts = 4096
}

extension CType {
    /// The nesting depth of this type, or `CNesting.maximum + 1` once it is deeper
    /// or unfolds to more than `CNesting.maximumParts` parts. Records count their own
    /// nesting where they are contained by value (an array, a field, a parameter),
    /// and 1 behind a pointer, where walks over the type stop.
    public var nestingDepth: Int {
        var parts = 0
        return depth(byValue: true, budget: CNesting.maximum + 1, parts: &parts)
    }

    private func depth(byValue: Bool, budget: Int, parts: inout Int) -> Int {
        var type = self, depth = 0, byValue = byValue
        // Follow the chain iteratively; only function types branch.
        while depth < budget {
            parts += 1
            if parts > CNesting.maximumParts { return budget }
            switch type.kind {
            case .pointer(let inner), .reference(let inner):
                type = inner
                byValue = false
            case .array(let inner, _), .vector(let inner, _):
                type = inner
            case .function(let function):
                let left = budget - depth - 1
                var deepest = function.result.depth(byValue: true, budget: left, parts: &parts)
                for parameter in function.parameters where deepest < left {
                    deepest = max(deepest, parameter.type.depth(byValue: true, budget: left, parts: &parts))
                }
                return depth + 1 + deepest
            case .record(let record):
                return depth + (byValue ? max(1, Int(record.nesting)) : 1)
            default:
                return depth + 1
            }
            depth += 1
        }
        return budget
    }
}
