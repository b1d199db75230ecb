import FanslyMetadata
import Foundation
import MappingRules
import PostgresTestSupport
import SampleData
import XCTest

@testable import SyncEngine

/// An offline plan made creator group by creator group (`PlanRequest.groupLimit`) is the plan of the
/// whole library, byte for byte: plan file and report, on the bundled sample and on a generated
/// library whose creators share tags, mentioned performers, reposted posts and bundled images.
final class GroupedPlanTests: XCTestCase {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    private static let sample = root.appendingPathComponent("examples/sample-metadata.sqlite3").path
    private var folder: URL!

    override func setUp() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("grouped-plan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func generatedLibrary() throws -> String { try GroupedLibrary.write(in: folder) }

    private func galleryRules() throws -> String { try GroupedLibrary.galleryRules(in: folder) }

    /// The plan file's lines and the full report of an offline plan with `groupLimit`.
    private func planned(_ database: String, rules: [String] = [], groupLimit: Int) async throws -> (String, String) {
        var request = PlanRequest(database: database, ruleFiles: rules, tool: "grouped-tests")
        request.groupLimit = groupLimit
        var plan = try await PlanOperation(request).run()
        plan.createdAt = Date(timeIntervalSince1970: 1_800_000_000)
        var file = Data()
        try PlanFile.write(plan) { file.append($0) }
        return (String(decoding: file, as: UTF8.self), PlanRenderer().render(plan))
    }

    private func assertGroupedEqualsWhole(
        _ database: String, rules: [String] = [], limits: [Int], file: StaticString = #filePath, line: UInt = #line
    ) async throws {
        let (wholeFile, wholeReport) = try await planned(database, rules: rules, groupLimit: .max)
        XCTAssertGreaterThan(wholeFile.split(separator: "\n").count, 20, file: file, line: line)
        for limit in limits {
            let (groupedFile, groupedReport) = try await planned(database, rules: rules, groupLimit: limit)
            XCTAssertEqual(groupedFile, wholeFile, "plan file, groups of \(limit)", file: file, line: line)
            XCTAssertEqual(groupedReport, wholeReport, "report, groups of \(limit)", file: file, line: line)
        }
    }

    func testTheSamplePlannedCreatorByCreatorIsTheWholePlan() async throws {
        try await assertGroupedEqualsWhole(Self.sample, limits: [1, 5])
    }

    func testAGeneratedLibraryPlannedInGroupsIsTheWholePlan() async throws {
        let database = try generatedLibrary()
        try await assertGroupedEqualsWhole(database, limits: [1, 150, 400])
        try await assertGroupedEqualsWhole(database, rules: [try galleryRules()], limits: [1, 150])
    }

    /// The same from PostgreSQL (the generated library's rows copied there): both backends go group by group.
    func testAGeneratedLibraryInPostgreSQLPlannedInGroupsIsTheWholePlan() async throws {
        guard let server = try TestPostgres.server() else { throw XCTSkip(TestPostgres.skipMessage) }
        let database = try server.createDatabase(schema: FanslyPostgresSchema.sql)
        addTeardownBlock { database.drop() }
        try SQLiteCopy.copy(sqlite: try generatedLibrary(), into: database)
        try await assertGroupedEqualsWhole(database.url, rules: [try galleryRules()], limits: [1, 150])
    }

    /// The parts really are groups: several of them, the reposted post and what is connected to it
    /// held to the end, and together exactly the whole evaluation's entities.
    func testTheGroupsOfAGeneratedLibraryPartitionTheWholeState() throws {
        let database = try MetadataDatabase(path: try generatedLibrary())
        let engine = MappingEngine(rules: try RuleSet.load(paths: [try galleryRules()]))
        let whole = try engine.evaluate(store: database)
        var shared: [DesiredEntity] = []
        var groups: [[DesiredEntity]] = []
        var held: [DesiredEntity] = []
        try engine.evaluate(store: database, creators: nil, groupLimit: 1) { part in
            switch part {
            case .whole: XCTFail("a limit of one entity cannot hold the library")
            case .shared(let state): shared = state.entities
            case .group(let state): groups.append(state.entities)
            case .crossGroup(let state): held = state.entities
            }
        }
        XCTAssertGreaterThanOrEqual(groups.count, 4, "one group per creator, bar those held whole")
        XCTAssertTrue(shared.allSatisfy { [.tag, .studio, .performer].contains($0.address.kind) })
        XCTAssertTrue(held.contains { $0.address.kind == .gallery }, "the reposted post's gallery is several creators'")
        let parts = (shared + groups.flatMap { $0 } + held).sorted { $0.address < $1.address }
        XCTAssertEqual(parts.count, whole.entities.count)
        XCTAssertEqual(parts, whole.entities, "the parts hold the whole state's entities, merged alike")
        // Whatever a group refers to is in the group or shared.
        let sharedAddresses = Set(shared.map(\.address))
        let produced = Set(whole.entities.map(\.address))
        for group in groups {
            let own = Set(group.map(\.address)).union(sharedAddresses)
            for entity in group {
                for field in entity.fields {
                    for address in field.value.referencedAddresses where produced.contains(address) {
                        XCTAssertTrue(own.contains(address), "\(entity.address) refers to \(address) outside its group")
                    }
                }
            }
        }
    }
}
