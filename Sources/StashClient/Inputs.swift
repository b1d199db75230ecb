// Typed mutation inputs. Only the fields that are set are serialised: `nil` means "absent" (Stash
// leaves the field alone), which is not the same as JSON null. Fields that can be cleared with an
// explicit null use `Nullable`.

/// A value that may be sent as an explicit JSON null (clearing the field), as opposed to a Swift
/// `nil` property, which leaves the field out of the request.
public enum Nullable<Wrapped: Sendable & Hashable & Codable>: Sendable, Hashable, Codable {
    case null
    case value(Wrapped)

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        self = container.decodeNil() ? .null : .value(try container.decode(Wrapped.self))
    }
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .value(let value): try container.encode(value)
        }
    }
    /// The wrapped value, nil for `.null`.
    var value: Wrapped? { if case .value(let value) = self { return value }; return nil }
}

/// `StashIDInput`.
public struct StashIDInput: Sendable, Hashable, Codable {
    public var endpoint: String
    var stashId: String
    init(endpoint: String, stashId: String) { self.endpoint = endpoint; self.stashId = stashId }
}

// MARK: Performers

/// `PerformerCreateInput` (the fields a mapper sets).
public struct PerformerCreateInput: Sendable, Hashable, Codable {
    /// `custom_fields` (a plain map on creates; see `StashCapabilities` for which types have them).
    public var customFields: [String: String]? = nil
    public var name: String
    public var disambiguation: String?
    public var urls: [String]?
    public var gender: Gender?
    var birthdate: String?
    var country: String?
    public var details: String?
    public var aliasList: [String]?
    var favorite: Bool?
    public var tagIds: [String]?
    /// An image URL or `data:` URI.
    var image: String?
    var stashIds: [StashIDInput]?

    public init(
        name: String, disambiguation: String? = nil, urls: [String]? = nil, gender: Gender? = nil,
        birthdate: String? = nil, country: String? = nil, details: String? = nil, aliasList: [String]? = nil,
        favorite: Bool? = nil, tagIds: [String]? = nil, image: String? = nil, stashIds: [StashIDInput]? = nil
    ) {
        self.name = name; self.disambiguation = disambiguation; self.urls = urls; self.gender = gender
        self.birthdate = birthdate; self.country = country; self.details = details; self.aliasList = aliasList
        self.favorite = favorite; self.tagIds = tagIds; self.image = image; self.stashIds = stashIds
    }
}

/// `PerformerUpdateInput`: only the set fields change; `urls`, `aliasList` and `tagIds` replace the lists.
public struct PerformerUpdateInput: Sendable, Hashable, Codable {
    /// `custom_fields`: `partial` sets keys and keeps the others (see `StashCapabilities`).
    public var customFields: CustomFieldsInput? = nil
    public var id: String
    public var name: String?
    public var disambiguation: String?
    public var urls: [String]?
    public var gender: Nullable<Gender>?
    var birthdate: String?
    var country: String?
    public var details: String?
    public var aliasList: [String]?
    var favorite: Bool?
    public var tagIds: [String]?
    var image: String?
    var stashIds: [StashIDInput]?

    public init(
        id: String, name: String? = nil, disambiguation: String? = nil, urls: [String]? = nil,
        gender: Nullable<Gender>? = nil, birthdate: String? = nil, country: String? = nil, details: String? = nil,
        aliasList: [String]? = nil, favorite: Bool? = nil, tagIds: [String]? = nil, image: String? = nil,
        stashIds: [StashIDInput]? = nil
    ) {
        self.id = id; self.name = name; self.disambiguation = disambiguation; self.urls = urls; self.gender = gender
        self.birthdate = birthdate; self.country = country; self.details = details; self.aliasList = aliasList
        self.favorite = favorite; self.tagIds = tagIds; self.image = image; self.stashIds = stashIds
    }
}

// MARK: Studios

/// `StudioCreateInput`.
public struct StudioCreateInput: Sendable, Hashable, Codable {
    /// `custom_fields` (a plain map on creates; see `StashCapabilities` for which types have them).
    public var customFields: [String: String]? = nil
    /// v0.31 and later (`StashCapabilities.studioOrganized`).
    public var organized: Bool? = nil
    public var name: String
    public var urls: [String]?
    var parentId: String?
    public var details: String?
    public var aliases: [String]?
    public var tagIds: [String]?
    var favorite: Bool?
    var image: String?

    public init(
        name: String, urls: [String]? = nil, parentId: String? = nil, details: String? = nil,
        aliases: [String]? = nil, tagIds: [String]? = nil, favorite: Bool? = nil, image: String? = nil
    ) {
        self.name = name; self.urls = urls; self.parentId = parentId; self.details = details
        self.aliases = aliases; self.tagIds = tagIds; self.favorite = favorite; self.image = image
    }
}

/// `StudioUpdateInput`; `parentId: .null` detaches the studio from its parent.
public struct StudioUpdateInput: Sendable, Hashable, Codable {
    /// `custom_fields`: `partial` sets keys and keeps the others (see `StashCapabilities`).
    public var customFields: CustomFieldsInput? = nil
    /// v0.31 and later (`StashCapabilities.studioOrganized`).
    public var organized: Bool? = nil
    public var id: String
    public var name: String?
    public var urls: [String]?
    var parentId: Nullable<String>?
    public var details: String?
    public var aliases: [String]?
    public var tagIds: [String]?
    var favorite: Bool?
    var image: String?

    public init(
        id: String, name: String? = nil, urls: [String]? = nil, parentId: Nullable<String>? = nil,
        details: String? = nil, aliases: [String]? = nil, tagIds: [String]? = nil, favorite: Bool? = nil,
        image: String? = nil
    ) {
        self.id = id; self.name = name; self.urls = urls; self.parentId = parentId; self.details = details
        self.aliases = aliases; self.tagIds = tagIds; self.favorite = favorite; self.image = image
    }
}

// MARK: Tags

/// `TagCreateInput`.
public struct TagCreateInput: Sendable, Hashable, Codable {
    /// `custom_fields` (a plain map on creates; see `StashCapabilities` for which types have them).
    public var customFields: [String: String]? = nil
    public var name: String
    var sortName: String?
    public var description: String?
    public var aliases: [String]?
    var favorite: Bool?
    var ignoreAutoTag: Bool?
    public var parentIds: [String]?
    var childIds: [String]?

    public init(
        name: String, sortName: String? = nil, description: String? = nil, aliases: [String]? = nil,
        favorite: Bool? = nil, ignoreAutoTag: Bool? = nil, parentIds: [String]? = nil, childIds: [String]? = nil
    ) {
        self.name = name; self.sortName = sortName; self.description = description; self.aliases = aliases
        self.favorite = favorite; self.ignoreAutoTag = ignoreAutoTag; self.parentIds = parentIds;
        self.childIds = childIds
    }
}

/// `TagUpdateInput`.
public struct TagUpdateInput: Sendable, Hashable, Codable {
    /// `custom_fields`: `partial` sets keys and keeps the others (see `StashCapabilities`).
    public var customFields: CustomFieldsInput? = nil
    public var id: String
    public var name: String?
    var sortName: String?
    public var description: String?
    public var aliases: [String]?
    var favorite: Bool?
    var ignoreAutoTag: Bool?
    public var parentIds: [String]?
    var childIds: [String]?

    public init(
        id: String, name: String? = nil, sortName: String? = nil, description: String? = nil,
        aliases: [String]? = nil, favorite: Bool? = nil, ignoreAutoTag: Bool? = nil,
        parentIds: [String]? = nil, childIds: [String]? = nil
    ) {
        self.id = id; self.name = name; self.sortName = sortName; self.description = description; self.aliases = aliases
        self.favorite = favorite; self.ignoreAutoTag = ignoreAutoTag; self.parentIds = parentIds;
        self.childIds = childIds
    }
}

// MARK: Galleries

/// `GalleryCreateInput`; `title` must not be blank.
public struct GalleryCreateInput: Sendable, Hashable, Codable {
    /// `custom_fields` (a plain map on creates; see `StashCapabilities` for which types have them).
    public var customFields: [String: String]? = nil
    public var title: String
    public var code: String?
    public var urls: [String]?
    /// `YYYY-MM-DD`.
    public var date: String?
    public var details: String?
    var photographer: String?
    public var organized: Bool?
    var sceneIds: [String]?
    public var studioId: String?
    public var tagIds: [String]?
    var performerIds: [String]?

    public init(
        title: String, code: String? = nil, urls: [String]? = nil, date: String? = nil, details: String? = nil,
        photographer: String? = nil, organized: Bool? = nil, sceneIds: [String]? = nil, studioId: String? = nil,
        tagIds: [String]? = nil, performerIds: [String]? = nil
    ) {
        self.title = title; self.code = code; self.urls = urls; self.date = date; self.details = details
        self.photographer = photographer; self.organized = organized; self.sceneIds = sceneIds
        self.studioId = studioId; self.tagIds = tagIds; self.performerIds = performerIds
    }
}

/// `GalleryUpdateInput`.
public struct GalleryUpdateInput: Sendable, Hashable, Codable {
    /// `custom_fields`: `partial` sets keys and keeps the others (see `StashCapabilities`).
    public var customFields: CustomFieldsInput? = nil
    public var id: String
    public var title: String?
    public var code: String?
    public var urls: [String]?
    public var date: Nullable<String>?
    public var details: String?
    var photographer: String?
    public var organized: Bool?
    var sceneIds: [String]?
    public var studioId: Nullable<String>?
    public var tagIds: [String]?
    var performerIds: [String]?

    public init(
        id: String, title: String? = nil, code: String? = nil, urls: [String]? = nil, date: Nullable<String>? = nil,
        details: String? = nil, photographer: String? = nil, organized: Bool? = nil, sceneIds: [String]? = nil,
        studioId: Nullable<String>? = nil, tagIds: [String]? = nil, performerIds: [String]? = nil
    ) {
        self.id = id; self.title = title; self.code = code; self.urls = urls; self.date = date; self.details = details
        self.photographer = photographer; self.organized = organized; self.sceneIds = sceneIds
        self.studioId = studioId; self.tagIds = tagIds; self.performerIds = performerIds
    }
}

/// `GalleryAddInput` / `GalleryRemoveInput`: images to add to or remove from a user-created gallery.
public struct GalleryImagesInput: Sendable, Hashable, Codable {
    var galleryId: String
    var imageIds: [String]
    public init(galleryId: String, imageIds: [String]) { self.galleryId = galleryId; self.imageIds = imageIds }
}

/// `GalleryChapterCreateInput`; `imageIndex` is 1-based and at most the gallery's image count.
public struct GalleryChapterCreateInput: Sendable, Hashable, Codable {
    var galleryId: String
    public var title: String
    public var imageIndex: Int
    public init(galleryId: String, title: String, imageIndex: Int) {
        self.galleryId = galleryId; self.title = title; self.imageIndex = imageIndex
    }
}

/// `GalleryChapterUpdateInput`.
public struct GalleryChapterUpdateInput: Sendable, Hashable, Codable {
    public var id: String
    var galleryId: String?
    public var title: String?
    public var imageIndex: Int?
    public init(id: String, galleryId: String? = nil, title: String? = nil, imageIndex: Int? = nil) {
        self.id = id; self.galleryId = galleryId; self.title = title; self.imageIndex = imageIndex
    }
}

// MARK: Scenes

/// `SceneUpdateInput`.
public struct SceneUpdateInput: Sendable, Hashable, Codable {
    /// `custom_fields`: `partial` sets keys and keeps the others (see `StashCapabilities`).
    public var customFields: CustomFieldsInput? = nil
    public var id: String
    public var title: String?
    public var code: String?
    public var details: String?
    public var director: String?
    public var urls: [String]?
    public var date: Nullable<String>?
    public var organized: Bool?
    public var studioId: Nullable<String>?
    var galleryIds: [String]?
    var performerIds: [String]?
    public var tagIds: [String]?
    /// An image URL or `data:` URI.
    var coverImage: String?

    public init(
        id: String, title: String? = nil, code: String? = nil, details: String? = nil, director: String? = nil,
        urls: [String]? = nil, date: Nullable<String>? = nil, organized: Bool? = nil,
        studioId: Nullable<String>? = nil, galleryIds: [String]? = nil, performerIds: [String]? = nil,
        tagIds: [String]? = nil, coverImage: String? = nil
    ) {
        self.id = id; self.title = title; self.code = code; self.details = details; self.director = director
        self.urls = urls; self.date = date; self.organized = organized; self.studioId = studioId
        self.galleryIds = galleryIds; self.performerIds = performerIds; self.tagIds = tagIds;
        self.coverImage = coverImage
    }
}

// MARK: Images

/// `ImageUpdateInput`.
public struct ImageUpdateInput: Sendable, Hashable, Codable {
    /// `custom_fields`: `partial` sets keys and keeps the others (see `StashCapabilities`).
    public var customFields: CustomFieldsInput? = nil
    public var id: String
    public var title: String?
    public var code: String?
    public var details: String?
    var photographer: String?
    public var urls: [String]?
    public var date: Nullable<String>?
    public var organized: Bool?
    public var studioId: Nullable<String>?
    var performerIds: [String]?
    public var tagIds: [String]?
    var galleryIds: [String]?

    public init(
        id: String, title: String? = nil, code: String? = nil, details: String? = nil, photographer: String? = nil,
        urls: [String]? = nil, date: Nullable<String>? = nil, organized: Bool? = nil,
        studioId: Nullable<String>? = nil, performerIds: [String]? = nil, tagIds: [String]? = nil,
        galleryIds: [String]? = nil
    ) {
        self.id = id; self.title = title; self.code = code; self.details = details; self.photographer = photographer
        self.urls = urls; self.date = date; self.organized = organized; self.studioId = studioId
        self.performerIds = performerIds; self.tagIds = tagIds; self.galleryIds = galleryIds
    }
}
