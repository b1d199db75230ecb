import Foundation

// Typed results of the finds. Field names follow Stash's schema in Swift case (`alias_list` →
// `aliasList`). Go-string fields (`title`, `code`, `details`, `disambiguation`…) come back as
// `""` rather than null from a real Stash; the types keep them optional and `StashText.isBlank`
// treats both alike.

/// Helpers for Stash's text fields, where `""` and null mean the same.
public enum StashText {
    /// True for nil, `""` and whitespace-only text.
    static func isBlank(_ text: String?) -> Bool {
        text?.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ?? true
    }
    /// nil for blank text, else the text.
    public static func nonBlank(_ text: String?) -> String? { isBlank(text) ? nil : text }
}

/// A related object seen from another one: its id and name (tags, performers, studios).
public struct NamedRef: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public init(id: String, name: String) { self.id = id; self.name = name }
}

/// A related gallery or scene seen from another object: its id and title.
public struct TitledRef: Sendable, Hashable, Codable {
    public var id: String
    public var title: String?
    public init(id: String, title: String? = nil) { self.id = id; self.title = title }
}

/// `GenderEnum`.
public enum Gender: String, Sendable, Hashable, Codable, CaseIterable {
    case male = "MALE", female = "FEMALE", transgenderMale = "TRANSGENDER_MALE"
    case transgenderFemale = "TRANSGENDER_FEMALE", intersex = "INTERSEX", nonBinary = "NON_BINARY"
}

/// A link to a stash-box entry.
struct StashID: Sendable, Hashable, Codable {
    public var endpoint: String
    var stashId: String
    init(endpoint: String, stashId: String) { self.endpoint = endpoint; self.stashId = stashId }
}

/// A performer.
public struct Performer: Sendable, Hashable, Codable, Identifiable {
    public var id: String
    public var name: String
    public var disambiguation: String?
    public var aliasList: [String]
    public var urls: [String]?
    public var gender: Gender?
    var birthdate: String?
    var country: String?
    public var details: String?
    var favorite: Bool
    public var tags: [NamedRef]
    var stashIds: [StashID]
    /// `custom_fields`, when the server has them for this type (see `StashCapabilities`).
    public var customFields: CustomFieldValues?

    init(
        id: String, name: String, disambiguation: String? = nil, aliasList: [String] = [], urls: [String]? = [],
        gender: Gender? = nil, birthdate: String? = nil, country: String? = nil, details: String? = nil,
        favorite: Bool = false, tags: [NamedRef] = [], stashIds: [StashID] = []
    ) {
        self.id = id; self.name = name; self.disambiguation = disambiguation; self.aliasList = aliasList
        self.urls = urls; self.gender = gender; self.birthdate = birthdate; self.country = country
        self.details = details; self.favorite = favorite; self.tags = tags; self.stashIds = stashIds
    }
}

/// A studio.
public struct Studio: Sendable, Hashable, Codable, Identifiable {
    public var id: String
    public var name: String
    public var aliases: [String]
    public var urls: [String]
    public var parentStudio: NamedRef?
    /// v0.31 and later (see `StashCapabilities.studioOrganized`); nil when the server has no such field.
    public var organized: Bool?
    public var details: String?
    var favorite: Bool
    public var tags: [NamedRef]
    var stashIds: [StashID]
    /// `custom_fields`, when the server has them for this type (see `StashCapabilities`).
    public var customFields: CustomFieldValues?

    init(
        id: String, name: String, aliases: [String] = [], urls: [String] = [], parentStudio: NamedRef? = nil,
        details: String? = nil, favorite: Bool = false, tags: [NamedRef] = [], stashIds: [StashID] = []
    ) {
        self.id = id; self.name = name; self.aliases = aliases; self.urls = urls; self.parentStudio = parentStudio
        self.details = details; self.favorite = favorite; self.tags = tags; self.stashIds = stashIds
    }
}

/// A tag.
public struct Tag: Sendable, Hashable, Codable, Identifiable {
    public var id: String
    public var name: String
    var sortName: String?
    public var description: String?
    public var aliases: [String]
    var favorite: Bool
    var ignoreAutoTag: Bool
    public var parents: [NamedRef]
    public var children: [NamedRef]
    /// `custom_fields`, when the server has them for this type (see `StashCapabilities`).
    public var customFields: CustomFieldValues?

    init(
        id: String, name: String, sortName: String? = nil, description: String? = nil, aliases: [String] = [],
        favorite: Bool = false, ignoreAutoTag: Bool = false, parents: [NamedRef] = [], children: [NamedRef] = []
    ) {
        self.id = id; self.name = name; self.sortName = sortName; self.description = description; self.aliases = aliases
        self.favorite = favorite; self.ignoreAutoTag = ignoreAutoTag; self.parents = parents; self.children = children
    }
}

/// A file as scenes, images and galleries list it.
public struct StashFile: Sendable, Hashable, Codable {
    public var id: String
    /// Full path as Stash sees it (inside Stash's container, if any).
    public var path: String
    public var basename: String
    var size: Int64?
    var width: Int?
    var height: Int?
    /// Seconds, for videos.
    var duration: Double?

    init(
        id: String, path: String, basename: String? = nil, size: Int64? = nil, width: Int? = nil,
        height: Int? = nil, duration: Double? = nil
    ) {
        self.id = id; self.path = path
        self.basename = basename ?? (path as NSString).lastPathComponent
        self.size = size; self.width = width; self.height = height; self.duration = duration
    }
}

/// A folder, as a folder-based gallery names it.
struct StashFolder: Sendable, Hashable, Codable {
    public var id: String
    public var path: String
    init(id: String, path: String) { self.id = id; self.path = path }
}

/// A gallery chapter.
public struct GalleryChapter: Sendable, Hashable, Codable, Identifiable {
    public var id: String
    public var title: String
    /// 1-based index of the chapter's first image.
    public var imageIndex: Int
    init(id: String, title: String, imageIndex: Int) {
        self.id = id; self.title = title; self.imageIndex = imageIndex
    }
}

/// A gallery. `files` (a zip) or `folder` say it was created by a scan; neither means a user
/// created it, and only such galleries accept `addGalleryImages`/`removeGalleryImages`.
public struct Gallery: Sendable, Hashable, Codable, Identifiable {
    public var id: String
    public var title: String?
    public var code: String?
    public var details: String?
    var photographer: String?
    public var date: String?
    public var urls: [String]
    public var organized: Bool
    public var studio: NamedRef?
    public var performers: [NamedRef]
    public var tags: [NamedRef]
    public var scenes: [TitledRef]
    public var imageCount: Int
    public var chapters: [GalleryChapter]
    public var files: [StashFile]
    var folder: StashFolder?
    /// `custom_fields`, when the server has them for this type (see `StashCapabilities`).
    public var customFields: CustomFieldValues?

    /// True when no zip file or folder backs the gallery.
    public var isUserCreated: Bool { files.isEmpty && folder == nil }

    init(
        id: String, title: String? = nil, code: String? = nil, details: String? = nil, photographer: String? = nil,
        date: String? = nil, urls: [String] = [], organized: Bool = false, studio: NamedRef? = nil,
        performers: [NamedRef] = [], tags: [NamedRef] = [], scenes: [TitledRef] = [], imageCount: Int = 0,
        chapters: [GalleryChapter] = [], files: [StashFile] = [], folder: StashFolder? = nil
    ) {
        self.id = id; self.title = title; self.code = code; self.details = details; self.photographer = photographer
        self.date = date; self.urls = urls; self.organized = organized; self.studio = studio
        self.performers = performers; self.tags = tags; self.scenes = scenes; self.imageCount = imageCount
        self.chapters = chapters; self.files = files; self.folder = folder
    }
}

/// A scene (a video).
public struct Scene: Sendable, Hashable, Codable, Identifiable {
    public var id: String
    public var title: String?
    public var code: String?
    public var details: String?
    public var director: String?
    public var date: String?
    public var urls: [String]
    public var organized: Bool
    public var studio: NamedRef?
    public var performers: [NamedRef]
    public var tags: [NamedRef]
    public var galleries: [TitledRef]
    public var files: [StashFile]
    /// `custom_fields`, when the server has them for this type (see `StashCapabilities`).
    public var customFields: CustomFieldValues?

    init(
        id: String, title: String? = nil, code: String? = nil, details: String? = nil, director: String? = nil,
        date: String? = nil, urls: [String] = [], organized: Bool = false, studio: NamedRef? = nil,
        performers: [NamedRef] = [], tags: [NamedRef] = [], galleries: [TitledRef] = [], files: [StashFile] = []
    ) {
        self.id = id; self.title = title; self.code = code; self.details = details; self.director = director
        self.date = date; self.urls = urls; self.organized = organized; self.studio = studio
        self.performers = performers; self.tags = tags; self.galleries = galleries; self.files = files
    }
}

/// An image (a picture, or an animated/video file Stash treats as an image).
public struct Image: Sendable, Hashable, Codable, Identifiable {
    public var id: String
    public var title: String?
    public var code: String?
    public var details: String?
    var photographer: String?
    public var date: String?
    public var urls: [String]
    public var organized: Bool
    public var studio: NamedRef?
    public var performers: [NamedRef]
    public var tags: [NamedRef]
    public var galleries: [TitledRef]
    /// `visual_files`: image and video files alike.
    public var visualFiles: [StashFile]
    /// `custom_fields`, when the server has them for this type (see `StashCapabilities`).
    public var customFields: CustomFieldValues?

    init(
        id: String, title: String? = nil, code: String? = nil, details: String? = nil, photographer: String? = nil,
        date: String? = nil, urls: [String] = [], organized: Bool = false, studio: NamedRef? = nil,
        performers: [NamedRef] = [], tags: [NamedRef] = [], galleries: [TitledRef] = [], visualFiles: [StashFile] = []
    ) {
        self.id = id; self.title = title; self.code = code; self.details = details; self.photographer = photographer
        self.date = date; self.urls = urls; self.organized = organized; self.studio = studio
        self.performers = performers; self.tags = tags; self.galleries = galleries; self.visualFiles = visualFiles
    }
}

/// One page of a find: the objects and the total count matching the filter.
public struct FindPage<Item: Sendable & Hashable>: Sendable, Hashable {
    public var items: [Item]
    /// All objects matching, across pages.
    public var count: Int
    init(items: [Item], count: Int) { self.items = items; self.count = count }
}

/// What `version` and `systemStatus` report.
public struct StashServerInfo: Sendable, Hashable {
    /// `v0.30.1`, or nil for a development build.
    public var version: String?
    public var hash: String
    /// The database migration level Stash's binary expects.
    var appSchema: Int
    /// The level the database is at (nil before setup).
    var databaseSchema: Int?
    /// `OK`, `SETUP`, `NEEDS_MIGRATION`.
    public var status: String
    /// What the server's schema accepts (custom fields on which types…).
    public var capabilities: StashCapabilities
    init(
        version: String?, hash: String, appSchema: Int, databaseSchema: Int?, status: String,
        capabilities: StashCapabilities = StashCapabilities()
    ) {
        self.version = version; self.hash = hash; self.appSchema = appSchema; self.databaseSchema = databaseSchema;
        self.status = status
        self.capabilities = capabilities
    }
}
