import FanslyMetadata
import MappingRules
import SampleData
import XCTest

@testable import SyncEngine

final class PlanFileTests: XCTestCase {
    func testPlanRoundTripsThroughItsFile() throws {
        let plan = try PlanFixtures.scannedPlan()
        let path = NSTemporaryDirectory() + "plan-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try PlanFile.write(plan, to: path)
        XCTAssertEqual(try PlanFile.read(from: path), plan)
    }

    func testDocumentShapeIsTheDocumentedOne() throws {
        let lines = try PlanFile.encode(try PlanFixtures.scannedPlan()).split(separator: UInt8(ascii: "\n"))
            .map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0)) as? [String: Any]) }
        let json = try XCTUnwrap(lines.first)
        XCTAssertEqual(json["format_version"] as? Int, 3)
        XCTAssertEqual(json["created_at"] as? String, "2023-11-14T22:13:20Z")
        let inputs = try XCTUnwrap(json["inputs"] as? [String: Any])
        XCTAssertEqual(inputs["rules_hash"] as? String, "sha256:abc")
        XCTAssertEqual(inputs["stash_url"] as? String, "http://127.0.0.1:9999")
        let changes = lines.compactMap { $0["change"] as? [String: Any] }
        let scene = try XCTUnwrap(changes.first { $0["address"] as? String == "scene.media.100" })
        XCTAssertEqual(scene["action"] as? String, "update")
        XCTAssertEqual(scene["stash_id"] as? String, "11")
        let fields = try XCTUnwrap(scene["fields"] as? [[String: Any]])
        let title = try XCTUnwrap(fields.first { $0["field"] as? String == "title" })
        XCTAssertEqual(title["before"] as? [String: String], ["string": ""])
        XCTAssertEqual(title["after"] as? [String: String], ["string": "Shiny new outfit - 1/3"])
        XCTAssertEqual(title["operation"] as? String, "set")
        let tags = try XCTUnwrap(fields.first { $0["field"] as? String == "tag_ids" })
        let after = try XCTUnwrap(tags["after"] as? [String: [[String: String]]])
        XCTAssertEqual(after["refs"]?.first?["address"], "tag.latex")
        let unmatched = lines.compactMap { $0["unmatched"] as? [String: Any] }
        XCTAssertEqual(unmatched.first?["file_media_id"] as? Int, 301)
        XCTAssertNotNil(unmatched.first?["looked_for"] as? [String])
        let end = try XCTUnwrap(lines.last?["end"] as? [String: Any])
        XCTAssertEqual((end["summary"] as? [String: Int])?["add"], 5)
        XCTAssertEqual(end["changes"] as? Int, changes.count)
        XCTAssertEqual(end["unmatched"] as? Int, unmatched.count)
        XCTAssertEqual(lines.count, 1 + changes.count + unmatched.count + 1)
    }

    func testEveryValueKindRoundTrips() throws {
        let values: [FieldValue] = [
            .null, .string("x"), .int(3), .bool(true), .date("2024-01-31"), .strings(["a"]),
            .ref(StashRef(id: "1", label: "L")), .refs([StashRef(address: EntityAddress("tag.a")!)]), .refs([]),
            .strings([]),
        ]
        for value in values {
            let data = try JSONEncoder().encode([value])
            XCTAssertEqual(
                try JSONDecoder().decode([FieldValue].self, from: data), [value], String(decoding: data, as: UTF8.self))
        }
        XCTAssertThrowsError(try JSONDecoder().decode([FieldValue].self, from: Data(#"[{"string":"a","int":1}]"#.utf8)))
    }

    func testStalenessNamesEveryChangedInput() {
        let saved = PlanFixtures.inputs
        XCTAssertEqual(PlanStaleness.reasons(saved: saved, current: saved), [])
        var current = saved
        current.stashURL = "http://127.0.0.1:9999/"
        XCTAssertEqual(PlanStaleness.reasons(saved: saved, current: current), [], "a trailing slash is the same Stash")
        current.rulesHash = "sha256:def"
        current.database.fingerprint = "f2"
        current.stashURL = nil
        let reasons = PlanStaleness.reasons(saved: saved, current: current)
        XCTAssertEqual(
            reasons,
            [
                .rulesChanged, .databaseChanged(path: "/tmp/metadata_db.sqlite3"),
                .stashChanged(saved: "http://127.0.0.1:9999", current: nil),
            ])
        let message = StalePlanError(path: "sync.plan", reasons: reasons).description
        XCTAssertTrue(
            message.contains("the rules changed") && message.contains("offline")
                && message.hasSuffix("Run plan again."), message)
        var moved = saved
        moved.database.path = "/other.sqlite3"
        XCTAssertEqual(
            PlanStaleness.reasons(saved: saved, current: moved),
            [.databaseReplaced(saved: "/tmp/metadata_db.sqlite3", current: "/other.sqlite3")])
    }

    func testRulesHashIsSHA256OfTheCanonicalForm() {
        XCTAssertEqual(
            RulesHash.of(canonicalData: Data("abc".utf8)),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertNotEqual(RulesHash.of(canonicalData: Data("abd".utf8)), RulesHash.of(canonicalData: Data("abc".utf8)))
    }
}

final class PlanStalenessTests: XCTestCase {
    func testASavedPlanIsStaleOnceTheDatabaseOrRulesChange() throws {
        let dir = NSTemporaryDirectory() + "stale-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let dbPath = dir + "/metadata_db.sqlite3"
        let small = SampleOptions(
            creators: 1, postsPerCreator: 3, mediaPerPost: 1, messagesPerCreator: 0, includesQuirks: false)
        try SampleDatabase.write(to: URL(fileURLWithPath: dbPath), options: small)
        let rulesPath = dir + "/rules.yaml"
        try "extends: default\n".write(toFile: rulesPath, atomically: true, encoding: .utf8)

        let saved = try PlanStaleness.currentInputs(
            like: PlanInputs(
                rulesHash: "", rulesFiles: [rulesPath],
                database: DatabaseIdentity(path: dbPath, alembicVersion: nil, fingerprint: ""),
                stashURL: "http://127.0.0.1:9999"),
            stashURL: "http://127.0.0.1:9999")
        let plan = Plan(createdAt: Date(), tool: "t", inputs: saved, changes: [], unmatched: [], summary: PlanSummary())
        XCTAssertNoThrow(try PlanStaleness.verify(plan, path: "sync.plan", stashURL: "http://127.0.0.1:9999"))
        XCTAssertThrowsError(try PlanStaleness.verify(plan, path: "sync.plan", stashURL: "http://other:9999")) {
            error in
            XCTAssertTrue("\(error)".contains("not http://other:9999"), "\(error)")
        }

        // A downloader run adds posts: same file, new content.
        var bigger = small
        bigger.postsPerCreator = 4
        try SampleDatabase.write(to: URL(fileURLWithPath: dbPath), options: bigger, replacing: true)
        XCTAssertThrowsError(try PlanStaleness.verify(plan, path: "sync.plan", stashURL: "http://127.0.0.1:9999")) {
            error in
            XCTAssertEqual((error as? StalePlanError)?.reasons, [.databaseChanged(path: dbPath)])
            XCTAssertTrue("\(error)".hasPrefix("stale plan sync.plan: the database"), "\(error)")
        }

        try SampleDatabase.write(to: URL(fileURLWithPath: dbPath), options: small, replacing: true)
        XCTAssertNoThrow(try PlanStaleness.verify(plan, path: "sync.plan", stashURL: "http://127.0.0.1:9999"))
        try "extends: default\nsettings:\n  respectOrganized: false\n".write(
            toFile: rulesPath, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try PlanStaleness.verify(plan, path: "sync.plan", stashURL: "http://127.0.0.1:9999")) {
            error in
            XCTAssertEqual((error as? StalePlanError)?.reasons, [.rulesChanged])
        }
    }
}
