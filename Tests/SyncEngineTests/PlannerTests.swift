import FanslyMetadata
import MappingRules
import XCTest

@testable import SyncEngine

final class PlannerTests: XCTestCase {
    private func plan(
        _ snapshot: StashSnapshot, links: [EntityAddress: SyncLink] = [:], desired: DesiredState = PlanFixtures.desired,
        selection: PlanSelection = PlanSelection(), catalog: MediaCatalog? = nil
    ) throws -> Plan {
        try Planner(desired: desired, snapshot: snapshot, links: links, catalog: catalog)
            .plan(
                inputs: PlanFixtures.inputs, selection: selection, tool: "fansly-stash test",
                now: Date(timeIntervalSince1970: 0))
    }

    private func change(_ plan: Plan, _ address: String) -> PlannedChange? {
        plan.changes.first { $0.address.description == address }
    }

    func testFirstPlanCreatesEntitiesAndUpdatesScannedMediaWithReferencesToPlannedAddresses() throws {
        let plan = try plan(PlanFixtures.scannedOnly)
        XCTAssertEqual(plan.summary, PlanSummary(add: 5, change: 2, unchanged: 0, skipped: 0, unmatched: 1))
        XCTAssertEqual(
            plan.changes.map(\.address.description),
            [
                "tag.latex", "studio.account.emberwilde42", "studio.fansly-network", "performer.account.emberwilde42",
                "gallery.post.537124881301504299", "scene.media.100", "image.media.200",
            ], "phase order, then key")
        let studio = try XCTUnwrap(change(plan, "studio.account.emberwilde42"))
        XCTAssertEqual(studio.action, .create)
        XCTAssertEqual(
            studio.fields.first { $0.field == "parent_id" }?.after,
            .ref(StashRef(address: PlanFixtures.address("studio.fansly-network"), label: "Fansly (network)")))
        XCTAssertEqual(
            studio.match,
            [.name("emberwilde42 (Fansly)", disambiguation: nil), .url("https://fansly.com/emberwilde42")])

        let scene = try XCTUnwrap(change(plan, "scene.media.100"))
        XCTAssertEqual(scene.action, .update)
        XCTAssertEqual(scene.stashId, "11")
        XCTAssertEqual(
            scene.fields.first { $0.field == "title" },
            FieldChange(
                field: "title", before: .string(""),
                after: .string("Shiny new outfit - 1/3")))
        XCTAssertEqual(
            scene.fields.first { $0.field == "tag_ids" }?.after,
            .refs([StashRef(address: PlanFixtures.address("tag.latex"), label: "latex")]))
        XCTAssertEqual(plan.unmatched.map(\.address.description), ["image.media.300"])
        XCTAssertTrue(plan.unmatched[0].reason.contains(".None"))
        XCTAssertEqual(
            plan.unmatched[0].lookedFor,
            [PlanFixtures.folder + "/Timeline/Pictures/**/2023-07-17_at_00-48_UTC_preview_id_301.None"])
    }

    func testPlanAgainstMatchingStashHasNoChanges() throws {
        let plan = try plan(PlanFixtures.applied)
        XCTAssertFalse(plan.summary.hasChanges, "\(plan.changes.filter(\.changesStash))")
        XCTAssertEqual(plan.summary.unchanged, 7)
        // Organized, without a record of apply's writes (a new state file), and holding every value
        // the rules want: apply's own finished gallery (it marks objects organized last), a noop.
        XCTAssertEqual(change(plan, "gallery.post.537124881301504299")?.action, .noop)
        XCTAssertEqual(change(plan, "gallery.post.537124881301504299")?.stashId, "5")
    }

    func testAnOrganizedObjectIsAPersonsWhenItDiffersOrApplyNeverOrganizedIt() throws {
        let address = PlanFixtures.address("gallery.post.537124881301504299")
        var edited = PlanFixtures.applied
        var gallery = try XCTUnwrap(edited.object(.gallery, id: "5"))
        gallery.fields["tag_ids"] = .refs([]) // a person took the tag off
        edited.insert(gallery)
        XCTAssertEqual(
            change(try plan(edited), address.description)?.reason, .organized, "it differs from the rules: a person's")

        // Apply wrote the gallery but never organized it: the mark is a person's, even if nothing differs.
        let link = SyncLink(
            address: address, stashId: "5", writtenFields: ["title": .string("Post")], writtenAt: Date())
        let linked = try Planner(desired: PlanFixtures.desired, snapshot: PlanFixtures.applied, links: [address: link])
            .plan(inputs: PlanFixtures.inputs, tool: "t")
        XCTAssertEqual(change(linked, address.description)?.reason, .organized)

        // Apply organized it itself: still apply's, planned like any other object (not skipped).
        let ours = SyncLink(
            address: address, stashId: "5", writtenFields: ["title": .string("Post"), "organized": .bool(true)],
            writtenAt: Date())
        let owned = try Planner(desired: PlanFixtures.desired, snapshot: PlanFixtures.applied, links: [address: ours])
            .plan(inputs: PlanFixtures.inputs, tool: "t")
        XCTAssertEqual(change(owned, address.description)?.action, .noop)
        XCTAssertNil(change(owned, address.description)?.reason)
    }

    func testOrganizedObjectsAreSkippedUnlessTheRulesDoNotRespectIt() throws {
        var snapshot = PlanFixtures.scannedOnly
        var scene = try XCTUnwrap(snapshot.object(.scene, id: "11"))
        scene.organized = true
        snapshot.insert(scene)
        let skipped = try XCTUnwrap(change(try plan(snapshot), "scene.media.100"))
        XCTAssertEqual(skipped.action, .skip)
        XCTAssertEqual(skipped.reason, .organized)
        XCTAssertTrue(skipped.fields.isEmpty)

        var desired = PlanFixtures.desired
        let index = try XCTUnwrap(desired.entities.firstIndex { $0.address.description == "scene.media.100" })
        desired.entities[index].respectOrganized = false
        XCTAssertEqual(change(try plan(snapshot, desired: desired), "scene.media.100")?.action, .update)
    }

    func testDriftIsReportedAndNotReverted() throws {
        var snapshot = PlanFixtures.applied
        var performer = try XCTUnwrap(snapshot.object(.performer, id: "3"))
        performer.fields["details"] = .string("Edited in Stash")
        snapshot.insert(performer)
        let address = PlanFixtures.address("performer.account.emberwilde42")
        let link = SyncLink(
            address: address, stashId: "3", writtenFields: ["details": .string("Latex and more")], writtenAt: Date())
        let plan = try plan(snapshot, links: [address: link])
        let change = try XCTUnwrap(change(plan, "performer.account.emberwilde42"))
        XCTAssertEqual(change.action, .noop)
        XCTAssertEqual(
            change.drift, [FieldDrift(field: "details", written: "\"Latex and more\"", current: "\"Edited in Stash\"")])
        XCTAssertFalse(plan.summary.hasChanges)
    }

    func testAmbiguousMatchesAreSkippedAndReferencesToThemLeftOut() throws {
        var snapshot = PlanFixtures.scannedOnly
        snapshot.insert(
            StashObject(
                kind: .performer, id: "8", fields: ["name": .string("Ember Wilde"), "disambiguation": .string("A")]))
        snapshot.insert(
            StashObject(
                kind: .performer, id: "9", fields: ["name": .string("Ember Wilde"), "disambiguation": .string("B")]))
        let plan = try plan(snapshot)
        let performer = try XCTUnwrap(change(plan, "performer.account.emberwilde42"))
        XCTAssertEqual(performer.action, .skip)
        XCTAssertEqual(performer.reason, .ambiguous)
        XCTAssertEqual(performer.detail, "matches Stash performers #8, #9 by name")
        let gallery = try XCTUnwrap(change(plan, "gallery.post.537124881301504299"))
        XCTAssertEqual(gallery.action, .create)
        XCTAssertNil(gallery.fields.first { $0.field == "performer_ids" }, "an empty list is not sent on create")
        XCTAssertTrue(
            gallery.detail?.contains("performer_ids: left out performer.account.emberwilde42") ?? false,
            gallery.detail ?? "")
    }

    func testEntitiesTheRulesDoNotCreateAreSkipped() throws {
        var desired = PlanFixtures.desired
        let index = try XCTUnwrap(desired.entities.firstIndex { $0.address.description == "tag.latex" })
        desired.entities[index].createMissing = false
        let plan = try plan(PlanFixtures.scannedOnly, desired: desired)
        XCTAssertEqual(change(plan, "tag.latex")?.reason, .notCreated)
        XCTAssertEqual(
            change(plan, "scene.media.100")?.fields.first { $0.field == "tag_ids" }, nil,
            "an empty tag list is not written")
    }

    func testTwoAddressesNeverClaimTheSameStashObject() throws {
        var desired = PlanFixtures.desired
        desired.entities.append(
            DesiredEntity(
                address: PlanFixtures.address("tag.latex-fetish"),
                fields: [DesiredField(name: "name", value: .string("Latex"))],
                match: [.name("Latex", disambiguation: nil)]))
        desired.entities.sort { $0.address < $1.address }
        var snapshot = PlanFixtures.applied
        snapshot.insert(StashObject(kind: .tag, id: "4", fields: ["name": .string("latex"), "aliases": .strings([])]))
        let plan = try plan(snapshot, desired: desired)
        XCTAssertEqual(change(plan, "tag.latex")?.action, .noop)
        XCTAssertEqual(change(plan, "tag.latex-fetish")?.reason, .ambiguous)
        XCTAssertEqual(change(plan, "tag.latex-fetish")?.detail, "Stash tag #4 is the same object as tag.latex")
    }

    func testTargetSelectsEntitiesAndWhatTheyReferTo() throws {
        let plan = try plan(
            PlanFixtures.scannedOnly, selection: PlanSelection(targets: ["studio.account.emberwilde42"]))
        XCTAssertEqual(
            plan.changes.map(\.address.description), ["studio.account.emberwilde42", "studio.fansly-network"])
        XCTAssertTrue(plan.unmatched.isEmpty)
        let galleries = try self.plan(PlanFixtures.scannedOnly, selection: PlanSelection(targets: ["gallery"]))
        XCTAssertEqual(Set(galleries.changes.map(\.address.kind)), [.tag, .studio, .performer, .gallery])
        let prefix = try self.plan(PlanFixtures.scannedOnly, selection: PlanSelection(targets: ["image.media.*"]))
        XCTAssertEqual(prefix.changes.filter { $0.address.kind == .image }.count, 1)
        XCTAssertEqual(prefix.unmatched.count, 1)
    }

    func testUnknownTargetsAndCreatorsAreErrors() {
        XCTAssertThrowsError(try plan(.empty, selection: PlanSelection(targets: ["studio.acount.emberwilde42"]))) {
            error in
            XCTAssertEqual(
                error as? PlanError,
                .unknownTarget("studio.acount.emberwilde42", suggestion: "studio.account.emberwilde42"))
        }
        XCTAssertThrowsError(try plan(.empty, selection: PlanSelection(creators: ["nobody"]))) { error in
            XCTAssertEqual(error as? PlanError, .unknownCreator("nobody", known: ["emberwilde42"]))
            XCTAssertTrue("\(error)".contains("known creators: emberwilde42"))
        }
    }

    func testCreatorSelectionKeepsSharedEntitiesItUses() throws {
        var desired = PlanFixtures.desired
        desired.entities.append(
            DesiredEntity(
                address: PlanFixtures.address("performer.account.other"),
                fields: [DesiredField(name: "name", value: .string("Other"))],
                match: [.name("Other", disambiguation: nil)], creator: "other"))
        desired.entities.append(
            DesiredEntity(
                address: PlanFixtures.address("tag.unused"),
                fields: [DesiredField(name: "name", value: .string("unused"))]))
        desired.entities.sort { $0.address < $1.address }
        let plan = try plan(
            PlanFixtures.scannedOnly, desired: desired, selection: PlanSelection(creators: ["EmberWilde42"]))
        let addresses = Set(plan.changes.map(\.address.description))
        XCTAssertTrue(addresses.contains("tag.latex"))
        XCTAssertTrue(addresses.contains("studio.fansly-network"))
        XCTAssertFalse(addresses.contains("performer.account.other"))
        XCTAssertFalse(addresses.contains("tag.unused"))
    }

    func testFilesInCreatorFoldersUnknownToTheDatabaseAreReported() throws {
        struct Catalog: MediaCatalog {
            func knownFileIds(_ fileIds: Set<FanslyID>) throws -> Set<FanslyID> { fileIds.intersection([555]) }
        }
        var snapshot = PlanFixtures.applied
        snapshot.insert(
            StashObject(kind: .image, id: "40", paths: [PlanFixtures.folder + "/Timeline/Pictures/x_id_555.jpg"]))
        snapshot.insert(
            StashObject(kind: .image, id: "41", paths: [PlanFixtures.folder + "/Timeline/Pictures/x_id_999.jpg"]))
        snapshot.insert(StashObject(kind: .image, id: "42", paths: ["/elsewhere/x_id_998.jpg"]))
        let plan = try plan(snapshot, catalog: Catalog())
        let unknown = plan.unmatched.filter { $0.reason == "no such media in the database" }
        XCTAssertEqual(unknown.map(\.fileMediaId), [999])
        XCTAssertEqual(unknown.first?.lookedFor, [PlanFixtures.folder + "/Timeline/Pictures/x_id_999.jpg"])
        XCTAssertEqual(unknown.first?.creator, "emberwilde42")
    }

    func testChaptersNeedTheirGallery() throws {
        var desired = PlanFixtures.desired
        desired.entities.append(
            DesiredEntity(
                address: PlanFixtures.address("chapter.wall.1.post.537124881301504299"),
                fields: [
                    DesiredField(name: "title", value: .string("Wall")),
                    DesiredField(name: "gallery_id", value: .reference(PlanFixtures.address("gallery.post.9"))),
                    DesiredField(name: "image_index", value: .int(1)),
                ]))
        let plan = try plan(PlanFixtures.applied, desired: desired)
        XCTAssertEqual(change(plan, "chapter.wall.1.post.537124881301504299")?.reason, .unresolved)
    }

    /// The fixture plus a wall chapter at `imageIndex` of the post's gallery, whose images are `images`
    /// (media keys); the other image entities are left out.
    private func desiredWithChapter(images: [FanslyID], imageIndex: Int = 1) -> DesiredState {
        var desired = PlanFixtures.desired
        let gallery = PlanFixtures.address("gallery.post.537124881301504299")
        desired.entities.removeAll {
            $0.address.kind == .image && !images.map { "media.\($0)" }.contains($0.address.key)
        }
        let position = desired.entities.firstIndex { $0.address == gallery }!
        desired.entities[position].fields.append(
            DesiredField(
                name: "image_ids",
                value: .references(
                    images.map {
                        EntityAddress(kind: .image, key: "media.\($0)")
                    })))
        desired.entities.append(
            DesiredEntity(
                address: PlanFixtures.address("chapter.wall.1.post.537124881301504299"),
                fields: [
                    DesiredField(name: "gallery_id", value: .reference(gallery)),
                    DesiredField(name: "title", value: .string("Wall")),
                    DesiredField(name: "image_index", value: .int(imageIndex)),
                ],
                creator: "emberwilde42"))
        return desired
    }

    private let chapter = "chapter.wall.1.post.537124881301504299"

    func testAChapterOfAGalleryWhoseOnlyImagesAreNonePreviewsIsSkippedOfflineAndAgainstStash() throws {
        let offline = try plan(StashSnapshot(objects: [], isOffline: true), desired: desiredWithChapter(images: [300]))
        XCTAssertEqual(change(offline, "gallery.post.537124881301504299")?.action, .create)
        let skipped = try XCTUnwrap(change(offline, chapter))
        XCTAssertEqual(skipped.action, .skip)
        XCTAssertEqual(skipped.reason, .notCreated)
        XCTAssertEqual(
            skipped.detail, "its gallery has no images in Stash: its only files are unscanned .None previews")
        XCTAssertTrue(skipped.fields.isEmpty)

        // Stash holds the gallery (found by its code) but no image of it: apply could not add the chapter either.
        let online = try plan(PlanFixtures.applied, desired: desiredWithChapter(images: [300]))
        XCTAssertEqual(change(online, chapter)?.action, .skip)
        XCTAssertEqual(change(online, chapter)?.detail, skipped.detail)
        XCTAssertFalse(online.summary.hasChanges, "\(online.changes.filter(\.changesStash))")
    }

    func testAChapterIsPlannedWhenItsGalleryWillHoldTheImageItStartsAt() throws {
        // Offline, an image whose file Stash could scan counts: the chapter is planned.
        let offline = try plan(
            StashSnapshot(objects: [], isOffline: true), desired: desiredWithChapter(images: [200, 300]))
        XCTAssertEqual(change(offline, chapter)?.action, .create)
        XCTAssertEqual(change(offline, chapter)?.fields.map(\.field), ["gallery_id", "title", "image_index"])

        // Against Stash: the scanned image joins the gallery (from the image's own gallery_ids too).
        let online = try plan(PlanFixtures.applied, desired: desiredWithChapter(images: [200]))
        XCTAssertEqual(change(online, chapter)?.action, .create)
        XCTAssertEqual(change(online, chapter)?.fields.first?.after, .ref(StashRef(id: "5", label: "Shiny new outfit")))

        // Beyond the gallery's images: skipped with the count, as apply would refuse it.
        let beyond = try plan(PlanFixtures.applied, desired: desiredWithChapter(images: [200, 300], imageIndex: 2))
        XCTAssertEqual(change(beyond, chapter)?.action, .skip)
        XCTAssertEqual(
            change(beyond, chapter)?.detail,
            "its gallery would hold 1 image in Stash, so a chapter cannot start at image 2; scan the missing files, then plan again"
        )
    }
}
