import MappingRules
import StashClient

/// One Stash object as the plan reads it: the values of its kind's catalog fields, decoded in the
/// order of `Kind.selection.slots`, the paths its files are matched by, and a gallery's chapters.
struct SnapshotRecord<Kind: SnapshotKind>: Decodable, Sendable, Hashable {
    let id: String
    /// One per slot; nil when Stash holds null or sent nothing.
    let values: [ReadValue?]
    let paths: [String]
    let customFields: CustomFieldValues?
    let chapters: [SnapshotRecord<ChapterSnapshot>]

    init(
        id: String, values: [ReadValue?], paths: [String], customFields: CustomFieldValues?,
        chapters: [SnapshotRecord<ChapterSnapshot>]
    ) {
        self.id = id; self.values = values; self.paths = paths; self.customFields = customFields
        self.chapters = chapters
    }

    init(from decoder: Decoder) throws {
        let selection = Kind.selection
        let container = try decoder.container(keyedBy: SnapshotKey.self)
        id = try container.decode(String.self, forKey: .id)
        var values: [ReadValue?] = []
        values.reserveCapacity(selection.slots.count)
        for slot in selection.slots { values.append(try ReadValue(slot, in: container)) }
        self.values = values
        customFields = try container.decodeIfPresent(CustomFieldValues.self, forKey: .customFields)
        var paths: [String] = []
        var chapters: [SnapshotRecord<ChapterSnapshot>] = []
        switch selection.extra {
        case .none: break
        case .files:
            paths = try FilePath.paths(in: container, forKey: .files)
        case .visualFiles:
            paths = try FilePath.paths(in: container, forKey: .visualFiles)
        case .galleryPathsAndChapters:
            paths = try FilePath.paths(in: container, forKey: .files)
            if let folder = try container.decodeIfPresent(FilePath.self, forKey: .folder) { paths.append(folder.path) }
            chapters = try container.decodeIfPresent([SnapshotRecord<ChapterSnapshot>].self, forKey: .chapters) ?? []
        }
        self.paths = paths
        self.chapters = chapters
    }

    /// The object, then a gallery's chapters (each referring to the gallery), appended to `objects`.
    func append(to objects: inout [StashObject], sharing interner: inout ObjectInterner) {
        let object = self.object(sharing: &interner)
        objects.append(object)
        guard !chapters.isEmpty, let field = SnapshotSelection.chapter.parentField else { return }
        let gallery = FieldValue.ref(StashRef(id: id, label: object.string("title")))
        for chapter in chapters { objects.append(chapter.object(sharing: &interner, parent: (field, gallery))) }
    }

    /// The snapshot object: every slot's value under its catalog name (null values left out: a
    /// missing field reads as null), custom fields as `custom_fields.<name>`.
    func object(sharing interner: inout ObjectInterner, parent: (String, FieldValue)? = nil) -> StashObject {
        let selection = Kind.selection
        var pairs: [(String, FieldValue)] = []
        pairs.reserveCapacity(values.count + (customFields?.values.count ?? 0) + 1)
        for (slot, value) in zip(selection.slots, values) {
            let field = Self.fieldValue(value, slot, &interner)
            if field != .null { pairs.append((slot.name, field)) }
        }
        var organized = false
        if let index = selection.organizedSlot, case .bool(let flag)? = values[index] { organized = flag }
        if let parent { pairs.append(parent) }
        for (name, value) in customFields?.values ?? [:] {
            pairs.append((StashFieldCatalog.customFieldPrefix + name, .string(value)))
        }
        return StashObject(
            kind: selection.kind, id: id, fields: interner.fields(StashFields(pairs: pairs)),
            organized: organized, paths: paths)
    }

    private static func fieldValue(
        _ value: ReadValue?, _ slot: SnapshotSelection.Slot, _ interner: inout ObjectInterner
    )
        -> FieldValue
    {
        switch (value, slot.type) {
        case (.text(let text)?, .date): return StashText.nonBlank(text).map { .date($0) } ?? .null
        case (.text(let text)?, _): return .string(text)
        case (.int(let number)?, _): return .int(number)
        case (.bool(let flag)?, _): return .bool(flag)
        case (.strings(let items)?, _): return .strings(items)
        case (.named(let ref)?, _): return .ref(StashRef(id: ref.id, label: interner.label(ref.name)))
        case (.titled(let ref)?, _): return .ref(StashRef(id: ref.id, label: ref.title.map { interner.label($0) }))
        case (.nameds(let refs)?, _): return .refs(refs.map { StashRef(id: $0.id, label: interner.label($0.name)) })
        case (.titleds(let refs)?, _):
            return .refs(refs.map { StashRef(id: $0.id, label: $0.title.map { interner.label($0) }) })
        // Stash's lists are never null; an absent one is empty.
        case (nil, .strings): return .strings([])
        case (nil, .references): return .refs([])
        case (nil, _): return .null
        }
    }
}

/// A file or folder as the snapshot reads it: its path. Outside `SnapshotRecord` (and its paths
/// taken without a key path) because a type nested in a generic one, and a key path into it, are
/// made at run time for every object the generic decoder reads.
private struct FilePath: Decodable {
    let path: String

    /// The paths of the list under `key`; none when it is null or missing.
    static func paths(in container: KeyedDecodingContainer<SnapshotKey>, forKey key: SnapshotKey) throws -> [String] {
        guard let files = try container.decodeIfPresent([FilePath].self, forKey: key) else { return [] }
        return files.map { $0.path }
    }
}

/// One field's value as Stash sent it.
enum ReadValue: Sendable, Hashable {
    case text(String), int(Int), bool(Bool), strings([String])
    case named(NamedRef), titled(TitledRef), nameds([NamedRef]), titleds([TitledRef])

    /// The value of `slot`; nil when it is null or missing.
    init?(_ slot: SnapshotSelection.Slot, in container: KeyedDecodingContainer<SnapshotKey>) throws {
        let key = slot.key
        let value: ReadValue?
        switch slot.type {
        case .text, .date: value = try container.decodeIfPresent(String.self, forKey: key).map { .text($0) }
        case .int: value = try container.decodeIfPresent(Int.self, forKey: key).map { .int($0) }
        case .bool: value = try container.decodeIfPresent(Bool.self, forKey: key).map { .bool($0) }
        case .strings: value = try container.decodeIfPresent([String].self, forKey: key).map { .strings($0) }
        case .reference where slot.titled:
            value = try container.decodeIfPresent(TitledRef.self, forKey: key).map { .titled($0) }
        case .reference: value = try container.decodeIfPresent(NamedRef.self, forKey: key).map { .named($0) }
        case .references where slot.titled:
            value = try container.decodeIfPresent([TitledRef].self, forKey: key).map { .titleds($0) }
        case .references: value = try container.decodeIfPresent([NamedRef].self, forKey: key).map { .nameds($0) }
        }
        guard let value else { return nil }
        self = value
    }
}

extension StashClient {
    /// The objects `find` matches with `filter`, as snapshot objects, handed to `body` a page at a
    /// time; objects of one find share equal field sets and labels.
    func forEachSnapshotPage<Kind, Filter: Encodable>(
        _ find: SelectedFind<SnapshotRecord<Kind>>, filter: Filter?, eachPage body: ([StashObject]) -> Void
    ) async throws(StashError) {
        var interner = ObjectInterner()
        try await forEachPage(find, filter: filter) { page in
            var objects: [StashObject] = []
            objects.reserveCapacity(page.count)
            for record in page { record.append(to: &objects, sharing: &interner) }
            body(objects)
        }
    }

    /// Every object `find` matches with `filter`, as snapshot objects.
    func snapshotObjects<Kind, Filter: Encodable>(_ find: SelectedFind<SnapshotRecord<Kind>>, filter: Filter?)
        async throws(StashError) -> [StashObject]
    {
        var objects: [StashObject] = []
        try await forEachSnapshotPage(find, filter: filter) { objects += $0 }
        return objects
    }

    /// Every performer, studio or tag (`kind`), as snapshot objects.
    func snapshotObjects(_ kind: EntityKind) async throws(StashError) -> [StashObject] {
        let all = NameFilter?.none
        switch kind {
        case .performer: return try await snapshotObjects(SnapshotFinds.performers, filter: all)
        case .studio: return try await snapshotObjects(SnapshotFinds.studios, filter: all)
        case .tag: return try await snapshotObjects(SnapshotFinds.tags, filter: all)
        default: preconditionFailure("\(kind)s are read by a filter")
        }
    }

    /// The scenes or images (`kind`) matching `filter`, as snapshot objects, a page at a time.
    func forEachSnapshotPage(_ kind: EntityKind, filter: MediaFilter, eachPage body: ([StashObject]) -> Void)
        async throws(StashError)
    {
        if kind == .scene {
            try await forEachSnapshotPage(SnapshotFinds.scenes, filter: filter, eachPage: body)
        } else {
            try await forEachSnapshotPage(SnapshotFinds.images, filter: filter, eachPage: body)
        }
    }

    /// The scenes or images (`kind`) with these ids, as snapshot objects (unknown ids are left out).
    func snapshotObjects(_ kind: EntityKind, ids: [String]) async throws(StashError) -> [StashObject] {
        var interner = ObjectInterner()
        var objects: [StashObject] = []
        if kind == .scene {
            for record in try await find(SnapshotFinds.scenes, ids: ids) {
                record.append(to: &objects, sharing: &interner)
            }
        } else {
            for record in try await find(SnapshotFinds.images, ids: ids) {
                record.append(to: &objects, sharing: &interner)
            }
        }
        return objects
    }
}
