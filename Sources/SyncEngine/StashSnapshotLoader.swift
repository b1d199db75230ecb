import Foundation
import FanslyMetadata
import MappingRules
import StashClient

/// Reads what the planner needs from Stash in a few large pages: every performer, studio and tag,
/// the galleries that carry a code or URL, and the scenes and images under each creator's folders,
/// indexed in memory by the media id in their file names. Never one request per media item.
public struct StashSnapshotLoader: Sendable {
    public var client: StashClient
    /// Folder finds run this many at a time.
    public var concurrency: Int
    /// Unmatched media ids looked up outside the creator folders, per request (one regex each).
    public var outsideLookupBatch: Int
    /// At most this many outside-folder look-ups per run; beyond, unmatched media just say "not in Stash".
    public var outsideLookupLimit: Int

    public init(client: StashClient, concurrency: Int = 4, outsideLookupBatch: Int = 200, outsideLookupLimit: Int = 10) {
        self.client = client; self.concurrency = max(1, concurrency)
        self.outsideLookupBatch = max(1, outsideLookupBatch); self.outsideLookupLimit = max(0, outsideLookupLimit)
    }

    /// Loads the snapshot for planning `entities` (already narrowed by `--creator`/`--target`).
    /// `progress` receives short status lines (`reading scenes under /data/x…`).
    public func load(desired: DesiredState, entities: [DesiredEntity], links: [EntityAddress: SyncLink],
                     progress: @escaping @Sendable (String) -> Void = { _ in }) async throws -> StashSnapshot {
        let wantedKinds = Set(entities.map(\.address.kind))
        let creators = Set(entities.compactMap { $0.creator?.lowercased() })
        var folders: [String: [String]] = [:]
        if wantedKinds.contains(.scene) || wantedKinds.contains(.image) {
            for (creator, list) in desired.creatorFolders where creators.contains(creator.lowercased()) {
                folders[creator] = Self.outermost(list)
            }
        }

        progress("reading performers, studios and tags from Stash…")
        var objects: [StashObject] = []
        async let performers = wantedKinds.contains(.performer) ? client.findPerformers() : []
        async let studios = wantedKinds.contains(.studio) ? client.findStudios() : []
        async let tags = wantedKinds.contains(.tag) ? client.findTags() : []
        objects += try await performers.map(Self.object)
        objects += try await studios.map(Self.object)
        objects += try await tags.map(Self.object)
        if wantedKinds.contains(.gallery) || wantedKinds.contains(.chapter) || wantedKinds.contains(.image) {
            progress("reading galleries from Stash…")
            var filter = MediaFilter(code: StringCriterion("", .notNull))
            filter.or = MediaFilter(url: StringCriterion("", .notNull))
            for gallery in try await client.findGalleries(filter: filter) { objects += Self.objects(gallery) }
        }

        // Scenes and images under every creator folder, a few folders at a time.
        let jobs = folders.values.flatMap { $0 }.sorted().flatMap { folder in
            [(EntityKind.scene, folder), (EntityKind.image, folder)].filter { wantedKinds.contains($0.0) }
        }
        let client = self.client
        var found: [StashObject] = []
        var next = 0
        try await withThrowingTaskGroup(of: [StashObject].self) { group in
            func start() {
                guard next < jobs.count else { return }
                let (kind, folder) = jobs[next]
                next += 1
                progress("reading \(kind == .scene ? "scenes" : "images") under \(folder)…")
                // `INCLUDES "<folder>/"` is a SQL LIKE in Stash: case-insensitive (the downloader reuses
                // an existing creator folder whatever its case) and much cheaper than a regex over
                // every path. What it matches beyond the folder is harmless: files are matched by id.
                let filter = MediaFilter(path: .includesPhrase(folder + "/"))
                group.addTask {
                    kind == .scene ? try await client.findScenes(filter: filter).map(Self.object)
                                   : try await client.findImages(filter: filter).map(Self.object)
                }
            }
            for _ in 0..<concurrency { start() }
            while let batch = try await group.next() {
                found += batch
                start()
            }
        }
        objects += found
        Self.addGalleryImages(&objects)
        var snapshot = StashSnapshot(objects: objects, searchedFolders: folders)

        // Scenes/images remembered in SyncState but moved out of the folders: fetched by id.
        for kind in [EntityKind.scene, .image] where wantedKinds.contains(kind) {
            let missing = entities.filter { $0.address.kind == kind }.compactMap { links[$0.address]?.stashId }
                .filter { snapshot.object(kind, id: $0) == nil }
            guard !missing.isEmpty else { continue }
            let fetched = kind == .scene ? try await client.findScenes(ids: missing).map(Self.object)
                                         : try await client.findImages(ids: missing).map(Self.object)
            for object in fetched { snapshot.insert(object) }
        }

        // Media still without a file: are they elsewhere in Stash (outside the creator folders)?
        var unmatched: [(EntityKind, FanslyID)] = []
        for entity in entities where (entity.address.kind == .scene || entity.address.kind == .image) && links[entity.address] == nil {
            let files = entity.files.filter { !($0.isPreview && ($0.basename?.hasSuffix(".None") ?? false)) }
            guard !files.isEmpty, files.allSatisfy({ snapshot.ids(fileMediaId: $0.fileMediaId, kind: entity.address.kind).isEmpty }) else { continue }
            unmatched += files.map { (entity.address.kind, $0.fileMediaId) }
        }
        if !unmatched.isEmpty && outsideLookupLimit > 0 {
            progress("looking for \(unmatched.count) unmatched files elsewhere in Stash…")
            var outside: [FanslyID: [String]] = [:]
            for kind in [EntityKind.scene, .image] {
                let ids = unmatched.filter { $0.0 == kind }.map(\.1)
                var start = 0
                var requests = 0
                while start < ids.count && requests < outsideLookupLimit {
                    let chunk = ids[start..<min(ids.count, start + outsideLookupBatch)]
                    start += chunk.count
                    requests += 1
                    let pattern = "(^|[/_])id_(" + chunk.map(String.init).joined(separator: "|") + ")([^0-9/][^/]*)?$"
                    let filter = MediaFilter(path: .matchesRegex(pattern))
                    let paths = kind == .scene ? try await client.findScenes(filter: filter).flatMap { $0.files.map(\.path) }
                                               : try await client.findImages(filter: filter).flatMap { $0.visualFiles.map(\.path) }
                    for path in paths { if let token = MediaFileName.token(inPath: path) { outside[token.mediaId, default: []].append(path) } }
                }
            }
            snapshot.filesOutsideFolders = outside
        }
        return snapshot
    }

    /// Drops folders nested in another one of the list (their files are fetched with the outer one).
    static func outermost(_ folders: [String]) -> [String] {
        let normalized = Set(folders.map { $0.hasSuffix("/") && $0.count > 1 ? String($0.dropLast()) : $0 })
        return normalized.filter { folder in
            !normalized.contains { other in other != folder && folder.hasPrefix(other + "/") }
        }.sorted()
    }

    /// Stash's gallery type does not list its images; the images fetched name their galleries, so
    /// each gallery's `image_ids` is rebuilt from them (complete for the creator folders).
    static func addGalleryImages(_ objects: inout [StashObject]) {
        var members: [String: [StashRef]] = [:]
        for object in objects where object.kind == .image {
            guard case .refs(let galleries)? = object.fields["gallery_ids"] else { continue }
            for gallery in galleries { if let id = gallery.id { members[id, default: []].append(StashRef(id: object.id)) } }
        }
        for index in objects.indices where objects[index].kind == .gallery {
            objects[index].fields["image_ids"] = .refs(members[objects[index].id] ?? [])
        }
    }

    // MARK: Stash objects → StashObject

    static func ref(_ named: NamedRef?) -> PlanValue {
        named.map { .ref(StashRef(id: $0.id, label: $0.name)) } ?? .null
    }
    static func refs(_ named: [NamedRef]) -> PlanValue { .refs(named.map { StashRef(id: $0.id, label: $0.name) }) }
    static func refs(_ titled: [TitledRef]) -> PlanValue { .refs(titled.map { StashRef(id: $0.id, label: $0.title) }) }
    static func text(_ value: String?) -> PlanValue { value.map { .string($0) } ?? .null }
    static func date(_ value: String?) -> PlanValue { StashText.nonBlank(value).map { .date($0) } ?? .null }

    static func object(_ performer: Performer) -> StashObject {
        StashObject(kind: .performer, id: performer.id, fields: [
            "name": .string(performer.name), "disambiguation": text(performer.disambiguation),
            "alias_list": .strings(performer.aliasList), "urls": .strings(performer.urls ?? []),
            "details": text(performer.details), "country": text(performer.country), "birthdate": date(performer.birthdate),
            "gender": text(performer.gender?.rawValue), "favorite": .bool(performer.favorite), "tag_ids": refs(performer.tags),
        ])
    }

    static func object(_ studio: Studio) -> StashObject {
        StashObject(kind: .studio, id: studio.id, fields: [
            "name": .string(studio.name), "aliases": .strings(studio.aliases), "urls": .strings(studio.urls),
            "parent_id": ref(studio.parentStudio), "details": text(studio.details), "favorite": .bool(studio.favorite),
            "tag_ids": refs(studio.tags),
        ])
    }

    static func object(_ tag: Tag) -> StashObject {
        StashObject(kind: .tag, id: tag.id, fields: [
            "name": .string(tag.name), "sort_name": text(tag.sortName), "description": text(tag.description),
            "aliases": .strings(tag.aliases), "favorite": .bool(tag.favorite), "ignore_auto_tag": .bool(tag.ignoreAutoTag),
            "parent_ids": refs(tag.parents),
        ])
    }

    /// A gallery and its chapters.
    static func objects(_ gallery: Gallery) -> [StashObject] {
        let paths = gallery.files.map(\.path) + (gallery.folder.map { [$0.path] } ?? [])
        var result = [StashObject(kind: .gallery, id: gallery.id, fields: [
            "title": text(gallery.title), "code": text(gallery.code), "details": text(gallery.details),
            "photographer": text(gallery.photographer), "date": date(gallery.date), "urls": .strings(gallery.urls),
            "organized": .bool(gallery.organized), "studio_id": ref(gallery.studio), "performer_ids": refs(gallery.performers),
            "tag_ids": refs(gallery.tags), "scene_ids": refs(gallery.scenes),
        ], organized: gallery.organized, paths: paths)]
        for chapter in gallery.chapters {
            result.append(StashObject(kind: .chapter, id: chapter.id, fields: [
                "title": .string(chapter.title), "image_index": .int(chapter.imageIndex),
                "gallery_id": .ref(StashRef(id: gallery.id, label: StashText.nonBlank(gallery.title))),
            ]))
        }
        return result
    }

    static func object(_ scene: Scene) -> StashObject {
        StashObject(kind: .scene, id: scene.id, fields: [
            "title": text(scene.title), "code": text(scene.code), "details": text(scene.details), "director": text(scene.director),
            "date": date(scene.date), "urls": .strings(scene.urls), "organized": .bool(scene.organized),
            "studio_id": ref(scene.studio), "performer_ids": refs(scene.performers), "tag_ids": refs(scene.tags),
            "gallery_ids": refs(scene.galleries),
        ], organized: scene.organized, paths: scene.files.map(\.path))
    }

    static func object(_ image: Image) -> StashObject {
        StashObject(kind: .image, id: image.id, fields: [
            "title": text(image.title), "code": text(image.code), "details": text(image.details),
            "photographer": text(image.photographer), "date": date(image.date), "urls": .strings(image.urls),
            "organized": .bool(image.organized), "studio_id": ref(image.studio), "performer_ids": refs(image.performers),
            "tag_ids": refs(image.tags), "gallery_ids": refs(image.galleries),
        ], organized: image.organized, paths: image.visualFiles.map(\.path))
    }
}
