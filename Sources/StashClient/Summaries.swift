// Lean finds of scenes and images: file ids, sizes, dimensions and durations are not asked for.
// On a library of fresh scans that is about half of every scene's bytes, and decoding skips the
// key conversion the full models need (the keys are declared as Stash spells them). The plan's own
// reads select the field catalog's fields (SyncEngine's `SnapshotFinds`, through `SelectedFind`);
// these serve its look-ups by path (files outside the creator folders, the download root).

/// A scene or an image with its writable fields and the paths of its files.
public struct MediaSummary: Sendable, Hashable, Decodable, Identifiable {
    public var id: String
    public var title: String?
    public var code: String?
    public var details: String?
    /// Scenes only.
    public var director: String?
    /// Images only.
    var photographer: String?
    public var date: String?
    public var urls: [String]
    public var organized: Bool
    public var studio: NamedRef?
    public var performers: [NamedRef]
    public var tags: [NamedRef]
    public var galleries: [TitledRef]
    /// Full paths of the scene's `files` or the image's `visual_files`, as Stash sees them.
    public var paths: [String]
    /// `custom_fields`, when the server has them (v0.31).
    public var customFields: CustomFieldValues?

    init(
        id: String, title: String? = nil, code: String? = nil, details: String? = nil, director: String? = nil,
        photographer: String? = nil, date: String? = nil, urls: [String] = [], organized: Bool = false,
        studio: NamedRef? = nil, performers: [NamedRef] = [], tags: [NamedRef] = [], galleries: [TitledRef] = [],
        paths: [String] = []
    ) {
        self.id = id; self.title = title; self.code = code; self.details = details; self.director = director
        self.photographer = photographer; self.date = date; self.urls = urls; self.organized = organized
        self.studio = studio; self.performers = performers; self.tags = tags; self.galleries = galleries;
        self.paths = paths
    }

    private enum Keys: String, CodingKey {
        case id, title, code, details, director, photographer, date, urls, organized, studio, performers, tags,
            galleries
        case files, visualFiles = "visual_files", customFields = "custom_fields"
    }
    private struct PathOnly: Decodable { let path: String }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        id = try container.decode(String.self, forKey: .id)
        title = try container.decodeIfPresent(String.self, forKey: .title)
        code = try container.decodeIfPresent(String.self, forKey: .code)
        details = try container.decodeIfPresent(String.self, forKey: .details)
        director = try container.decodeIfPresent(String.self, forKey: .director)
        photographer = try container.decodeIfPresent(String.self, forKey: .photographer)
        date = try container.decodeIfPresent(String.self, forKey: .date)
        urls = try container.decodeIfPresent([String].self, forKey: .urls) ?? []
        organized = try container.decode(Bool.self, forKey: .organized)
        studio = try container.decodeIfPresent(NamedRef.self, forKey: .studio)
        performers = try container.decodeIfPresent([NamedRef].self, forKey: .performers) ?? []
        tags = try container.decodeIfPresent([NamedRef].self, forKey: .tags) ?? []
        galleries = try container.decodeIfPresent([TitledRef].self, forKey: .galleries) ?? []
        let files =
            try container.decodeIfPresent([PathOnly].self, forKey: .files)
            ?? container.decodeIfPresent([PathOnly].self, forKey: .visualFiles) ?? []
        paths = files.map(\.path)
        customFields = try container.decodeIfPresent(CustomFieldValues.self, forKey: .customFields)
    }
}

extension StashDocuments {
    static let sceneSummaryFields = """
        fragment SceneSummary on Scene { id title code details director date urls organized studio { id name } \
        performers { id name } tags { id name } galleries { id title } files { path } }
        """
    static let imageSummaryFields = """
        fragment ImageSummary on Image { id title code details photographer date urls organized studio { id name } \
        performers { id name } tags { id name } galleries { id title } \
        visual_files { ... on ImageFile { path } ... on VideoFile { path } } }
        """
    static let findSceneSummaries = """
        query FindSceneSummaries($filter: FindFilterType, $scene_filter: SceneFilterType, $ids: [ID!]) {
          findScenes(filter: $filter, scene_filter: $scene_filter, ids: $ids) { count scenes { ...SceneSummary } }
        }
        """ + "\n" + sceneSummaryFields
    static let findImageSummaries = """
        query FindImageSummaries($filter: FindFilterType, $image_filter: ImageFilterType, $ids: [ID!]) {
          findImages(filter: $filter, image_filter: $image_filter, ids: $ids) { count images { ...ImageSummary } }
        }
        """ + "\n" + imageSummaryFields
}

extension FindKind where Item == MediaSummary {
    static let sceneSummaries = FindKind(
        field: "findScenes", listKey: "scenes", filterVariable: "scene_filter",
        document: StashDocuments.findSceneSummaries, declaresStashKeys: true)
    static let imageSummaries = FindKind(
        field: "findImages", listKey: "images", filterVariable: "image_filter",
        document: StashDocuments.findImageSummaries, declaresStashKeys: true)
}

extension StashClient {
    /// Which media a summary find reads.
    public enum MediaKind: Sendable, Hashable {
        case scenes, images
    }

    /// Every scene or image matching `filter` as summaries, handed to `body` one page at a time
    /// as the pages arrive, so a caller can keep what it needs and drop the rest.
    public func findSummaries(
        _ kind: MediaKind, filter: MediaFilter?,
        eachPage body: ([MediaSummary]) -> Void
    ) async throws(StashError) {
        try await forEachPage(kind == .scenes ? .sceneSummaries : .imageSummaries, filter: filter, body: body)
    }

    /// The scenes or images with these ids, as summaries (unknown ids are left out).
    public func findSummaries(_ kind: MediaKind, ids: [String]) async throws(StashError) -> [MediaSummary] {
        try await findByIds(kind == .scenes ? .sceneSummaries : .imageSummaries, ids: ids)
    }
}

extension StashClient {
    /// One page of scenes or images matching `filter`, as summaries, sorted by path (1-based `page`).
    public func findSummaries(_ kind: MediaKind, filter: MediaFilter?, page: Int, perPage: Int) async throws(StashError)
        -> FindPage<MediaSummary>
    {
        try await findPage(
            kind == .scenes ? .sceneSummaries : .imageSummaries, filter: filter, ids: nil, page: page,
            perPage: perPage, sort: "path")
    }

    /// The folders Stash scans (Settings → Library), from `configuration.general.stashes`.
    public func libraryPaths() async throws(StashError) -> [String] {
        struct Reply: Decodable {
            struct Configuration: Decodable { let general: General }
            struct General: Decodable { let stashes: [Library] }
            struct Library: Decodable { let path: String }
            let configuration: Configuration
        }
        let reply: Reply = try await query(
            operation: "LibraryPaths", document: StashDocuments.libraryPaths, variables: EmptyVariables())
        return reply.configuration.general.stashes.map(\.path)
    }
}

extension StashDocuments {
    static let libraryPaths = "query LibraryPaths { configuration { general { stashes { path } } } }"
}
