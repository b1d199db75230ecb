import FanslyMetadata
import Foundation
import GRDB
import MappingRules
import XCTest

@testable import SyncEngine

final class SyncStateTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("syncstate-\(UUID().uuidString)")
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func statePath(_ name: String = "state.sqlite3") -> String { folder.appendingPathComponent("nested/\(name)").path }

    let performer = EntityAddress(kind: .performer, key: "account.emberwilde42")
    let tag = EntityAddress(kind: .tag, key: "latex-model")

    func testDefaultPathFollowsXDGAndIsKeyedByHostAndPort() {
        XCTAssertEqual(
            SyncState.defaultPath(forStashURL: "http://Stash.local:9999/", environment: ["HOME": "/home/u"]),
            "/home/u/.local/state/fansly-stash/stash.local-9999.sqlite3")
        XCTAssertEqual(
            SyncState.defaultPath(
                forStashURL: "https://media.example.org", environment: ["HOME": "/h", "XDG_STATE_HOME": "/xdg"]),
            "/xdg/fansly-stash/media.example.org-443.sqlite3")
        XCTAssertEqual(SyncState.fileName(forStashURL: "http://127.0.0.1"), "127.0.0.1-80.sqlite3")
        XCTAssertEqual(
            SyncState.defaultPath(
                forStashURL: "http://h:1", environment: ["HOME": "/h", "XDG_STATE_HOME": "relative"]),
            "/h/.local/state/fansly-stash/h-1.sqlite3", "a relative XDG_STATE_HOME is ignored, as the spec says")
    }

    func testLinksPersistAcrossOpensAndMergeWrittenFields() throws {
        let path = statePath()
        do {
            let state = try SyncState(path: path)
            XCTAssertNil(try state.link(for: performer))
            try state.recordWritten(
                [
                    WrittenObject(
                        address: performer, stashId: "12",
                        fields: ["name": .string("Ember"), "tag_ids": .refs([StashRef(id: "3")])])
                ],
                at: Date(timeIntervalSince1970: 100))
            try state.recordWritten(
                [WrittenObject(address: performer, stashId: "12", fields: ["details": .string("bio")])],
                at: Date(timeIntervalSince1970: 200))
        }
        let reopened = try SyncState(path: path)
        let link = try XCTUnwrap(try reopened.link(for: performer))
        XCTAssertEqual(link.stashId, "12")
        XCTAssertEqual(
            link.writtenFields,
            ["name": .string("Ember"), "tag_ids": .refs([StashRef(id: "3")]), "details": .string("bio")])
        XCTAssertEqual(link.writtenAt, Date(timeIntervalSince1970: 200))
        XCTAssertEqual(try reopened.allLinks().keys.sorted(), [performer])
        XCTAssertEqual(try reopened.fieldsHash(for: performer), SyncState.hash(link.writtenFields))

        // Pointing the address at another object starts its written fields afresh.
        try reopened.recordWritten([
            WrittenObject(address: performer, stashId: "40", fields: ["name": .string("Ember")])
        ])
        XCTAssertEqual(try reopened.link(for: performer)?.writtenFields, ["name": .string("Ember")])
    }

    func testBatchReadsFindOnlyWhatExists() throws {
        let state = try SyncState(path: statePath())
        let many = (0..<1_200).map { EntityAddress(kind: .gallery, key: "post.\($0)") }
        try state.recordWritten(
            many.enumerated().filter { $0.offset % 2 == 0 }.map {
                WrittenObject(address: $0.element, stashId: "\($0.offset)", fields: ["title": .string("t")])
            })
        try state.journalCreates([PendingCreate(address: many[1], match: [.code("1")])])
        let links = try state.links(for: many + [performer])
        XCTAssertEqual(links.count, 600, "chunked IN queries cover more than one chunk")
        XCTAssertEqual(links[many[1198]]?.stashId, "1198")
        XCTAssertNil(links[many[1]])
        XCTAssertEqual(try state.allLinkedIds()[many[4]], "4")
        XCTAssertEqual(try state.pendingCreates(for: many).keys.sorted(), [many[1]])
        XCTAssertEqual(try state.links(for: []), [:])
    }

    /// Every kind of value, with characters JSON escapes, reads back equal through each link read.
    func testWrittenFieldsOfEveryValueKindReadBackEqual() throws {
        let state = try SyncState(path: statePath())
        let fields: [String: FieldValue] = [
            "title": .string("Quote \" backslash \\ tab \t newline \n é 🎉 \u{1}"), "rating": .int(-42),
            "organized": .bool(true), "favorite": .bool(false), "date": .date("2024-01-31"),
            "urls": .strings(["https://fansly.com/post/1", ""]), "empty": .strings([]),
            "studio_id": .ref(StashRef(id: "7", label: "Ember (Fansly)")),
            "parent_id": .ref(StashRef(address: tag, label: nil)),
            "tag_ids": .refs([StashRef(id: "3"), StashRef(address: tag, label: "Latex Model"), StashRef()]),
            "details": .null, "custom_fields.fansly_id": .string("123"),
        ]
        try state.recordWritten([WrittenObject(address: performer, stashId: "12", fields: fields)])
        XCTAssertEqual(try state.link(for: performer)?.writtenFields, fields)
        XCTAssertEqual(try state.allLinks()[performer]?.writtenFields, fields)
        XCTAssertEqual(try state.links(for: [performer])[performer]?.writtenFields, fields)
        XCTAssertEqual(try state.fieldsHash(for: performer), SyncState.hash(fields))
        // Merging over what was written reads the stored fields back the same way.
        try state.recordWritten([WrittenObject(address: performer, stashId: "12", fields: ["rating": .int(5)])])
        var merged = fields
        merged["rating"] = .int(5)
        XCTAssertEqual(try state.allLinks()[performer]?.writtenFields, merged)
    }

    /// Written fields stored in another JSON layout than this version writes (spaces, escapes, key
    /// order) read as `JSONDecoder` reads them; unreadable ones are reported as a damaged file.
    func testWrittenFieldsInAnyJSONLayoutAndDamagedOnes() throws {
        let path = statePath()
        _ = try SyncState(path: path)
        let db = try DatabaseQueue(path: path)
        let layouts = [
            #"{ "name" : { "string" : "\u00e9mber\/x" },"tag_ids":{"refs":[ {"label":null,"id":"3"} ]} }"#,
            #"{"name":{"string":"émber/x"},"tag_ids":{"refs":[{"id":"3"}]},"x":null}"#,
        ]
        try db.write { db in
            for (index, json) in layouts.enumerated() {
                try db.execute(
                    sql: """
                        INSERT INTO link(address, kind, stash_id, written_fields, fields_hash, written_at)
                        VALUES (?, 'performer', ?, ?, '', 1)
                        """, arguments: ["performer.layout\(index)", "\(index)", json])
            }
        }
        let links = try SyncState(path: path).allLinks()
        for index in layouts.indices {
            let address = try XCTUnwrap(EntityAddress("performer.layout\(index)"))
            let expected = try JSONDecoder().decode([String: FieldValue].self, from: Data(layouts[index].utf8))
            XCTAssertEqual(links[address]?.writtenFields, expected, layouts[index])
            XCTAssertEqual(links[address]?.writtenFields["name"], .string("émber/x"))
        }
        try db.write { db in
            try db.execute(
                sql: """
                    INSERT INTO link(address, kind, stash_id, written_fields, fields_hash, written_at)
                    VALUES ('performer.broken', 'performer', '9', '{"name": {"text": "x"}}', '', 1)
                    """)
        }
        XCTAssertThrowsError(try SyncState(path: path).allLinks()) { error in
            guard case SyncStateError.corrupt(let detail)? = error as? SyncStateError else {
                return XCTFail("\(error)")
            }
            XCTAssertTrue(detail.contains("written fields"), detail)
        }
    }

    func testHashIsCanonical() throws {
        let a: [String: FieldValue] = ["b": .int(1), "a": .strings(["x", "y"])]
        let b: [String: FieldValue] = ["a": .strings(["x", "y"]), "b": .int(1)]
        XCTAssertEqual(SyncState.hash(a), SyncState.hash(b))
        XCTAssertNotEqual(SyncState.hash(a), SyncState.hash(["a": .strings(["y", "x"]), "b": .int(1)]))
        XCTAssertEqual(SyncState.hash(a).count, 64)
        // SHA-256 of the canonical JSON, in lowercase hex: `{}` and `{"b":{"int":1}}`.
        XCTAssertEqual(SyncState.hash([:]), "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")
        XCTAssertEqual(SyncState.hash(["b": .int(1)]), try Self.sha256Hex(#"{"b":{"int":1}}"#))
    }

    func testCreateJournalSurvivesReopenUntilConfirmed() throws {
        let path = statePath()
        let match: [MatchKey] = [.name("Ember", disambiguation: "Fansly"), .url("https://fansly.com/emberwilde42")]
        do {
            let state = try SyncState(path: path)
            try state.journalCreates([
                PendingCreate(address: performer, match: match),
                PendingCreate(address: tag, match: [.name("Latex", disambiguation: nil)]),
            ])
            try state.confirmCreates([WrittenObject(address: tag, stashId: "7", fields: ["name": .string("Latex")])])
            // The process dies here: the performer's create was sent, its reply never read.
        }
        let state = try SyncState(path: path)
        XCTAssertEqual(try state.pendingCreates(), [PendingCreate(address: performer, match: match)])
        XCTAssertEqual(try state.pendingCreate(for: performer)?.match, match)
        XCTAssertNil(try state.pendingCreate(for: tag))
        XCTAssertEqual(try state.link(for: tag)?.stashId, "7", "confirming records the link in the same transaction")

        try state.journalCreates([PendingCreate(address: performer, match: match)])
        try state.abandonCreates([performer])
        XCTAssertEqual(try state.pendingCreates(), [])
    }

    func testDirtyFlagsAndErrorsClearWhenWritten() throws {
        let state = try SyncState(path: statePath())
        try state.markDirty([performer, tag])
        try state.recordErrors([(tag, "tag with name 'Latex' already exists")])
        XCTAssertEqual(try state.dirtyAddresses(), [tag, performer])
        XCTAssertEqual(try state.errors(), [tag: "tag with name 'Latex' already exists"])
        try state.markClean([performer])
        XCTAssertEqual(try state.dirtyAddresses(), [tag])
        try state.recordWritten([WrittenObject(address: tag, stashId: "1", fields: [:])])
        XCTAssertEqual(try state.dirtyAddresses(), [])
        XCTAssertEqual(try state.errors(), [:])
    }

    func testRunsAreRecordedNewestFirst() throws {
        let state = try SyncState(path: statePath())
        let first = try state.beginRun(stashURL: "http://s:1", planCreatedAt: nil, at: Date(timeIntervalSince1970: 10))
        var counts = OutcomeCounts(); counts.created = 2; counts.failed = 1
        let report = SyncReport(
            startedAt: Date(), elapsedSeconds: 1, totals: counts, phases: [], failures: [], requests: 3)
        try state.finishRun(first, report: report, at: Date(timeIntervalSince1970: 11))
        _ = try state.beginRun(stashURL: "http://s:1", planCreatedAt: nil, at: Date(timeIntervalSince1970: 20))
        let runs = try state.recentRuns()
        XCTAssertEqual(runs.map(\.status), ["running", "failed"])
        XCTAssertNil(runs[0].finishedAt, "an unfinished run shows as interrupted")
        XCTAssertEqual(runs[1].counts.created, 2)
        XCTAssertEqual(runs[1].requests, 3)
    }

    func testRefusesAStateFileOfAnotherStash() throws {
        let state = try SyncState(path: statePath())
        try state.bind(toStashURL: "http://localhost:9999/")
        try state.bind(toStashURL: "HTTP://localhost:9999")
        XCTAssertThrowsError(try state.bind(toStashURL: "http://other:9999")) { error in
            XCTAssertEqual(
                error as? SyncStateError,
                .otherStash(path: state.path, recorded: "http://localhost:9999", requested: "http://other:9999"))
            XCTAssertTrue(error.localizedDescription.contains("--state"))
        }
    }

    func testUnwritableLocationGivesAClearError() throws {
        let blocker = folder.appendingPathComponent("file")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data().write(to: blocker)
        XCTAssertThrowsError(try SyncState(path: blocker.appendingPathComponent("state.sqlite3").path)) { error in
            guard case .cannotOpen = error as? SyncStateError else { return XCTFail("\(error)") }
            XCTAssertTrue(error.localizedDescription.contains("--state PATH"), error.localizedDescription)
        }
    }

    /// SHA-256 of `text` in hex, by `sha256sum` (an implementation apart from the one under test).
    static func sha256Hex(_ text: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        return String(String(decoding: data, as: UTF8.self).prefix(64))
    }
}
