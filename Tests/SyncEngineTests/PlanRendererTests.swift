import FanslyMetadata
import MappingRules
import XCTest

@testable import SyncEngine

final class PlanRendererTests: XCTestCase {
    private func plan(_ snapshot: StashSnapshot, links: [EntityAddress: SyncLink] = [:]) throws -> Plan {
        try Planner(desired: PlanFixtures.desired, snapshot: snapshot, links: links).plan(
            inputs: PlanFixtures.inputs, tool: "t")
    }

    func testTerraformLikeOutput() throws {
        var snapshot = PlanFixtures.scannedOnly
        var scene = try XCTUnwrap(snapshot.object(.scene, id: "11"))
        scene.fields["title"] = .string("Old title")
        snapshot.insert(scene)
        let address = PlanFixtures.address("scene.media.100")
        let link = SyncLink(
            address: address, stashId: "11", writtenFields: ["title": .string("Old title")], writtenAt: Date())
        let text = PlanRenderer().render(try plan(snapshot, links: [address: link]))
        XCTAssertTrue(text.contains("\n  + tag.latex\n      name: \"latex\"\n"), text)
        XCTAssertTrue(text.contains("  ~ scene.media.100 (#11)  # post 537124881301504299\n"), text)
        XCTAssertTrue(text.contains("      title: \"Old title\" -> \"Shiny new outfit - 1/3\"\n"), text)
        XCTAssertTrue(text.contains("tag_ids: + \"latex\" (new)"), text)
        XCTAssertTrue(text.contains("Unmatched media"), text)
        XCTAssertTrue(
            text.contains("  ! emberwilde42: 1 file: preview file ends in .None, which Stash does not scan"), text)
        XCTAssertFalse(text.contains("looked for"), "examples are in --json: \(text)")
        XCTAssertTrue(text.contains("Hint: scanning does not help .None previews"), text)
        XCTAssertFalse(
            text.contains("Hint: scan the creator folders"), "no file here would appear by scanning: \(text)")
        XCTAssertTrue(text.hasSuffix("\nPlan: 5 to add, 2 to change. 0 unchanged, 0 skipped, 1 unmatched.\n"), text)
        XCTAssertFalse(text.contains("\u{1B}["), "no colours unless asked")
    }

    func testNoChangesDriftAndSkipsAreSummarised() throws {
        var snapshot = PlanFixtures.applied
        var performer = try XCTUnwrap(snapshot.object(.performer, id: "3"))
        performer.fields["details"] = .string("Edited")
        snapshot.insert(performer)
        // A gallery a person organized and took the tag off (an organized gallery matching the
        // rules, without a record of writes, would be apply's own: a noop).
        var gallery = try XCTUnwrap(snapshot.object(.gallery, id: "5"))
        gallery.fields["tag_ids"] = .refs([])
        snapshot.insert(gallery)
        let address = PlanFixtures.address("performer.account.emberwilde42")
        let link = SyncLink(
            address: address, stashId: "3", writtenFields: ["details": .string("Latex and more")], writtenAt: Date())
        let text = PlanRenderer().render(try plan(snapshot, links: [address: link]))
        XCTAssertTrue(text.contains("Changed in Stash since fansly-stash last wrote them"), text)
        XCTAssertTrue(
            text.contains(
                "  ~ performer.account.emberwilde42 (#3)\n      details: wrote \"Latex and more\", now \"Edited\"\n"),
            text)
        XCTAssertTrue(
            text.contains("  * 1 gallery: organized in Stash\n"), "skips never read as Terraform's destroy: \(text)")
        XCTAssertFalse(text.contains("\n  - "), text)
        XCTAssertFalse(text.contains("will perform"), text)
        XCTAssertTrue(text.hasSuffix("\nNo changes. 6 unchanged, 1 skipped, 1 unmatched.\n"), text)
    }

    func testColoursAndUnmatchedMediaCountedPerCreatorAndReason() throws {
        var desired = PlanFixtures.desired
        for id in 1...15 {
            desired.entities.append(
                DesiredEntity(
                    address: EntityAddress(kind: .image, key: "media.\(id)"), fields: [],
                    createMissing: false, creator: "emberwilde42",
                    files: [
                        ExpectedFile(
                            fileMediaId: FanslyID(id), isPreview: false, basename: nil,
                            folders: ["/data/x"])
                    ]))
        }
        let plan = try Planner(desired: desired, snapshot: PlanFixtures.scannedOnly).plan(
            inputs: PlanFixtures.inputs, tool: "t")
        let text = PlanRenderer(colors: true, unmatchedPerCreator: 5).render(plan)
        XCTAssertTrue(text.contains("\u{1B}[32m+\u{1B}[0m tag.latex"), text)
        XCTAssertTrue(
            text.contains(": 15 files: not in Stash, and the database records no downloaded file name\n"), text)
        XCTAssertTrue(text.contains("(--json lists every file)"), text)
        XCTAssertTrue(text.contains("Hint: media never downloaded have no file to match"), text)
        let lines = text.split(separator: "\n").filter { $0.contains("emberwilde42:") }
        XCTAssertEqual(lines.count, 2, "one line per creator and reason: \(lines)")
    }

    func testTheCompactFormCountsPerKindAndListsTheFirstChanges() throws {
        var desired = PlanFixtures.desired
        for index in 0..<20 {
            desired.entities.append(
                DesiredEntity(
                    address: EntityAddress(kind: .tag, key: "t\(index)"),
                    fields: [DesiredField(name: "name", value: .string("t\(index)"))]))
        }
        desired.entities.sort { $0.address < $1.address }
        var inputs = PlanFixtures.inputs
        inputs.stashURL = nil
        let plan = try Planner(desired: desired, snapshot: StashSnapshot(objects: [], isOffline: true)).plan(
            inputs: inputs, tool: "t")
        XCTAssertFalse(PlanRenderer.isLong(try self.plan(PlanFixtures.scannedOnly)))
        let compact = PlanRenderer(changesPerKind: 3).render(plan)
        XCTAssertTrue(compact.contains("  tags: 21 to add\n"), compact)
        XCTAssertTrue(compact.contains("  studios: 2 to add\n"), compact)
        XCTAssertTrue(compact.contains("… and 18 more tags (--full lists every change"), compact)
        XCTAssertEqual(compact.components(separatedBy: "  + tag.").count - 1, 3, compact)
        XCTAssertTrue(compact.hasSuffix(PlanRenderer().closingLine(plan.summary) + "\n"), "the same closing line")
        let full = PlanRenderer().render(plan)
        XCTAssertEqual(full.components(separatedBy: "  + tag.").count - 1, 21)
    }

    func testOfflinePlanHintsAtStashURL() throws {
        var inputs = PlanFixtures.inputs
        inputs.stashURL = nil
        let plan = try Planner(desired: PlanFixtures.desired, snapshot: StashSnapshot(objects: [], isOffline: true))
            .plan(inputs: inputs, tool: "t")
        let text = PlanRenderer().render(plan)
        XCTAssertTrue(text.contains("against an empty Stash (offline"), text)
        XCTAssertTrue(text.contains("Hint: pass --stash-url"), text)
        XCTAssertEqual(plan.summary, PlanSummary(add: 5, change: 0, unchanged: 0, skipped: 0, unmatched: 3))
    }

    func testTheReportIsWrittenInChunksThatAddUpToTheWholeReport() throws {
        var snapshot = PlanFixtures.scannedOnly
        var scene = try XCTUnwrap(snapshot.object(.scene, id: "11"))
        scene.fields["title"] = .string("Old title")
        snapshot.insert(scene)
        let plan = try plan(snapshot)
        for colors in [false, true] {
            let renderer = PlanRenderer(colors: colors)
            var chunks: [String] = []
            try renderer.render(plan, chunkSize: 64) { chunks.append($0) }
            XCTAssertGreaterThan(chunks.count, 3, "a small chunk size writes several chunks")
            XCTAssertTrue(chunks.dropLast().allSatisfy { $0.utf8.count >= 64 }, "\(chunks)")
            XCTAssertEqual(chunks.joined(), renderer.render(plan))
            XCTAssertTrue(
                chunks.last?.hasSuffix("5 to add, 2 to change. 0 unchanged, 0 skipped, 1 unmatched.\n") ?? false)
        }
    }
}
