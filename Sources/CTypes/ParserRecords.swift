// struct/union specifiers and bodies: members, bitfields, anonymous members, layout.

extension Parser {
    /// `struct|union|enum [attributes] [tag] [body] [attributes]`: the type and its tag.
    mutating func tagSpecifier(_ keyword: Keyword) throws(CDeclarationError) -> (CType, CTag) {
        // Errors and locations point at the tag name (at the keyword when there is none).
        var start = current
        advance()
        var attributes = DeclarationAttributes()
        try self.attributes(into: &attributes)
        var tagName: String?
        if current.isIdentifier || current.isPunct(.dollar) {
            start = current
            tagName = try expectIdentifier()
        }
        if keyword == .enum { return try enumSpecifier(tagName, attributes, at: start) }
        let isUnion = keyword == .union
        let hasBody = current.isPunct(.lbrace)
        let record = try recordForTag(tagName, isUnion: isUnion, defining: hasBody, at: start)
        if hasBody {
            // The members go on `memberStack` above those of enclosing bodies, and come
            // off again however the body ends (an error may be caught by `try?`).
            let first = memberStack.count, firstConstant = recordConstants.count
            defer {
                memberStack.pop(to: first)
                recordConstants.removeSubrange(firstConstant...)
            }
            let layout = try recordBody(attributes: attributes, isUnion: isUnion)
            try define(record, members: memberStack.elements(from: first), layout: layout, at: start)
            if recordConstants.count > firstConstant, record.constants.isEmpty {
                record.constants = Array(recordConstants[firstConstant...])
            }
        }
        return (CType(.record(record)), .record(record))
    }

    /// The record a tag names, created incomplete (and registered) when new.
    private mutating func recordForTag(
        _ tag: String?, isUnion: Bool, defining: Bool, at start: Token
    ) throws(CDeclarationError) -> CRecord {
        guard let tag else {
            if !defining { throw error("'<identifier>' expected") }
            return CRecord(isUnion: isUnion, tag: nil)
        }
        try tagInTypeName(tag, defining: defining, at: start)
        let at = declared(at: start)
        if defining, transaction.override, let old = transaction.tag(tag), !Self.isOpen(old.value, isUnion: isUnion) {
            // A new body replaces the old type (`CDefOptions.override`).
            let record = CRecord(isUnion: isUnion, tag: tag)
            transaction.addTag(tag, at: start, Declared(value: .record(record), at: at))
            return record
        }
        let entry = transaction.tagOrAdd(symbol(tag, from: start), at: start) {
            Declared(value: .record(CRecord(isUnion: isUnion, tag: tag)), at: at)
        }
        guard case .record(let record) = entry.value, record.isUnion == isUnion else {
            throw error(
                "redefinition of '\(isUnion ? "union" : "struct") \(tag)'"
                    + previous(entry.at), at: start, near: false)
        }
        return record
    }

    /// In a standalone type name, LuaJIT's rule for a tag: it names a type a `cdef`
    /// declared (`struct foo;` will do), and never defines one (`ffi.new("struct pont")`
    /// is a typo caught, not a new incomplete type; anonymous bodies are fine).
    mutating func tagInTypeName(_ tag: String, defining: Bool, at start: Token) throws(CDeclarationError) {
        guard isStandaloneTypeName else { return }
        guard transaction.tag(tag) != nil else {
            throw error("undeclared or implicit tag '\(tag)'", at: start, near: false)
        }
        if defining { throw error("attempt to redefine '\(tag)'", at: start, near: false) }
    }

    /// Whether `tag` is an incomplete struct (or union) that a body can complete.
    private static func isOpen(_ tag: CTag, isUnion: Bool) -> Bool {
        guard case .record(let record) = tag else { return false }
        return !record.isComplete && record.isUnion == isUnion
    }

    /// Lays out `record` (when incomplete), or checks that a complete one is identical.
    private mutating func define(
        _ record: CRecord, members: UnsafeBufferPointer<MemberSpec>, layout: RecordAttributes, at start: Token
    ) throws(CDeclarationError) {
        guard record.isComplete else {
            transaction.willComplete(record, members: members.count)
            let duplicate = try layOut(record, members, layout, at: start)
            transaction.base.applyCompilerLayout(to: record)
            record.location = location(of: start)
            if Int(record.nesting) > CNesting.maximum { throw error("chunk has too many syntax levels", at: start) }
            return try checkDuplicateMembers(duplicate, members)
        }
        let body = CRecord(isUnion: record.isUnion, tag: record.tag)
        let duplicate = try layOut(body, members, layout, at: start)
        transaction.base.applyCompilerLayout(to: body)
        try checkDuplicateMembers(duplicate, members)
        guard record.isEquivalent(to: body) else {
            throw error(
                "redefinition of '\(record.description)'" + previous(record.location), at: start,
                near: false)
        }
    }

    /// Completes `record` with its layout; returns its first duplicate member name.
    private func layOut(
        _ record: CRecord, _ members: UnsafeBufferPointer<MemberSpec>, _ layout: RecordAttributes, at start: Token
    ) throws(CDeclarationError) -> String? {
        do {
            return try RecordLayout.complete(record, members: members, attributes: layout, target: target)
        } catch {
            throw self.error("size of C type is unknown or too large", at: start, near: false)
        }
    }

    /// `duplicate member 'a'` when two members (or members of anonymous members) share a name.
    private mutating func checkDuplicateMembers(_ duplicate: String?, _ members: UnsafeBufferPointer<MemberSpec>)
        throws(CDeclarationError)
    {
        guard let name = duplicate else { return }
        let token = members.last { $0.name == name }?.nameToken ?? current
        throw error("duplicate member '\(name)'", at: token, near: false)
    }

    /// Parses `{ members } [attributes]`: appends the members to `memberStack`, returns
    /// the record's layout attributes.
    private mutating func recordBody(
        attributes: DeclarationAttributes, isUnion: Bool
    ) throws(CDeclarationError) -> RecordAttributes {
        try enter()
        defer { depth -= 1 }
        advance()
        let first = memberStack.count
        while !accept(.rbrace) {
            if case .eof = current.kind { throw error("'}' expected") }
            try memberDeclaration()
        }
        var attributes = attributes
        try self.attributes(into: &attributes)
        try checkFlexibleMembers(memberStack.elements(from: first), isUnion: isUnion)
        let layout = RecordAttributes(
            isPacked: attributes.isPacked, alignAttribute: attributes.aligned, pack: pack)
        return layout
    }

    /// Only the last member may be a `[]` or `[?]` array, and a union has no `[?]` one
    /// (its size could not follow the length, as LuaJIT refuses).
    private mutating func checkFlexibleMembers(_ members: UnsafeBufferPointer<MemberSpec>, isUnion: Bool)
        throws(CDeclarationError)
    {
        if isUnion, let last = members.last, case .array(_, .variable) = last.type.kind {
            throw error(
                "variable-length member '\(last.name ?? "")' in a union", at: last.nameToken, near: false)
        }
        for index in members.indices.dropLast() {
            if case .array(_, let count) = members[index].type.kind, count != .fixed(count.fixedValue) {
                throw error(
                    "flexible array member '\(members[index].name ?? "")' not at end of struct", near: false
                )
            }
        }
    }

    /// One member declaration: `specifiers declarator [: width], ... ;`.
    private mutating func memberDeclaration() throws(CDeclarationError) {
        if accept(.semicolon) { return }
        if current.isKeyword(.staticAssert) { return try staticAssertion() }
        if case .pragma = current.kind { return try pragma() }
        let start = current
        var specs = Specifiers()
        try specifiers(into: &specs)
        if specs.storage == .static { return try recordConstantList(specs, at: start) }
        if specs.storage == .typedef { return try declarationList(specs, at: start) }
        if current.isPunct(.semicolon) {
            try anonymousMember(specs, at: start)
            advance()
            return
        }
        repeat {
            memberStack.push(try member(specs, at: start))
        } while accept(.comma)
        try expect(.semicolon, ";")
    }

    /// `struct [tag] { ... };`, `struct tag;` or `enum { ... };` inside a record: as in
    /// LuaJIT, a struct or union is a transparent member (tagged or not; C11 takes
    /// untagged ones only), an enum's enumerators become constants of the record.
    private mutating func anonymousMember(_ specs: Specifiers, at start: Token) throws(CDeclarationError) {
        if case .enumeration(let enumeration) = specs.type.kind {
            for constant in enumeration.constants {
                let type = transaction.constant(constant.name)?.value.type ?? .int32
                recordConstants.append(CConstant(name: constant.name, value: constant.value, type: type))
            }
            return
        }
        guard case .record(let record) = specs.type.kind else { return }
        if !record.isComplete {
            throw error("anonymous member has incomplete type '\(specs.type)'", at: start, near: false)
        }
        memberStack.push(
            MemberSpec(
                name: nil, type: specs.type, isPacked: specs.attributes.isPacked,
                alignAttribute: specs.attributes.aligned))
    }

    /// `static const T K = value, ...;` in a record: constants of the record (not
    /// global), as LuaJIT's `cp_decl_struct`; the type must be a `const` integer.
    private mutating func recordConstantList(_ specs: Specifiers, at start: Token) throws(CDeclarationError) {
        repeat {
            var declarator = Declarator()
            try self.declarator(abstract: false, into: &declarator)
            let type = try self.type(of: declarator, specifiers: specs, at: start)
            let token = declarator.nameToken ?? start
            guard let name = declarator.name, type.isInteger, type.qualifiers.contains(.const),
                accept(.assign)
            else {
                throw error(
                    "invalid C type for static '\(declarator.name ?? "")' (only integer constants)",
                    at: token, near: false)
            }
            let initializer = try constantExpression()
            let value = ConstantValue(initializer.bits, as: type, target: target) ?? initializer
            recordConstants.append(CConstant(name: name, value: value.signedValue, type: type.unqualified))
        } while accept(.comma)
        try expect(.semicolon, ";")
    }

    /// One member declarator with optional bitfield width.
    private mutating func member(_ specs: Specifiers, at start: Token) throws(CDeclarationError)
        -> MemberSpec
    {
        var declarator = Declarator()
        if !current.isPunct(.colon) { try self.declarator(abstract: false, into: &declarator) }
        try attributes(into: &declarator.attributes)
        var width: Int?
        var widthToken = current
        if accept(.colon) {
            widthToken = current
            guard let w = try constantExpression().nonNegativeInt else {
                throw error("invalid bitfield width", at: widthToken, near: false)
            }
            width = w
            try attributes(into: &declarator.attributes)
        }
        let type = try self.type(of: declarator, specifiers: specs, at: start)
        try checkMember(
            type, width: width, name: declarator.name, at: declarator.nameToken ?? widthToken)
        var attributes = specs.attributes
        attributes.merge(declarator.attributes)
        return MemberSpec(
            name: declarator.name, type: type, bitWidth: width, isPacked: attributes.isPacked,
            alignAttribute: attributes.aligned, nameToken: declarator.nameToken)
    }

    /// Rejects members without a size and invalid bitfields.
    private mutating func checkMember(_ type: CType, width: Int?, name: String?, at token: Token)
        throws(CDeclarationError)
    {
        if let width {
            // A `bool` bitfield holds one bit at most (C11 6.7.2.1p4); as in LuaJIT,
            // the declared type has 64 bits at most (no `__int128` bitfields).
            let size = type.size(on: target) ?? 0
            let bits = type.kind == .bool ? 1 : size * 8
            guard type.isInteger, size <= 8, width <= bits else {
                throw error("invalid bitfield '\(name ?? "<anonymous>")'", at: token, near: false)
            }
            if width == 0 && name != nil {
                throw error("zero width for bitfield '\(name!)'", at: token, near: false)
            }
            return
        }
        switch type.kind {
        case .integer, .char, .bool, .float, .double, .pointer, .reference: return
        case .array(_, .unspecified), .array(_, .variable): return
        case .function:
            throw error("field '\(name ?? "")' declared as a function", at: token, near: false)
        default:
            if type.size(on: target) == nil {
                throw error(
                    "field '\(name ?? "")' has incomplete type '\(type)'", at: token, near: false)
            }
        }
    }
}
