import FanslyMetadata
import MappingRules
import StashClient
import StashTestServer
import XCTest

@testable import SyncEngine

/// The bundled sample database, the default rules and the test server over HTTP: a first plan,
/// the plan once Stash holds what it asked for, drift and organized objects.
final class PlanEndToEndTests: XCTestCase {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    private var server: StashTestServer!
    private var client: StashClient!
    private var desired: DesiredState!
    private var database: MetadataDatabase!

    override func setUp() async throws {
        server = StashTestServer()
        try await server.start()
        client = StashClient(configuration: StashConfiguration(baseURL: server.baseURL, retryPolicy: .none))
        database = try MetadataDatabase(path: Self.root.appendingPathComponent("examples/sample-metadata.sqlite3").path)
        desired = try MappingEngine(rules: try RuleSet.builtInDefault()).evaluate(database: database)
        let list = try String(
            contentsOf: Self.root.appendingPathComponent("examples/sample-files.txt"), encoding: .utf8)
        let folder = Self.root.appendingPathComponent("examples").path
        server.seed(paths: list.split(separator: "\n").map { folder + "/" + $0 })
    }

    override func tearDown() async throws { await server.stop() }

    private func plan(_ links: [EntityAddress: SyncLink] = [:], selection: PlanSelection = PlanSelection()) async throws
        -> Plan
    {
        try await PlanSession(
            desired: desired, inputs: PlanFixtures.inputs, client: client, links: DictionaryLinks(links: links),
            catalog: database, selection: selection, tool: "test"
        ).run()
    }

    func testFirstPlanThenNoChangesOnceStashMatchesThenDriftAndOrganized() async throws {
        let first = try await plan()
        XCTAssertGreaterThan(first.summary.add, 0)
        XCTAssertGreaterThan(first.summary.change, 0, "scanned scenes and images get their metadata")
        XCTAssertEqual(first.summary.unchanged, 0)
        XCTAssertTrue(
            first.unmatched.allSatisfy { $0.reason.contains(".None") || $0.reason.contains("no downloaded file name") },
            "\(first.unmatched.map(\.reason))")
        XCTAssertFalse(first.unmatched.isEmpty, "the sample's locked previews end in .None")
        XCTAssertTrue(
            first.changes.filter { $0.address.kind == .scene || $0.address.kind == .image }.allSatisfy {
                $0.action == .update
            })

        let links = try TestServerApplier(server: server).apply(first)
        let second = try await plan(links)
        XCTAssertFalse(second.summary.hasChanges, PlanRenderer().render(second))
        XCTAssertEqual(second.unmatched, first.unmatched)
        XCTAssertEqual(second.changes.filter { !$0.drift.isEmpty }.map { "\($0.address) \($0.drift)" }, [])

        // Someone edits a performer's bio and finishes a scene by hand.
        let performer = try XCTUnwrap(
            first.changes.first { $0.address.kind == .performer && $0.fields.contains { $0.field == "details" } })
        let performerId = try XCTUnwrap(links[performer.address]?.stashId)
        server.modify { $0.performers[Int(performerId)!]?.details = "Edited by hand" }
        let scene = try XCTUnwrap(first.changes.first { $0.address.kind == .scene })
        server.markOrganized(sceneId: Int(scene.stashId!)!)
        let third = try await plan(links)
        XCTAssertFalse(third.summary.hasChanges, PlanRenderer().render(third))
        let drifted = try XCTUnwrap(third.changes.first { $0.address == performer.address })
        XCTAssertEqual(drifted.drift.map(\.field), ["details"])
        XCTAssertEqual(drifted.drift.first?.current, "\"Edited by hand\"")
        XCTAssertEqual(third.changes.first { $0.address == scene.address }?.reason, .organized)
    }

    func testCreatorAndTargetNarrowing() async throws {
        let creator = try XCTUnwrap(desired.creatorFolders.keys.sorted().first)
        let narrowed = try await plan(selection: PlanSelection(creators: [creator.uppercased()]))
        // Besides the creator's own objects, only what they refer to: the quoted media a repost's
        // gallery holds, with their author's studio and performer.
        let others = narrowed.changes.filter { $0.creator != nil && $0.creator != creator }
        XCTAssertFalse(others.isEmpty, "the sample has a repost of another creator's post")
        XCTAssertEqual(
            Set(others.map(\.address.kind)).subtracting([.image, .scene, .studio, .performer]), [],
            "\(others.map(\.address))")
        XCTAssertTrue(narrowed.unmatched.allSatisfy { $0.creator == creator })
        let tag = try XCTUnwrap(desired.entities.first { $0.address.kind == .tag }?.address)
        let targeted = try await plan(selection: PlanSelection(targets: [tag.description]))
        XCTAssertEqual(targeted.changes.map(\.address), [tag])
    }
}

/// Writes a plan straight into the test server's state, as a complete apply would leave it, and
/// returns the links SyncState would then hold. A fixture for "Stash matches the plan".
struct TestServerApplier {
    let server: StashTestServer

    func apply(_ plan: Plan) throws -> [EntityAddress: SyncLink] {
        var ids: [EntityAddress: String] = [:]
        var links: [EntityAddress: SyncLink] = [:]
        var nextId = 50_000
        for change in plan.changes {
            if let id = change.stashId { ids[change.address] = id }
        }
        // Ids first: within a phase a child may come before its parent (studios, tags).
        for change in plan.changes where change.action == .create {
            nextId += 1
            ids[change.address] = String(nextId)
        }
        for change in plan.changes where change.action == .create || change.action == .update {
            let id = Int(ids[change.address]!)!
            var written: [String: FieldValue] = [:]
            for field in change.fields {
                let value = resolved(field.after, ids)
                written[field.field] = value
                server.modify { state in set(field.field, value, kind: change.address.kind, id: id, in: &state) }
            }
            links[change.address] = SyncLink(
                address: change.address, stashId: String(id), writtenFields: written, writtenAt: Date())
        }
        for change in plan.changes where change.action == .noop {
            links[change.address] = SyncLink(
                address: change.address, stashId: change.stashId!, writtenFields: [:], writtenAt: Date())
        }
        return links
    }

    private func resolved(_ value: FieldValue, _ ids: [EntityAddress: String]) -> FieldValue {
        func ref(_ ref: StashRef) -> StashRef {
            StashRef(id: ref.id ?? ref.address.flatMap { ids[$0] }, label: ref.label)
        }
        switch value {
        case .ref(let single): return .ref(ref(single))
        case .refs(let list): return .refs(list.map(ref))
        default: return value
        }
    }

    private func text(_ value: FieldValue) -> String {
        switch value {
        case .string(let text), .date(let text): return text
        default: return ""
        }
    }
    private func strings(_ value: FieldValue) -> [String] {
        if case .strings(let list) = value { return list } else { return [] }
    }
    private func ints(_ value: FieldValue) -> [Int] {
        switch value {
        case .refs(let refs): return refs.compactMap { $0.id.flatMap(Int.init) }
        case .ref(let ref): return ref.id.flatMap(Int.init).map { [$0] } ?? []
        default: return []
        }
    }
    private func bool(_ value: FieldValue) -> Bool {
        if case .bool(let flag) = value { return flag } else { return false }
    }

    private func set(_ field: String, _ value: FieldValue, kind: EntityKind, id: Int, in state: inout StashState) {
        switch kind {
        case .tag:
            var tag = state.tags[id] ?? TestTag(id: id, name: "")
            switch field {
            case "name": tag.name = text(value)
            case "aliases": tag.aliases = strings(value)
            case "parent_ids": tag.parentIds = ints(value)
            case "description": tag.description = text(value)
            default: break
            }
            state.tags[id] = tag
        case .studio:
            var studio = state.studios[id] ?? TestStudio(id: id, name: "")
            switch field {
            case "name": studio.name = text(value)
            case "aliases": studio.aliases = strings(value)
            case "urls": studio.urls = strings(value)
            case "parent_id": studio.parentId = ints(value).first
            case "details": studio.details = text(value)
            case "image": studio.image = text(value)
            default: break
            }
            state.studios[id] = studio
        case .performer:
            var performer = state.performers[id] ?? TestPerformer(id: id, name: "")
            switch field {
            case "name": performer.name = text(value)
            case "disambiguation": performer.disambiguation = text(value)
            case "alias_list": performer.aliases = strings(value)
            case "urls": performer.urls = strings(value)
            case "details": performer.details = text(value)
            case "country": performer.country = text(value)
            case "image": performer.image = text(value)
            case "tag_ids": performer.tagIds = ints(value)
            default: break
            }
            state.performers[id] = performer
        case .gallery:
            var gallery = state.galleries[id] ?? TestGallery(id: id)
            switch field {
            case "title": gallery.title = text(value)
            case "code": gallery.code = text(value)
            case "details": gallery.details = text(value)
            case "date": gallery.date = text(value)
            case "urls": gallery.urls = strings(value)
            case "organized": gallery.organized = bool(value)
            case "studio_id": gallery.studioId = ints(value).first
            case "performer_ids": gallery.performerIds = ints(value)
            case "tag_ids": gallery.tagIds = ints(value)
            case "image_ids":
                for image in ints(value) where !(state.images[image]?.galleryIds.contains(id) ?? true) {
                    state.images[image]?.galleryIds.append(id)
                }
            default: break
            }
            state.galleries[id] = gallery
        case .chapter:
            var chapter = state.chapters[id] ?? TestChapter(id: id, galleryId: 0, title: "", imageIndex: 1)
            switch field {
            case "title": chapter.title = text(value)
            case "gallery_id": chapter.galleryId = ints(value).first ?? 0
            case "image_index": if case .int(let index) = value { chapter.imageIndex = index }
            default: break
            }
            state.chapters[id] = chapter
        case .scene:
            guard var scene = state.scenes[id] else { return }
            switch field {
            case "title": scene.title = text(value)
            case "code": scene.code = text(value)
            case "details": scene.details = text(value)
            case "date": scene.date = text(value)
            case "urls": scene.urls = strings(value)
            case "organized": scene.organized = bool(value)
            case "studio_id": scene.studioId = ints(value).first
            case "performer_ids": scene.performerIds = ints(value)
            case "tag_ids": scene.tagIds = ints(value)
            case "gallery_ids": scene.galleryIds = ints(value)
            default: break
            }
            state.scenes[id] = scene
        case .image:
            guard var image = state.images[id] else { return }
            switch field {
            case "title": image.title = text(value)
            case "code": image.code = text(value)
            case "details": image.details = text(value)
            case "date": image.date = text(value)
            case "urls": image.urls = strings(value)
            case "organized": image.organized = bool(value)
            case "studio_id": image.studioId = ints(value).first
            case "performer_ids": image.performerIds = ints(value)
            case "tag_ids": image.tagIds = ints(value)
            case "gallery_ids": image.galleryIds = ints(value)
            default: break
            }
            state.images[id] = image
        }
    }
}
