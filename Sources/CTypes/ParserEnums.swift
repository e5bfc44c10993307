// enum specifiers: enumerators with constant values and GCC's choice of underlying type.

extension Parser {
    /// After `enum [tag]`: optional `: type`, optional `{ enumerators }`, attributes.
    mutating func enumSpecifier(
        _ tag: String?, _ attributes: DeclarationAttributes, at start: Token
    ) throws(CDeclarationError) -> (CType, CTag) {
        var fixed: CType?
        if accept(.colon) {
            let token = current
            let type = try typeName()
            guard type.isInteger else { throw error("invalid enum type", at: token, near: false) }
            fixed = type.unqualified
        }
        let enumeration = try enumForTag(tag, defining: current.isPunct(.lbrace), at: start)
        if current.isPunct(.lbrace) {
            var attributes = attributes
            let constants = try enumerators()
            try self.attributes(into: &attributes)
            let underlying = fixed ?? Self.underlyingType(constants, packed: attributes.isPacked)
            try define(enumeration, constants.map(\.0), underlying, at: start)
        } else if let fixed, !enumeration.isComplete {
            transaction.willComplete(enumeration)
            enumeration.complete(constants: [], underlying: fixed)
        }
        return (CType(.enumeration(enumeration)), .enumeration(enumeration))
    }

    private mutating func enumForTag(_ tag: String?, defining: Bool, at start: Token)
        throws(CDeclarationError) -> CEnum
    {
        guard let tag else {
            if !defining { throw error("'<identifier>' expected") }
            return CEnum(tag: nil)
        }
        try tagInTypeName(tag, defining: defining, at: start)
        let entry = transaction.tag(tag)
        switch entry?.value {
        case .enumeration(let enumeration)? where !(defining && transaction.override && enumeration.isComplete):
            return enumeration
        case _ where entry == nil || (defining && transaction.override):
            let enumeration = CEnum(tag: tag)
            transaction.addTag(
                tag, at: start, Declared(value: .enumeration(enumeration), at: declared(at: start)))
            return enumeration
        default:
            throw error(
                "redefinition of 'enum \(tag)'" + previous(entry?.at), at: start, near: false)
        }
    }

    private mutating func define(
        _ enumeration: CEnum, _ constants: [CEnumConstant], _ underlying: CType, at start: Token
    ) throws(CDeclarationError) {
        if enumeration.isComplete {
            guard enumeration.constants == constants || enumeration.constants.isEmpty else {
                throw error(
                    "redefinition of '\(enumeration)'" + previous(enumeration.location),
                    at: start, near: false)
            }
            if !enumeration.constants.isEmpty { return }
        }
        transaction.willComplete(enumeration)
        enumeration.complete(constants: constants, underlying: underlying)
        enumeration.location = location(of: start)
        let enumType = CType(.enumeration(enumeration))
        for constant in constants
        where !(Int64(Int32.min)...Int64(Int32.max)).contains(constant.value) {
            transaction.setType(ofConstant: constant.name, enumType)
        }
    }

    /// `{ A, B = expr, ... }`: each constant is declared as soon as it is parsed.
    private mutating func enumerators() throws(CDeclarationError) -> [(
        CEnumConstant, ConstantValue
    )] {
        advance()
        var result: [(CEnumConstant, ConstantValue)] = []
        var next = ConstantValue(int: 0)
        while !accept(.rbrace) {
            let token = current
            let name = try expectIdentifier()
            var dummy = DeclarationAttributes()
            try attributes(into: &dummy)
            if accept(.assign) { next = try constantExpression() }
            let type = next.fitsInt32 ? CType.int32 : next.type
            try declareConstant(
                CConstant(name: name, value: next.signedValue, type: type), at: token)
            result.append((CEnumConstant(name: name, value: next.signedValue), next))
            next = next.successor
            if !accept(.comma) {
                try expect(.rbrace, "}")
                break
            }
        }
        return result
    }

    /// Declares a named constant; an identical redeclaration is allowed.
    mutating func declareConstant(_ constant: CConstant, at token: Token) throws(CDeclarationError)
    {
        let old = transaction.constant(constant.name)
        if let old, old.value.value != constant.value, !transaction.override {
            throw error(
                "redefinition of '\(constant.name)'" + previous(old.at), at: token,
                near: false)
        }
        transaction.addConstant(
            constant.name, at: token,
            Declared(value: constant, at: old?.at ?? declared(at: token)))
    }

    /// GCC's choice: `unsigned int` unless a value is negative (`int`) or needs 64 bits;
    /// with `packed`, the smallest type that holds every value.
    static func underlyingType(_ constants: [(CEnumConstant, ConstantValue)], packed: Bool) -> CType
    {
        if constants.contains(where: {
            $0.1.isUnsigned && $0.1.width == 8 && $0.1.bits > UInt64(Int64.max)
        }) {
            return .uint64
        }
        let values = constants.map(\.0.value)
        let low = values.min() ?? 0
        let high = values.max() ?? 0
        let sizes = packed ? [1, 2, 4, 8] : [4, 8]
        for size in sizes {
            let bits = Int64(size * 8)
            if low >= 0 {
                if size == 8 || UInt64(high) < UInt64(1) << bits {
                    return CType(.integer(size: size, isSigned: false))
                }
            } else if size == 8 || (low >= -(1 << (bits - 1)) && high < 1 << (bits - 1)) {
                return CType(.integer(size: size, isSigned: true))
            }
        }
        return .int64
    }
}
