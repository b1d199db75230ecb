import MappingRules
import XCTest

@testable import SyncEngine

final class DiffTests: XCTestCase {
    private func decide(
        _ field: String = "title", desired: FieldValue, current: FieldValue, _ strategy: FieldStrategy = .merge,
        written: FieldValue? = nil
    ) -> FieldDecision {
        FieldDiff.decide(field: field, desired: desired, current: current, strategy: strategy, written: written)
    }

    func testMergeSetsSingleValueOnlyWhenStashIsEmpty() {
        XCTAssertEqual(
            decide(desired: .string("New"), current: .string("")).change,
            FieldChange(field: "title", before: .string(""), after: .string("New")))
        XCTAssertEqual(decide(desired: .string("New"), current: .null).change?.after, .string("New"))
        XCTAssertNil(decide(desired: .string("New"), current: .string("Edited by hand")).change)
    }

    func testMergeUpdatesAValueFanslyStashStillOwns() {
        // Stash still holds what we wrote: the rules changed, so the new value is written.
        let decision = decide(
            desired: .string("New title"), current: .string("Old title"), written: .string("Old title"))
        XCTAssertEqual(decision.change?.after, .string("New title"))
        XCTAssertNil(decision.drift)
    }

    func testOverwriteReplacesAndIgnoreNeverTouches() {
        XCTAssertEqual(decide(desired: .string("A"), current: .string("B"), .overwrite).change?.before, .string("B"))
        XCTAssertNil(decide(desired: .string("A"), current: .string("B"), .ignore).change)
        XCTAssertNil(decide(desired: .string("A"), current: .null, .ignore).change)
    }

    func testEmptyStringEqualsNullAndWhitespaceIsTrimmed() {
        XCTAssertNil(decide(desired: .string(""), current: .null, .overwrite).change)
        XCTAssertNil(decide(desired: .null, current: .string(""), .overwrite).change)
        XCTAssertNil(decide(desired: .string("Title"), current: .string("Title "), .overwrite).change)
    }

    func testDatesCompareAsDates() {
        XCTAssertNil(decide("date", desired: .date("2023-07-17"), current: .string("2023-07-17"), .overwrite).change)
        XCTAssertNil(decide("date", desired: .date("2023-7-7"), current: .date("2023-07-07"), .overwrite).change)
        XCTAssertNil(
            decide("date", desired: .date("2023-07-17"), current: .date("2023-07-17T00:00:00Z"), .overwrite).change)
        XCTAssertEqual(
            decide("date", desired: .date("2023-07-18"), current: .date("2023-07-17"), .overwrite).change?.after,
            .date("2023-07-18"))
    }

    func testListsCompareAsSetsAndMergeAddsOnlyMissingItems() {
        XCTAssertNil(decide("urls", desired: .strings(["b", "a"]), current: .strings(["a", "b"]), .overwrite).change)
        let merged = decide("urls", desired: .strings(["a", "c"]), current: .strings(["a", "b"]))
        XCTAssertEqual(
            merged.change,
            FieldChange(
                field: "urls", before: .strings(["a", "b"]), after: .strings(["a", "b", "c"]),
                operation: .add))
        XCTAssertNil(
            decide("urls", desired: .strings(["a"]), current: .strings(["a", "b"])).change,
            "merge never removes what people added")
        let replaced = decide("urls", desired: .strings(["a"]), current: .strings(["a", "b"]), .overwrite)
        XCTAssertEqual(replaced.change?.operation, .set)
        XCTAssertEqual(replaced.change?.after, .strings(["a"]))
    }

    func testAliasesCompareIgnoringCase() {
        XCTAssertNil(
            decide("alias_list", desired: .strings(["EmberWilde42"]), current: .strings(["emberwilde42"])).change)
        XCTAssertNotNil(decide("urls", desired: .strings(["https://x/A"]), current: .strings(["https://x/a"])).change)
    }

    func testReferencesCompareByIdAndPlannedOnesAreAlwaysAdded() {
        let tag = StashRef(id: "7", label: "latex")
        let newTag = StashRef(address: EntityAddress(kind: .tag, key: "model"), label: "model")
        XCTAssertNil(decide("tag_ids", desired: .refs([StashRef(id: "7")]), current: .refs([tag])).change)
        let decision = decide(
            "tag_ids", desired: .refs([tag, newTag]), current: .refs([tag, StashRef(id: "9", label: "manual")]))
        XCTAssertEqual(decision.change?.operation, .add)
        XCTAssertEqual(decision.change?.after, .refs([tag, StashRef(id: "9", label: "manual"), newTag]))
        XCTAssertNil(
            decide("studio_id", desired: .ref(StashRef(id: "3")), current: .ref(StashRef(id: "3", label: "S"))).change)
        XCTAssertNotNil(
            decide("studio_id", desired: .ref(StashRef(id: "3")), current: .ref(StashRef(id: "4")), .overwrite).change)
    }

    func testDriftIsReportedAndLeftAloneUnlessOverwrite() {
        let merge = decide("details", desired: .string("Bio"), current: .string("Edited"), written: .string("Bio"))
        XCTAssertNil(merge.change)
        XCTAssertEqual(merge.drift, FieldDrift(field: "details", written: "\"Bio\"", current: "\"Edited\""))
        let overwrite = decide(
            "details", desired: .string("Bio"), current: .string("Edited"), .overwrite, written: .string("Bio"))
        XCTAssertEqual(overwrite.change?.after, .string("Bio"))
        XCTAssertNotNil(overwrite.drift)
    }

    func testListDriftOnlyWhenAWrittenItemWasRemoved() {
        let removed = decide(
            "tag_ids", desired: .refs([StashRef(id: "1"), StashRef(id: "2")]), current: .refs([StashRef(id: "1")]),
            written: .refs([StashRef(id: "1"), StashRef(id: "2")]))
        XCTAssertNotNil(removed.drift)
        XCTAssertNil(removed.change, "a tag the user removed is not added back by merge")
        let added = decide(
            "tag_ids", desired: .refs([StashRef(id: "1")]), current: .refs([StashRef(id: "1"), StashRef(id: "5")]),
            written: .refs([StashRef(id: "1")]))
        XCTAssertNil(added.drift)
        XCTAssertNil(added.change)
    }

    func testImageIsWrittenWhenMissingOrWhenTheRulesChangedIt() {
        XCTAssertNotNil(decide("image", desired: .string("https://cdn/a.jpg"), current: .null).change)
        XCTAssertNil(
            decide("image", desired: .string("https://cdn/a.jpg"), current: .string("http://stash/performer/1/image"))
                .change)
        XCTAssertNil(
            decide(
                "image", desired: .string("https://cdn/a.jpg"), current: .string("http://stash/image"), .overwrite,
                written: .string("https://cdn/a.jpg")
            ).change)
        XCTAssertNotNil(
            decide(
                "image", desired: .string("https://cdn/b.jpg"), current: .string("http://stash/image"),
                written: .string("https://cdn/a.jpg")
            ).change)
    }

    func testBoolFalseEqualsNullAndOrganizedIsCompared() {
        XCTAssertNil(decide("organized", desired: .bool(false), current: .null, .overwrite).change)
        XCTAssertEqual(
            decide("organized", desired: .bool(true), current: .bool(false), .overwrite).change?.after, .bool(true))
    }

    func testRenderingForPeople() {
        XCTAssertEqual(PlanValueText.render(.string("a \"b\"\nc")), #""a \"b\"\nc""#)
        XCTAssertEqual(PlanValueText.render(.strings(["x", "y"])), #"["x", "y"]"#)
        XCTAssertEqual(
            PlanValueText.render(.ref(StashRef(id: "4", label: "Fansly (network)"))), #""Fansly (network)" #4"#)
        XCTAssertEqual(
            PlanValueText.render(.ref(StashRef(address: EntityAddress("tag.latex")!, label: "latex"))),
            #""latex" (new)"#)
        XCTAssertEqual(PlanValueText.render(.null), "null")
    }
}
