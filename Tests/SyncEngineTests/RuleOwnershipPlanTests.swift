import FanslyMetadata
import MappingRules
import XCTest

@testable import SyncEngine

/// Issue 16, items 6, 7 and 11: the planner does what the rules say about names, targets and
/// objects the rules stopped producing, and says so when it cannot.
final class RuleOwnershipPlanTests: XCTestCase {
    private func plan(
        _ snapshot: StashSnapshot, desired: DesiredState, links: [EntityAddress: SyncLink] = [:],
        selection: PlanSelection = PlanSelection()
    ) throws -> Plan {
        try Planner(desired: desired, snapshot: snapshot, links: links)
            .plan(inputs: PlanFixtures.inputs, selection: selection, tool: "test", now: Date(timeIntervalSince1970: 0))
    }

    /// The fixture's tag as `tags.aliases: {Latex Fashion: [latex]}` makes it: the canonical name,
    /// the hashtag as its alias.
    private var renamedTag: DesiredState {
        var desired = PlanFixtures.desired
        let index = desired.entities.firstIndex { $0.address.description == "tag.latex" }!
        desired.entities[index].fields = [
            DesiredField(name: "name", value: .string("Latex Fashion")),
            DesiredField(name: "aliases", value: .strings(["latex"])),
        ]
        desired.entities[index].match = [
            .name("Latex Fashion", disambiguation: nil), .name("latex", disambiguation: nil),
        ]
        return desired
    }

    private func link(_ address: String, _ id: String, _ fields: [String: FieldValue]) -> (EntityAddress, SyncLink) {
        let address = PlanFixtures.address(address)
        return (
            address,
            SyncLink(address: address, stashId: id, writtenFields: fields, writtenAt: Date(timeIntervalSince1970: 0))
        )
    }

    // MARK: Item 6

    func testAnAliasTableRenamesATagFanslyStashNamed() throws {
        let (old, written) = link("tag.latex-old", "4", ["name": .string("latex")])
        let plan = try plan(PlanFixtures.applied, desired: renamedTag, links: [old: written])
        let tag = try XCTUnwrap(plan.changes.first { $0.address.description == "tag.latex" })
        XCTAssertEqual(tag.action, .update)
        XCTAssertEqual(
            tag.fields.first { $0.field == "name" },
            FieldChange(field: "name", before: .string("latex"), after: .string("Latex Fashion")))
        XCTAssertEqual(
            tag.fields.first { $0.field == "aliases" }?.after, .strings(["latex"]), "the old name stays as an alias")
        XCTAssertNil(
            plan.changes.first { $0.address == old },
            "the tag's old address is the same object, not one the rules dropped")
    }

    func testATagSomeoneElseNamedIsNotRenamedAndThePlanSaysWhy() throws {
        let plan = try plan(PlanFixtures.applied, desired: renamedTag)
        let tag = try XCTUnwrap(plan.changes.first { $0.address.description == "tag.latex" })
        XCTAssertEqual(tag.action, .noop, "no alias equal to the tag's own name is sent: \(tag.fields)")
        XCTAssertTrue(
            tag.detail?.contains(
                "the rules call this tag \"Latex Fashion\", but Stash's name \"latex\" was not given by fansly-stash")
                ?? false,
            tag.detail ?? "no note")
        let text = PlanRenderer().render(plan)
        XCTAssertTrue(text.contains("Not as the rules say"), text)
        XCTAssertTrue(text.contains("  ! tag.latex (#4): name: the rules call this tag"), text)
    }

    // MARK: Item 7

    func testATargetNeverCreatesATagTheFullPlanSkips() throws {
        var desired = PlanFixtures.desired
        desired.entities.append(
            DesiredEntity(
                address: PlanFixtures.address("tag.unused"),
                fields: [DesiredField(name: "name", value: .string("unused"))],
                match: [.name("unused", disambiguation: nil)]))
        desired.entities.sort { $0.address < $1.address }
        let full = try plan(PlanFixtures.scannedOnly, desired: desired)
        XCTAssertEqual(full.changes.first { $0.address.description == "tag.unused" }?.action, .skip)
        let targeted = try plan(
            PlanFixtures.scannedOnly, desired: desired, selection: PlanSelection(targets: ["tag.unused"]))
        let tag = try XCTUnwrap(targeted.changes.first { $0.address.description == "tag.unused" })
        XCTAssertEqual(tag.action, .skip)
        XCTAssertEqual(tag.reason, .notCreated)
        XCTAssertFalse(targeted.summary.hasChanges)
        let carried = try plan(
            PlanFixtures.scannedOnly, desired: desired, selection: PlanSelection(targets: ["scene.media.100"]))
        XCTAssertEqual(
            carried.changes.first { $0.address.description == "tag.latex" }?.action, .create,
            "a tag the selected scene carries is created")
    }

    // MARK: Item 11

    func testObjectsTheRulesNoLongerProduceAreReportedNeverDeleted() throws {
        var snapshot = PlanFixtures.applied
        snapshot.insert(
            StashObject(kind: .gallery, id: "6", fields: ["title": .string("A private set"), "code": .string("700")]))
        let (address, written) = link("gallery.message.700", "6", ["title": .string("A private set")])
        let plan = try plan(snapshot, desired: PlanFixtures.desired, links: [address: written])
        let dropped = try XCTUnwrap(plan.changes.first { $0.address == address })
        XCTAssertEqual(dropped.action, .skip)
        XCTAssertEqual(dropped.reason, .notProduced)
        XCTAssertEqual(dropped.stashId, "6")
        XCTAssertEqual(dropped.detail, "no longer produced by the rules; left in Stash")
        XCTAssertFalse(plan.summary.hasChanges, "nothing is written, nothing deleted")
        XCTAssertTrue(
            PlanRenderer().render(plan).contains(
                "gallery.message.700 (#6): not produced (no longer produced by the rules; left in Stash)"))

        let narrowed = try self.plan(
            snapshot, desired: PlanFixtures.desired, links: [address: written],
            selection: PlanSelection(creators: ["emberwilde42"]))
        XCTAssertNil(
            narrowed.changes.first { $0.address == address }, "a narrowed plan cannot tell what the rules dropped")
    }
}
