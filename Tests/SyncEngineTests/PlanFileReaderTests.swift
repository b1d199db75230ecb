import FanslyMetadata
import Foundation
import MappingRules
import StashTestServer
import XCTest

@testable import SyncEngine

/// Reading a saved plan line by line: the header first, every line checked, phases read back from the file.
final class PlanFileReaderTests: XCTestCase {
    private var folder: String!

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "saved-plan-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    private func save(_ plan: Plan, as name: String = "sync.plan") throws -> String {
        let path = folder + "/" + name
        try PlanFile.write(plan, to: path)
        return path
    }

    /// The saved plan's lines, edited by `edit`, written back; with `rechecksum`, the end line's
    /// checksum made to match the edited lines (as only a broken writer could).
    private func editLines(_ path: String, rechecksum: Bool = false, _ edit: (inout [String]) -> Void) throws {
        var lines = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\n")
        edit(&lines)
        if rechecksum {
            var builder = PlanChecksum.Builder()
            for line in lines.dropLast(2) { builder.add(Data(line.utf8)) }
            let checksum = builder.finish()
            let end = lines.count - 2
            let old = try XCTUnwrap(lines[end].range(of: #""checksum":\{[^}]*\}"#, options: .regularExpression))
            lines[end].replaceSubrange(
                old, with: #""checksum":{"lines":"\#(checksum.lines)","sha256":"\#(checksum.sha256)"}"#)
        }
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    func testHeaderChangesAndPhasesReadBackAsWritten() throws {
        let plan = try PlanFixtures.scannedPlan()
        let saved = try PlanFileReader.open(path: try save(plan))
        XCTAssertEqual(saved.header.formatVersion, PlanFile.formatVersion)
        XCTAssertEqual(saved.header.createdAt, plan.createdAt)
        XCTAssertEqual(saved.header.tool, plan.tool)
        XCTAssertEqual(saved.inputs, plan.inputs)
        XCTAssertEqual(try saved.summary(), plan.summary)
        XCTAssertEqual(try saved.plan(), plan)

        let fromFile = try saved.readChanges()
        let inMemory = PlanChanges(plan)
        XCTAssertEqual(fromFile.count, plan.changes.count)
        XCTAssertEqual(fromFile.createdAt, plan.createdAt)
        for phase in ApplyPhase.allCases {
            XCTAssertEqual(try fromFile.changes(in: phase), try inMemory.changes(in: phase), phase.rawValue)
        }
        XCTAssertEqual(fromFile.entries.map(\.address), plan.changes.map(\.address))
        XCTAssertEqual(fromFile.entries.map(\.skipReason), inMemory.entries.map(\.skipReason))

        var slices: [[PlannedChange]] = []
        try saved.forEachChangeSlice(maxCount: 3) { slices.append($0) }
        XCTAssertEqual(slices.flatMap { $0 }, plan.changes)
        XCTAssertEqual(
            slices.map(\.count),
            Array(repeating: 3, count: plan.changes.count / 3)
                + (plan.changes.count % 3 == 0 ? [] : [plan.changes.count % 3]))
    }

    func testTheFileIsAHeaderLineOneLinePerChangeOrFileAndAnEndLine() throws {
        let plan = try PlanFixtures.scannedPlan()
        let lines = try String(contentsOfFile: try save(plan), encoding: .utf8).components(separatedBy: "\n")
        XCTAssertEqual(lines.count, 1 + plan.changes.count + plan.unmatched.count + 1 + 1, "and a final newline")
        XCTAssertTrue(
            lines[0].hasPrefix(#"{"created_at":"2023-11-14T22:13:20Z","format_version":3,"inputs":{"#), lines[0])
        XCTAssertTrue(lines[1...plan.changes.count].allSatisfy { $0.hasPrefix(#"{"change":{"action":"#) })
        XCTAssertTrue(
            lines[(plan.changes.count + 1)...(plan.changes.count + plan.unmatched.count)].allSatisfy {
                $0.hasPrefix(#"{"unmatched":{"#)
            })
        XCTAssertTrue(
            lines[lines.count - 2].hasPrefix(#"{"end":{"changes":\#(plan.changes.count),"checksum":{"lines":""#),
            lines[lines.count - 2])
        XCTAssertEqual(lines.last, "")
    }

    func testAStreamedPlanCountsItsSummaryAndInterleavesUnmatchedFiles() throws {
        let plan = try PlanFixtures.scannedPlan()
        let path = folder + "/streamed.plan"
        let writer = try PlanFileWriter(path: path, header: PlanHeader(plan))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "nothing at the path before finish")
        for (index, change) in plan.changes.enumerated() {
            try writer.append(change)
            if index < plan.unmatched.count { try writer.append(plan.unmatched[index]) }
        }
        for item in plan.unmatched.dropFirst(plan.changes.count) { try writer.append(item) }
        try writer.finish()
        XCTAssertThrowsError(try writer.append(plan.changes[0]), "a finished writer takes nothing more")
        let read = try PlanFile.read(from: path)
        XCTAssertEqual(read.changes, plan.changes)
        XCTAssertEqual(Set(read.unmatched.map(\.address)), Set(plan.unmatched.map(\.address)))
        XCTAssertEqual(read.summary, plan.summary, "counted from the lines")

        let abandoned = folder + "/abandoned.plan"
        var dropped: PlanFileWriter? = try PlanFileWriter(path: abandoned, header: PlanHeader(plan))
        try dropped?.append(plan.changes[0])
        dropped = nil
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: folder).sorted(), ["streamed.plan"],
            "no temporary file is left")
    }

    func testSavingOverAnExistingPlanReplacesIt() throws {
        let plan = try PlanFixtures.scannedPlan()
        let path = try save(
            Plan(
                createdAt: Date(timeIntervalSince1970: 0), tool: "old", inputs: PlanFixtures.inputs, changes: [],
                unmatched: [], summary: PlanSummary()))
        try PlanFile.write(plan, to: path)
        XCTAssertEqual(try PlanFile.read(from: path), plan)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: folder), ["sync.plan"], "no temporary file is left")
    }

    func testLinesLongerThanAReadChunkAndEmptyListsReadBack() throws {
        let long = String(repeating: "é\"\n", count: 700_000) // 2.8 MB of JSON on one line
        var changes = (0..<3_000).map { index in
            PlannedChange(
                address: EntityAddress(kind: .scene, key: "media.\(index)"), action: .update, stashId: "\(index)",
                fields: [FieldChange(field: "details", before: .null, after: .string("detail \(index)"))],
                source: "post")
        }
        changes[1_500].fields[0].after = .string(long)
        let plan = Plan(
            createdAt: Date(timeIntervalSince1970: 0), tool: "t", inputs: PlanFixtures.inputs, changes: changes,
            unmatched: [], summary: PlanSummary(change: 3_000))
        XCTAssertEqual(try PlanFile.read(from: try save(plan)), plan)
        let empty = Plan(
            createdAt: Date(timeIntervalSince1970: 0), tool: "t", inputs: PlanFixtures.inputs, changes: [],
            unmatched: [], summary: PlanSummary())
        let saved = try PlanFileReader.open(path: try save(empty, as: "empty.plan"))
        XCTAssertEqual(try saved.plan(), empty)
        XCTAssertEqual(try saved.readChanges().count, 0)
    }

    func testAChangeOnlyTheWriterCouldHaveBrokenIsReportedWithItsLine() throws {
        // A line edited and its checksum recomputed (what a bug in the writer would make): the reader
        // still refuses it before anything runs, naming the line and what is wrong in it.
        let path = try save(try PlanFixtures.scannedPlan())
        try editLines(path, rechecksum: true) { lines in
            lines[3] = lines[3].replacingOccurrences(of: "\"action\":\"", with: "\"action\":\"explode")
        }
        let saved = try PlanFileReader.open(path: path)
        XCTAssertEqual(saved.inputs, PlanFixtures.inputs, "the header reads: the staleness check can run first")
        XCTAssertThrowsError(try saved.readChanges()) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(path) is not a fansly-stash plan: line 4: \"explode"), "\(error)")
        }
        try editLines(path, rechecksum: true) { lines in lines[5] = "{\"address\": " }
        XCTAssertThrowsError(try PlanFileReader.open(path: path).readChanges()) { error in
            XCTAssertTrue("\(error)".contains("line 4: "), "the first problem: \(error)")
        }
        let summaryEdited = try save(try PlanFixtures.scannedPlan(), as: "summary.plan")
        try editLines(summaryEdited) { lines in
            let end = lines.count - 2
            lines[end] = lines[end].replacingOccurrences(of: "\"summary\":{\"add\":", with: "\"summary\":{\"add\":9")
        }
        XCTAssertThrowsError(try PlanFileReader.open(path: summaryEdited).plan()) { error in
            XCTAssertTrue("\(error)".contains("the end line's summary does not count the plan's lines"), "\(error)")
        }
    }

    func testTheFormatVersionIsCheckedFirstAndMissingKeysAreNamed() throws {
        let path = try save(try PlanFixtures.scannedPlan())
        try editLines(path) { lines in
            lines[3] = "{this is not json}"
            lines[0] = lines[0].replacingOccurrences(of: "\"format_version\":3", with: "\"format_version\":4")
        }
        XCTAssertThrowsError(try PlanFileReader.open(path: path)) { error in
            XCTAssertEqual(
                error as? PlanFile.ReadError,
                .unsupportedVersion(path: path, found: 4, supported: PlanFile.formatVersion))
            XCTAssertEqual(
                "\(error)",
                "\(path) has plan format_version 4; this fansly-stash reads 3: upgrade fansly-stash or run plan again")
        }
        let other = try save(try PlanFixtures.scannedPlan(), as: "other.plan")
        try editLines(other) { lines in lines[0] = lines[0].replacingOccurrences(of: "\"inputs\":", with: "\"inputz\":")
        }
        XCTAssertThrowsError(try PlanFileReader.open(path: other)) { error in
            XCTAssertEqual("\(error)", "\(other) is not a fansly-stash plan: line 1: missing 'inputs'")
        }
    }

    func testATruncatedPlanIsRefusedWithTheLineWhereItEnds() throws {
        let path = try save(try PlanFixtures.scannedPlan())
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: path))
        let lines = data.prefix(data.count / 2).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .count
        let saved = try PlanFileReader.open(path: path)
        XCTAssertThrowsError(try saved.readChanges()) { error in
            XCTAssertEqual(
                "\(error)", "\(path) is not a fansly-stash plan: line \(lines): the plan ends early (a truncated file?)"
            )
        }
        // Cut at a line's end: only the end line is missing.
        let whole = try save(try PlanFixtures.scannedPlan(), as: "whole.plan")
        try editLines(whole) { lines in
            lines.removeLast(2); lines.append("")
        }
        XCTAssertThrowsError(try PlanFileReader.open(path: whole).plan()) { error in
            XCTAssertTrue("\(error)".hasSuffix(": the plan ends early (a truncated file?)"), "\(error)")
        }
    }

    func testAPlanOfAnOlderFormatOrForeignFileIsRefusedSayingSo() throws {
        let path = folder + "/old.plan"
        for version in [1, 2] {
            // The layout of versions 1 and 2: one JSON document, its header keys after the changes.
            try
                "{\n\"changes\": [\n  {\"action\":\"create\"}\n],\n\"created_at\": \"2026-01-01T00:00:00Z\",\n\"format_version\": \(version),\n\"tool\": \"x\"\n}\n"
                .write(toFile: path, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try PlanFileReader.open(path: path)) { error in
                XCTAssertEqual(
                    "\(error)",
                    "\(path) was made by an older fansly-stash (plan format_version \(version); this one reads 3): run plan again"
                )
            }
        }
        for (content, reason) in [
            ("{\"hello\": 1}\n", "no format_version"), ("[1,2]\n", "line 1 is not a JSON object"),
            ("", "the file is empty"),
            ("{\n\"hello\": 1\n}\n", "no format_version"),
        ] {
            try content.write(toFile: path, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try PlanFileReader.open(path: path)) { error in
                XCTAssertEqual("\(error)", "\(path) is not a fansly-stash plan: \(reason)")
            }
        }
        XCTAssertThrowsError(try PlanFileReader.open(path: folder!)) { error in
            XCTAssertEqual("\(error)", "cannot read plan file \(folder!): permission denied or not a file")
        }
        XCTAssertThrowsError(try PlanFileReader.open(path: folder + "/missing.plan")) { error in
            XCTAssertEqual("\(error)", "cannot read plan file \(folder!)/missing.plan: no such file")
        }
    }
}

/// The checksum of a plan's lines: a plan edited by hand is refused, naming the first line that differs.
extension PlanFileReaderTests {
    func testAnEditedChangeIsRefusedNamingItsLine() throws {
        let plan = try PlanFixtures.scannedPlan()
        let path = try save(plan)
        XCTAssertEqual(
            try PlanFileReader.open(path: path).readChanges().count, plan.changes.count, "an untouched plan reads")
        try editLines(path) { lines in
            // Rename something in the third change, keeping the line valid JSON.
            XCTAssertTrue(lines[3].hasPrefix(#"{"change":{"action":"#), lines[3])
            let renamed = lines[3].replacingOccurrences(of: "\"string\":\"", with: "\"string\":\"Renamed ")
            XCTAssertNotEqual(renamed, lines[3], "the change has a string to rename")
            lines[3] = renamed
        }
        let saved = try PlanFileReader.open(path: path)
        XCTAssertThrowsError(try saved.readChanges()) { error in
            guard case .changed(_, let reason)? = error as? PlanFile.ReadError else { return XCTFail("\(error)") }
            XCTAssertEqual(reason, "line 4 is not the line plan wrote")
            XCTAssertEqual(
                "\(error)",
                "\(path) was changed after plan wrote it: line 4 is not the line plan wrote. "
                    + "A plan is applied exactly as planned; run plan again (edit the rules, not the plan file)")
        }
        var slices = 0
        XCTAssertThrowsError(try saved.forEachChangeSlice(maxCount: 1) { _ in slices += 1 })
        XCTAssertEqual(slices, 0, "no change of a refused plan is handed out")
    }

    func testAnEditedHeaderIsRefusedToo() throws {
        let path = try save(try PlanFixtures.scannedPlan())
        try editLines(path) { lines in
            lines[0] = lines[0].replacingOccurrences(of: "127.0.0.1:9999", with: "127.0.0.1:9998")
        }
        XCTAssertThrowsError(try PlanFileReader.open(path: path).readChanges()) { error in
            XCTAssertEqual(
                (error as? PlanFile.ReadError), .changed(path: path, reason: "line 1 is not the line plan wrote"))
        }
    }

    func testADeletedOrAddedLineIsRefused() throws {
        let plan = try PlanFixtures.scannedPlan()
        XCTAssertGreaterThan(plan.changes.count, 3)
        let path = try save(plan)
        try editLines(path) { lines in lines.remove(at: 2) } // the second change (file line 3)
        XCTAssertThrowsError(try PlanFileReader.open(path: path).readChanges()) { error in
            XCTAssertEqual(
                (error as? PlanFile.ReadError), .changed(path: path, reason: "line 3 is not the line plan wrote"))
        }
        let other = try save(plan, as: "other.plan")
        let written = 1 + plan.changes.count + plan.unmatched.count
        try editLines(other) { lines in lines.insert(lines[1], at: lines.count - 2) }
        XCTAssertThrowsError(try PlanFileReader.open(path: other).readChanges()) { error in
            XCTAssertEqual(
                (error as? PlanFile.ReadError),
                .changed(
                    path: other,
                    reason: "line \(written + 1) was added: plan wrote \(written) lines before the end line"))
        }
        let shorter = try save(plan, as: "shorter.plan")
        try editLines(shorter) { lines in lines.remove(at: lines.count - 3) } // the last unmatched file
        XCTAssertThrowsError(try PlanFileReader.open(path: shorter).plan()) { error in
            XCTAssertEqual(
                (error as? PlanFile.ReadError),
                .changed(path: shorter, reason: "line \(written) of \(written) is missing"))
        }
    }
}
