import Foundation
import MappingRules
import XCTest

@testable import SyncEngine

/// `.gz` plan files: written compressed when the name says so, read back by their first bytes, and
/// refused as clearly as plain ones when edited, cut short or old.
final class PlanGzipTests: XCTestCase {
    private var folder: String!

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "plan-gzip-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    private func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    private func gzip(_ data: Data) throws -> Data {
        let compressor = try GzipCompressor()
        var out = Data()
        try data.withUnsafeBytes { try compressor.compress($0) { out.append(contentsOf: $0) } }
        try compressor.finish { out.append(contentsOf: $0) }
        return out
    }

    private func gunzip(_ data: Data) throws -> Data {
        let decompressor = try GzipDecompressor()
        var out = Data()
        try data.withUnsafeBytes { try decompressor.decompress($0) { out.append(contentsOf: $0) } }
        try decompressor.finish { out.append(contentsOf: $0) }
        return out
    }

    func testAGzipPlanRoundTripsAndIsTheSameLinesCompressed() throws {
        let plan = try PlanFixtures.scannedPlan()
        let path = folder + "/sync.plan.gz"
        try PlanFile.write(plan, to: path)
        let compressed = try bytes(path)
        XCTAssertEqual(Array(compressed.prefix(2)), [0x1F, 0x8B], "gzip's magic bytes")
        XCTAssertEqual(try gunzip(compressed), try PlanFile.encode(plan), "the plain plan's lines, compressed")
        XCTAssertLessThan(compressed.count, try PlanFile.encode(plan).count / 3)

        let reader = try PlanFileReader.open(path: path)
        XCTAssertEqual(reader.inputs, plan.inputs)
        XCTAssertEqual(try reader.plan(), plan)
        let changes = try reader.readChanges()
        let inMemory = PlanChanges(plan)
        for phase in ApplyPhase.allCases {
            XCTAssertEqual(try changes.changes(in: phase), try inMemory.changes(in: phase), phase.rawValue)
        }
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: folder), ["sync.plan.gz"], "no temporary file is left")
    }

    func testALargePlanStreamsThroughGzipBothWays() throws {
        // Several of the writer's chunks and of the reader's 1 MB reads, on both sides of the compression.
        let changes = (0..<20_000).map { index in
            PlannedChange(
                address: EntityAddress(kind: .scene, key: "media.\(index)"), action: .update, stashId: "\(index)",
                fields: [
                    FieldChange(field: "details", before: .null, after: .string("detail \(index) \(UUID().uuidString)"))
                ],
                source: "post \(index)")
        }
        let plan = Plan(
            createdAt: Date(timeIntervalSince1970: 0), tool: "t", inputs: PlanFixtures.inputs, changes: changes,
            unmatched: [], summary: PlanSummary(change: changes.count))
        let path = folder + "/large.plan.GZ"
        try PlanFile.write(plan, to: path)
        XCTAssertEqual(Array(try bytes(path).prefix(2)), [0x1F, 0x8B], "the extension is compared without case")
        XCTAssertGreaterThan(try PlanFile.encode(plan).count, 4 << 20)
        XCTAssertEqual(try PlanFile.read(from: path), plan)
    }

    func testCompressionIsRecognisedByItsBytesNotItsName() throws {
        let plan = try PlanFixtures.scannedPlan()
        let gz = folder + "/a.plan.gz"
        let plain = folder + "/b.plan"
        try PlanFile.write(plan, to: gz)
        try PlanFile.write(plan, to: plain)
        let misnamedGzip = folder + "/gzip-named.plan"
        let misnamedPlain = folder + "/plain-named.plan.gz"
        try FileManager.default.moveItem(atPath: gz, toPath: misnamedGzip)
        try FileManager.default.moveItem(atPath: plain, toPath: misnamedPlain)
        XCTAssertEqual(try PlanFile.read(from: misnamedGzip), plan)
        XCTAssertEqual(try PlanFile.read(from: misnamedPlain), plan)
    }

    func testEditedGzipContentIsRefusedNamingTheLine() throws {
        let path = folder + "/sync.plan.gz"
        try PlanFile.write(try PlanFixtures.scannedPlan(), to: path)
        var lines = String(decoding: try gunzip(try bytes(path)), as: UTF8.self).components(separatedBy: "\n")
        lines[2] = lines[2].replacingOccurrences(of: "\"string\":\"", with: "\"string\":\"Renamed ")
        try gzip(Data(lines.joined(separator: "\n").utf8)).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try PlanFileReader.open(path: path).readChanges()) { error in
            XCTAssertEqual(
                error as? PlanFile.ReadError, .changed(path: path, reason: "line 3 is not the line plan wrote"))
        }
    }

    func testCorruptOrTruncatedGzipIsRefusedClearly() throws {
        let path = folder + "/sync.plan.gz"
        try PlanFile.write(try PlanFixtures.scannedPlan(), to: path)
        let compressed = try bytes(path)

        try compressed.prefix(compressed.count / 2).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try PlanFileReader.open(path: path)) { error in
            XCTAssertEqual(
                "\(error)", "\(path) is not a fansly-stash plan: the gzip data ends early (a truncated file?)")
        }
        // Only gzip's own trailer (CRC and length) missing: every line is there, the stream is still cut.
        try compressed.dropLast(8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try PlanFileReader.open(path: path)) { error in
            XCTAssertEqual(
                "\(error)", "\(path) is not a fansly-stash plan: the gzip data ends early (a truncated file?)")
        }
        var flipped = compressed
        flipped[flipped.count - 6] ^= 0xFF // in the CRC-32 gzip ends with
        try flipped.write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try PlanFileReader.open(path: path)) { error in
            XCTAssertEqual("\(error)", "\(path) is not a fansly-stash plan: the gzip data is corrupt")
        }
        try (compressed + Data("more".utf8)).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try PlanFileReader.open(path: path)) { error in
            XCTAssertEqual(
                "\(error)", "\(path) is not a fansly-stash plan: there is data after the end of the gzip stream")
        }
    }

    func testAnOlderPlanCompressedIsRefusedAsOld() throws {
        let path = folder + "/old.plan.gz"
        let old =
            "{\n\"changes\": [],\n\"created_at\": \"2026-01-01T00:00:00Z\",\n\"format_version\": 2,\n\"tool\": \"x\",\n\"unmatched\": []\n}\n"
        try gzip(Data(old.utf8)).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try PlanFileReader.open(path: path)) { error in
            XCTAssertEqual(
                "\(error)",
                "\(path) was made by an older fansly-stash (plan format_version 2; this one reads 3): run plan again")
        }
    }
}
