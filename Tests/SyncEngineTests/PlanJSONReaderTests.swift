import FanslyMetadata
import Foundation
import MappingRules
import XCTest
@testable import SyncEngine

/// `PlanJSONReader` reads what `JSONDecoder` reads, and leaves to it whatever it is unsure of.
final class PlanJSONReaderTests: XCTestCase {
    private let decoder = JSONDecoder()

    private func assertReadsLikeJSONDecoder(_ json: String, file: StaticString = #filePath, line: UInt = #line) throws -> PlannedChange {
        let data = Data(json.utf8)
        let expected = try decoder.decode(PlannedChange.self, from: data)
        let read = try XCTUnwrap(PlanJSONReader.change(in: data), "the reader gave up on \(json)", file: file, line: line)
        XCTAssertEqual(read, expected, json, file: file, line: line)
        return read
    }

    func testEveryChangeTheWriterWritesReadsBackWithoutJSONDecoder() throws {
        let plans = [try Planner(desired: PlanFixtures.desired, snapshot: PlanFixtures.scannedOnly)
            .plan(inputs: PlanFixtures.inputs, tool: "t", now: Date(timeIntervalSince1970: 0)), AwkwardPlan.make()]
        var count = 0
        for plan in plans {
            let document = try PlanFile.encode(plan)
            let lines = document.split(separator: UInt8(ascii: "\n")).filter { $0.starts(with: Data("  {".utf8)) }
            XCTAssertEqual(lines.count, plan.changes.count + plan.unmatched.count)
            for (change, line) in zip(plan.changes, lines) {
                var object = Data(line.dropFirst(2))
                if object.last == UInt8(ascii: ",") { object.removeLast() }
                XCTAssertEqual(PlanJSONReader.change(in: object), change, String(decoding: object, as: UTF8.self))
                count += 1
            }
        }
        XCTAssertEqual(count, plans.map(\.changes.count).reduce(0, +))
    }

    func testOtherLayoutsKeyOrdersEscapesAndUnknownKeysReadLikeJSONDecoder() throws {
        let change = try assertReadsLikeJSONDecoder("""
            {
              "source" : "post \\u00e9\\ud83d\\ude00 \\/ \\"q\\" \\\\ \\b\\f\\n\\r\\t\\u0001",
              "address": "performer.account.x", "action": "update", "stash_id": null, "reason": null, "detail": null,
              "new_key": {"nested": [1, -2, true, false, null, "s", {"a": []}]},
              "fields": [ { "operation": "add", "field": "tag_ids", "after": {"refs": [{"label": null, "id": "3", "extra": 1}, {}]},
                            "before": null } ],
              "drift": [], "match": [{"disambiguation": "d", "name": "n"}, {"name": null, "url": "u"}, {"file_media_id": -0}],
              "creator": "é"
            }
            """)
        XCTAssertEqual(change.source, "post é😀 / \"q\" \\ \u{8}\u{C}\n\r\t\u{1}")
        XCTAssertEqual(change.match, [.name("n", disambiguation: "d"), .url("u"), .fileMediaId(0)])
        _ = try assertReadsLikeJSONDecoder(#"{"address":"tag.a","action":"skip","reason":"not_created","fields":[],"drift":[],"match":[],"source":""}"#)
    }

    func testAnythingUnsureIsLeftToJSONDecoder() {
        let valid = #"{"address":"tag.a","action":"create","fields":[],"drift":[],"match":[],"source":"s"}"#
        XCTAssertNotNil(PlanJSONReader.change(in: Data(valid.utf8)))
        func with(_ old: String, _ new: String) -> String { valid.replacingOccurrences(of: old, with: new) }
        var unsure: [String] = []
        unsure.append(with(#","source":"s""#, ""))  // missing key
        unsure.append(with(#""create""#, #""explode""#))  // unknown action
        unsure.append(with(#""tag.a""#, #""nokind.a""#))  // invalid address
        unsure.append(with(#""fields":[]"#, #""fields":null"#))  // null list
        unsure.append(valid + " x")  // trailing text
        unsure.append(with(#""s"}"#, #""s","source":"t"}"#))  // repeated key
        unsure.append(with(#""s""#, "\"\u{1}\""))  // raw control character
        unsure.append(with(#""s""#, #""\ud83d""#))  // lone surrogate
        unsure.append(with(#""s""#, #""\x""#))  // unknown escape
        unsure.append(with(#""match":[]"#, #""match":[{"file_media_id":1.5}]"#))
        unsure.append(with(#""match":[]"#, #""match":[{"file_media_id":99999999999999999999}]"#))
        unsure.append(with(#""match":[]"#, #""match":[{"other":1}]"#))
        unsure.append(with(#""fields":[]"#, #""fields":[{"field":"f","before":{},"after":null,"operation":"set"}]"#))
        unsure.append(with(#""fields":[]"#, #""fields":[{"field":"f","before":{"int":1,"bool":true},"after":null,"operation":"set"}]"#))
        unsure.append(with(#""fields":[]"#, #""fields":[{"field":"f","before":{"int":"1"},"after":null,"operation":"set"}]"#))
        unsure.append(String(valid.dropLast()))
        unsure.append("")
        for json in unsure {
            XCTAssertNil(PlanJSONReader.change(in: Data(json.utf8)), json)
        }
        var invalidUTF8 = Data(valid.utf8)
        invalidUTF8[invalidUTF8.count - 3] = 0xFF
        XCTAssertNil(PlanJSONReader.change(in: invalidUTF8))
        XCTAssertThrowsError(try decoder.decode(PlannedChange.self, from: invalidUTF8), "JSONDecoder refuses it too")
    }
}

/// A plan with every value kind and awkward strings.
enum AwkwardPlan {
    static func make() -> Plan {
        let texts = ["", "\"q\" \\ /", "line\nbreak\t\u{1}\u{1F}\u{7F}", "😀 é 中文 \u{2028}", "{\"json\": [1]}"]
        let changes = texts.enumerated().map { index, text in
            PlannedChange(
                address: EntityAddress(kind: .performer, key: "account.\(index)\(text)"), action: index % 2 == 0 ? .update : .skip,
                reason: index % 2 == 0 ? nil : .ambiguous, detail: index % 3 == 0 ? nil : text, stashId: index % 2 == 0 ? text : nil,
                fields: [
                    FieldChange(field: text, before: .null, after: .string(text)),
                    FieldChange(field: "n", before: .int(Int.min), after: .int(Int.max), operation: .add),
                    FieldChange(field: "b", before: .bool(false), after: .bool(true)),
                    FieldChange(field: "d", before: .date(text), after: .strings([text, ""])),
                    FieldChange(field: "e", before: .strings([]), after: .refs([])),
                    FieldChange(field: "r", before: .ref(StashRef()), after: .ref(StashRef(id: text, address: EntityAddress("tag.a"), label: text))),
                ],
                drift: [FieldDrift(field: text, written: text, current: "")],
                match: [.name(text, disambiguation: nil), .name(text, disambiguation: text), .url(text), .code(text),
                        .fileMediaId(FanslyID.max), .fileMediaId(FanslyID.min), .stashIdHint(text)],
                creator: index % 2 == 0 ? text : nil, source: text)
        }
        return Plan(createdAt: Date(timeIntervalSince1970: 0), tool: "t", inputs: PlanFixtures.inputs, changes: changes,
                    unmatched: [], summary: PlanSummary())
    }
}
