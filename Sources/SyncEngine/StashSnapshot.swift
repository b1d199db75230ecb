public import FanslyMetadata
import Foundation
import MappingRules

/// One object as Stash holds it, reduced to what matching and the diff need.
public struct StashObject: Sendable, Hashable {
    var kind: EntityKind
    public var id: String
    /// Current values by Stash input field name (`title`, `tag_ids`, `alias_list`…); references carry ids.
    /// A field Stash holds as null may be missing: read a missing field as `.null`.
    var fields: StashFields
    var organized: Bool
    /// Scenes and images: their files' paths; galleries: their folder or zip path.
    var paths: [String]

    init(kind: EntityKind, id: String, fields: StashFields = [:], organized: Bool = false, paths: [String] = []) {
        self.kind = kind; self.id = id; self.fields = fields; self.organized = organized; self.paths = paths
    }

    init(
        kind: EntityKind, id: String, fields: [String: FieldValue], organized: Bool = false, paths: [String] = []
    ) {
        self.init(kind: kind, id: id, fields: StashFields(fields), organized: organized, paths: paths)
    }

    /// `name` (performers, studios, tags) or `title` (galleries, scenes, images, chapters).
    public var displayName: String? {
        for key in ["name", "title"] { if case .string(let text)? = fields[key], !text.isEmpty { return text } }
        return nil
    }

    func strings(_ field: String) -> [String] {
        switch fields[field] {
        case .strings(let items)?: return items
        case .string(let text)? where !text.isEmpty: return [text]
        default: return []
        }
    }

    func string(_ field: String) -> String? {
        if case .string(let text)? = fields[field], !text.isEmpty { return text }
        return nil
    }

    /// A chapter's gallery id.
    var galleryId: String? {
        if case .ref(let ref)? = fields["gallery_id"] { return ref.id }
        return nil
    }
}

/// An object's field values by name: a dictionary in use, stored as one small array sorted by
/// name. Tens of thousands of scenes carry about a dozen fields each; a hash table per object cost
/// more than the values themselves, and objects with the same values can share one array.
struct StashFields: Sendable, Hashable, ExpressibleByDictionaryLiteral, Sequence {
    /// One field and its value.
    struct Entry: Sendable, Hashable {
        var name: String
        var value: FieldValue
    }

    private var entries: [Entry]

    init(_ values: [String: FieldValue]) {
        entries = values.map { Entry(name: $0.key, value: $0.value) }.sorted { $0.name < $1.name }
    }

    /// Fields from name/value pairs with distinct names.
    init(pairs: [(String, FieldValue)]) {
        entries = pairs.map { Entry(name: $0.0, value: $0.1) }.sorted { $0.name < $1.name }
    }

    public init(dictionaryLiteral elements: (String, FieldValue)...) {
        self.init(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }

    /// The value of `name`, nil when the object has none; setting nil removes it.
    public subscript(name: String) -> FieldValue? {
        get { entries.first { $0.name == name }?.value }
        set {
            let index = entries.firstIndex { $0.name >= name } ?? entries.endIndex
            let present = index < entries.endIndex && entries[index].name == name
            switch (newValue, present) {
            case (let value?, true): entries[index].value = value
            case (let value?, false): entries.insert(Entry(name: name, value: value), at: index)
            case (nil, true): entries.remove(at: index)
            case (nil, false): break
            }
        }
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public func makeIterator() -> IndexingIterator<[Entry]> { entries.makeIterator() }
}

/// What Stash holds, as the planner sees it: objects by kind and id, indexed for matching.
/// Built once per run from a few large pages of finds (or empty, for an offline plan).
public struct StashSnapshot: Sendable {
    /// A Stash without any object (an offline plan).
    static let empty = StashSnapshot(objects: [])

    private(set) var objectsByKind: [EntityKind: [String: StashObject]] = [:]
    /// Folders whose scenes and images were fetched, per creator (lower-cased username).
    var searchedFolders: [String: [String]]
    /// Scenes/images found only outside the creator folders, by the media id in their file name.
    var filesOutsideFolders: [FanslyID: [String]]
    /// True for a plan against an empty, offline Stash.
    var isOffline: Bool

    // Every index holds one id without an array: most keys name one object, and there is an
    // entry per scene and image in some of them (a plan after apply: a code and URL on each).
    private var names: [EntityKind: [String: ObjectIds]] = [:]
    private var aliases: [EntityKind: [String: ObjectIds]] = [:]
    private var urls: [EntityKind: [String: ObjectIds]] = [:]
    private var codes: [EntityKind: [String: ObjectIds]] = [:]
    /// By far the largest index (an entry for every scene and image): one id is held without an array.
    private var mediaFiles: [EntityKind: [FanslyID: ObjectIds]] = [:]
    private var chapters: [String: [String]] = [:]
    /// Objects held in `spool` rather than in `objectsByKind` (a large library's scenes and images).
    private var spooledLocations: [EntityKind: [String: SnapshotSpool.Location]] = [:]
    private var spool: SnapshotSpool?
    /// The `image_ids` of spooled galleries (rebuilt from the images that name them), set as they
    /// are read back.
    var spooledGalleryImages: [String: [StashRef]] = [:]

    public init(
        objects: [StashObject], searchedFolders: [String: [String]] = [:],
        filesOutsideFolders: [FanslyID: [String]] = [:], isOffline: Bool = false
    ) {
        self.searchedFolders = searchedFolders
        self.filesOutsideFolders = filesOutsideFolders
        self.isOffline = isOffline
        for object in objects { insert(object) }
    }

    /// Adds (or replaces) an object and indexes it.
    mutating func insert(_ object: StashObject) {
        objectsByKind[object.kind, default: [:]][object.id] = object
        indexKeys(object)
        for path in object.paths {
            if let token = MediaFileName.token(inPath: path) { indexFile(token.mediaId, object.id, kind: object.kind) }
        }
    }

    /// Adds an object of `kind` that `spool` holds, indexed as `insert(_:)` indexes the object itself.
    mutating func insert(_ spooled: SpooledObject, kind: EntityKind, spool: SnapshotSpool) {
        self.spool = spool
        spooledLocations[kind, default: [:]][spooled.id] = spooled.location
        indexKeys(StashObject(kind: kind, id: spooled.id, fields: spooled.keyFields ?? [:]))
        if let first = spooled.firstMediaId { indexFile(first, spooled.id, kind: kind) }
        for mediaId in spooled.otherMediaIds { indexFile(mediaId, spooled.id, kind: kind) }
    }

    /// Adds `id` to the objects whose file names carry `mediaId`.
    private mutating func indexFile(_ mediaId: FanslyID, _ id: String, kind: EntityKind) {
        Self.add(id, to: &mediaFiles[kind, default: [:]], key: mediaId)
    }

    /// Indexes `object` by its name, aliases, URLs, code and (a chapter) gallery.
    private mutating func indexKeys(_ object: StashObject) {
        let kind = object.kind
        if let name = object.string("name") {
            Self.add(object.id, to: &names[kind, default: [:]], key: name.lowercased())
        }
        for alias in object.strings(kind == .performer ? "alias_list" : "aliases") {
            Self.add(object.id, to: &aliases[kind, default: [:]], key: alias.lowercased())
        }
        for url in object.strings("urls") {
            Self.add(object.id, to: &urls[kind, default: [:]], key: Self.normalizedURL(url))
        }
        if let code = object.string("code") { Self.add(object.id, to: &codes[kind, default: [:]], key: code) }
        if kind == .chapter, let gallery = object.galleryId { chapters[gallery, default: []].append(object.id) }
    }

    /// The object of `kind` with `id`, if Stash holds it. A spooled object not loaded with
    /// `loading(for:links:)` is read from the spool (a failed read is thrown by `checkSpoolReads()`).
    func object(_ kind: EntityKind, id: String) -> StashObject? {
        if let object = objectsByKind[kind]?[id] { return object }
        guard let spool, let location = spooledLocations[kind]?[id] else { return nil }
        return spool.object(at: location, kind: kind).map(readBack)
    }

    /// A spooled object as the snapshot holds it: a gallery with its images.
    private func readBack(_ object: StashObject) -> StashObject {
        guard object.kind == .gallery else { return object }
        var gallery = object
        gallery.fields["image_ids"] = .refs(spooledGalleryImages[object.id] ?? [])
        return gallery
    }

    /// Whether Stash holds the object of `kind` with `id` (without reading a spooled one).
    func holds(_ kind: EntityKind, id: String) -> Bool {
        objectsByKind[kind]?[id] != nil || spooledLocations[kind]?[id] != nil
    }

    /// Every object of `kind`, spooled ones read back (in no order).
    func objects(_ kind: EntityKind) -> [StashObject] {
        var result = Array((objectsByKind[kind] ?? [:]).values)
        if let spool, let spooled = spooledLocations[kind] {
            let unloaded = spooled.filter { objectsByKind[kind]?[$0.key] == nil }.map(\.value)
            do { result += try spool.objects(at: unloaded, kind: kind).map(readBack) } catch { spool.remember(error) }
        }
        return result
    }

    /// Number of objects of `kind`.
    func count(_ kind: EntityKind) -> Int {
        let spooled = spooledLocations[kind].map { loaded in
            // Loaded spooled objects are in both tables.
            loaded.count - (objectsByKind[kind]?.keys.filter { loaded[$0] != nil }.count ?? 0)
        }
        return (objectsByKind[kind]?.count ?? 0) + (spooled ?? 0)
    }

    /// Number of objects held in the spool rather than in memory (loaded or not).
    var spooledCount: Int { spooledLocations.values.reduce(0) { $0 + $1.count } }

    /// Number of objects of every kind.
    public var count: Int { EntityKind.allCases.reduce(0) { $0 + count($1) } }

    /// This snapshot with the spooled objects that matching `entities` can reach read into memory:
    /// those their links, match keys and files name. Nothing else changes (the indexes are whole).
    func loading(for entities: [DesiredEntity], links: [EntityAddress: SyncLink]) throws -> StashSnapshot {
        guard let spool else { return self }
        var wanted: [EntityKind: Set<String>] = [:]
        func want(_ kind: EntityKind, _ ids: [String]) {
            guard let spooled = spooledLocations[kind] else { return }
            for id in ids where spooled[id] != nil && objectsByKind[kind]?[id] == nil {
                wanted[kind, default: []].insert(id)
            }
        }
        for entity in entities where spooledLocations[entity.address.kind] != nil {
            let kind = entity.address.kind
            if let link = links[entity.address] { want(kind, [link.stashId]) }
            for key in entity.match {
                switch key {
                case .name(let name, _): want(kind, ids(named: name, kind: kind) + ids(aliased: name, kind: kind))
                case .url(let url): want(kind, ids(url: url, kind: kind))
                case .code(let code): want(kind, ids(code: code, kind: kind))
                case .fileMediaId(let mediaId): want(kind, ids(fileMediaId: mediaId, kind: kind))
                case .stashIdHint(let id): want(kind, [id])
                }
            }
            for file in entity.files { want(kind, ids(fileMediaId: file.fileMediaId, kind: kind)) }
        }
        var loaded = self
        for (kind, ids) in wanted {
            let locations = spooledLocations[kind]!
            for object in try spool.objects(at: ids.map { locations[$0]! }, kind: kind) {
                loaded.objectsByKind[kind, default: [:]][object.id] = readBack(object)
            }
        }
        return loaded
    }

    /// Adds `id` to the ids `key` names in `index`, after those already there.
    private static func add<Key: Hashable>(_ id: String, to index: inout [Key: ObjectIds], key: Key) {
        if index[key] == nil { index[key] = .one(id) } else { index[key]!.append(id) }
    }

    /// Throws the first read of a spooled object that failed where `object(_:id:)` could not throw.
    func checkSpoolReads() throws { try spool?.checkReads() }

    func ids(named name: String, kind: EntityKind) -> [String] { names[kind]?[name.lowercased()]?.ids ?? [] }
    func ids(aliased alias: String, kind: EntityKind) -> [String] { aliases[kind]?[alias.lowercased()]?.ids ?? [] }
    func ids(url: String, kind: EntityKind) -> [String] { urls[kind]?[Self.normalizedURL(url)]?.ids ?? [] }
    func ids(code: String, kind: EntityKind) -> [String] { codes[kind]?[code]?.ids ?? [] }
    func ids(fileMediaId: FanslyID, kind: EntityKind) -> [String] { mediaFiles[kind]?[fileMediaId]?.ids ?? [] }
    func chapterIds(gallery: String) -> [String] { chapters[gallery] ?? [] }

    /// Calls `body` with every media id found in the file names of fetched scenes (or images) and
    /// the first object holding it.
    func forEachMediaFile(_ kind: EntityKind, _ body: (FanslyID, String) throws -> Void) rethrows {
        for (mediaId, ids) in mediaFiles[kind] ?? [:] { try body(mediaId, ids.first) }
    }

    /// URLs compare without scheme case, `www.`, trailing slashes or `http`/`https` differences.
    static func normalizedURL(_ url: String) -> String {
        var text = url.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        for prefix in ["https://", "http://"] where text.hasPrefix(prefix) { text.removeFirst(prefix.count) }
        if text.hasPrefix("www.") { text.removeFirst(4) }
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }
}

/// The ids of the objects one key of an index names: nearly always one, held without an array.
enum ObjectIds: Sendable {
    case one(String)
    case many([String])

    var ids: [String] {
        switch self {
        case .one(let id): return [id]
        case .many(let ids): return ids
        }
    }

    var first: String {
        switch self {
        case .one(let id): return id
        case .many(let ids): return ids[0]
        }
    }

    mutating func append(_ id: String) {
        switch self {
        case .one(let first): self = .many([first, id])
        case .many(var ids):
            // Released first, so that the list is appended to in place rather than copied.
            self = .one("")
            ids.append(id)
            self = .many(ids)
        }
    }
}

/// The media id token the downloader puts in file names: `…_id_<digits>.<ext>` or
/// `…_preview_id_<digits>.<ext>`. Older names (no `_UTC`, 12-hour clocks) and renamed folders only
/// change the rest of the name, so only the token is read, never the whole name.
enum MediaFileName {
    /// The media id in a file name and whether it names a preview.
    struct Token: Sendable, Hashable {
        var mediaId: FanslyID
        var isPreview: Bool
    }

    /// The token in the last path component of `path`.
    static func token(inPath path: String) -> Token? {
        let utf8 = path.utf8
        let start = utf8.lastIndex(of: UInt8(ascii: "/")).map { utf8.index(after: $0) } ?? utf8.startIndex
        return token(inBasename: Substring(path[start...]))
    }

    /// The last `id_<digits>` token of a basename that starts the name or follows `_`.
    static func token<S: StringProtocol>(inBasename name: S) -> Token? {
        let bytes = Array(name.utf8)
        var index = bytes.count - 3
        while index >= 0 {
            if bytes[index] == UInt8(ascii: "i"), bytes[index + 1] == UInt8(ascii: "d"),
                bytes[index + 2] == UInt8(ascii: "_"),
                index == 0 || bytes[index - 1] == UInt8(ascii: "_")
            {
                var end = index + 3
                var value: Int64 = 0
                var overflow = false
                while end < bytes.count, bytes[end] >= 48, bytes[end] <= 57 {
                    let (times, o1) = value.multipliedReportingOverflow(by: 10)
                    let (sum, o2) = times.addingReportingOverflow(Int64(bytes[end] - 48))
                    overflow = overflow || o1 || o2
                    value = sum
                    end += 1
                }
                let endsToken = end == bytes.count || !(bytes[end] >= 48 && bytes[end] <= 57) && !isLetter(bytes[end])
                if end > index + 3, !overflow, endsToken {
                    let preview = index >= 8 && Array(bytes[(index - 8)..<index]) == Array("preview_".utf8)
                    return Token(mediaId: value, isPreview: preview)
                }
            }
            index -= 1
        }
        return nil
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
    }
}
