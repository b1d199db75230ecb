import XCTest
import FanslyMetadata
import MappingRules
@testable import SyncEngine

/// `PlanJSONWriter` writes exactly what the `JSONEncoder`-based writer wrote, byte for byte.
final class PlanJSONWriterTests: XCTestCase {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    private func assertSameAsFoundation(_ plan: Plan, file: StaticString = #filePath, line: UInt = #line) throws {
        let expected = try PlanFile.foundationEncode(plan)
        let written = try PlanFile.encode(plan)
        guard written != expected else { return }
        // Name the first difference rather than dumping megabytes.
        let index = Array(zip(written, expected)).firstIndex { $0 != $1 } ?? min(written.count, expected.count)
        let start = max(0, index - 80)
        XCTFail("""
            documents differ at byte \(index) (lengths \(written.count) and \(expected.count)):
            writer:      \(String(decoding: written[start..<min(written.count, index + 80)], as: UTF8.self))
            JSONEncoder: \(String(decoding: expected[start..<min(expected.count, index + 80)], as: UTF8.self))
            """, file: file, line: line)
    }

    func testSamplePlanMatchesJSONEncoder() throws {
        let plan = try Planner(desired: PlanFixtures.desired, snapshot: PlanFixtures.scannedOnly)
            .plan(inputs: PlanFixtures.inputs, tool: "fansly-stash 0.1.0", now: Date(timeIntervalSince1970: 1_700_000_000))
        try assertSameAsFoundation(plan)
        XCTAssertEqual(try PlanFile.decode(try PlanFile.encode(plan)), plan)
    }

    func testOfflinePlanOfTheSampleDatabaseMatchesJSONEncoder() throws {
        let database = try MetadataDatabase(path: Self.root.appendingPathComponent("examples/sample-metadata.sqlite3").path)
        let desired = try MappingEngine(rules: try RuleSet.builtInDefault()).evaluate(database: database)
        let inputs = PlanInputs(rulesHash: "sha256:abc", rulesFiles: ["rules/a.yaml"], database: try database.identity(), stashURL: nil)
        let plan = try Planner(desired: desired, snapshot: StashSnapshot(objects: [], isOffline: true))
            .plan(inputs: inputs, tool: "fansly-stash 0.1.0", now: Date(timeIntervalSince1970: 1_700_000_000.5))
        XCTAssertFalse(plan.changes.isEmpty)
        XCTAssertFalse(plan.unmatched.isEmpty)
        try assertSameAsFoundation(plan)
    }

    func testAwkwardStringsValuesAndEmptyListsMatchJSONEncoder() throws {
        let control = String(String.UnicodeScalarView((0..<0x20).map { Unicode.Scalar(UInt8($0)) }))
        let awkward = [
            "", "\"quoted\" and \\back\\slashed\\", "line\nbreak\r\ntab\t", control, "\u{7F}del", "a/b/c http://x/y",
            "emoji 😀👩‍👩‍👧 é ñ 中文", "\u{2028}\u{2029}\u{FEFF}", "{\"json\": [1, 2]}", String(repeating: "long ", count: 400),
        ]
        var changes: [PlannedChange] = []
        for (index, text) in awkward.enumerated() {
            let address = EntityAddress(kind: .performer, key: "account.\(index)\(text)")
            changes.append(PlannedChange(
                address: address, action: .update, reason: index % 2 == 0 ? nil : .ambiguous, detail: index % 3 == 0 ? nil : text,
                stashId: index % 2 == 0 ? text : nil,
                fields: [
                    FieldChange(field: text, before: .null, after: .string(text)),
                    FieldChange(field: "n", before: .int(Int.min), after: .int(Int.max), operation: .add),
                    FieldChange(field: "b", before: .bool(false), after: .bool(true)),
                    FieldChange(field: "d", before: .date(text), after: .strings([text, "", text])),
                    FieldChange(field: "e", before: .strings([]), after: .refs([])),
                    FieldChange(field: "r", before: .ref(StashRef()), after: .ref(StashRef(id: text, address: address, label: text))),
                    FieldChange(field: "rs", before: .refs([StashRef(label: text), StashRef(id: "1")]),
                                after: .refs([StashRef(address: EntityAddress(kind: .tag, key: text.isEmpty ? "x" : text))])),
                ],
                drift: index % 2 == 0 ? [] : [FieldDrift(field: text, written: text, current: "")],
                match: [.name(text, disambiguation: nil), .name(text, disambiguation: text), .url(text), .code(text),
                        .fileMediaId(FanslyID.max), .fileMediaId(FanslyID.min), .fileMediaId(0), .stashIdHint(text)],
                creator: index % 2 == 0 ? text : nil, source: text))
        }
        changes.append(PlannedChange(address: EntityAddress(kind: .tag, key: "bare"), action: .create))
        changes.append(PlannedChange(address: EntityAddress(kind: .chapter, key: "x"), action: .skip, reason: .notCreated))
        let unmatched = awkward.enumerated().map { index, text in
            UnmatchedMedia(address: EntityAddress(kind: .image, key: "media.\(index)"), creator: index % 2 == 0 ? nil : text,
                           fileMediaId: FanslyID(index) * 1_000_000_000_007, lookedFor: index % 3 == 0 ? [] : [text, text], reason: text)
        }
        for (stashURL, alembic) in [(nil, nil), ("http://127.0.0.1:9999/a\"b", "06658bf47c03")] as [(String?, String?)] {
            let inputs = PlanInputs(rulesHash: "sha256:\u{1}", rulesFiles: awkward, database:
                                        DatabaseIdentity(path: "/tmp/é \"db\".sqlite3", alembicVersion: alembic, fingerprint: "f\n"),
                                    stashURL: stashURL, creators: ["😀"], targets: [])
            for date in [Date(timeIntervalSince1970: 1_700_000_000.999), Date(timeIntervalSince1970: -1.5), Date(timeIntervalSinceReferenceDate: 0)] {
                let plan = Plan(createdAt: date, tool: "fansly-stash \u{0}", inputs: inputs, changes: changes, unmatched: unmatched,
                                summary: PlanSummary(add: 1, change: Int.max, unchanged: 0, skipped: -3, unmatched: 7))
                try assertSameAsFoundation(plan)
                var decoded = try PlanFile.decode(try PlanFile.encode(plan))
                decoded.createdAt = plan.createdAt  // whole seconds in the document
                XCTAssertEqual(decoded, plan)
            }
        }
        let empty = Plan(createdAt: Date(timeIntervalSince1970: 0), tool: "", inputs: PlanFixtures.inputs, changes: [], unmatched: [],
                         summary: PlanSummary())
        try assertSameAsFoundation(empty)
    }

    func testLargePlanIsStreamedInChunks() throws {
        let change = PlannedChange(address: EntityAddress(kind: .scene, key: "media.1"), action: .update, stashId: "11",
                                   fields: [FieldChange(field: "details", before: .null, after: .string(String(repeating: "é", count: 1000)))],
                                   source: "post 1")
        let plan = Plan(createdAt: Date(timeIntervalSince1970: 0), tool: "t", inputs: PlanFixtures.inputs,
                        changes: Array(repeating: change, count: 1_000), unmatched: [], summary: PlanSummary(change: 1_000))
        var chunks: [Data] = []
        try PlanFile.write(plan) { chunks.append($0) }
        XCTAssertGreaterThan(chunks.count, 5, "a 2 MB document arrives in pieces")
        XCTAssertTrue(chunks.dropLast().allSatisfy { $0.count >= PlanJSONWriter.chunkSize && $0.count < PlanJSONWriter.chunkSize + 4096 },
                      "\(chunks.map(\.count))")
        XCTAssertEqual(chunks.reduce(Data(), +), try PlanFile.foundationEncode(plan))
    }
}
