import FanslyMetadata
import Foundation
import SampleData
import XCTest

@testable import MappingRules

/// `evaluate(store:creators:groupLimit:part:)` reads every record once, and whatever entity count
/// the limit is first passed at (on the first entity, in the middle of a creator, near the end),
/// its parts hold exactly the whole evaluation's entities, none referring outside its group but to
/// shared ones.
final class GroupedEvaluationTests: XCTestCase {
    static let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "grouped-evaluation-tests-\(UUID().uuidString)")
    /// Five creators with the sample's quirks (reposts and mentions across creators), walls and bundles.
    static let generated: Result<String, any Error> = Result {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent("metadata_db.sqlite3")
        try SampleDatabase.write(
            to: url,
            options: SampleOptions(
                creators: 5, postsPerCreator: 40, mediaPerPost: 3, messagesPerCreator: 6, includesQuirks: true))
        return url.path
    }

    override class func tearDown() {
        try? FileManager.default.removeItem(at: directory)
        super.tearDown()
    }

    /// The default rules plus wall and bundle galleries (a bundle holds images other creators' posts produced).
    static func galleryRules() throws -> RuleSet {
        try RuleSet.load(
            yaml: """
                extends: default
                settings:
                  downloadRoot: /data/fansly
                wall:
                  as: galleries
                  gallery:
                    fields:
                      title: "{{ account.username }} - {{ wall.name }}"
                      studio: creator
                bundle:
                  gallery:
                    fields:
                      title: "{{ account.username }} bundle {{ bundle.id }}"
                """, name: "galleries.yaml")
    }

    private struct Parts {
        var whole: [DesiredEntity]?
        var shared: [DesiredEntity] = []
        var groups: [[DesiredEntity]] = []
        var held: [DesiredEntity] = []
    }

    private func parts(_ engine: MappingEngine, _ store: any MetadataStore, limit: Int, groupSize: Int? = nil) throws
        -> Parts
    {
        var parts = Parts()
        try engine.evaluate(store: store, creators: nil, groupLimit: limit, groupSize: groupSize) { part in
            switch part {
            case .whole(let state): parts.whole = state.entities
            case .shared(let state): parts.shared = state.entities
            case .group(let state): parts.groups.append(state.entities)
            case .crossGroup(let state): parts.held = state.entities
            }
        }
        return parts
    }

    func testEveryLimitGivesTheWholeStateInParts() throws {
        let database = try MetadataDatabase(path: try Self.generated.get())
        for rules in [try RuleSet.builtInDefault(), try Self.galleryRules()] {
            let engine = MappingEngine(rules: rules)
            let whole = try engine.evaluate(store: database)
            let locals = whole.entities.filter { !GroupRouter.isShared($0.address.kind) }.count
            XCTAssertGreaterThan(locals, 800)
            // Passed at once, inside the first creators, at about each creator's size, just before the end.
            for limit in [0, 1, 37, 150, 333, locals / 2, locals - 1] {
                let parts = try parts(engine, database, limit: limit)
                XCTAssertNil(parts.whole, "limit \(limit)")
                XCTAssertFalse(parts.groups.isEmpty, "limit \(limit)")
                let all = (parts.shared + parts.groups.flatMap { $0 } + parts.held).sorted { $0.address < $1.address }
                XCTAssertEqual(all, whole.entities, "limit \(limit): the parts hold the whole state, merged alike")
                let sharedAddresses = Set(parts.shared.map(\.address))
                let produced = Set(whole.entities.map(\.address))
                for group in parts.groups {
                    let own = Set(group.map(\.address)).union(sharedAddresses)
                    for entity in group {
                        for field in entity.fields {
                            for address in field.value.referencedAddresses where produced.contains(address) {
                                XCTAssertTrue(
                                    own.contains(address), "limit \(limit): \(entity.address) refers to \(address)")
                            }
                        }
                    }
                }
            }
            // At the limit the library fits: one pass, one part, the whole state.
            let fitting = try parts(engine, database, limit: locals)
            XCTAssertEqual(fitting.whole, whole.entities)
            XCTAssertTrue(fitting.groups.isEmpty && fitting.shared.isEmpty && fitting.held.isEmpty)
        }
    }

    /// The limit decides whether a library is grouped; the group size how: groups of one creator
    /// or one group of all, the same whole state either way.
    func testTheGroupSizeShapesTheGroupsOfALibraryPastTheLimit() throws {
        let database = try MetadataDatabase(path: try Self.generated.get())
        let engine = MappingEngine(rules: try Self.galleryRules())
        let whole = try engine.evaluate(store: database)
        let locals = whole.entities.filter { !GroupRouter.isShared($0.address.kind) }.count
        let oneEach = try parts(engine, database, limit: 1)
        XCTAssertGreaterThan(oneEach.groups.count, 2, "a group per creator at a limit of 1")
        for (size, groups) in [(1, oneEach.groups.count), (locals, 1)] {
            let parts = try parts(engine, database, limit: locals - 1, groupSize: size)
            XCTAssertNil(parts.whole, "past the limit: grouped")
            XCTAssertEqual(parts.groups.count, groups, "groups of at most \(size)")
            let all = (parts.shared + parts.groups.flatMap { $0 } + parts.held).sorted { $0.address < $1.address }
            XCTAssertEqual(all, whole.entities, "groups of at most \(size): the whole state")
        }
    }

    /// The spool is made only past the limit: a library that fits is evaluated whole even where no
    /// temporary file can be made; one that does not fit stops, saying where the file was to go.
    func testASpoolThatCannotBeMadeStopsOnlyALibraryThatDoesNotFit() throws {
        let database = try MetadataDatabase(path: try Self.generated.get())
        let engine = MappingEngine(rules: try RuleSet.builtInDefault())
        let whole = try engine.evaluate(store: database)
        let missing = Self.directory.appendingPathComponent("no-such-folder")
        var parts: [EvaluatedPart] = []
        try engine.evaluate(store: database, creators: nil, groupLimit: .max, spoolDirectory: missing) {
            parts.append($0)
        }
        guard parts.count == 1, case .whole(let state) = parts[0] else { return XCTFail("one whole part") }
        XCTAssertEqual(state.entities, whole.entities)
        XCTAssertThrowsError(
            try engine.evaluate(store: database, creators: nil, groupLimit: 10, spoolDirectory: missing) { _ in }
        ) { error in
            XCTAssertTrue("\(error)".contains(missing.path), "\(error)")
        }
    }

    func testAGroupedEvaluationReadsEveryRecordOnce() throws {
        let database = try MetadataDatabase(path: try Self.generated.get())
        let creators = try database.creatorAccounts()
        let engine = MappingEngine(rules: try Self.galleryRules())
        let whole = try engine.evaluate(store: database)
        let counting = CountingStore(database)
        let parts = try parts(engine, counting, limit: 100)
        XCTAssertGreaterThanOrEqual(parts.groups.count, 3)
        XCTAssertEqual(
            (parts.shared + parts.groups.flatMap { $0 } + parts.held).sorted { $0.address < $1.address },
            whole.entities)
        let reads = counting.reads
        for stream in ["walls", "posts", "messages", "media", "bundles"] {
            XCTAssertEqual(reads[stream], creators.count, "\(stream): one read per creator")
        }
    }
}

/// A SQLite database that counts the record streams read from it (a store that is not a
/// `MetadataDatabase` is read on the engine's thread, in the engine's order).
private final class CountingStore: MetadataStore, @unchecked Sendable {
    private let database: MetadataDatabase
    private let lock = NSLock()
    private var counts: [String: Int] = [:]

    init(_ database: MetadataDatabase) { self.database = database }

    var reads: [String: Int] { lock.withLock { counts } }

    private func count(_ stream: String) { lock.withLock { counts[stream, default: 0] += 1 } }

    var displayName: String { database.displayName }
    var warnings: [String] { database.warnings }
    var defaultDownloadRoot: String? { database.defaultDownloadRoot }
    func identity() throws -> DatabaseIdentity { try database.identity() }
    func creators() throws -> [CreatorSummary] { try database.creators() }
    func creatorAccounts() throws -> [Account] { try database.creatorAccounts() }
    func summary(creator: FanslyID) throws -> CreatorSummary { try database.summary(creator: creator) }
    func creator(matching nameOrId: String) throws -> Account { try database.creator(matching: nameOrId) }
    func accounts(ids: [FanslyID]) throws -> [FanslyID: Account] { try database.accounts(ids: ids) }
    func walls(creator: FanslyID) throws -> [Wall] {
        count("walls")
        return try database.walls(creator: creator)
    }
    func forEachPostPage(creator: FanslyID, pageSize: Int, _ body: ([Post]) throws -> Void) throws {
        count("posts")
        try database.forEachPostPage(creator: creator, pageSize: pageSize, body)
    }
    func forEachMessagePage(creator: FanslyID, pageSize: Int, _ body: ([Message]) throws -> Void) throws {
        count("messages")
        try database.forEachMessagePage(creator: creator, pageSize: pageSize, body)
    }
    func forEachBundlePage(creator: FanslyID, pageSize: Int, _ body: ([MediaBundle]) throws -> Void) throws {
        count("bundles")
        try database.forEachBundlePage(creator: creator, pageSize: pageSize, body)
    }
    func forEachMediaPage(creator: FanslyID, pageSize: Int, _ body: ([AccountMedia]) throws -> Void) throws {
        count("media")
        try database.forEachMediaPage(creator: creator, pageSize: pageSize, body)
    }
    func forEachMediaPage(
        creator: FanslyID, pageSize: Int, excluding excluded: Set<FanslyID>, _ body: ([AccountMedia]) throws -> Void
    ) throws {
        count("media")
        try database.forEachMediaPage(creator: creator, pageSize: pageSize, excluding: excluded, body)
    }
    func accountMedia(forFileIds fileIds: [FanslyID]) throws -> [FanslyID: [AccountMedia]] {
        try database.accountMedia(forFileIds: fileIds)
    }
    func hashtags(creator: FanslyID) throws -> [Hashtag] { try database.hashtags(creator: creator) }
    func stories(creator: FanslyID) throws -> [Story] { try database.stories(creator: creator) }
    func mediaLinkage(creators: [FanslyID]) throws -> MediaLinkage? { try database.mediaLinkage(creators: creators) }
}
