import Foundation
public import Logging

/// The id of an object a mutation created or changed.
struct ObjectID: Sendable, Hashable, Codable {
    var id: String
    init(id: String) { self.id = id }
}

/// A typed, batching GraphQL client for Stash (v0.27 or later; built against v0.30.1).
///
/// Finds iterate every page; mutations of one kind go many to a request as aliased fields and
/// come back as one `Result` per input, in input order, so one failing item fails alone.
public final class StashClient: Sendable {
    public let configuration: StashConfiguration
    let transport: GraphQLTransport
    private let logger: Logger
    let capabilityStore = CapabilityStore()

    public init(configuration: StashConfiguration, logger: Logger = Logger(label: "fansly-stash.client")) {
        self.configuration = configuration
        self.logger = logger
        transport = GraphQLTransport(configuration: configuration, logger: logger)
    }

    /// Closes the client's connections and waits until they are closed. Call it when done: the
    /// process then has no connection or timer of this client left. A client released without it
    /// shuts down in the background.
    public func shutdown() async {
        await transport.shutdown()
    }

    // MARK: Connecting

    /// The oldest Stash that has what this client sends (Movie→Group, performer `urls`).
    static let minimumVersion = StashVersion(0, 27, 0)
    /// The version the client was built and tested against.
    static let testedVersion = StashVersion(0, 30, 1)

    /// Asks `version` and `systemStatus`, and throws `.incompatibleServer` with what will not
    /// work when Stash is older than v0.27, not set up, needs a migration, or is not Stash at all.
    @discardableResult
    public func connect() async throws(StashError) -> StashServerInfo {
        struct Reply: Decodable {
            struct Version: Decodable { let version: String?; let hash: String }
            struct Status: Decodable { let appSchema: Int; let databaseSchema: Int?; let status: String }
            struct InputType: Decodable { struct Field: Decodable { let name: String }; let inputFields: [Field]? }
            let version: Version
            let systemStatus: Status
            let performerInput, studioInput, tagInput, galleryInput, sceneInput, imageInput: InputType?

            var probe: [String: [String]?] {
                [
                    "performerInput": performerInput, "studioInput": studioInput, "tagInput": tagInput,
                    "galleryInput": galleryInput,
                    "sceneInput": sceneInput, "imageInput": imageInput,
                ].mapValues { $0?.inputFields?.map(\.name) }
            }
        }
        let url = configuration.baseURL.absoluteString
        let reply: Reply
        do {
            reply = try await query(
                operation: "ServerInfo", document: StashDocuments.serverInfo, variables: EmptyVariables())
        } catch let error {
            if case .invalidRequest(_, _, let errors) = error.underlying {
                throw .incompatibleServer(
                    url: url,
                    reason:
                        "it does not answer Stash's `version`/`systemStatus` queries (\(errors.first?.message ?? "validation failed")); is this the URL of Stash?"
                )
            }
            throw error
        }
        // Stash's JSON uses camelCase here (`appSchema`), which convertFromSnakeCase leaves alone.
        let info = StashServerInfo(
            version: reply.version.version, hash: reply.version.hash,
            appSchema: reply.systemStatus.appSchema, databaseSchema: reply.systemStatus.databaseSchema,
            status: reply.systemStatus.status, capabilities: StashCapabilities(probe: reply.probe))
        switch info.status {
        case "OK": break
        case "NEEDS_MIGRATION":
            throw .incompatibleServer(
                url: url,
                reason:
                    "its database needs a migration (schema \(info.databaseSchema.map(String.init) ?? "?") → \(info.appSchema)); open Stash's web UI to migrate, then try again"
            )
        case "SETUP":
            throw .incompatibleServer(url: url, reason: "Stash is not set up yet; finish the setup in its web UI first")
        default:
            throw .incompatibleServer(url: url, reason: "Stash reports status \(info.status)")
        }
        if let text = info.version {
            guard let version = StashVersion(text) else {
                throw .incompatibleServer(url: url, reason: "unrecognised version '\(text)'")
            }
            if version < Self.minimumVersion {
                throw .incompatibleServer(
                    url: url,
                    reason:
                        "Stash \(text) is older than v0.27 (the Movie→Group change): performer `urls`, groups and the fields this tool writes are missing; upgrade Stash to \(Self.testedVersion) or later"
                )
            }
            if version > Self.testedVersion {
                logger.notice(
                    "Stash \(text) is newer than \(Self.testedVersion), the version fansly-stash was tested against")
            }
        } else {
            logger.notice(
                "Stash reports no version (a development build, hash \(info.hash)); assuming it is compatible")
        }
        capabilityStore.set(info.capabilities)
        return info
    }

    /// What the connected Stash accepts beyond the oldest supported version (custom fields on
    /// which types…), as `connect()` found; before it, nothing beyond.
    public var capabilities: StashCapabilities { capabilityStore.current ?? StashCapabilities() }

    // MARK: Finds

    /// One page of performers (1-based `page`; `perPage` -1 = all).
    public func findPerformers(
        filter: NameFilter? = nil, ids: [String]? = nil, page: Int, perPage: Int,
        sort: String = "id"
    ) async throws(StashError) -> FindPage<Performer> {
        try await findPage(.performers, filter: filter, ids: ids, page: page, perPage: perPage, sort: sort)
    }
    /// Every performer matching `filter`, fetched in pages of `configuration.pageSize`.
    public func findPerformers(filter: NameFilter? = nil) async throws(StashError) -> [Performer] {
        try await findAll(.performers, filter: filter)
    }
    /// The performers with these ids (unknown ids are left out).
    public func findPerformers(ids: [String]) async throws(StashError) -> [Performer] {
        try await findByIds(.performers, ids: ids)
    }

    /// One page of studios.
    public func findStudios(
        filter: NameFilter? = nil, ids: [String]? = nil, page: Int, perPage: Int,
        sort: String = "id"
    ) async throws(StashError) -> FindPage<Studio> {
        try await findPage(.studios, filter: filter, ids: ids, page: page, perPage: perPage, sort: sort)
    }
    /// Every studio matching `filter`.
    public func findStudios(filter: NameFilter? = nil) async throws(StashError) -> [Studio] {
        try await findAll(.studios, filter: filter)
    }
    /// The studios with these ids.
    public func findStudios(ids: [String]) async throws(StashError) -> [Studio] {
        try await findByIds(.studios, ids: ids)
    }

    /// One page of tags.
    public func findTags(
        filter: NameFilter? = nil, ids: [String]? = nil, page: Int, perPage: Int,
        sort: String = "id"
    ) async throws(StashError) -> FindPage<Tag> {
        try await findPage(.tags, filter: filter, ids: ids, page: page, perPage: perPage, sort: sort)
    }
    /// Every tag matching `filter`.
    public func findTags(filter: NameFilter? = nil) async throws(StashError) -> [Tag] {
        try await findAll(.tags, filter: filter)
    }
    /// The tags with these ids.
    public func findTags(ids: [String]) async throws(StashError) -> [Tag] { try await findByIds(.tags, ids: ids) }

    /// One page of galleries.
    public func findGalleries(
        filter: MediaFilter? = nil, ids: [String]? = nil, page: Int, perPage: Int,
        sort: String = "id"
    ) async throws(StashError) -> FindPage<Gallery> {
        try await findPage(.galleries, filter: filter, ids: ids, page: page, perPage: perPage, sort: sort)
    }
    /// Every gallery matching `filter`.
    public func findGalleries(filter: MediaFilter? = nil) async throws(StashError) -> [Gallery] {
        try await findAll(.galleries, filter: filter)
    }
    /// The galleries with these ids.
    public func findGalleries(ids: [String]) async throws(StashError) -> [Gallery] {
        try await findByIds(.galleries, ids: ids)
    }

    /// One page of scenes.
    public func findScenes(
        filter: MediaFilter? = nil, ids: [String]? = nil, page: Int, perPage: Int,
        sort: String = "id"
    ) async throws(StashError) -> FindPage<Scene> {
        try await findPage(.scenes, filter: filter, ids: ids, page: page, perPage: perPage, sort: sort)
    }
    /// Every scene matching `filter`.
    public func findScenes(filter: MediaFilter? = nil) async throws(StashError) -> [Scene] {
        try await findAll(.scenes, filter: filter)
    }
    /// Every scene with a file inside `folder` (exact, case-sensitive prefix match).
    public func findScenes(pathUnder folder: String) async throws(StashError) -> [Scene] {
        try await findAll(.scenes, filter: MediaFilter(path: .pathUnder(folder)))
    }
    /// The scenes with these ids.
    public func findScenes(ids: [String]) async throws(StashError) -> [Scene] { try await findByIds(.scenes, ids: ids) }

    /// One page of images.
    public func findImages(
        filter: MediaFilter? = nil, ids: [String]? = nil, page: Int, perPage: Int,
        sort: String = "id"
    ) async throws(StashError) -> FindPage<Image> {
        try await findPage(.images, filter: filter, ids: ids, page: page, perPage: perPage, sort: sort)
    }
    /// Every image matching `filter`.
    public func findImages(filter: MediaFilter? = nil) async throws(StashError) -> [Image] {
        try await findAll(.images, filter: filter)
    }
    /// Every image with a file inside `folder` (exact, case-sensitive prefix match).
    public func findImages(pathUnder folder: String) async throws(StashError) -> [Image] {
        try await findAll(.images, filter: MediaFilter(path: .pathUnder(folder)))
    }
    /// The images with these ids.
    public func findImages(ids: [String]) async throws(StashError) -> [Image] { try await findByIds(.images, ids: ids) }

    // MARK: Mutations (batched)

    /// Creates performers; one id or error per input. Creates are never retried once sent.
    public func createPerformers(_ inputs: [PerformerCreateInput]) async -> [Result<String, StashError>] {
        await ids(perform(.performerCreate, inputs), .performerCreate)
    }
    /// Updates performers.
    public func updatePerformers(_ inputs: [PerformerUpdateInput]) async -> [Result<String, StashError>] {
        await ids(perform(.performerUpdate, inputs), .performerUpdate)
    }
    /// Creates studios.
    public func createStudios(_ inputs: [StudioCreateInput]) async -> [Result<String, StashError>] {
        await ids(perform(.studioCreate, inputs), .studioCreate)
    }
    /// Updates studios.
    public func updateStudios(_ inputs: [StudioUpdateInput]) async -> [Result<String, StashError>] {
        await ids(perform(.studioUpdate, inputs), .studioUpdate)
    }
    /// Creates tags.
    public func createTags(_ inputs: [TagCreateInput]) async -> [Result<String, StashError>] {
        await ids(perform(.tagCreate, inputs), .tagCreate)
    }
    /// Updates tags.
    public func updateTags(_ inputs: [TagUpdateInput]) async -> [Result<String, StashError>] {
        await ids(perform(.tagUpdate, inputs), .tagUpdate)
    }
    /// Creates galleries.
    public func createGalleries(_ inputs: [GalleryCreateInput]) async -> [Result<String, StashError>] {
        await ids(perform(.galleryCreate, inputs), .galleryCreate)
    }
    /// Updates galleries.
    public func updateGalleries(_ inputs: [GalleryUpdateInput]) async -> [Result<String, StashError>] {
        await ids(perform(.galleryUpdate, inputs), .galleryUpdate)
    }
    /// Adds images to user-created galleries.
    public func addGalleryImages(_ inputs: [GalleryImagesInput]) async -> [Result<Bool, StashError>] {
        await perform(.addGalleryImages, inputs).map { $0.map { $0 ?? true } }
    }
    /// Creates gallery chapters.
    public func createGalleryChapters(_ inputs: [GalleryChapterCreateInput]) async -> [Result<String, StashError>] {
        await ids(perform(.galleryChapterCreate, inputs), .galleryChapterCreate)
    }
    /// Updates gallery chapters.
    public func updateGalleryChapters(_ inputs: [GalleryChapterUpdateInput]) async -> [Result<String, StashError>] {
        await ids(perform(.galleryChapterUpdate, inputs), .galleryChapterUpdate)
    }
    /// Updates scenes.
    public func updateScenes(_ inputs: [SceneUpdateInput]) async -> [Result<String, StashError>] {
        await ids(perform(.sceneUpdate, inputs), .sceneUpdate)
    }
    /// Updates images.
    public func updateImages(_ inputs: [ImageUpdateInput]) async -> [Result<String, StashError>] {
        await ids(perform(.imageUpdate, inputs), .imageUpdate)
    }

    private func ids(_ results: [Result<ObjectID?, StashError>], _ kind: MutationKind) -> [Result<String, StashError>] {
        results.map { result in
            result.flatMap { object in
                object.map { .success($0.id) }
                    ?? .failure(.malformedResponse(operation: kind.field, detail: "null result without an error"))
            }
        }
    }
}

/// A Stash release number, compared numerically.
struct StashVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    var major: Int, minor: Int, patch: Int
    init(_ major: Int, _ minor: Int, _ patch: Int) { self.major = major; self.minor = minor; self.patch = patch }
    /// Parses `v0.30.1`, `0.30.1`, `v0.30.1-12-gabcdef`.
    init?(_ text: String) {
        var trimmed = Substring(text.trimmingCharacters(in: .whitespaces))
        if trimmed.first == "v" || trimmed.first == "V" { trimmed = trimmed.dropFirst() }
        let core = trimmed.split(separator: "-", maxSplits: 1).first ?? ""
        let parts = core.split(separator: ".").map { Int($0) }
        guard parts.count >= 2, parts.allSatisfy({ $0 != nil }) else { return nil }
        self.init(parts[0]!, parts[1]!, parts.count > 2 ? parts[2]! : 0)
    }
    public var description: String { "v\(major).\(minor).\(patch)" }
    public static func < (lhs: StashVersion, rhs: StashVersion) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
    }
}
