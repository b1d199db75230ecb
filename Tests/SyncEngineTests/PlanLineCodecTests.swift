import FanslyMetadata
import Foundation
import MappingRules
import XCTest

@testable import SyncEngine

/// `PlanLineEncoder` writes JSON that any JSON parser reads as the documented shape, and
/// `PlanLineDecoder` reads back exactly what it wrote (and refuses anything else, saying where).
final class PlanLineCodecTests: XCTestCase {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    private func lines(_ plan: Plan) throws -> [Data] {
        try PlanFile.encode(plan).split(separator: UInt8(ascii: "\n")).map { Data($0) }
    }

    private func offlineSamplePlan() throws -> Plan {
        let database = try MetadataDatabase(
            path: Self.root.appendingPathComponent("examples/sample-metadata.sqlite3").path)
        let desired = try MappingEngine(rules: try RuleSet.builtInDefault()).evaluate(database: database)
        let inputs = PlanInputs(
            rulesHash: "sha256:abc", rulesFiles: ["rules/a.yaml"], database: try database.identity(), stashURL: nil)
        return try Planner(desired: desired, snapshot: StashSnapshot(objects: [], isOffline: true))
            .plan(inputs: inputs, tool: "fansly-stash 0.1.0", now: Date(timeIntervalSince1970: 1_700_000_000))
    }

    func testEveryChangeAndUnmatchedFileReadsBackAsWritten() throws {
        let plans = [
            try Planner(desired: PlanFixtures.desired, snapshot: PlanFixtures.scannedOnly)
                .plan(inputs: PlanFixtures.inputs, tool: "t", now: Date(timeIntervalSince1970: 0)), AwkwardPlan.make(),
            try offlineSamplePlan(),
        ]
        for plan in plans {
            XCTAssertFalse(plan.unmatched.isEmpty)
            let body = try lines(plan).dropFirst().dropLast()
            XCTAssertEqual(body.count, plan.changes.count + plan.unmatched.count)
            for (change, line) in zip(plan.changes, body) {
                XCTAssertEqual(try PlanLineDecoder.change(inLine: line), change, String(decoding: line, as: UTF8.self))
            }
            for (item, line) in zip(plan.unmatched, body.dropFirst(plan.changes.count)) {
                XCTAssertEqual(try PlanLineDecoder.unmatched(inLine: line), item, String(decoding: line, as: UTF8.self))
            }
        }
    }

    /// Foundation's own parser reads the lines as Docs/plan-format.md describes them: escapes and keys right.
    func testLinesAreJSONInTheDocumentedShape() throws {
        let plan = AwkwardPlan.make()
        let body = try lines(plan).dropFirst().dropLast()
        for (change, line) in zip(plan.changes, body) {
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: line) as? [String: Any])
            let parsed = try XCTUnwrap(object["change"] as? [String: Any], String(decoding: line, as: UTF8.self))
            XCTAssertEqual(parsed["address"] as? String, change.address.description)
            XCTAssertEqual(parsed["source"] as? String, change.source)
            XCTAssertEqual(parsed["stash_id"] as? String, change.stashId)
            XCTAssertEqual(parsed["creator"] as? String, change.creator)
            XCTAssertEqual(parsed["action"] as? String, change.action.rawValue)
            let fields = try XCTUnwrap(parsed["fields"] as? [[String: Any]])
            XCTAssertEqual(fields.map { $0["field"] as? String }, change.fields.map(\.field))
            XCTAssertEqual((fields[0]["after"] as? [String: String])?["string"], change.source)
            XCTAssertEqual((fields[1]["before"] as? [String: Int])?["int"], Int.min)
            XCTAssertTrue(fields[0]["before"] is NSNull)
            let match = try XCTUnwrap(parsed["match"] as? [[String: Any]])
            XCTAssertEqual(match[4]["file_media_id"] as? Int64, FanslyID.max)
            XCTAssertEqual(match[1]["disambiguation"] as? String, change.source)
        }
        for (item, line) in zip(plan.unmatched, body.dropFirst(plan.changes.count)) {
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: line) as? [String: [String: Any]])
            XCTAssertEqual(object["unmatched"]?["reason"] as? String, item.reason)
            XCTAssertEqual(object["unmatched"]?["looked_for"] as? [String], item.lookedFor)
            XCTAssertEqual(object["unmatched"]?["stash_paths"] as? [String], item.stashPaths)
        }
    }

    func testOtherLayoutsKeyOrdersEscapesAndUnknownKeysRead() throws {
        let change = try PlanLineDecoder.change(
            inLine: Data(
                """
                { "change":
                {
                  "source" : "post \\u00e9\\ud83d\\ude00 \\/ \\"q\\" \\\\ \\b\\f\\n\\r\\t\\u0001",
                  "address": "performer.account.x", "action": "update", "stash_id": null, "reason": null, "detail": null,
                  "new_key": {"nested": [1, -2, true, false, null, "s", {"a": []}]},
                  "fields": [ { "operation": "add", "field": "tag_ids", "after": {"refs": [{"label": null, "id": "3", "extra": 1}, {}]},
                                "before": null } ],
                  "drift": [], "match": [{"disambiguation": "d", "name": "n"}, {"name": null, "url": "u"}, {"file_media_id": -0}],
                  "creator": "é"
                } }
                """.utf8))
        XCTAssertEqual(
            change,
            PlannedChange(
                address: EntityAddress(kind: .performer, key: "account.x"), action: .update,
                fields: [
                    FieldChange(
                        field: "tag_ids", before: .null, after: .refs([StashRef(id: "3"), StashRef()]), operation: .add)
                ],
                match: [.name("n", disambiguation: "d"), .url("u"), .fileMediaId(0)], creator: "é",
                source: "post é😀 / \"q\" \\ \u{8}\u{C}\n\r\t\u{1}"))
    }

    func testAnythingElseIsRefusedSayingWhatAndWhere() {
        let valid = #"{"change":{"address":"tag.a","action":"create","fields":[],"drift":[],"match":[],"source":"s"}}"#
        XCTAssertNoThrow(try PlanLineDecoder.change(inLine: Data(valid.utf8)))
        func with(_ old: String, _ new: String) -> String { valid.replacingOccurrences(of: old, with: new) }
        let refused: [(String, String)] = [
            (with(#","source":"s""#, ""), "a change needs address, action, fields, drift, match and source"),
            (with(#""create""#, #""explode""#), #""explode" is not a ChangeAction"#),
            (with(#""tag.a""#, #""nokind.a""#), #""nokind.a" is not an entity address"#),
            (with(#""fields":[]"#, #""fields":null"#), "expected '['"),
            (valid + " x", "text after the object"),
            (with(#""s"}"#, #""s","source":"t"}"#), #""source" appears twice"#),
            (with(#""s""#, "\"\u{1}\""), "control character in a string"),
            (with(#""s""#, #""\ud83d""#), "invalid escape in a string"),
            (with(#""s""#, #""\x""#), "invalid escape in a string"),
            (with(#""match":[]"#, #""match":[{"file_media_id":1.5}]"#), "expected a whole number"),
            (with(#""match":[]"#, #""match":[{"file_media_id":99999999999999999999}]"#), "number too large"),
            (
                with(#""match":[]"#, #""match":[{"other":1}]"#),
                "a match key needs name, url, code, file_media_id or stash_id_hint"
            ),
            (
                with(#""fields":[]"#, #""fields":[{"field":"f","before":{},"after":null,"operation":"set"}]"#),
                "a value has exactly one key"
            ),
            (
                with(
                    #""fields":[]"#,
                    #""fields":[{"field":"f","before":{"int":1,"bool":true},"after":null,"operation":"set"}]"#),
                "a value has exactly one key"
            ),
            (
                with(#""fields":[]"#, #""fields":[{"field":"f","before":{"int":"1"},"after":null,"operation":"set"}]"#),
                "expected a whole number"
            ),
            (with(#"{"change":"#, #"{"unmatched":"#), #"expected "change", found "unmatched""#),
            (String(valid.dropLast()), "expected ',' or '}'"),
            ("", "expected '{'"),
        ]
        for (json, message) in refused {
            XCTAssertThrowsError(try PlanLineDecoder.change(inLine: Data(json.utf8)), json) { error in
                XCTAssertTrue("\(error)".hasPrefix(message + " (at byte "), "\(json): \(error)")
            }
        }
        var invalidUTF8 = Data(valid.utf8)
        invalidUTF8[invalidUTF8.count - 4] = 0xFF
        XCTAssertThrowsError(try PlanLineDecoder.change(inLine: invalidUTF8)) { error in
            XCTAssertTrue("\(error)".hasPrefix("invalid UTF-8"), "\(error)")
        }
    }

    func testALargePlanIsStreamedInChunks() throws {
        let change = PlannedChange(
            address: EntityAddress(kind: .scene, key: "media.1"), action: .update, stashId: "11",
            fields: [FieldChange(field: "details", before: .null, after: .string(String(repeating: "é", count: 1000)))],
            source: "post 1")
        let plan = Plan(
            createdAt: Date(timeIntervalSince1970: 0), tool: "t", inputs: PlanFixtures.inputs,
            changes: Array(repeating: change, count: 1_000), unmatched: [], summary: PlanSummary(change: 1_000))
        var chunks: [Data] = []
        try PlanFile.write(plan) { chunks.append($0) }
        XCTAssertGreaterThan(chunks.count, 5, "a 2 MB plan arrives in pieces")
        XCTAssertTrue(
            chunks.dropLast().allSatisfy {
                $0.count >= PlanFileWriter.chunkSize && $0.count < PlanFileWriter.chunkSize + 4096
            },
            "\(chunks.map(\.count))")
        XCTAssertEqual(chunks.reduce(Data(), +), try PlanFile.encode(plan))
    }

    /// Strings are escaped as `JSONEncoder` escapes them, whichever byte needs it and wherever it
    /// stands (the encoder tests eight bytes at a time: every offset within and across a word), in
    /// strings stored inline (up to 15 bytes) and on the heap, and in a line longer than the
    /// encoder's scratch memory.
    func testStringsAreEscapedAsJSONEncoderDoesAtEveryOffset() throws {
        let json = JSONEncoder()
        json.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var specials = (0..<0x20).map { String(UnicodeScalar(UInt8($0))) }
        specials += ["\"", "\\", "/", "\u{7F}", "é", "😀", "\u{2028}", " ", "~", "!", "#", "[", "]", "a"]
        var texts: [String] = [String(repeating: "x", count: 40_000) + "\"" + String(repeating: "\n", count: 9_000)]
        for special in specials {
            for length in [1, 7, 8, 9, 15, 16, 17, 24] {
                for offset in 0..<length {
                    let plain = Array(repeating: Character("a"), count: length)
                    texts.append(String(plain[..<offset]) + special + String(plain[offset...]))
                }
            }
            texts.append(String(repeating: special, count: 19))
        }
        var encoder = PlanLineEncoder(capacity: 0)
        for text in texts {
            encoder.removeAll()
            encoder.line(
                UnmatchedMedia(
                    address: EntityAddress(kind: .image, key: text), creator: nil, fileMediaId: -12, lookedFor: [],
                    reason: text))
            let quoted = try XCTUnwrap(String(data: try json.encode(text), encoding: .utf8))
            let expected =
                #"{"unmatched":{"address":"image."# + quoted.dropFirst()
                + #","file_media_id":-12,"looked_for":[],"reason":"# + quoted + "}}"
            XCTAssertEqual(String(decoding: encoder.buffer, as: UTF8.self), expected, text.debugDescription)
        }
    }
}

/// A plan with every value kind and awkward strings.
enum AwkwardPlan {
    static func make() -> Plan {
        let texts = ["", "\"q\" \\ /", "line\nbreak\t\u{1}\u{1F}\u{7F}", "😀 é 中文 \u{2028}", "{\"json\": [1]}"]
        let changes = texts.enumerated().map { index, text in
            PlannedChange(
                address: EntityAddress(kind: .performer, key: "account.\(index)\(text)"),
                action: index % 2 == 0 ? .update : .skip,
                reason: index % 2 == 0 ? nil : .ambiguous, detail: index % 3 == 0 ? nil : text,
                stashId: index % 2 == 0 ? text : nil,
                fields: [
                    FieldChange(field: text, before: .null, after: .string(text)),
                    FieldChange(field: "n", before: .int(Int.min), after: .int(Int.max), operation: .add),
                    FieldChange(field: "b", before: .bool(false), after: .bool(true)),
                    FieldChange(field: "d", before: .date(text), after: .strings([text, ""])),
                    FieldChange(field: "e", before: .strings([]), after: .refs([])),
                    FieldChange(
                        field: "r", before: .ref(StashRef()),
                        after: .ref(StashRef(id: text, address: EntityAddress("tag.a"), label: text))),
                ],
                drift: [FieldDrift(field: text, written: text, current: "")],
                match: [
                    .name(text, disambiguation: nil), .name(text, disambiguation: text), .url(text), .code(text),
                    .fileMediaId(FanslyID.max), .fileMediaId(FanslyID.min), .stashIdHint(text),
                ],
                creator: index % 2 == 0 ? text : nil, source: text)
        }
        let unmatched = texts.enumerated().map { index, text in
            UnmatchedMedia(
                address: EntityAddress(kind: .image, key: "media.\(index)"), creator: index % 2 == 0 ? nil : text,
                fileMediaId: FanslyID(index) * 1_000_000_000_007, lookedFor: index % 3 == 0 ? [] : [text, text],
                reason: text,
                stashPaths: index % 2 == 0 ? nil : [text])
        }
        return Plan(
            createdAt: Date(timeIntervalSince1970: 0), tool: "t", inputs: PlanFixtures.inputs, changes: changes,
            unmatched: unmatched, summary: PlanSummary(change: 3, skipped: 2, unmatched: 5))
    }
}
