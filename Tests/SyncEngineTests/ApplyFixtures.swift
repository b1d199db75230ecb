import FanslyMetadata
import Foundation
import MappingRules
import StashClient
import StashTestServer
import XCTest

@testable import SyncEngine

/// A hand-built plan over every phase, and a test server holding the scanned files it updates.
struct ApplyFixture {
    let server: StashTestServer
    let sceneId: String
    let organizedSceneId: String
    let imageIds: [String]

    static let performerURL = "https://fansly.com/emberwilde42"

    /// Starts a server seeded with two scenes (one organized) and three images.
    static func start(apiKey: String? = "secret-key") async throws -> ApplyFixture {
        let server = StashTestServer(apiKey: apiKey)
        try await server.start()
        let ids = server.seed(paths: [
            "/data/fansly/emberwilde42/Videos/2024-01-31_id_1.mp4",
            "/data/fansly/emberwilde42/Videos/2024-01-31_id_3.mp4",
            "/data/fansly/emberwilde42/Pictures/2024-01-31_id_2.jpg",
            "/data/fansly/emberwilde42/Pictures/2024-01-31_id_4.jpg",
            "/data/fansly/emberwilde42/Pictures/2024-01-31_id_5.jpg",
        ])
        func id(_ suffix: String) -> String { String(ids.first { $0.key.hasSuffix(suffix) }!.value) }
        let organized = id("id_3.mp4")
        server.markOrganized(sceneId: Int(organized)!)
        return ApplyFixture(
            server: server, sceneId: id("id_1.mp4"), organizedSceneId: organized,
            imageIds: [id("id_2.jpg"), id("id_4.jpg"), id("id_5.jpg")])
    }

    func client(key: String? = "secret-key", batchSize: Int = 100) -> StashClient {
        StashClient(
            configuration: StashConfiguration(
                baseURL: server.baseURL, apiKey: key.map(StashAPIKey.init),
                batchSize: batchSize, retryPolicy: RetryPolicy(maxAttempts: 2, initialDelay: .milliseconds(5))))
    }

    static func address(_ text: String) -> EntityAddress { EntityAddress(text)! }
    static func ref(_ text: String) -> StashRef { StashRef(address: address(text)) }

    /// Creates tags (one the parent of the other), studios (a network and its child), a performer,
    /// a gallery with images and a chapter; updates a scene and an image; skips an organized scene.
    func plan(createdAt: Date = Date(), extraTags: Int = 0) -> Plan {
        typealias F = FieldChange
        let a = Self.address
        let r = Self.ref
        var changes: [PlannedChange] = [
            PlannedChange(
                address: a("tag.fansly"), action: .create,
                fields: [F(field: "name", before: .null, after: .string("Fansly"))],
                match: [.name("Fansly", disambiguation: nil)]),
            PlannedChange(
                address: a("tag.latex-model"), action: .create,
                fields: [
                    F(field: "name", before: .null, after: .string("Latex Model")),
                    F(field: "parent_ids", before: .null, after: .refs([r("tag.fansly")])),
                ], match: [.name("Latex Model", disambiguation: nil)]),
            PlannedChange(
                address: a("studio.creator.emberwilde42"), action: .create,
                fields: [
                    F(field: "name", before: .null, after: .string("emberwilde42 (Fansly)")),
                    F(field: "parent_id", before: .null, after: .ref(r("studio.network"))),
                    F(field: "urls", before: .null, after: .strings([Self.performerURL])),
                ], match: [.name("emberwilde42 (Fansly)", disambiguation: nil)]),
            PlannedChange(
                address: a("studio.network"), action: .create,
                fields: [F(field: "name", before: .null, after: .string("Fansly (network)"))],
                match: [.name("Fansly (network)", disambiguation: nil)]),
            PlannedChange(
                address: a("performer.account.emberwilde42"), action: .create,
                fields: [
                    F(field: "name", before: .null, after: .string("Ember Wilde")),
                    F(field: "disambiguation", before: .null, after: .string("Fansly")),
                    F(field: "alias_list", before: .null, after: .strings(["emberwilde42"])),
                    F(field: "urls", before: .null, after: .strings([Self.performerURL])),
                    F(field: "tag_ids", before: .null, after: .refs([r("tag.latex-model")])),
                ], match: [.name("Ember Wilde", disambiguation: "Fansly"), .url(Self.performerURL)],
                creator: "emberwilde42"),
            PlannedChange(
                address: a("gallery.post.100"), action: .create,
                fields: [
                    F(field: "title", before: .null, after: .string("Post 100")),
                    F(field: "code", before: .null, after: .string("100")),
                    F(field: "date", before: .null, after: .date("2024-01-31")),
                    F(field: "studio_id", before: .null, after: .ref(r("studio.creator.emberwilde42"))),
                    F(field: "performer_ids", before: .null, after: .refs([r("performer.account.emberwilde42")])),
                    F(field: "tag_ids", before: .null, after: .refs([r("tag.latex-model"), r("tag.fansly")])),
                    // The last image was never scanned: it cannot be added and is left out.
                    F(
                        field: "image_ids", before: .null,
                        after: .refs(imageIds.map { StashRef(id: $0) } + [r("image.media.999")])),
                ], match: [.code("100")], creator: "emberwilde42"),
            PlannedChange(
                address: a("scene.media.1"), action: .update, stashId: sceneId,
                fields: [
                    F(field: "title", before: .string(""), after: .string("Clip 1")),
                    F(field: "studio_id", before: .null, after: .ref(r("studio.creator.emberwilde42"))),
                    F(
                        field: "performer_ids", before: .refs([]), after: .refs([r("performer.account.emberwilde42")]),
                        operation: .add),
                    F(field: "gallery_ids", before: .refs([]), after: .refs([r("gallery.post.100")]), operation: .add),
                ], creator: "emberwilde42"),
            PlannedChange(address: a("scene.media.3"), action: .skip, reason: .organized, stashId: organizedSceneId),
            PlannedChange(
                address: a("image.media.2"), action: .update, stashId: imageIds[0],
                fields: [
                    F(field: "title", before: .string(""), after: .string("Picture 2")),
                    F(
                        field: "performer_ids", before: .refs([]), after: .refs([r("performer.account.emberwilde42")]),
                        operation: .add),
                ], creator: "emberwilde42"),
            PlannedChange(
                address: a("chapter.post.100.1"), action: .create,
                fields: [
                    F(field: "gallery_id", before: .null, after: .ref(r("gallery.post.100"))),
                    F(field: "title", before: .null, after: .string("Part 1")),
                    F(field: "image_index", before: .null, after: .int(2)),
                ]),
        ]
        for n in 0..<extraTags {
            changes.append(
                PlannedChange(
                    address: a("tag.extra-\(n)"), action: .create,
                    fields: [F(field: "name", before: .null, after: .string("Extra \(n)"))],
                    match: [.name("Extra \(n)", disambiguation: nil)]))
        }
        changes.sort { $0.address < $1.address }
        let inputs = PlanInputs(
            rulesHash: "sha256:test", rulesFiles: [],
            database: DatabaseIdentity(path: "/tmp/x.sqlite3", alembicVersion: nil, fingerprint: "f"),
            stashURL: server.baseURL.absoluteString)
        return Plan(
            createdAt: createdAt, tool: "fansly-stash test", inputs: inputs, changes: changes, unmatched: [],
            summary: PlanSummary(
                add: changes.filter { $0.action == .create }.count,
                change: changes.filter { $0.action == .update }.count, skipped: 1))
    }
}

/// What the server holds, without the ids that depend on creation order: compared between runs.
/// Every object is one line, so a duplicate shows as a repeated line.
struct LibraryShape: Equatable, CustomStringConvertible {
    var lines: [String]

    init(_ state: StashState) {
        func tagName(_ id: Int) -> String { state.tags[id]?.name ?? "?\(id)" }
        func performerName(_ id: Int) -> String {
            state.performers[id].map { "\($0.name) (\($0.disambiguation))" } ?? "?\(id)"
        }
        func studioName(_ id: Int?) -> String { id.flatMap { state.studios[$0]?.name } ?? "-" }
        func galleryCode(_ id: Int) -> String { state.galleries[id]?.code ?? "?\(id)" }
        var lines: [String] = []
        lines += state.tags.values.map { "tag \($0.name) parents=\($0.parentIds.map(tagName).sorted())" }
        lines += state.studios.values.map { "studio \($0.name) parent=\(studioName($0.parentId)) urls=\($0.urls)" }
        lines += state.performers.values.map {
            "performer \($0.name) (\($0.disambiguation)) aliases=\($0.aliases) urls=\($0.urls) tags=\($0.tagIds.map(tagName).sorted())"
        }
        lines += state.galleries.values.map { gallery in
            "gallery \(gallery.code) \(gallery.title) \(gallery.date ?? "-") studio=\(studioName(gallery.studioId)) "
                + "performers=\(gallery.performerIds.map(performerName).sorted()) tags=\(gallery.tagIds.map(tagName).sorted()) "
                + "images=\(state.imageIds(inGallery: gallery.id).count)"
        }
        lines += state.scenes.values.map { scene in
            "scene \(scene.path) \(scene.title) organized=\(scene.organized) studio=\(studioName(scene.studioId)) "
                + "performers=\(scene.performerIds.map(performerName).sorted()) galleries=\(scene.galleryIds.map(galleryCode).sorted())"
        }
        lines += state.images.values.map { image in
            "image \(image.path) \(image.title) performers=\(image.performerIds.map(performerName).sorted()) "
                + "galleries=\(image.galleryIds.map(galleryCode).sorted())"
        }
        lines += state.chapters.values.map { "chapter \(galleryCode($0.galleryId)):\($0.title)@\($0.imageIndex)" }
        self.lines = lines.sorted()
    }

    var description: String { lines.joined(separator: "\n") }
}

func temporaryStatePath() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("apply-\(UUID().uuidString)/state.sqlite3").path
}
