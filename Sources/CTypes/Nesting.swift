// How deeply a type nests: bounded, so that every recursive walk over a type
// (hashing, equality, interning, initializers, libffi descriptions) stays shallow.

/// The nesting bound, as LuaJIT bounds its declaration stack.
public enum CNesting {
    /// The deepest a type may nest: derivation steps (`*`, `&`, `[n]`, `(...)`)
    /// plus records contained by value. Far beyond real C, far below the stack.
    public static let maximum = 200
}

extension CType {
    /// The nesting depth of this type, or `CNesting.maximum + 1` once it is deeper.
    /// Records count their own nesting where they are contained by value (an
    /// array, a field, a parameter), and 1 behind a pointer, whose walks stop there.
    public var nestingDepth: Int { depth(byValue: true, budget: CNesting.maximum + 1) }

    private func depth(byValue: Bool, budget: Int) -> Int {
        var type = self, depth = 0, byValue = byValue
        // Follow the chain iteratively; only function types branch.
        while depth < budget {
            switch type.kind {
            case .pointer(let inner), .reference(let inner):
                type = inner
                byValue = false
            case .array(let inner, _), .vector(let inner, _):
                type = inner
            case .function(let function):
                var deepest = function.result.depth(byValue: true, budget: budget - depth - 1)
                for parameter in function.parameters where deepest < budget - depth - 1 {
                    deepest = max(deepest, parameter.type.depth(byValue: true, budget: budget - depth - 1))
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
