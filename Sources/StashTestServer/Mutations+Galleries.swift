import GraphQL

/// Gallery and gallery chapter mutations (see `Mutations.swift` for the rules every mutation follows).
extension StashState {
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

    mutating func checkChapterIndex(_ index: Int, galleryId: Int) throws {
        let count = imageCount(inGallery: galleryId)
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
}
