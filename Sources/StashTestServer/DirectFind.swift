import GraphQL
import OrderedCollections

// The fast path for large finds. GraphQLSwift still parses, validates, coerces variables and runs
// the find resolvers (so filters, paging, `ids`, errors and `count` are exactly those of the
// general path), but the resolvers hand their items over instead of returning them, and the
// items are written straight to JSON from a selection compiled once per document. Field-by-field
// execution of tens of thousands of scenes was most of a large plan's time. Anything the compiled
// selection cannot write exactly as GraphQLSwift would (a null in a non-null field, an unknown
// value) makes the request run again on the general path.

/// The list field of each find's result type.
let directFindListKeys: [String: String] = [
    "findScenes": "scenes", "findImages": "images", "findGalleries": "galleries",
    "findPerformers": "performers", "findStudios": "studios", "findTags": "tags",
]

/// A query made only of finds whose item selections can be written directly.
struct DirectFindPlan: @unchecked Sendable {
    /// Per root response key: the response key of its item list and the items' compiled selection.
    let lists: [String: (key: String, selection: CompiledSelection)]

    /// The plan of `operationName`'s operation in `document`, or nil when it is not such a query.
    static func make(document: Document, operationName: String?, schema: GraphQLSchema) -> DirectFindPlan? {
        var fragments: [String: FragmentDefinition] = [:]
        var operation: OperationDefinition?
        for definition in document.definitions {
            if let fragment = definition as? FragmentDefinition { fragments[fragment.name.value] = fragment }
            if let candidate = definition as? OperationDefinition,
                operationName == nil || candidate.name?.value == operationName
            {
                if operation != nil && operationName == nil { return nil }
                operation = candidate
            }
        }
        guard let operation, operation.operation == .query, let queryType = schema.queryType else { return nil }
        let compiler = SelectionCompiler(schema: schema, fragments: fragments)
        guard let roots = compiler.collect(operation.selectionSet.selections, on: queryType) else { return nil }
        var lists: [String: (key: String, selection: CompiledSelection)] = [:]
        for (rootKey, fields) in roots {
            guard let listKey = directFindListKeys[fields[0].name.value],
                let resultType = (try? queryType.fields())?[fields[0].name.value].flatMap({
                    compiler.namedObject($0.type)
                }),
                let resultFields = compiler.collect(
                    fields.flatMap { $0.selectionSet?.selections ?? [] }, on: resultType)
            else { return nil }
            let listEntries = resultFields.filter { $0.fields[0].name.value == listKey }
            guard listEntries.count <= 1 else { return nil }
            guard let entry = listEntries.first else { continue }
            guard let itemType = (try? resultType.fields())?[listKey].flatMap({ compiler.namedObject($0.type) }),
                let selection = compiler.compile(
                    entry.fields.flatMap { $0.selectionSet?.selections ?? [] }, on: itemType)
            else { return nil }
            lists[rootKey] = (entry.key, selection)
        }
        return DirectFindPlan(lists: lists)
    }
}

/// The fields to write for one object type, in response order.
final class CompiledSelection: @unchecked Sendable {
    struct Entry {
        let key: String
        let fieldName: String
        let type: GraphQLType
        /// For object fields: the selection per possible object type name.
        let objects: [String: CompiledSelection]
        /// For `String`/`ID`, `Int` and `Boolean` fields (nullable or not): the Swift value written
        /// without `serialize`, which gives the same text for it.
        let scalar: Scalar?

        enum Scalar { case text, integer, boolean }

        init(key: String, fieldName: String, type: GraphQLType, objects: [String: CompiledSelection]) {
            self.key = key; self.fieldName = fieldName; self.type = type; self.objects = objects
            let leaf = (type as? GraphQLNonNull)?.ofType ?? type
            switch (leaf as? GraphQLScalarType)?.name {
            case "String", "ID": scalar = .text
            case "Int": scalar = .integer
            case "Boolean": scalar = .boolean
            default: scalar = nil
            }
        }
    }
    let typeName: String
    let entries: [Entry]
    init(typeName: String, entries: [Entry]) { self.typeName = typeName; self.entries = entries }
}

private struct SelectionCompiler {
    let schema: GraphQLSchema
    let fragments: [String: FragmentDefinition]

    /// Fields by response key in first-seen order, as GraphQL's CollectFields; nil when a
    /// directive or an unknown fragment makes it more than a plain selection.
    func collect(_ selections: [Selection], on type: GraphQLObjectType) -> [(key: String, fields: [Field])]? {
        var result: [(key: String, fields: [Field])] = []
        var visited: Set<String> = []
        func visit(_ selections: [Selection]) -> Bool {
            for selection in selections {
                if let field = selection as? Field {
                    guard field.directives.isEmpty else { return false }
                    let key = field.alias?.value ?? field.name.value
                    if let index = result.firstIndex(where: { $0.key == key }) {
                        result[index].fields.append(field)
                    } else {
                        result.append((key, [field]))
                    }
                } else if let inline = selection as? InlineFragment {
                    guard inline.directives.isEmpty else { return false }
                    if let condition = inline.typeCondition, !applies(condition.name.value, to: type) { continue }
                    guard visit(inline.selectionSet.selections) else { return false }
                } else if let spread = selection as? FragmentSpread {
                    guard spread.directives.isEmpty, let fragment = fragments[spread.name.value],
                        fragment.directives.isEmpty
                    else { return false }
                    guard !visited.contains(spread.name.value) else { continue }
                    visited.insert(spread.name.value)
                    guard applies(fragment.typeCondition.name.value, to: type) else { continue }
                    guard visit(fragment.selectionSet.selections) else { return false }
                } else {
                    return false
                }
            }
            return true
        }
        return visit(selections) ? result : nil
    }

    func compile(_ selections: [Selection], on type: GraphQLObjectType) -> CompiledSelection? {
        guard let collected = collect(selections, on: type), let definitions = try? type.fields() else { return nil }
        var entries: [CompiledSelection.Entry] = []
        for (key, fields) in collected {
            let name = fields[0].name.value
            guard fields.allSatisfy({ $0.arguments.isEmpty }) else { return nil }
            if name == "__typename" {
                entries.append(.init(key: key, fieldName: name, type: GraphQLString, objects: [:]))
                continue
            }
            guard let definition = definitions[name] else { return nil }
            var objects: [String: CompiledSelection] = [:]
            let named = Self.namedType(definition.type)
            let possible: [GraphQLObjectType]
            if let object = named as? GraphQLObjectType {
                possible = [object]
            } else if let abstract = named as? GraphQLAbstractType {
                possible = schema.getPossibleTypes(abstractType: abstract)
            } else {
                possible = []
            }
            let sub = fields.flatMap { $0.selectionSet?.selections ?? [] }
            for object in possible {
                guard let compiled = compile(sub, on: object) else { return nil }
                objects[object.name] = compiled
            }
            entries.append(.init(key: key, fieldName: name, type: definition.type, objects: objects))
        }
        return CompiledSelection(typeName: type.name, entries: entries)
    }

    func namedObject(_ type: GraphQLType) -> GraphQLObjectType? { Self.namedType(type) as? GraphQLObjectType }

    static func namedType(_ type: GraphQLType) -> GraphQLType {
        if let nonNull = type as? GraphQLNonNull { return namedType(nonNull.ofType) }
        if let list = type as? GraphQLList { return namedType(list.ofType) }
        return type
    }

    private func applies(_ condition: String, to type: GraphQLObjectType) -> Bool {
        if condition == type.name { return true }
        guard let abstract = schema.getType(name: condition) as? GraphQLAbstractType else { return false }
        return schema.getPossibleTypes(abstractType: abstract).contains { $0.name == type.name }
    }
}

/// The request cannot be written directly; run it on the general path.
struct DirectFindFallback: Error {}

/// Values stored in `Any` may be optionals themselves (`Int?.none` from a node's subscript).
private protocol AnyOptional { var flattened: Any? { get } }
extension Optional: AnyOptional {
    fileprivate var flattened: Any? {
        switch self {
        case .some(let value): return unwrapOptional(value)
        case .none: return nil
        }
    }
}
private func unwrapOptional(_ value: Any?) -> Any? {
    guard let value else { return nil }
    // Most values are of a few types known not to be optionals: asking the runtime whether a
    // type conforms to `AnyOptional` costs a conformance look-up for every value written.
    if plainTypes.contains(ObjectIdentifier(type(of: value))) { return value }
    if let optional = value as? AnyOptional { return optional.flattened }
    return value
}

/// The types node fields hold that are not optionals (their values are written as they are).
private let plainTypes: Set<ObjectIdentifier> = [
    ObjectIdentifier(String.self), ObjectIdentifier(Int.self), ObjectIdentifier(Bool.self),
    ObjectIdentifier(Double.self), ObjectIdentifier([String].self), ObjectIdentifier(FileNode.self),
    ObjectIdentifier(FolderNode.self), ObjectIdentifier(StudioNode.self), ObjectIdentifier(GalleryNode.self),
    ObjectIdentifier(TagNode.self), ObjectIdentifier(PerformerNode.self), ObjectIdentifier(SceneNode.self),
    ObjectIdentifier(ChapterNode.self), ObjectIdentifier([FileNode].self), ObjectIdentifier([TagNode].self),
    ObjectIdentifier([PerformerNode].self), ObjectIdentifier([GalleryNode].self), ObjectIdentifier([StudioNode].self),
    ObjectIdentifier([SceneNode].self), ObjectIdentifier([ChapterNode].self), ObjectIdentifier([StashIDNode].self),
]

extension JSONWriter {
    /// Writes `items` as a JSON array through `selection`, as GraphQL execution would complete them.
    mutating func writeDirect(items: [any Sendable], selection: CompiledSelection) throws {
        bytes.append(UInt8(ascii: "["))
        for (index, item) in items.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            guard let node = item as? KeySubscriptable else { throw DirectFindFallback() }
            try writeDirect(node: node, selection: selection)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    private mutating func writeDirect(node: KeySubscriptable, selection: CompiledSelection) throws {
        bytes.append(UInt8(ascii: "{"))
        for (index, entry) in selection.entries.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            write(entry.key)
            bytes.append(UInt8(ascii: ":"))
            if entry.fieldName == "__typename" {
                write(selection.typeName)
            } else if let scalar = entry.scalar, let value = node[entry.fieldName],
                Self.writeScalar(value, scalar, into: &self)
            {
                continue
            } else {
                try writeDirect(value: node[entry.fieldName], type: entry.type, objects: entry.objects)
            }
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// Writes `value` when it is the plain Swift value of `scalar` (a casting fast path for the
    /// fields most items are made of); false leaves it to the general writer (nulls, other types).
    private static func writeScalar(
        _ value: any Sendable, _ scalar: CompiledSelection.Entry.Scalar, into writer: inout JSONWriter
    ) -> Bool {
        switch scalar {
        case .text:
            guard let text = value as? String else { return false }
            writer.write(text)
        case .integer:
            guard let number = value as? Int else { return false }
            writer.append(String(number))
        case .boolean:
            guard let flag = value as? Bool else { return false }
            writer.append(flag ? "true" : "false")
        }
        return true
    }

    private mutating func writeDirect(
        value raw: Any?, type: GraphQLType, objects: [String: CompiledSelection], unwrapped: Bool = false
    ) throws {
        let value = unwrapped ? raw : unwrapOptional(raw)
        if let nonNull = type as? GraphQLNonNull {
            guard value != nil else { throw DirectFindFallback() }
            return try writeDirect(value: value, type: nonNull.ofType, objects: objects, unwrapped: true)
        }
        guard let value else { return append("null") }
        if let list = type as? GraphQLList {
            if try writeTyped(list: value, of: list.ofType, objects: objects) { return }
            guard let items = value as? [Any] else { throw DirectFindFallback() }
            bytes.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                try writeDirect(value: item, type: list.ofType, objects: objects)
            }
            bytes.append(UInt8(ascii: "]"))
        } else if let leaf = type as? GraphQLLeafType {
            write(try leaf.serialize(value: value))
        } else if let object = type as? GraphQLObjectType {
            guard let node = value as? KeySubscriptable, let selection = objects[object.name] else {
                throw DirectFindFallback()
            }
            try writeDirect(node: node, selection: selection)
        } else if type is GraphQLAbstractType {
            // The only abstract type the server resolves is `VisualFile`, by the file's kind.
            guard let file = value as? FileNode,
                let selection = objects[file.kind == .video ? "VideoFile" : "ImageFile"]
            else {
                throw DirectFindFallback()
            }
            try writeDirect(node: file, selection: selection)
        } else {
            throw DirectFindFallback()
        }
    }

    /// Writes a list of strings or of nodes of one type as the general path would, without casting
    /// it to `[Any]` (a copy boxing every element) and each element back; false for other lists.
    private mutating func writeTyped(list value: Any, of element: GraphQLType, objects: [String: CompiledSelection])
        throws -> Bool
    {
        let item = (element as? GraphQLNonNull)?.ofType ?? element
        switch ObjectIdentifier(Swift.type(of: value)) {
        case ObjectIdentifier([String].self):
            guard let scalar = item as? GraphQLScalarType, scalar.name == "String" || scalar.name == "ID" else {
                return false
            }
            writeList(value as! [String]) { $0.write($1) }
        case ObjectIdentifier([FileNode].self):
            let files = value as! [FileNode]
            if item is GraphQLAbstractType {
                // `VisualFile`, by the file's kind (as the general path resolves it).
                guard files.allSatisfy({ objects[$0.kind == .video ? "VideoFile" : "ImageFile"] != nil }) else {
                    throw DirectFindFallback()
                }
                try writeList(files) {
                    try $0.writeDirect(node: $1, selection: objects[$1.kind == .video ? "VideoFile" : "ImageFile"]!)
                }
                return true
            }
            return try writeNodes(files, item, objects)
        case ObjectIdentifier([TagNode].self): return try writeNodes(value as! [TagNode], item, objects)
        case ObjectIdentifier([PerformerNode].self): return try writeNodes(value as! [PerformerNode], item, objects)
        case ObjectIdentifier([GalleryNode].self): return try writeNodes(value as! [GalleryNode], item, objects)
        case ObjectIdentifier([StudioNode].self): return try writeNodes(value as! [StudioNode], item, objects)
        case ObjectIdentifier([SceneNode].self): return try writeNodes(value as! [SceneNode], item, objects)
        case ObjectIdentifier([ChapterNode].self): return try writeNodes(value as! [ChapterNode], item, objects)
        default: return false
        }
        return true
    }

    /// Nodes of an object type's list; false when the list's type is not an object type.
    private mutating func writeNodes<Node: KeySubscriptable>(
        _ nodes: [Node], _ item: GraphQLType, _ objects: [String: CompiledSelection]
    ) throws -> Bool {
        guard let object = item as? GraphQLObjectType else { return false }
        guard let selection = objects[object.name] else { throw DirectFindFallback() }
        try writeList(nodes) { try $0.writeDirect(node: $1, selection: selection) }
        return true
    }

    private mutating func writeList<Element>(_ items: [Element], _ write: (inout JSONWriter, Element) throws -> Void)
        rethrows
    {
        bytes.append(UInt8(ascii: "["))
        for (index, item) in items.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            try write(&self, item)
        }
        bytes.append(UInt8(ascii: "]"))
    }
}
