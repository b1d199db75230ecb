// Finds whose selection the caller writes: the plan's snapshot selects exactly the fields of
// MappingRules' field catalog (a layer StashClient does not know) and decodes them itself.

/// A kind of Stash object a find reads, with the names its find query uses.
public enum StashObjectType: String, Sendable, Hashable, CaseIterable {
    case performer = "Performer", studio = "Studio", tag = "Tag", gallery = "Gallery", scene = "Scene"
    case image = "Image"

    /// `performers`, `galleries`…: the list in the find's result.
    var listKey: String { self == .gallery ? "galleries" : rawValue.lowercased() + "s" }
    /// `findPerformers`…
    var findField: String { self == .gallery ? "findGalleries" : "find" + rawValue + "s" }
    /// `performer_filter`…
    var filterVariable: String { rawValue.lowercased() + "_filter" }
}

/// Reads one page of a find straight from the response's bytes (`response`: the whole JSON
/// document; `field`: the find's field in `data`, `findScenes`; `listKey`: the list in it, `scenes`):
/// the page's objects and the find's `count`. Nil for anything it does not read exactly as
/// `JSONDecoder` would, GraphQL errors included: the page is then decoded as any other, which
/// reports what is wrong.
public typealias FindPageReader<Item> =
    @Sendable (_ response: UnsafeRawBufferPointer, _ field: String, _ listKey: String) -> (items: [Item], count: Int)?

/// A find of `type` that selects `selection` (the fields after `id`, as GraphQL) and decodes each
/// object as `Item`, whose keys are spelt as Stash spells them (`alias_list`). Stash's
/// `custom_fields` (and a studio's `organized`) are added to the selection where the connected
/// server has them, as for the client's own finds.
public struct SelectedFind<Item: Decodable & Sendable & Hashable>: Sendable {
    let type: StashObjectType
    /// The whole query, for checks against Stash's schema.
    public let document: String
    let kind: FindKind<Item>

    /// `pageReader`, when given, reads each page before `JSONDecoder` does (finds read in bulk,
    /// where the generic decoder's cost per object counts).
    public init(
        _ type: StashObjectType, selection: String, as item: Item.Type = Item.self,
        pageReader: FindPageReader<Item>? = nil
    ) {
        self.type = type
        let fragment = type.rawValue + "Selection"
        let field = type.findField
        document = """
            query Find\(type.rawValue)Selection($filter: FindFilterType, $\(type.filterVariable): \
            \(type.rawValue)FilterType, $ids: [ID!]) {
              \(field)(filter: $filter, \(type.filterVariable): $\(type.filterVariable), ids: $ids) \
            { count \(type.listKey) { ...\(fragment) } }
            }
            fragment \(fragment) on \(type.rawValue) { id \(selection) }
            """
        kind = FindKind(
            field: field, listKey: type.listKey, filterVariable: type.filterVariable, document: document,
            declaresStashKeys: true, pageReader: pageReader)
    }
}

extension StashClient {
    /// Every object `find` matches with `filter` (a `NameFilter` for performers, studios and tags,
    /// a `MediaFilter` for the others), handed to `body` one page at a time as the pages arrive.
    public func forEachPage<Item, Filter: Encodable>(
        _ find: SelectedFind<Item>, filter: Filter?, eachPage body: ([Item]) -> Void
    ) async throws(StashError) {
        try await forEachPage(find.kind, filter: filter, body: body)
    }

    /// The objects of `find` with these ids (unknown ids are left out).
    public func find<Item>(_ find: SelectedFind<Item>, ids: [String]) async throws(StashError) -> [Item] {
        try await findByIds(find.kind, ids: ids)
    }
}
