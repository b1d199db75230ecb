import GraphQL

// Mutations with Stash's validation rules and messages (pkg/performer, pkg/studio, pkg/tag
// validate.go; the gallery, chapter and scene resolvers). A failing field must keep nothing, as
// Stash's per-field transaction: the single-object mutations check everything before their first
// write (they run in place, see `StashTestServer.transact`); tag mutations, which may write
// several objects, run on a copy that replaces the state only on success.

extension StashState {
    // MARK: Shared checks

    func requireExisting<T>(_ ids: [Int]?, in table: [Int: T]) throws {
        for id in ids ?? [] where table[id] == nil {
            throw ResolverError("FOREIGN KEY constraint failed")
        }
    }

    static func validDate(_ text: String?) throws -> String? {
        guard let text, !text.isEmpty else { return nil }
        let parts = text.split(separator: "-")
        guard parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            parts[0].count == 4, (1...12).contains(month), (1...31).contains(day), year > 0
        else {
            throw ResolverError("invalid date \"\(text)\": parsing time \"\(text)\" as \"2006-01-02\": cannot parse")
        }
        return text
    }

    static func checkURLs(_ input: InputObject) throws -> [String]? {
        if input.has("urls") && input.has("url") && !input.isNull("url") {
            throw ResolverError("url field must not be included if urls is included")
        }
        if let urls = input.strings("urls") { return urls.filter { !$0.isEmpty } }
        if let url = input.string("url") { return url.isEmpty ? [] : [url] }
        return nil
    }

    /// Dedupes case-sensitively, keeping order (Stash stores aliases as given, trimmed).
    static func uniqued(_ values: [String]) -> [String] {
        values.reduce(into: []) { if !$0.contains($1) && !$1.isEmpty { $0.append($1) } }
    }

    // MARK: Performers

    func checkPerformerName(_ name: String, disambiguation: String, excluding id: Int?) throws {
        if name.isEmpty { throw ResolverError("performer name must not be blank") }
        let conflict = performers.values.contains { other in
            other.id != id && StringMatch.like(other.name, name)
                && (disambiguation.isEmpty
                    ? other.disambiguation.isEmpty : StringMatch.like(other.disambiguation, disambiguation))
        }
        if conflict {
            throw ResolverError(
                disambiguation.isEmpty
                    ? "performer with name '\(name)' already exists"
                    : "performer with name '\(name)' and disambiguation '\(disambiguation)' already exists")
        }
    }

    static func checkPerformerAliases(name: String, aliases: [String]) throws {
        var seen: Set<String> = [name.lowercased()]
        for alias in aliases {
            if !seen.insert(alias.lowercased()).inserted {
                throw ResolverError("performer contains duplicate alias '\(alias)'")
            }
        }
    }

    func applyPerformerFields(_ input: InputObject, to performer: inout TestPerformer) throws {
        try input.applyCustomFields(to: &performer.customFields)
        if let urls = try Self.checkURLs(input) { performer.urls = urls }
        if input.has("gender") { performer.gender = input.rawString("gender") }
        if input.has("birthdate") { performer.birthdate = try Self.validDate(input.string("birthdate")) }
        if input.has("country") { performer.country = input.string("country") ?? "" }
        if input.has("details") { performer.details = input.string("details") ?? "" }
        if let favorite = input.bool("favorite") { performer.favorite = favorite }
        if let tagIds = try input.ids("tag_ids") { try requireExisting(tagIds, in: tags); performer.tagIds = tagIds }
        if input.has("image") { performer.image = input.rawString("image") }
        if let stashIds = input.objects("stash_ids") {
            performer.stashIds = stashIds.map {
                TestStashID(endpoint: $0.string("endpoint") ?? "", stashId: $0.string("stash_id") ?? "")
            }
        }
    }

    mutating func performerCreate(_ input: InputObject) throws -> Int {
        let name = input.string("name") ?? ""
        let disambiguation = input.string("disambiguation") ?? ""
        try checkPerformerName(name, disambiguation: disambiguation, excluding: nil)
        let aliases = Self.uniqued(input.strings("alias_list") ?? [])
        try Self.checkPerformerAliases(name: name, aliases: aliases)
        var performer = TestPerformer(id: peekId("performer"), name: name)
        performer.disambiguation = disambiguation
        performer.aliases = aliases
        try applyPerformerFields(input, to: &performer)
        performers[nextId("performer")] = performer
        return performer.id
    }

    mutating func performerUpdate(_ input: InputObject) throws -> Int {
        let id = try input.id("id") ?? 0
        guard var performer = performers[id] else { throw ResolverError("performer with id \(id) not found") }
        if input.has("name") || input.has("disambiguation") {
            let name = input.has("name") ? input.string("name") ?? "" : performer.name
            let disambiguation =
                input.has("disambiguation") ? input.string("disambiguation") ?? "" : performer.disambiguation
            try checkPerformerName(name, disambiguation: disambiguation, excluding: id)
            performer.name = name
            performer.disambiguation = disambiguation
        }
        if let aliases = input.strings("alias_list") { performer.aliases = Self.uniqued(aliases) }
        if input.has("name") || input.has("alias_list") {
            try Self.checkPerformerAliases(name: performer.name, aliases: performer.aliases)
        }
        try applyPerformerFields(input, to: &performer)
        performers[id] = performer
        return id
    }

    // MARK: Studios and tags: names and aliases unique across all names and aliases

    /// Stash's EnsureTagNameUnique / EnsureStudioNameUnique, applied to the name and to every alias:
    /// a text may not be another object's name (`LIKE`, case-insensitive) nor one of its aliases.
    static func checkNamesUnique(
        kind: String, name: String?, aliases: [String]?, excluding id: Int?,
        others: [(id: Int, name: String, aliases: [String])]
    ) throws {
        let others = others.filter { $0.id != id }.sorted { $0.id < $1.id }
        if let name, name.isEmpty { throw ResolverError("\(kind) name must not be blank") }
        for text in (name.map { [$0] } ?? []) + (aliases ?? []) {
            if others.contains(where: { StringMatch.like($0.name, text) }) {
                throw ResolverError("\(kind) with name '\(text)' already exists")
            }
            if let owner = others.first(where: { $0.aliases.contains { StringMatch.like($0, text) } }) {
                throw ResolverError("name '\(text)' is used as alias for '\(owner.name)'")
            }
        }
    }

    var studioNames: [(id: Int, name: String, aliases: [String])] {
        studios.values.map { ($0.id, $0.name, $0.aliases) }
    }
    var tagNames: [(id: Int, name: String, aliases: [String])] { tags.values.map { ($0.id, $0.name, $0.aliases) } }

    func checkStudioParent(_ parentId: Int?, of id: Int?) throws {
        guard let parentId else { return }
        guard studios[parentId] != nil else { throw ResolverError("FOREIGN KEY constraint failed") }
        var current: Int? = parentId
        var seen: Set<Int> = []
        while let cursor = current, seen.insert(cursor).inserted {
            if cursor == id { throw ResolverError("studio cannot be an ancestor of itself") }
            current = studios[cursor]?.parentId
        }
    }

    mutating func studioCreate(_ input: InputObject) throws -> Int {
        let name = input.string("name") ?? ""
        let aliases = Self.uniqued(input.strings("aliases") ?? [])
        try Self.checkNamesUnique(kind: "studio", name: name, aliases: aliases, excluding: nil, others: studioNames)
        var studio = TestStudio(id: peekId("studio"), name: name)
        studio.aliases = aliases
        try applyStudioFields(input, to: &studio)
        studios[nextId("studio")] = studio
        return studio.id
    }

    func applyStudioFields(_ input: InputObject, to studio: inout TestStudio) throws {
        try input.applyCustomFields(to: &studio.customFields)
        if let organized = input.bool("organized") { studio.organized = organized }
        if let urls = try Self.checkURLs(input) { studio.urls = urls }
        if input.has("parent_id") {
            let parent = try input.id("parent_id")
            try checkStudioParent(parent, of: studio.id)
            studio.parentId = parent
        }
        if input.has("details") { studio.details = input.string("details") ?? "" }
        if let favorite = input.bool("favorite") { studio.favorite = favorite }
        if let tagIds = try input.ids("tag_ids") { try requireExisting(tagIds, in: tags); studio.tagIds = tagIds }
        if input.has("image") { studio.image = input.rawString("image") }
    }

    mutating func studioUpdate(_ input: InputObject) throws -> Int {
        let id = try input.id("id") ?? 0
        guard var studio = studios[id] else { throw ResolverError("studio with id \(id) not found") }
        let name = input.has("name") ? input.string("name") ?? "" : nil
        let aliases = input.strings("aliases").map(Self.uniqued)
        try Self.checkNamesUnique(kind: "studio", name: name, aliases: aliases, excluding: id, others: studioNames)
        if let name { studio.name = name }
        if let aliases { studio.aliases = aliases }
        try applyStudioFields(input, to: &studio)
        studios[id] = studio
        return id
    }

    /// Stash's ValidateHierarchy: a new parent may not be a descendant of the tag, a new child not
    /// one of its ancestors.
    func checkTagHierarchy(_ tag: TestTag, childIds: [Int]) throws {
        try requireExisting(tag.parentIds, in: tags)
        try requireExisting(childIds, in: tags)
        func walk(from start: Int, next: (Int) -> [Int]) -> [Int: [Int]] {
            var paths: [Int: [Int]] = [:]
            var queue: [(Int, [Int])] = next(start).map { ($0, [start, $0]) }
            while !queue.isEmpty {
                let (current, path) = queue.removeFirst()
                if paths[current] != nil || current == start { continue }
                paths[current] = path
                queue.append(contentsOf: next(current).map { ($0, path + [$0]) })
            }
            return paths
        }
        let descendants = walk(from: tag.id) { id in tags.values.filter { $0.parentIds.contains(id) }.map(\.id) }
        let ancestors = walk(from: tag.id) { id in id == tag.id ? [] : tags[id]?.parentIds ?? [] }
        func describe(_ path: [Int]) -> String {
            path.map { $0 == tag.id ? tag.name : tags[$0]?.name ?? "?" }.joined(separator: " > ")
        }
        for parent in tag.parentIds {
            if parent == tag.id || descendants[parent] != nil {
                let name = tags[parent]?.name ?? tag.name
                throw ResolverError(
                    "cannot apply tag \"\(name)\" as a parent of \"\(tag.name)\" as it is already a descendant (\(describe(descendants[parent] ?? [parent])))"
                )
            }
        }
        let currentAncestors = walk(from: tag.id) { id in (id == tag.id ? tag.parentIds : tags[id]?.parentIds) ?? [] }
        for child in childIds {
            if child == tag.id || currentAncestors[child] != nil || ancestors[child] != nil {
                let name = tags[child]?.name ?? tag.name
                throw ResolverError(
                    "cannot apply tag \"\(name)\" as a child of \"\(tag.name)\" as it is already an ancestor (\(describe((currentAncestors[child] ?? [child]).reversed())))"
                )
            }
        }
    }

    mutating func applyTagFields(_ input: InputObject, to tag: inout TestTag) throws {
        try input.applyCustomFields(to: &tag.customFields)
        if input.has("sort_name") { tag.sortName = input.string("sort_name") ?? "" }
        if input.has("description") { tag.description = input.string("description") ?? "" }
        if let favorite = input.bool("favorite") { tag.favorite = favorite }
        if let ignore = input.bool("ignore_auto_tag") { tag.ignoreAutoTag = ignore }
        if let parents = try input.ids("parent_ids") { tag.parentIds = parents }
        let childIds = try input.ids("child_ids")
        try checkTagHierarchy(tag, childIds: childIds ?? [])
        if let childIds {
            for (id, var other) in tags where id != tag.id {
                let shouldBeChild = childIds.contains(id)
                if shouldBeChild && !other.parentIds.contains(tag.id) {
                    other.parentIds.append(tag.id); tags[id] = other
                }
                if !shouldBeChild && other.parentIds.contains(tag.id) {
                    other.parentIds.removeAll { $0 == tag.id }; tags[id] = other
                }
            }
        }
    }

    mutating func tagCreate(_ input: InputObject) throws -> Int {
        let name = input.string("name") ?? ""
        let aliases = Self.uniqued(input.strings("aliases") ?? [])
        try Self.checkNamesUnique(kind: "tag", name: name, aliases: aliases, excluding: nil, others: tagNames)
        var tag = TestTag(id: nextId("tag"), name: name)
        tag.aliases = aliases
        try applyTagFields(input, to: &tag)
        tags[tag.id] = tag
        return tag.id
    }

    mutating func tagUpdate(_ input: InputObject) throws -> Int {
        let id = try input.id("id") ?? 0
        guard var tag = tags[id] else { throw ResolverError("tag with id \(id) not found") }
        let name = input.has("name") ? input.string("name") ?? "" : nil
        let aliases = input.strings("aliases").map(Self.uniqued)
        try Self.checkNamesUnique(kind: "tag", name: name, aliases: aliases, excluding: id, others: tagNames)
        if let name { tag.name = name }
        if let aliases { tag.aliases = aliases }
        try applyTagFields(input, to: &tag)
        tags[id] = tag
        return id
    }

    // MARK: Galleries and chapters

    func applyMediaRelations(_ input: InputObject, studioId: inout Int?, performerIds: inout [Int], tagIds: inout [Int])
        throws
    {
        if input.has("studio_id") {
            let studio = try input.id("studio_id")
            if let studio { try requireExisting([studio], in: studios) }
            studioId = studio
        }
        if let ids = try input.ids("performer_ids") { try requireExisting(ids, in: performers); performerIds = ids }
        if let ids = try input.ids("tag_ids") { try requireExisting(ids, in: tags); tagIds = ids }
    }

    func applyGalleryFields(_ input: InputObject, to gallery: inout TestGallery) throws {
        try input.applyCustomFields(to: &gallery.customFields)
        if input.has("title") { gallery.title = input.string("title") ?? "" }
        if input.has("code") { gallery.code = input.string("code") ?? "" }
        if input.has("details") { gallery.details = input.string("details") ?? "" }
        if input.has("photographer") { gallery.photographer = input.string("photographer") ?? "" }
        if input.has("date") { gallery.date = try Self.validDate(input.string("date")) }
        if let urls = input.strings("urls") {
            gallery.urls = urls.filter { !$0.isEmpty }
        } else if let url = input.string("url") {
            gallery.urls = url.isEmpty ? [] : [url]
        }
        if let organized = input.bool("organized") { gallery.organized = organized }
        if let ids = try input.ids("scene_ids") { try requireExisting(ids, in: scenes); gallery.sceneIds = ids }
        try applyMediaRelations(
            input, studioId: &gallery.studioId, performerIds: &gallery.performerIds, tagIds: &gallery.tagIds)
    }

    mutating func galleryCreate(_ input: InputObject) throws -> Int {
        guard let title = input.string("title"), !title.isEmpty else { throw ResolverError("title must not be empty") }
        var gallery = TestGallery(id: peekId("gallery"))
        gallery.title = title
        try applyGalleryFields(input, to: &gallery)
        galleries[nextId("gallery")] = gallery
        linkScenes(toGallery: gallery, previously: [])
        return gallery.id
    }

    /// Keeps the scene side of the scene–gallery relation in step. Only the scenes the gallery
    /// named before (`previously`) or names now can change: both sides always agree, so no other
    /// scene holds this gallery (visiting just these keeps an update's cost independent of the
    /// library's size).
    mutating func linkScenes(toGallery gallery: TestGallery, previously: [Int]) {
        for id in Self.ordered(previously + gallery.sceneIds) {
            guard var scene = scenes[id] else { continue }
            let linked = gallery.sceneIds.contains(id)
            if linked && !scene.galleryIds.contains(gallery.id) {
                scene.galleryIds.append(gallery.id); scenes[id] = scene
            }
            if !linked && scene.galleryIds.contains(gallery.id) {
                scene.galleryIds.removeAll { $0 == gallery.id }; scenes[id] = scene
            }
        }
    }

    /// Distinct ids in ascending order.
    static func ordered(_ ids: [Int]) -> [Int] { Set(ids).sorted() }

    mutating func galleryUpdate(_ input: InputObject) throws -> Int {
        let id = try input.id("id") ?? 0
        guard var gallery = galleries[id] else { throw ResolverError("gallery with id \(id) not found") }
        if input.has("title") && (input.string("title") ?? "").isEmpty && gallery.isUserCreated {
            throw ResolverError("title must not be empty")
        }
        let previously = gallery.sceneIds
        try applyGalleryFields(input, to: &gallery)
        galleries[id] = gallery
        if input.has("scene_ids") { linkScenes(toGallery: gallery, previously: previously) }
        return id
    }

    func userCreatedGallery(_ input: InputObject) throws -> TestGallery {
        let id = try input.id("gallery_id") ?? 0
        guard let gallery = galleries[id] else { throw ResolverError("gallery with id \(id) not found") }
        if let zip = gallery.zipPath { throw ResolverError("cannot change contents of zip-based gallery \"\(zip)\"") }
        if let folder = gallery.folderPath {
            throw ResolverError("cannot change contents of folder-based gallery \"\(folder)\"")
        }
        return gallery
    }

    mutating func addGalleryImages(_ input: InputObject) throws -> Bool {
        let gallery = try userCreatedGallery(input)
        let imageIds = try input.ids("image_ids") ?? []
        try requireExisting(imageIds, in: images)
        for id in imageIds where !(images[id]!.galleryIds.contains(gallery.id)) {
            images[id]!.galleryIds.append(gallery.id)
        }
        return true
    }

    func checkChapterIndex(_ index: Int, galleryId: Int) throws {
        let count = imageIds(inGallery: galleryId).count
        if index < 1 || index > count {
            throw ResolverError("Image # must greater than zero and in range of the gallery images")
        }
    }

    mutating func galleryChapterCreate(_ input: InputObject) throws -> Int {
        let galleryId = try input.id("gallery_id") ?? 0
        guard galleries[galleryId] != nil else { throw ResolverError("gallery with id \(galleryId) not found") }
        let index = input.int("image_index") ?? 0
        try checkChapterIndex(index, galleryId: galleryId)
        let chapter = TestChapter(
            id: nextId("chapter"), galleryId: galleryId, title: input.string("title") ?? "", imageIndex: index)
        chapters[chapter.id] = chapter
        return chapter.id
    }

    mutating func galleryChapterUpdate(_ input: InputObject) throws -> Int {
        let id = try input.id("id") ?? 0
        guard var chapter = chapters[id] else { throw ResolverError("gallery chapter with id \(id) not found") }
        if let galleryId = try input.id("gallery_id") {
            guard galleries[galleryId] != nil else { throw ResolverError("gallery with id \(galleryId) not found") }
            chapter.galleryId = galleryId
        }
        if input.has("title") { chapter.title = input.string("title") ?? "" }
        if let index = input.int("image_index") { chapter.imageIndex = index }
        try checkChapterIndex(chapter.imageIndex, galleryId: chapter.galleryId)
        chapters[id] = chapter
        return id
    }

    // MARK: Scenes and images

    mutating func sceneUpdate(_ input: InputObject) throws -> Int {
        let id = try input.id("id") ?? 0
        guard var scene = scenes[id] else { throw ResolverError("scene with id \(id) not found") }
        let previously = scene.galleryIds
        try applySceneFields(input, to: &scene)
        scenes[id] = scene
        if input.has("gallery_ids") { linkGalleries(toScene: scene, previously: previously) }
        return id
    }

    /// Keeps the gallery side of the scene–gallery relation in step (Stash stores it once, in a join
    /// table). Only the galleries the scene named before (`previously`) or names now can change, as
    /// in `linkScenes(toGallery:previously:)`.
    mutating func linkGalleries(toScene scene: TestScene, previously: [Int]) {
        for id in Self.ordered(previously + scene.galleryIds) {
            guard var gallery = galleries[id] else { continue }
            let linked = scene.galleryIds.contains(id)
            if linked && !gallery.sceneIds.contains(scene.id) {
                gallery.sceneIds.append(scene.id); galleries[id] = gallery
            }
            if !linked && gallery.sceneIds.contains(scene.id) {
                gallery.sceneIds.removeAll { $0 == scene.id }; galleries[id] = gallery
            }
        }
    }

    func applySceneFields(_ input: InputObject, to scene: inout TestScene) throws {
        try input.applyCustomFields(to: &scene.customFields)
        if input.has("title") { scene.title = input.string("title") ?? "" }
        if input.has("code") { scene.code = input.string("code") ?? "" }
        if input.has("details") { scene.details = input.string("details") ?? "" }
        if input.has("director") { scene.director = input.string("director") ?? "" }
        if input.has("date") { scene.date = try Self.validDate(input.string("date")) }
        // `urls` wins over the deprecated `url` for scenes (translator.optionalURLs).
        if let urls = input.strings("urls") {
            scene.urls = urls.filter { !$0.isEmpty }
        } else if let url = input.string("url") {
            scene.urls = url.isEmpty ? [] : [url]
        }
        if let organized = input.bool("organized") { scene.organized = organized }
        if let ids = try input.ids("gallery_ids") { try requireExisting(ids, in: galleries); scene.galleryIds = ids }
        if input.has("cover_image") { scene.coverImage = input.rawString("cover_image") }
        try applyMediaRelations(
            input, studioId: &scene.studioId, performerIds: &scene.performerIds, tagIds: &scene.tagIds)
    }

    mutating func imageUpdate(_ input: InputObject) throws -> Int {
        let id = try input.id("id") ?? 0
        guard var image = images[id] else { throw ResolverError("image with id \(id) not found") }
        try input.applyCustomFields(to: &image.customFields)
        if input.has("title") { image.title = input.string("title") ?? "" }
        if input.has("code") { image.code = input.string("code") ?? "" }
        if input.has("details") { image.details = input.string("details") ?? "" }
        if input.has("photographer") { image.photographer = input.string("photographer") ?? "" }
        if input.has("date") { image.date = try Self.validDate(input.string("date")) }
        if let urls = input.strings("urls") {
            image.urls = urls.filter { !$0.isEmpty }
        } else if let url = input.string("url") {
            image.urls = url.isEmpty ? [] : [url]
        }
        if let organized = input.bool("organized") { image.organized = organized }
        if let ids = try input.ids("gallery_ids") {
            try requireExisting(ids, in: galleries)
            for galleryId in Set(ids).symmetricDifference(image.galleryIds) {
                if let gallery = galleries[galleryId], !gallery.isUserCreated {
                    throw ResolverError(
                        "cannot change contents of \(gallery.zipPath != nil ? "zip" : "folder")-based gallery \"\(gallery.zipPath ?? gallery.folderPath ?? "")\""
                    )
                }
            }
            image.galleryIds = ids
        }
        try applyMediaRelations(
            input, studioId: &image.studioId, performerIds: &image.performerIds, tagIds: &image.tagIds)
        images[id] = image
        return id
    }

}
