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
    private func planned(_ database: String, rules: [String] = [], groupLimit: Int, targets: [String] = [])
        async throws -> (String, String)
    {
        var request = PlanRequest(database: database, ruleFiles: rules, tool: "grouped-tests")
        request.groupLimit = groupLimit
        request.targets = targets
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

    /// A plan of `--target`s keeps only what they name of each group, and is the plan of the whole
    /// state narrowed to them: one entity, a wildcard, a whole kind, a shared tag, several at once.
    func testATargetedPlanInGroupsIsTheWholeTargetedPlan() async throws {
        let database = try generatedLibrary()
        let rules = [try galleryRules()]
        var request = PlanRequest(database: database, ruleFiles: rules, tool: "grouped-tests")
        request.groupLimit = .max
        // Offline, scenes and images are unmatched files, the rest changes.
        let whole = try await PlanOperation(request).run()
        let addresses = whole.changes.map(\.address) + whole.unmatched.map(\.address)
        let scene = try XCTUnwrap(addresses.last { $0.kind == .scene })
        let gallery = try XCTUnwrap(addresses.first { $0.kind == .gallery })
        let tag = try XCTUnwrap(addresses.first { $0.kind == .tag })
        let image = try XCTUnwrap(addresses.filter { $0.kind == .image }.dropFirst(7).first)
        let targetSets = [
            [scene.description], [String(gallery.description.dropLast(2)) + "*"], ["gallery"], [tag.description],
            [image.description, scene.description],
        ]
        for targets in targetSets {
            let (wholeFile, wholeReport) = try await planned(database, rules: rules, groupLimit: .max, targets: targets)
            XCTAssertTrue(wholeFile.contains(#""address""#), "\(targets) plans something")
            for limit in [1, 150] {
                let (file, report) = try await planned(database, rules: rules, groupLimit: limit, targets: targets)
                XCTAssertEqual(file, wholeFile, "plan file, \(targets), groups of \(limit)")
                XCTAssertEqual(report, wholeReport, "report, \(targets), groups of \(limit)")
            }
        }
    }

    /// What the narrowing keeps of a grouped evaluation: the shared entities and the target with
    /// what it refers to, nothing of the other groups; exactly what the whole state selects.
    func testTargetNarrowingKeepsOnlyWhatTheTargetsSelect() throws {
        let database = try MetadataDatabase(path: try generatedLibrary())
        let engine = MappingEngine(rules: try RuleSet.load(paths: [try galleryRules()]))
        let whole = try engine.evaluate(store: database)
        let image = try XCTUnwrap(whole.entities.last { $0.address.kind == .image })
        var narrowing = TargetNarrowing(targets: [image.address.description])
        try engine.evaluate(store: database, creators: nil, groupLimit: 1) { narrowing.take($0) }
        let narrowed = try narrowing.state()
        let selection = PlanSelection(targets: [image.address.description])
        let selected = try Planner(desired: whole, snapshot: .empty).select(selection)
        XCTAssertEqual(try Planner(desired: narrowed, snapshot: .empty).select(selection), selected)
        let shared = whole.entities.filter { PlanBuilder.isShared($0.address.kind) }
        let sharedAddresses = Set(shared.map(\.address))
        XCTAssertEqual(
            Set(narrowed.entities.map(\.address)),
            sharedAddresses.union(selected.map(\.address)), "the shared entities, the image and what it refers to")
        XCTAssertLessThan(narrowed.entities.count, whole.entities.count / 2)
        XCTAssertEqual(narrowed.creatorFolders, whole.creatorFolders)
    }

    /// A target nothing matches is refused as the whole state refuses it, with the same suggestion
    /// (the closest address of every group), or none when nothing is close.
    func testAnUnknownTargetInGroupsGetsTheWholeStatesSuggestion() async throws {
        let database = try generatedLibrary()
        var request = PlanRequest(database: database, ruleFiles: [], tool: "grouped-tests")
        request.groupLimit = .max
        let unmatched = try await PlanOperation(request).run().unmatched
        let scene = try XCTUnwrap(unmatched.last { $0.address.kind == .scene })
        let typo = String(scene.address.description.dropLast()) + "x"
        for targets in [[typo], ["no-such-thing.at-all"], [scene.address.description, typo]] {
            var errors: [String] = []
            for limit in [Int.max, 1, 150] {
                request.groupLimit = limit
                request.targets = targets
                do {
                    _ = try await PlanOperation(request).run()
                    XCTFail("\(targets) matched something")
                } catch let error as PlanError {
                    errors.append(error.description)
                }
            }
            XCTAssertEqual(Set(errors).count, 1, "\(errors)")
            XCTAssertEqual(errors.first?.contains(scene.address.description), targets.contains(typo), "\(errors)")
        }
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
