import Foundation

/// Seeding for tests: scanned files, galleries a scan made, and a user's edits in Stash.
extension StashTestServer {
    /// Adds scenes and images for scanned file paths; returns the ids created by path.
    @discardableResult
    public func seed(paths: [String]) -> [String: Int] { modify { $0.seed(paths: paths) } }

    /// Marks a scene organized, as a user would in Stash.
    public func markOrganized(sceneId: Int, _ organized: Bool = true) {
        modify { $0.scenes[sceneId]?.organized = organized }
    }
    /// Marks an image organized.
    public func markOrganized(imageId: Int, _ organized: Bool = true) {
        modify { $0.images[imageId]?.organized = organized }
    }
    /// Marks a gallery organized.
    public func markOrganized(galleryId: Int, _ organized: Bool = true) {
        modify { $0.galleries[galleryId]?.organized = organized }
    }

    /// Adds a gallery a scan created from a zip file, holding `imagePaths` (seeded as images).
    @discardableResult
    public func addZipGallery(path: String, imagePaths: [String] = []) -> Int {
        modify { state in
            let id = state.nextId("gallery")
            var gallery = TestGallery(id: id)
            gallery.zipPath = path
            state.galleries[id] = gallery
            for imageId in state.seed(paths: imagePaths).values { state.images[imageId]?.galleryIds.append(id) }
            return id
        }
    }

    /// Adds a gallery a scan created from a folder; images already seeded directly inside it join it.
    @discardableResult
    public func addFolderGallery(path: String) -> Int {
        modify { state in
            let id = state.nextId("gallery")
            var gallery = TestGallery(id: id)
            gallery.folderPath = path
            state.galleries[id] = gallery
            for (imageId, image) in state.images where (image.path as NSString).deletingLastPathComponent == path {
                state.images[imageId]?.galleryIds.append(id)
            }
            return id
        }
    }
}
