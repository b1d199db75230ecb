import FanslyMetadata
import Foundation
import MappingRules
import StashClient
import StashTestServer
import XCTest

@testable import SyncEngine

final class ApplyTests: XCTestCase {
    func makeApplier(
        _ fixture: ApplyFixture, state: SyncState, batchSize: Int = 100, maxAttempts: Int = 4,
        monitor: SyncMonitor = SyncMonitor(style: .quiet) { _ in }
    ) -> Applier {
        Applier(
            writer: StashClientWriter(client: fixture.client(batchSize: batchSize)), state: state, monitor: monitor,
            options: BatchOptions(
                batchSize: batchSize, parallelism: 2, maxAttempts: maxAttempts, retryDelay: .milliseconds(5)))
    }

    func testAppliesEveryPhaseInOrderWithBatchedRequests() async throws {
        let fixture = try await ApplyFixture.start()
        defer { Task { await fixture.server.stop() } }
        let state = try SyncState(path: temporaryStatePath())
        let plan = fixture.plan(extraTags: 120)
        fixture.server.resetCounters()

        let report = await makeApplier(fixture, state: state).apply(plan)

        XCTAssertEqual(report.failures, [])
        XCTAssertEqual(report.totals.created, 127, "122 tags, 2 studios, a performer, a gallery, a chapter")
        XCTAssertEqual(
            report.totals.updated, 2,
            "a scene and an image (the gallery's images count with the gallery, as in the plan)")
        XCTAssertEqual(
            report.totals.created + report.totals.updated, plan.summary.add + plan.summary.change, "the plan's units")
        XCTAssertEqual(report.totals.skipped, 1)
        XCTAssertEqual(
            report.phases.map(\.phase),
            [
                "tags", "studios", "performers", "galleries", "scenes", "images",
                "gallery images", "chapters",
            ])
        // Tags: 121 without parents (2 requests of ≤100), then the child; studios: parent, then child;
        // then one request per remaining phase.
        let expectedRequests: Int = 11
        XCTAssertEqual(fixture.server.requestCount, expectedRequests)
        XCTAssertEqual(fixture.server.requestCount(for: "tagCreate"), 3)

        let shape = LibraryShape(fixture.server.state)
        XCTAssertTrue(shape.lines.contains("tag Latex Model parents=[\"Fansly\"]"), shape.description)
        XCTAssertTrue(
            shape.lines.contains(
                "studio emberwilde42 (Fansly) parent=Fansly (network) urls=[\"\(ApplyFixture.performerURL)\"]"),
            shape.description)
        XCTAssertTrue(
            shape.lines.contains(
                "performer Ember Wilde (Fansly) aliases=[\"emberwilde42\"] urls=[\"\(ApplyFixture.performerURL)\"] tags=[\"Latex Model\"]"
            ), shape.description)
        XCTAssertTrue(
            shape.lines.contains(
                "gallery 100 Post 100 2024-01-31 studio=emberwilde42 (Fansly) performers=[\"Ember Wilde (Fansly)\"] tags=[\"Fansly\", \"Latex Model\"] images=3"
            ), shape.description)
        XCTAssertTrue(
            shape.lines.contains(
                "scene /data/fansly/emberwilde42/Videos/2024-01-31_id_1.mp4 Clip 1 organized=false studio=emberwilde42 (Fansly) performers=[\"Ember Wilde (Fansly)\"] galleries=[\"100\"]"
            ), shape.description)
        XCTAssertTrue(
            shape.lines.contains(
                "scene /data/fansly/emberwilde42/Videos/2024-01-31_id_3.mp4  organized=true studio=- performers=[] galleries=[]"
            ),
            "the organized scene is untouched\n\(shape)")
        XCTAssertTrue(shape.lines.contains("chapter 100:Part 1@2"), shape.description)

        let links = try state.allLinks()
        XCTAssertEqual(links.count, 127 + 2, "every created object and both updated files are linked")
        let gallery = try XCTUnwrap(links[ApplyFixture.address("gallery.post.100")])
        XCTAssertEqual(gallery.writtenFields["image_ids"], .refs(fixture.imageIds.map { StashRef(id: $0) }))
        XCTAssertEqual(gallery.writtenFields["title"], .string("Post 100"))
        XCTAssertEqual(try state.pendingCreates(), [])
        XCTAssertEqual(try state.dirtyAddresses(), [])
    }

    func testReapplyingTheSamePlanSendsNothing() async throws {
        let fixture = try await ApplyFixture.start()
        defer { Task { await fixture.server.stop() } }
        let state = try SyncState(path: temporaryStatePath())
        let plan = fixture.plan()
        _ = await makeApplier(fixture, state: state).apply(plan)
        let before = LibraryShape(fixture.server.state)
        fixture.server.resetCounters()

        let again = await makeApplier(fixture, state: state).apply(plan)

        XCTAssertEqual(fixture.server.requestCount, 0, "everything is known written since the plan was made")
        XCTAssertEqual(again.totals.unchanged, 9, "one per item, as the plan counts them")
        XCTAssertEqual(again.totals.created + again.totals.updated + again.totals.failed, 0)
        XCTAssertEqual(LibraryShape(fixture.server.state), before)
    }

    func testInjectedFailuresThenRerunEqualACleanRunWithoutDuplicates() async throws {
        let clean = try await ApplyFixture.start()
        defer { Task { await clean.server.stop() } }
        _ = await makeApplier(clean, state: try SyncState(path: temporaryStatePath())).apply(clean.plan())
        let expected = LibraryShape(clean.server.state)

        let fixture = try await ApplyFixture.start()
        defer { Task { await fixture.server.stop() } }
        let state = try SyncState(path: temporaryStatePath())
        let plan = fixture.plan()
        fixture.server.inject(.status(500), on: "tagCreate")
        fixture.server.inject(.dropConnection, on: "studioCreate")
        fixture.server.inject(.dropConnectionAfterApplying, on: "performerCreate")
        fixture.server.inject(.statusAfterApplying(500), on: "galleryCreate")
        fixture.server.inject(.statusAfterApplying(500), on: "sceneUpdate")
        fixture.server.inject(.dropConnectionAfterApplying, on: "galleryChapterCreate")

        // One attempt per item, so each failure stays failed in its run and the next run resumes.
        var runs: [SyncReport] = []
        repeat {
            runs.append(await makeApplier(fixture, state: state, maxAttempts: 1).apply(plan))
        } while !runs.last!.succeeded && runs.count < 8
        XCTAssertTrue(runs.last!.succeeded, "\(runs.last!.failures)")
        XCTAssertGreaterThan(runs.count, 2, "the faults made runs fail")
        XCTAssertTrue(runs.dropLast().allSatisfy { !$0.succeeded })
        XCTAssertEqual(try state.pendingCreates(), [])

        let shape = LibraryShape(fixture.server.state)
        XCTAssertEqual(shape, expected, "\nafter failures:\n\(shape)\n\nclean:\n\(expected)")
        XCTAssertEqual(fixture.server.state.performers.count, 1)
        XCTAssertEqual(fixture.server.state.galleries.count, 1)
        XCTAssertEqual(fixture.server.state.studios.count, 2)
        XCTAssertEqual(fixture.server.state.tags.count, 2)
        XCTAssertEqual(fixture.server.state.chapters.count, 1)
    }

    func testRetriesWithinOneRunAfterLostReplies() async throws {
        let fixture = try await ApplyFixture.start()
        defer { Task { await fixture.server.stop() } }
        let state = try SyncState(path: temporaryStatePath())
        fixture.server.inject(.dropConnectionAfterApplying, on: "performerCreate")
        fixture.server.inject(.statusAfterApplying(500), on: "galleryCreate", times: 2)
        fixture.server.inject(.status(500), on: "tagCreate")

        let report = await makeApplier(fixture, state: state).apply(fixture.plan())

        XCTAssertEqual(report.failures, [])
        XCTAssertEqual(report.totals.created, 7)
        XCTAssertEqual(fixture.server.state.performers.count, 1)
        XCTAssertEqual(fixture.server.state.galleries.count, 1)
        XCTAssertEqual(fixture.server.state.tags.count, 2)
    }

    func testAdoptsAnUnconfirmedCreateThatReachedStash() async throws {
        let fixture = try await ApplyFixture.start()
        defer { Task { await fixture.server.stop() } }
        let state = try SyncState(path: temporaryStatePath())
        let plan = fixture.plan()
        // A run journalled the performer's create and died after Stash applied it.
        let performer = try XCTUnwrap(plan.changes.first { $0.address.kind == .performer })
        try state.journalCreates([PendingCreate(address: performer.address, match: performer.match)])
        let created = await fixture.client().createPerformers([
            PerformerCreateInput(name: "Ember Wilde", disambiguation: "Fansly")
        ])
        let id = try created[0].get()

        let report = await makeApplier(fixture, state: state).apply(plan)

        XCTAssertEqual(report.failures, [])
        XCTAssertEqual(fixture.server.state.performers.count, 1, "the lost create is found, not repeated")
        XCTAssertEqual(try state.link(for: performer.address)?.stashId, id)
        let adopted = try XCTUnwrap(fixture.server.state.performers[Int(id)!])
        XCTAssertEqual(adopted.urls, [ApplyFixture.performerURL], "the adopted object gets the plan's fields")
        XCTAssertEqual(adopted.aliases, ["emberwilde42"])
    }

    func testAdoptsAnInterruptedCreateThatLandsAfterTheLookUp() async throws {
        let fixture = try await ApplyFixture.start()
        defer { Task { await fixture.server.stop() } }
        let state = try SyncState(path: temporaryStatePath())
        let plan = fixture.plan()
        // A killed run's performer create is still in Stash's hands: it lands just after this run looked for it.
        let performer = try XCTUnwrap(plan.changes.first { $0.address.kind == .performer })
        try state.journalCreates([PendingCreate(address: performer.address, match: performer.match)])
        let writer = LateLandingWriter(inner: StashClientWriter(client: fixture.client())) {
            _ = await fixture.client().createPerformers([
                PerformerCreateInput(name: "Ember Wilde", disambiguation: "Fansly")
            ])
        }
        let applier = Applier(
            writer: writer, state: state, monitor: SyncMonitor(style: .quiet) { _ in },
            options: BatchOptions(batchSize: 100, parallelism: 2, maxAttempts: 4, retryDelay: .milliseconds(5)))

        let report = await applier.apply(plan)

        XCTAssertEqual(report.failures, [])
        XCTAssertEqual(writer.lookUps, 2, "looked up before creating, and again when Stash said the name was taken")
        XCTAssertEqual(fixture.server.state.performers.count, 1, "no duplicate")
        let adopted = try XCTUnwrap(fixture.server.state.performers.values.first)
        XCTAssertEqual(try state.link(for: performer.address)?.stashId, String(adopted.id))
        XCTAssertEqual(adopted.aliases, ["emberwilde42"], "the adopted object gets the plan's fields")
        XCTAssertEqual(try state.pendingCreates(), [])
    }

    func testALostCreateThatSeveralObjectsMatchFailsWithTheirIds() async throws {
        let fixture = try await ApplyFixture.start()
        defer { Task { await fixture.server.stop() } }
        let state = try SyncState(path: temporaryStatePath())
        let plan = fixture.plan()
        let performer = try XCTUnwrap(plan.changes.first { $0.address.kind == .performer })
        try state.journalCreates([PendingCreate(address: performer.address, match: performer.match)])
        // No performer has the name, two have the URL: which one the lost create made cannot be told.
        let created = await fixture.client().createPerformers([
            PerformerCreateInput(name: "Ember", urls: [ApplyFixture.performerURL]),
            PerformerCreateInput(name: "Wilde", urls: [ApplyFixture.performerURL]),
        ])
        let ids = try created.map { try $0.get() }

        let report = await makeApplier(fixture, state: state).apply(plan)

        let failures = Dictionary(report.failures.map { ($0.item, $0.error) }) { first, _ in first }
        XCTAssertEqual(
            failures["performer.account.emberwilde42"],
            "an earlier create of performer.account.emberwilde42 may have succeeded, and several performers match it "
                + "(ids \(ids.joined(separator: ", "))); merge or delete the extra ones in Stash and run apply again")
        XCTAssertEqual(fixture.server.state.performers.count, 2, "nothing guessed, nothing created")
        XCTAssertEqual(try state.pendingCreates().map(\.address), [performer.address], "still pending for the next run")
    }

    func testANameTakenByAnotherObjectStillFailsACreateNotJournalled() async throws {
        let fixture = try await ApplyFixture.start()
        defer { Task { await fixture.server.stop() } }
        _ = await fixture.client().createPerformers([
            PerformerCreateInput(name: "Ember Wilde", disambiguation: "Fansly")
        ])
        let state = try SyncState(path: temporaryStatePath())

        let report = await makeApplier(fixture, state: state).apply(fixture.plan())

        let failures = Dictionary(report.failures.map { ($0.item, $0.error) }) { first, _ in first }
        XCTAssertTrue(
            failures["performer.account.emberwilde42"]?.contains("already exists") ?? false,
            "only a create this tool journalled is adopted: \(failures)")
        XCTAssertEqual(fixture.server.state.performers.count, 1)
    }

    func testAFailedParentFailsItsDependentsWithTheReason() async throws {
        let fixture = try await ApplyFixture.start()
        defer { Task { await fixture.server.stop() } }
        // Someone already has the network's name as an alias, so its create is refused.
        _ = await fixture.client().createStudios([StudioCreateInput(name: "Other", aliases: ["Fansly (network)"])])
        let state = try SyncState(path: temporaryStatePath())

        let report = await makeApplier(fixture, state: state).apply(fixture.plan())

        let failures = Dictionary(report.failures.map { ($0.item, $0.error) }) { first, _ in first }
        XCTAssertTrue(failures["studio.network"]?.contains("Fansly (network)") ?? false, "\(failures)")
        XCTAssertTrue(
            failures["studio.creator.emberwilde42"]?.hasPrefix("needs studio.network, which failed:") ?? false,
            "\(failures)")
        XCTAssertNotNil(failures["gallery.post.100"])
        XCTAssertEqual(
            Set(failures.keys),
            [
                "studio.network", "studio.creator.emberwilde42", "gallery.post.100", "scene.media.1",
                "chapter.post.100.1",
            ])
        XCTAssertEqual(
            report.totals.failed, Set(report.failures.map(\.item)).count,
            "items are counted once, though the gallery fails in its phase and in the gallery images phase")
        XCTAssertEqual(report.failures.count, 6, "each failure is listed")
        XCTAssertEqual(fixture.server.state.performers.count, 1, "what does not depend on the studio is applied")
        XCTAssertEqual(try state.errors()[ApplyFixture.address("studio.network")], failures["studio.network"])
    }

    func testAWrongKeyStopsTheRunWithoutSendingTheRest() async throws {
        let fixture = try await ApplyFixture.start()
        defer { Task { await fixture.server.stop() } }
        let state = try SyncState(path: temporaryStatePath())
        let applier = Applier(
            writer: StashClientWriter(client: fixture.client(key: "wrong")), state: state,
            monitor: SyncMonitor(style: .quiet) { _ in }, options: BatchOptions(retryDelay: .milliseconds(1)))
        fixture.server.resetCounters()

        let report = await applier.apply(fixture.plan())

        XCTAssertEqual(report.totals.failed, 9, "every item once")
        XCTAssertEqual(fixture.server.requestCount, 1, "the first refusal stops the run")
        XCTAssertTrue(
            report.failures.allSatisfy { $0.error.contains("API key") || $0.error.contains("not attempted") },
            "\(report.failures)")
        XCTAssertEqual(fixture.server.state.tags.count, 0)
    }
}

extension ApplyTests {
    func testAChapterOfAGalleryWithoutImagesIsSkippedNotSent() async throws {
        let fixture = try await ApplyFixture.start()
        defer { Task { await fixture.server.stop() } }
        var plan = fixture.plan()
        let a = ApplyFixture.address
        let r = ApplyFixture.ref
        // A gallery whose only image was never scanned, with a wall chapter at its first image.
        plan.changes += [
            PlannedChange(
                address: a("gallery.post.200"), action: .create,
                fields: [
                    FieldChange(field: "title", before: .null, after: .string("Teaser")),
                    FieldChange(field: "code", before: .null, after: .string("200")),
                    FieldChange(field: "image_ids", before: .null, after: .refs([r("image.media.998")])),
                ], match: [.code("200")]),
            PlannedChange(
                address: a("chapter.post.200.1"), action: .create,
                fields: [
                    FieldChange(field: "gallery_id", before: .null, after: .ref(r("gallery.post.200"))),
                    FieldChange(field: "title", before: .null, after: .string("Main")),
                    FieldChange(field: "image_index", before: .null, after: .int(1)),
                ]),
        ]
        plan.changes.sort { $0.address < $1.address }
        let state = try SyncState(path: temporaryStatePath())

        let report = await makeApplier(fixture, state: state).apply(plan)
        XCTAssertEqual(report.failures, [])
        XCTAssertEqual(report.phases.first { $0.phase == "chapters" }?.counts.skipped, 1)
        XCTAssertEqual(fixture.server.state.chapters.count, 1, "only the chapter of the gallery with images")

        // A later plan that only has the chapter to create: the count comes from Stash, in one request.
        let galleryId = try XCTUnwrap(try state.link(for: a("gallery.post.200"))?.stashId)
        plan.changes = plan.changes.compactMap { change in
            switch change.address.description {
            case "gallery.post.200": return PlannedChange(address: change.address, action: .noop, stashId: galleryId)
            case "chapter.post.200.1": return change
            default: return nil
            }
        }
        fixture.server.resetCounters()
        let again = await makeApplier(fixture, state: state).apply(plan)
        XCTAssertEqual(again.totals.skipped, 1)
        XCTAssertEqual(again.failures, [])
        XCTAssertEqual(fixture.server.requestCount(for: "galleryChapterCreate"), 0)
        XCTAssertEqual(fixture.server.requestCount(for: "findGalleries"), 1)
    }
}

/// Delegates to a real writer; the first look-up for a lost create runs `landing` after looking,
/// as when a killed run's request reaches Stash late.
final class LateLandingWriter: StashWriter, @unchecked Sendable {
    private let inner: StashWriter
    private let landing: @Sendable () async -> Void
    private let lock = NSLock()
    private var count = 0
    var lookUps: Int { lock.lock(); defer { lock.unlock() }; return count }

    init(inner: StashWriter, landing: @escaping @Sendable () async -> Void) {
        self.inner = inner; self.landing = landing
    }

    func create(_ kind: EntityKind, inputs: [[String: FieldValue]]) async throws -> [WriteResult] {
        try await inner.create(kind, inputs: inputs)
    }
    func update(_ kind: EntityKind, inputs: [ObjectFields]) async throws -> [WriteResult] {
        try await inner.update(kind, inputs: inputs)
    }
    func addGalleryImages(_ additions: [GalleryImages]) async throws -> [WriteResult] {
        try await inner.addGalleryImages(additions)
    }
    func galleryImageCounts(ids: [String]) async throws -> [String: Int] {
        try await inner.galleryImageCounts(ids: ids)
    }
    func findExisting(_ kind: EntityKind, match: [MatchKey], fields: [String: FieldValue]) async throws -> [String] {
        let found = try await inner.findExisting(kind, match: match, fields: fields)
        let first: Bool = {
            lock.lock(); defer { lock.unlock() }; count += 1; return count == 1
        }()
        if first { await landing() }
        return found
    }
}
