import Foundation

// The in-memory library of the test server. Ids are Stash-like positive integers per kind.
// Text fields that Stash stores as Go strings are non-optional here and come back as "".

/// A performer held by the test server.
public struct TestPerformer: Sendable, Hashable {
    public var id: Int
    /// `custom_fields` (performers since v0.28; the others since v0.31).
    public var customFields: [String: String] = [:]
    public var name: String
    public var disambiguation = ""
    public var aliases: [String] = []
    public var urls: [String] = []
    public var gender: String?
    public var birthdate: String?
    public var country = ""
    public var details = ""
    var favorite = false
    public var tagIds: [Int] = []
    public var stashIds: [TestStashID] = []
    public var image: String?
    public init(id: Int, name: String) { self.id = id; self.name = name }
}

/// A stash-box link.
public struct TestStashID: Sendable, Hashable {
    public var endpoint: String
    public var stashId: String
    public init(endpoint: String, stashId: String) { self.endpoint = endpoint; self.stashId = stashId }
}

/// A studio held by the test server.
public struct TestStudio: Sendable, Hashable {
    public var id: Int
    /// `custom_fields` (performers since v0.28; the others since v0.31).
    public var customFields: [String: String] = [:]
    /// v0.31 and later.
    public var organized = false
    public var name: String
    public var aliases: [String] = []
    public var urls: [String] = []
    public var parentId: Int?
    public var details = ""
    var favorite = false
    public var tagIds: [Int] = []
    public var image: String?
    public init(id: Int, name: String) { self.id = id; self.name = name }
}

/// A tag held by the test server.
public struct TestTag: Sendable, Hashable {
    public var id: Int
    /// `custom_fields` (performers since v0.28; the others since v0.31).
    public var customFields: [String: String] = [:]
    public var name: String
    public var sortName = ""
    public var description = ""
    public var aliases: [String] = []
    var favorite = false
    var ignoreAutoTag = false
    public var parentIds: [Int] = []
    public init(id: Int, name: String) { self.id = id; self.name = name }
}

/// A gallery: user-created (no zip, no folder) or created by a scan of a zip file or folder.
public struct TestGallery: Sendable, Hashable {
    public var id: Int
    /// `custom_fields` (performers since v0.28; the others since v0.31).
    public var customFields: [String: String] = [:]
    public var title = ""
    public var code = ""
    public var details = ""
    public var photographer = ""
    public var date: String?
    public var urls: [String] = []
    public var organized = false
    public var studioId: Int?
    public var performerIds: [Int] = []
    public var tagIds: [Int] = []
    public var sceneIds: [Int] = []
    /// Path of the zip file behind a zip-based gallery.
    var zipPath: String?
    /// Path of the folder behind a folder-based gallery.
    var folderPath: String?
    public var isUserCreated: Bool { zipPath == nil && folderPath == nil }
    public init(id: Int) { self.id = id }
}

/// A gallery chapter.
public struct TestChapter: Sendable, Hashable {
    public var id: Int
    public var galleryId: Int
    public var title: String
    public var imageIndex: Int
    public init(id: Int, galleryId: Int, title: String, imageIndex: Int) {
        self.id = id; self.galleryId = galleryId; self.title = title; self.imageIndex = imageIndex
    }
}

/// A scene, created by seeding a scanned video path.
public struct TestScene: Sendable, Hashable {
    public var id: Int
    /// `custom_fields` (performers since v0.28; the others since v0.31).
    public var customFields: [String: String] = [:]
    public var path: String
    public var fileId: Int
    public var title = ""
    public var code = ""
    public var details = ""
    public var director = ""
    public var date: String?
    public var urls: [String] = []
    public var organized = false
    public var studioId: Int?
    public var performerIds: [Int] = []
    public var tagIds: [Int] = []
    public var galleryIds: [Int] = []
    var coverImage: String?
    init(id: Int, path: String, fileId: Int) { self.id = id; self.path = path; self.fileId = fileId }
}

/// An image, created by seeding a scanned picture path.
public struct TestImage: Sendable, Hashable {
    public var id: Int
    /// `custom_fields` (performers since v0.28; the others since v0.31).
    public var customFields: [String: String] = [:]
    public var path: String
    public var fileId: Int
    public var title = ""
    public var code = ""
    public var details = ""
    public var photographer = ""
    public var date: String?
    public var urls: [String] = []
    public var organized = false
    public var studioId: Int?
    public var performerIds: [Int] = []
    public var tagIds: [Int] = []
    /// In the order images were added.
    public var galleryIds: [Int] = []
    init(id: Int, path: String, fileId: Int) { self.id = id; self.path = path; self.fileId = fileId }
}

/// Everything the test server holds.
public struct StashState: Sendable, Hashable {
    public var performers: [Int: TestPerformer] = [:]
    public var studios: [Int: TestStudio] = [:]
    public var tags: [Int: TestTag] = [:]
    public var galleries: [Int: TestGallery] = [:]
    public var chapters: [Int: TestChapter] = [:]
    public var scenes: [Int: TestScene] = [:]
    public var images: [Int: TestImage] = [:] { didSet { galleryImageCounts.value = nil } }
    /// The folders Stash scans (`configuration.general.stashes`).
    public var libraryPaths: [String] = []
    /// Per plugin id, its settings (`configuration.plugins`).
    public var pluginSettings: [String: [String: String]] = [:]
    var nextIds: [String: Int] = [:]
    /// Per gallery, how many images it holds: made again after any change to `images`. Every
    /// chapter create checks its image index against it; counting the images each time made an
    /// apply of 78,000 chapters over 430,000 images take half an hour of the test server's CPU.
    private var galleryImageCounts = Uncompared<[Int: Int]>()

    public init() {}

    /// How many images the gallery holds (`imageIds(inGallery:).count`).
    mutating func imageCount(inGallery galleryId: Int) -> Int {
        if galleryImageCounts.value == nil { galleryImageCounts.value = imageCounts(ofGalleries: { _ in true }) }
        return galleryImageCounts.value?[galleryId] ?? 0
    }

    /// How many images each gallery `counted` accepts holds, in one pass over the images; an
    /// image listed twice in a gallery counts once, as `imageIds(inGallery:)` counts it.
    func imageCounts(ofGalleries counted: (Int) -> Bool) -> [Int: Int] {
        var counts: [Int: Int] = [:]
        for image in images.values {
            for id in Set(image.galleryIds) where counted(id) { counts[id, default: 0] += 1 }
        }
        return counts
    }

    /// The id `nextId` will hand out, without taking it (a failed create consumes no id).
    func peekId(_ kind: String) -> Int { (nextIds[kind] ?? 0) + 1 }

    mutating func nextId(_ kind: String) -> Int {
        let id = (nextIds[kind] ?? 0) + 1
        nextIds[kind] = id
        return id
    }

    /// Video extensions Stash scans as scenes; everything else seeded becomes an image.
    static let videoExtensions: Set<String> = [
        "mp4", "m4v", "mov", "wmv", "avi", "mpg", "mpeg", "rmvb", "rm", "flv", "asf", "mkv", "webm", "ts",
    ]
    static let imageExtensions: Set<String> = ["jpg", "jpeg", "png", "gif", "webp", "bmp", "avif", "heic"]

    /// Adds scenes and images for scanned file paths, as a Stash scan would. Returns the ids
    /// created, keyed by path. Paths with other extensions are ignored, as Stash ignores them.
    @discardableResult
    public mutating func seed(paths: [String]) -> [String: Int] {
        var created: [String: Int] = [:]
        for path in paths {
            let ext = (path as NSString).pathExtension.lowercased()
            if Self.videoExtensions.contains(ext) {
                let id = nextId("scene")
                scenes[id] = TestScene(id: id, path: path, fileId: nextId("file"))
                created[path] = id
            } else if Self.imageExtensions.contains(ext) {
                let id = nextId("image")
                images[id] = TestImage(id: id, path: path, fileId: nextId("file"))
                created[path] = id
            }
        }
        return created
    }

    /// Images in a gallery, in id order (Stash's default gallery image order is by path; ids follow
    /// path order for seeded data).
    public func imageIds(inGallery galleryId: Int) -> [Int] {
        images.values.filter { $0.galleryIds.contains(galleryId) }.map(\.id).sorted()
    }
}

/// A value kept beside the state (a cache) that is not part of what the state is: two states are
/// equal, and hash alike, whatever it holds.
struct Uncompared<Value: Sendable>: Sendable, Hashable {
    var value: Value?

    static func == (lhs: Self, rhs: Self) -> Bool { true }
    func hash(into hasher: inout Hasher) {}
}
