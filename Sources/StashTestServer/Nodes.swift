import Foundation
import GraphQL

// Output objects, resolved lazily field by field from a snapshot of the state, so that nested
// selections (a tag's parents' parents…) cost only what is selected.

struct PerformerNode: KeySubscriptable, Sendable {
    let state: StashState
    let record: TestPerformer
    subscript(key: String) -> (any Sendable)? {
        switch key {
        case "id": return String(record.id)
        case "custom_fields": return customFieldsMap(record.customFields)
        case "name": return record.name
        case "disambiguation": return record.disambiguation
        case "url": return record.urls.first ?? ""
        case "urls": return record.urls
        case "gender": return record.gender
        case "birthdate": return record.birthdate
        case "country": return record.country
        case "details": return record.details
        case "ethnicity", "hair_color": return ""
        case "alias_list": return record.aliases
        case "favorite": return record.favorite
        case "ignore_auto_tag": return false
        case "tags": return record.tagIds.compactMap { state.tags[$0] }.map { TagNode(state: state, record: $0) }
        case "stash_ids": return record.stashIds.map { StashIDNode(record: $0) }
        case "image_path": return record.image.map { _ in "/performer/\(record.id)/image" }
        case "scene_count": return state.scenes.values.filter { $0.performerIds.contains(record.id) }.count
        case "image_count": return state.images.values.filter { $0.performerIds.contains(record.id) }.count
        case "gallery_count": return state.galleries.values.filter { $0.performerIds.contains(record.id) }.count
        default: return nil
        }
    }
}

/// A mutation's result when only its `id` is selected (holds no state; see `selectsOnlyId`).
struct IdNode: KeySubscriptable, Sendable {
    let id: Int
    subscript(key: String) -> (any Sendable)? { key == "id" ? String(id) : nil }
}

struct StashIDNode: KeySubscriptable, Sendable {
    let record: TestStashID
    subscript(key: String) -> (any Sendable)? {
        switch key {
        case "endpoint": return record.endpoint
        case "stash_id": return record.stashId
        case "updated_at": return "2025-01-01T00:00:00Z"
        default: return nil
        }
    }
}

struct StudioNode: KeySubscriptable, Sendable {
    let state: StashState
    let record: TestStudio
    subscript(key: String) -> (any Sendable)? {
        switch key {
        case "id": return String(record.id)
        case "custom_fields": return customFieldsMap(record.customFields)
        case "organized": return record.organized
        case "name": return record.name
        case "url": return record.urls.first ?? ""
        case "urls": return record.urls
        case "aliases": return record.aliases
        case "details": return record.details
        case "favorite": return record.favorite
        case "ignore_auto_tag": return false
        case "stash_ids": return [StashIDNode]()
        case "parent_studio":
            return record.parentId.flatMap { state.studios[$0] }.map { StudioNode(state: state, record: $0) }
        case "child_studios":
            return state.studios.values.filter { $0.parentId == record.id }.sorted { $0.id < $1.id }.map {
                StudioNode(state: state, record: $0)
            }
        case "tags": return record.tagIds.compactMap { state.tags[$0] }.map { TagNode(state: state, record: $0) }
        default: return nil
        }
    }
}

struct TagNode: KeySubscriptable, Sendable {
    let state: StashState
    let record: TestTag
    subscript(key: String) -> (any Sendable)? {
        switch key {
        case "id": return String(record.id)
        case "custom_fields": return customFieldsMap(record.customFields)
        case "name": return record.name
        case "sort_name": return record.sortName
        case "description": return record.description
        case "aliases": return record.aliases
        case "favorite": return record.favorite
        case "ignore_auto_tag": return record.ignoreAutoTag
        case "stash_ids": return [StashIDNode]()
        case "parents": return record.parentIds.compactMap { state.tags[$0] }.map { TagNode(state: state, record: $0) }
        case "children": return children.map { TagNode(state: state, record: $0) }
        case "parent_count": return record.parentIds.count
        case "child_count": return children.count
        default: return nil
        }
    }
    private var children: [TestTag] {
        state.tags.values.filter { $0.parentIds.contains(record.id) }.sorted { $0.id < $1.id }
    }
}

struct FileNode: KeySubscriptable, Sendable {
    enum Kind: Sendable { case video, image, gallery }
    let id: Int
    let path: String
    let kind: Kind
    subscript(key: String) -> (any Sendable)? {
        switch key {
        case "id": return String(id)
        case "path": return path
        case "basename": return Self.basename(path)
        case "size": return 1_000_000 + id
        case "format": return Self.pathExtension(path).lowercased()
        case "width": return 1920
        case "height": return 1080
        case "duration": return 12.5
        case "frame_rate": return 30.0
        case "bit_rate": return 4_000_000
        case "video_codec": return "h264"
        case "audio_codec": return "aac"
        default: return nil
        }
    }
}

extension FileNode {
    /// `pathExtension` without bridging to NSString: the text after the basename's last dot.
    static func pathExtension(_ path: String) -> String {
        let name = basename(path)
        guard let dot = name.utf8.lastIndex(of: UInt8(ascii: ".")), dot != name.utf8.startIndex else {
            return (path as NSString).pathExtension
        }
        return String(name[name.utf8.index(after: dot)...])
    }

    /// `lastPathComponent` without bridging to NSString (a hot path of large finds).
    static func basename(_ path: String) -> String {
        guard !path.hasSuffix("/"), let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else {
            return (path as NSString).lastPathComponent
        }
        return String(path[path.utf8.index(after: slash)...])
    }
}

struct FolderNode: KeySubscriptable, Sendable {
    let id: Int
    let path: String
    subscript(key: String) -> (any Sendable)? {
        switch key {
        case "id": return String(id)
        case "path": return path
        default: return nil
        }
    }
}

struct ChapterNode: KeySubscriptable, Sendable {
    let state: StashState
    let record: TestChapter
    subscript(key: String) -> (any Sendable)? {
        switch key {
        case "id": return String(record.id)
        case "title": return record.title
        case "image_index": return record.imageIndex
        case "gallery": return state.galleries[record.galleryId].map { GalleryNode(state: state, record: $0) }
        default: return nil
        }
    }
}

/// What a page of galleries needs from the rest of the library (image counts, chapters), gathered
/// in one pass over images and chapters: asked gallery by gallery, a find of every gallery scanned
/// the whole library once per gallery.
struct GalleryFacts: Sendable {
    let imageCounts: [Int: Int]
    let chapters: [Int: [TestChapter]]

    init(state: StashState, galleries: Set<Int>) {
        let counts = state.imageCounts(ofGalleries: { galleries.contains($0) })
        var chapters: [Int: [TestChapter]] = [:]
        for chapter in state.chapters.values where galleries.contains(chapter.galleryId) {
            chapters[chapter.galleryId, default: []].append(chapter)
        }
        for id in chapters.keys { chapters[id]!.sort { $0.id < $1.id } }
        imageCounts = counts
        self.chapters = chapters
    }
}

struct GalleryNode: KeySubscriptable, Sendable {
    let state: StashState
    let record: TestGallery
    /// Precomputed for a find's page; nil: looked up in `state`.
    var facts: GalleryFacts? = nil
    subscript(key: String) -> (any Sendable)? {
        switch key {
        case "id": return String(record.id)
        case "custom_fields": return customFieldsMap(record.customFields)
        case "title": return record.title
        case "code": return record.code
        case "details": return record.details
        case "photographer": return record.photographer
        case "date": return record.date
        case "url": return record.urls.first ?? ""
        case "urls": return record.urls
        case "rating100": return Int?.none
        case "organized": return record.organized
        case "files":
            return record.zipPath.map { [FileNode(id: 900_000 + record.id, path: $0, kind: .gallery)] } ?? [FileNode]()
        case "folder": return record.folderPath.map { FolderNode(id: 800_000 + record.id, path: $0) }
        case "chapters":
            let chapters =
                facts.map { $0.chapters[record.id] ?? [] }
                ?? state.chapters.values.filter { $0.galleryId == record.id }.sorted { $0.id < $1.id }
            return chapters.map { ChapterNode(state: state, record: $0) }
        case "scenes":
            return record.sceneIds.compactMap { state.scenes[$0] }.map { SceneNode(state: state, record: $0) }
        case "studio": return record.studioId.flatMap { state.studios[$0] }.map { StudioNode(state: state, record: $0) }
        case "image_count":
            return facts.map { $0.imageCounts[record.id] ?? 0 } ?? state.imageIds(inGallery: record.id).count
        case "tags": return record.tagIds.compactMap { state.tags[$0] }.map { TagNode(state: state, record: $0) }
        case "performers":
            return record.performerIds.compactMap { state.performers[$0] }.map {
                PerformerNode(state: state, record: $0)
            }
        default: return nil
        }
    }
}

struct SceneNode: KeySubscriptable, Sendable {
    let state: StashState
    let record: TestScene
    subscript(key: String) -> (any Sendable)? {
        switch key {
        case "id": return String(record.id)
        case "custom_fields": return customFieldsMap(record.customFields)
        case "title": return record.title
        case "code": return record.code
        case "details": return record.details
        case "director": return record.director
        case "date": return record.date
        case "url": return record.urls.first ?? ""
        case "urls": return record.urls
        case "rating100": return Int?.none
        case "organized": return record.organized
        case "files": return [FileNode(id: record.fileId, path: record.path, kind: .video)]
        case "galleries":
            return record.galleryIds.compactMap { state.galleries[$0] }.map { GalleryNode(state: state, record: $0) }
        case "studio": return record.studioId.flatMap { state.studios[$0] }.map { StudioNode(state: state, record: $0) }
        case "tags": return record.tagIds.compactMap { state.tags[$0] }.map { TagNode(state: state, record: $0) }
        case "performers":
            return record.performerIds.compactMap { state.performers[$0] }.map {
                PerformerNode(state: state, record: $0)
            }
        case "stash_ids": return [StashIDNode]()
        default: return nil
        }
    }
}

struct ImageNode: KeySubscriptable, Sendable {
    let state: StashState
    let record: TestImage
    subscript(key: String) -> (any Sendable)? {
        switch key {
        case "id": return String(record.id)
        case "custom_fields": return customFieldsMap(record.customFields)
        case "title": return record.title
        case "code": return record.code
        case "details": return record.details
        case "photographer": return record.photographer
        case "date": return record.date
        case "url": return record.urls.first ?? ""
        case "urls": return record.urls
        case "rating100": return Int?.none
        case "organized": return record.organized
        case "files", "visual_files":
            let isVideo = StashState.videoExtensions.contains(FileNode.pathExtension(record.path).lowercased())
            if key == "files" && isVideo { return [FileNode]() }
            return [FileNode(id: record.fileId, path: record.path, kind: isVideo ? .video : .image)]
        case "galleries":
            return record.galleryIds.compactMap { state.galleries[$0] }.map { GalleryNode(state: state, record: $0) }
        case "studio": return record.studioId.flatMap { state.studios[$0] }.map { StudioNode(state: state, record: $0) }
        case "tags": return record.tagIds.compactMap { state.tags[$0] }.map { TagNode(state: state, record: $0) }
        case "performers":
            return record.performerIds.compactMap { state.performers[$0] }.map {
                PerformerNode(state: state, record: $0)
            }
        default: return nil
        }
    }
}

/// `{ count, <list> }` of a find.
struct FindResultNode: KeySubscriptable, Sendable {
    let listKey: String
    let count: Int
    let items: [any Sendable]
    subscript(key: String) -> (any Sendable)? {
        switch key {
        case "count": return count
        case listKey: return items
        case "duration", "filesize", "megapixels": return 0.0
        default: return nil
        }
    }
}

struct PlainNode: KeySubscriptable, Sendable {
    let values: [String: any Sendable]
    subscript(key: String) -> (any Sendable)? { values[key] }
}
