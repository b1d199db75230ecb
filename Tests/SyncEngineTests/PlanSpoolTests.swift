import FanslyMetadata
import Foundation
import MappingRules
import XCTest

@testable import SyncEngine

/// The pieces under a streamed plan: the spool's runs and their merge, the report's spooled
/// sections, and the worker that plans one part while the next is evaluated.
final class PlanSpoolTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("plan-spool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    private func change(_ address: String, _ action: ChangeAction = .create, creator: String? = nil) -> PlannedChange {
        PlannedChange(
            address: EntityAddress(address)!, action: action, reason: action == .skip ? .organized : nil,
            detail: nil, stashId: nil,
            fields: [FieldChange(field: "title", before: .null, after: .string("é \"\(address)\"\n"), operation: .set)],
            drift: [], match: [], creator: creator, source: "test")
    }

    private func unmatched(_ address: String, creator: String?) -> UnmatchedMedia {
        UnmatchedMedia(
            address: EntityAddress(address)!, creator: creator, fileMediaId: 1, lookedFor: ["/a/b.mp4"],
            reason: "not scanned", stashPaths: nil)
    }

    private func header() -> PlanHeader {
        PlanHeader(createdAt: Date(timeIntervalSince1970: 1_800_000_000), tool: "t", inputs: PlanFixtures.inputs)
    }

    /// The scanned fixture plan, and one with drift (a performer's bio edited in Stash since it was written).
    private func scannedAndDriftedPlans() throws -> [Plan] {
        var snapshot = PlanFixtures.applied
        var performer = try XCTUnwrap(snapshot.object(.performer, id: "3"))
        performer.fields["details"] = .string("Edited")
        snapshot.insert(performer)
        let address = PlanFixtures.address("performer.account.emberwilde42")
        let link = SyncLink(
            address: address, stashId: "3", writtenFields: ["details": .string("Latex and more")], writtenAt: Date())
        return [
            try PlanFixtures.scannedPlan(),
            try Planner(desired: PlanFixtures.desired, snapshot: snapshot, links: [address: link]).plan(
                inputs: PlanFixtures.inputs, tool: "t"),
        ]
    }

    func testPartsAreMergedIntoThePlanFileTheWholeListsWrite() throws {
        // Three parts, each in order, interleaving (keys with escapes and non-ASCII included).
        let parts: [[PlannedChange]] = [
            [change("tag.a"), change("gallery.post.1", .update), change("scene.media.3")],
            [change("tag.b\\\"q"), change("gallery.post.2", .skip), change("image.media.é")],
            [change("studio.x"), change("scene.media.1", .noop), change("scene.media.2")],
        ]
        let lost: [[UnmatchedMedia]] = [
            [unmatched("scene.media.3", creator: "bob")],
            [unmatched("image.media.9", creator: nil), unmatched("image.media.1", creator: "amy")],
            [unmatched("scene.media.2", creator: "amy")],
        ]
        let temporary = try TemporaryFolder(in: folder)
        defer { temporary.restore() }
        let spool = PlanSpool()
        for (changes, files) in zip(parts, lost) { try spool.add(changes: changes, unmatched: files) }
        XCTAssertEqual(spool.partCount, 3)
        XCTAssertEqual(try temporary.entries(), [], "run files have no name")
        XCTAssertEqual(temporary.openDeletedFiles(), 3, "one open run file per part")

        var merged = Data()
        let writer = try PlanFileWriter(header: header()) { merged.append($0) }
        try spool.finish(into: writer, notices: [])
        XCTAssertEqual(temporary.openDeletedFiles(), 0, "the runs are released once merged")

        let whole = Plan(
            createdAt: header().createdAt, tool: "t", inputs: PlanFixtures.inputs,
            changes: parts.flatMap { $0 }.sorted { $0.address < $1.address },
            unmatched: lost.flatMap { $0 }.sorted { ($0.creator ?? "", $0.address) < ($1.creator ?? "", $1.address) },
            summary: PlanSummary(add: 6, change: 1, unchanged: 1, skipped: 1, unmatched: 4))
        XCTAssertEqual(
            String(decoding: merged, as: UTF8.self), String(decoding: try PlanFile.encode(whole), as: UTF8.self))
    }

    /// Parts planned at once end in any order: each is merged by the place reserved for it, so
    /// that equal keys (ties go to the earlier part) come out as if the parts were added in turn.
    func testPartsAddedOnSeveralThreadsMergeByTheirReservedPlaces() throws {
        let parts: [[PlannedChange]] = [
            [change("tag.a", .update), change("scene.media.3")],
            [change("scene.media.1"), change("scene.media.4")],
            [change("tag.a", .skip), change("scene.media.2")],
        ]
        let lost: [[UnmatchedMedia]] = [
            [unmatched("scene.media.3", creator: "bob")], [], [unmatched("scene.media.2", creator: "bob")],
        ]
        func merged(_ spool: PlanSpool) throws -> String {
            var bytes = Data()
            let writer = try PlanFileWriter(header: header()) { bytes.append($0) }
            try spool.finish(into: writer, notices: [])
            return String(decoding: bytes, as: UTF8.self)
        }
        let inTurn = PlanSpool()
        for (changes, files) in zip(parts, lost) { try inTurn.add(changes: changes, unmatched: files) }

        let atOnce = PlanSpool()
        let places = parts.indices.map { _ in atOnce.reservePart() }
        XCTAssertEqual(places, [0, 1, 2])
        // Added last part first, each on a thread of its own, each waiting for the one after it.
        let added = parts.indices.map { _ in DispatchSemaphore(value: 0) }
        let failures = ThreadNotes()
        for index in parts.indices {
            Thread {
                if index + 1 < parts.count, added[index + 1].wait(timeout: .now() + 10) == .timedOut {
                    failures.note("part \(index) waited in vain")
                }
                do {
                    try atOnce.add(changes: parts[index], unmatched: lost[index], part: places[index])
                } catch {
                    failures.note("\(error)")
                }
                added[index].signal()
            }.start()
        }
        XCTAssertEqual(added[0].wait(timeout: .now() + 30), .success, "every part was added")
        XCTAssertEqual(failures.all, [])
        let plan = try merged(atOnce)
        XCTAssertEqual(plan, try merged(inTurn))
        let tagLines = plan.split(separator: "\n").filter { $0.contains("\"tag.a\"") }
        XCTAssertEqual(tagLines.count, 2)
        XCTAssertTrue(tagLines.first?.contains("\"update\"") ?? false, "the earlier part's tie first: \(tagLines)")
    }

    func testAReservedPartNeverAddedStopsTheMerge() throws {
        let spool = PlanSpool()
        try spool.add(changes: [change("scene.media.1")], unmatched: [])
        _ = spool.reservePart()
        let writer = try PlanFileWriter(header: header()) { _ in }
        XCTAssertThrowsError(try spool.finish(into: writer, notices: [])) { error in
            XCTAssertTrue("\(error)".contains("never spooled"), "\(error)")
        }
    }

    func testAPartOutOfOrderIsRefusedNotMergedWrong() throws {
        let spool = PlanSpool()
        try spool.add(changes: [change("scene.media.2"), change("scene.media.1")], unmatched: [])
        let writer = try PlanFileWriter(header: header()) { _ in }
        XCTAssertThrowsError(try spool.finish(into: writer, notices: [])) { error in
            XCTAssertTrue("\(error)".contains("out of order"), "\(error)")
        }
    }

    /// The report made as parts are merged (each part's entries rendered as it was spooled) is the
    /// report of the merged plan, in every form: drift, notes, counted skips, unmatched examples.
    func testTheReportMadeWhileMergingIsTheMergedPlansReport() throws {
        let plans = try scannedAndDriftedPlans()
        XCTAssertTrue(plans[1].changes.contains { !$0.drift.isEmpty }, "the second plan has drift")
        let temporary = try TemporaryFolder(in: folder)
        defer { temporary.restore() }
        for (number, plan) in plans.enumerated() {
            for renderer in [
                PlanRenderer(), PlanRenderer(colors: true, listUnchanged: true), PlanRenderer(changesPerKind: 1),
                PlanRenderer(changesPerKind: 1, compactOnlyWhenLong: true),
            ] {
                // Three parts, every third change and unmatched file each, in plan order.
                let spool = PlanSpool(renderer: renderer)
                for part in 0..<3 {
                    try spool.add(
                        changes: plan.changes.enumerated().filter { $0.offset % 3 == part }.map(\.element),
                        unmatched: plan.unmatched.enumerated().filter { $0.offset % 3 == part }.map(\.element))
                }
                XCTAssertEqual(temporary.openDeletedFiles(), 6, "a run file and a report file per part")
                let writer = try PlanFileWriter(
                    header: PlanHeader(createdAt: plan.createdAt, tool: "t", inputs: plan.inputs)
                ) { _ in }
                let report = try XCTUnwrap(try spool.finish(into: writer, notices: plan.notices))
                var text = ""
                try report.write(
                    inputs: plan.inputs, notices: plan.notices, summary: writer.summary, chunkSize: 64
                ) { text += $0 }
                XCTAssertEqual(text, renderer.render(plan), "plan \(number), \(renderer)")
                XCTAssertEqual(temporary.openDeletedFiles(), 0, "the report files are released once merged")
            }
        }
    }

    /// Report entries read back as written, through a buffer smaller than one entry; reading past
    /// the last one is refused, not made up.
    func testReportEntriesReadBackAsWritten() throws {
        let entries = [
            ReportEntry(kind: .scene, action: .create, lines: "\n  + scene.media.1 “é” 🎬\n      title: \"x\"\n"),
            ReportEntry(kind: .performer, action: .update, drift: "  ~ performer.a\n", lines: ""),
            ReportEntry(kind: .image, action: .skip, countedSkip: .organized),
            ReportEntry(kind: .gallery, action: .skip, countedSkip: .ignored),
            ReportEntry(kind: .chapter, action: .noop, note: "  ! chapter.x: why\n", unchanged: "    chapter.x\n"),
            ReportEntry(kind: .tag, action: .skip, lines: String(repeating: "long line ", count: 5_000)),
        ]
        let unmatched = [
            UnmatchedReportEntry(creator: nil, reason: "not scanned", example: nil),
            UnmatchedReportEntry(creator: "amy", reason: "outside the creator folders", example: "/elsewhere/é.mp4"),
        ]
        var bytes: [UInt8] = []
        for entry in entries { ReportEntryCoding.append(entry, to: &bytes) }
        for entry in unmatched { ReportEntryCoding.append(entry, to: &bytes) }
        let storage = try PlanFileStorage.temporary()
        try bytes.withUnsafeBytes { try storage.write($0, at: 0) }
        let reader = ReportEntryReader(storage: storage, range: 0..<bytes.count, bufferSize: 7)
        for entry in entries { XCTAssertEqual(try ReportEntryCoding.entry(from: reader), entry) }
        for entry in unmatched { XCTAssertEqual(try ReportEntryCoding.unmatchedEntry(from: reader), entry) }
        XCTAssertThrowsError(try ReportEntryCoding.entry(from: reader)) { error in
            XCTAssertTrue(error is ReportEntryCoding.Corrupt, "\(error)")
            XCTAssertEqual("\(error)", "a temporary report file of the plan was changed while it was made")
        }
        // A byte that names no kind is refused too.
        let broken = ReportEntryReader(storage: storage, range: 0..<bytes.count)
        try [UInt8(99)].withUnsafeBytes { try storage.write($0, at: 0) }
        XCTAssertThrowsError(try ReportEntryCoding.entry(from: broken)) { error in
            XCTAssertEqual("\(error)", "a temporary report file of the plan was changed while it was made")
        }
    }

    /// A report section larger than its memory share goes to a nameless file and comes back whole,
    /// in pieces of whole lines (never half a character).
    func testAReportSectionSpillsToAFileAndReadsBackInWholeLines() throws {
        let temporary = try TemporaryFolder(in: folder)
        defer { temporary.restore() }
        let spool = ReportSpool(limit: 100)
        var expected = ""
        for index in 0..<500 {
            let line = "  ~ scene.media.\(index): “\(String(repeating: "é", count: index % 7))” 🎬\n"
            expected += line
            try spool.append { $0 += line }
        }
        XCTAssertEqual(temporary.openDeletedFiles(), 1)
        XCTAssertGreaterThan(expected.utf8.count, 15_000)
        for size in [16, 1000, 1 << 16] {
            var pieces: [String] = []
            try spool.forEachPiece(pieceSize: size) { pieces.append($0) }
            XCTAssertEqual(pieces.joined(), expected, "pieces of \(size)")
            XCTAssertTrue(pieces.allSatisfy { $0.hasSuffix("\n") }, "whole lines")
            if size < 1000 { XCTAssertGreaterThan(pieces.count, 100, "pieces of \(size)") }
        }
        spool.removeAll()
        XCTAssertTrue(spool.isEmpty)
        XCTAssertEqual(temporary.openDeletedFiles(), 0)
    }

    /// With sections spilled to files at every entry, the report is the one held in memory.
    func testAReportWithItsSectionsInFilesIsTheReportInMemory() throws {
        let plans = try scannedAndDriftedPlans()
        for plan in plans {
            for renderer in [
                PlanRenderer(), PlanRenderer(colors: true, listUnchanged: true), PlanRenderer(changesPerKind: 1),
            ] {
                var spilled = ""
                try renderer.render(plan, chunkSize: 32, spoolLimit: 1) { spilled += $0 }
                XCTAssertEqual(spilled, renderer.render(plan))
            }
        }
    }

    func testTwoJobsRunAtOnceAndAThirdWaitsForOneToEnd() throws {
        let pipeline = PartPipeline(label: "test", inFlight: 2)
        let secondStarted = DispatchSemaphore(value: 0)
        let firstMayEnd = DispatchSemaphore(value: 0)
        let log = ThreadNotes()
        try pipeline.submit {
            // Only the second job, running beside this one, lets it go on (a deadline, not a hang).
            log.note(secondStarted.wait(timeout: .now() + 10) == .success ? "1 saw 2 running" : "1 ran alone")
            _ = firstMayEnd.wait(timeout: .now() + 10)
            log.note("1 end")
        }
        try pipeline.submit {
            secondStarted.signal()
            log.note("2 end")
        }
        // Both slots were taken; this submit returns once the second job has ended.
        try pipeline.submit { log.note("3 end") }
        firstMayEnd.signal()
        try pipeline.drain()
        XCTAssertTrue(log.all.contains("1 saw 2 running"), "\(log.all)")
        XCTAssertEqual(Set(log.all), ["1 saw 2 running", "1 end", "2 end", "3 end"])
        XCTAssertLessThan(
            try XCTUnwrap(log.all.firstIndex(of: "2 end")), try XCTUnwrap(log.all.firstIndex(of: "3 end")),
            "the third job starts only when a slot is free")
    }

    func testTheWorkerRunsOneJobAtATimeAndHandsOnItsError() throws {
        struct Broken: Error {}
        final class Log: @unchecked Sendable {
            let lock = NSLock()
            var events: [String] = []
            func note(_ event: String) { lock.lock(); events.append(event); lock.unlock() }
        }
        let log = Log()
        let pipeline = PartPipeline(label: "test")
        let go = DispatchSemaphore(value: 0)
        try pipeline.submit {
            // Released only by the caller going on while this job runs (a deadline, not a hang).
            log.note(go.wait(timeout: .now() + 10) == .success ? "1 released by the caller" : "1 timed out")
        }
        go.signal()
        try pipeline.submit {
            log.note("2 start")
            throw Broken()
        }
        XCTAssertEqual(log.events.first, "1 released by the caller", "submit returns while its job runs")
        XCTAssertThrowsError(try pipeline.submit { log.note("3 never") }) { XCTAssertTrue($0 is Broken) }
        XCTAssertThrowsError(try pipeline.drain()) { XCTAssertTrue($0 is Broken) }
        XCTAssertFalse(log.events.contains("3 never"))
        XCTAssertEqual(log.events.filter { $0.hasPrefix("2") }, ["2 start"])
    }
}

/// Notes written from several threads at once.
private final class ThreadNotes: @unchecked Sendable {
    private let lock = NSLock()
    private var notes: [String] = []
    func note(_ text: String) { lock.withLock { notes.append(text) } }
    var all: [String] { lock.withLock { notes } }
}
