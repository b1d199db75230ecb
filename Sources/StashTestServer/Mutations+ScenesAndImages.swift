import GraphQL

/// Scene and image updates (see `Mutations.swift` for the rules every mutation follows).
extension StashState {
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
