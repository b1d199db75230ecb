import FanslyMetadata
import Foundation
import SampleData
import XCTest

@testable import MappingRules

/// `evaluate(database:)` reads ahead on a second connection and thread; its state must be the one
/// the engine gives reading the database itself, page by page, on one thread.
final class PrefetchTests: XCTestCase {
    /// Three creators with several pages of posts each, messages, bundles, walls and every quirk
    /// of the bundled sample (reposts across creators, missing rows, odd values).
    static let options = SampleOptions(
        creators: 3, postsPerCreator: 200, mediaPerPost: 2, messagesPerCreator: 20,
        includesQuirks: true)
    static let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "prefetch-tests-\(UUID().uuidString)")
    /// Generated once for the class; tests that delete it work on a copy.
    static let generated: Result<URL, any Error> = Result {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent("metadata_db.sqlite3")
        try SampleDatabase.write(to: url, options: options)
        return url
    }

    override class func tearDown() {
        try? FileManager.default.removeItem(at: directory)
        super.tearDown()
    }

    func generatedDatabase() throws -> URL { try Self.generated.get() }

    /// The default rules plus bundle galleries, so that every stream the reader prefetches is read.
    static func rulesWithBundles() throws -> RuleSet {
        try RuleSet.load(
            yaml: """
                extends: default
                settings:
                  downloadRoot: /data/fansly
                bundle:
                  gallery:
                    fields:
                      title: "{{ account.username }} bundle {{ bundle.id }}"
                """, name: "bundles.yaml")
    }

    func testPrefetchedEvaluationEqualsTheSequentialOne() throws {
        let database = try MetadataDatabase(path: generatedDatabase().path)
        let creators = try database.creatorAccounts()
        XCTAssertEqual(creators.count, 3)
        for rules in [try RuleSet.builtInDefault(), try Self.rulesWithBundles()] {
            let engine = MappingEngine(rules: rules)
            let sequential = try engine.evaluate(source: database)
            let prefetched = try engine.evaluate(database: database)
            XCTAssertGreaterThan(sequential.entities.count, 1_500)
            XCTAssertEqual(prefetched, sequential)
            XCTAssertEqual(try engine.evaluate(database: database, creators: nil, readers: 2), sequential)
            XCTAssertEqual(try engine.evaluate(database: database, creators: nil, readers: 0), sequential)
            // A selection in another order (and a creator named twice) is read in the engine's order.
            let selection = [creators[2], creators[0], creators[2]]
            XCTAssertEqual(
                try engine.evaluate(database: database, creators: selection),
                try engine.evaluate(source: database, creators: selection))
        }
        XCTAssertTrue(try Self.rulesWithBundles().bundle.gallery.enabled)
        XCTAssertTrue(
            try MappingEngine(rules: Self.rulesWithBundles()).evaluate(database: database).entities
                .contains { $0.address.key.hasPrefix("bundle.") }, "the bundle stream was not mapped")
    }

    func testOneQueuedPageAndTinyPagesGiveTheSameState() throws {
        let database = try MetadataDatabase(path: generatedDatabase().path)
        let engine = MappingEngine(rules: try Self.rulesWithBundles())
        let creators = try database.creatorAccounts()
        let expected = try engine.evaluate(source: database, creators: creators)
        // The readers wait for room after every page: the threads hand over constantly.
        for readers in 1...3 {
            let source = PrefetchingSource(
                database: database, creators: creators, includeBundles: true, pageSize: 25,
                capacity: 1, readers: readers)
            source.start()
            let prefetched = try engine.evaluate(source: source, creators: creators)
            source.finish()
            XCTAssertEqual(prefetched, expected, "\(readers) readers")
            // Every stream (walls, posts, messages, bundles of each creator) came from a reader.
            XCTAssertEqual(source.streamsServed.queued, 4 * creators.count, "\(readers) readers")
            XCTAssertEqual(source.streamsServed.direct, 0, "\(readers) readers")
        }
    }

    func testStreamsAskedOutOfOrderAreReadDirectly() throws {
        let database = try MetadataDatabase(path: generatedDatabase().path)
        let creators = try database.creatorAccounts()
        let source = PrefetchingSource(
            database: database, creators: creators, includeBundles: false, pageSize: 50,
            capacity: 2, readers: 1)
        source.start()
        defer { source.finish() }
        func postIds(_ source: some MetadataRecordSource, _ creator: Account) throws -> [FanslyID] {
            var ids: [FanslyID] = []
            try source.forEachPostPage(creator: creator.id, pageSize: 50) { ids += $0.map(\.id) }
            return ids
        }
        // The second creator first (the reader's pages for the first are skipped), then the
        // first creator, whose stream has passed, then the second again.
        let second = try postIds(source, creators[1])
        XCTAssertEqual(second, try postIds(database, creators[1]))
        XCTAssertEqual(second.count, 200, "four pages of 50")
        XCTAssertEqual(try postIds(source, creators[0]), try postIds(database, creators[0]))
        XCTAssertEqual(try postIds(source, creators[1]), second)
        XCTAssertEqual(source.streamsServed.queued, 1)
        XCTAssertEqual(try source.walls(creator: creators[2].id), try database.walls(creator: creators[2].id))
        // A stream the reader never reads (bundles were not requested) comes from the database.
        var bundles: [FanslyID] = []
        var expected: [FanslyID] = []
        try source.forEachBundlePage(creator: creators[2].id, pageSize: 10) { bundles += $0.map(\.id) }
        try database.forEachBundlePage(creator: creators[2].id, pageSize: 10) { expected += $0.map(\.id) }
        XCTAssertEqual(bundles, expected)
    }

    func testAReaderThatCannotOpenTheFileLeavesTheEngineToReadItself() throws {
        let url = Self.directory.appendingPathComponent("copy-\(UUID().uuidString).sqlite3")
        try FileManager.default.copyItem(at: try generatedDatabase(), to: url)
        let database = try MetadataDatabase(path: url.path)
        let engine = MappingEngine(rules: try RuleSet.builtInDefault())
        let expected = try engine.evaluate(source: database)
        // The open connection keeps reading the unlinked file; a second connection cannot open it.
        try FileManager.default.removeItem(at: url)
        XCTAssertThrowsError(try MetadataDatabase(path: url.path))
        XCTAssertEqual(try engine.evaluate(database: database), expected)
    }

    func testAFailingEngineStopsTheReader() throws {
        let database = try MetadataDatabase(path: generatedDatabase().path)
        let creators = try database.creatorAccounts()
        let source = PrefetchingSource(
            database: database, creators: creators, includeBundles: false, pageSize: 20, capacity: 1)
        source.start()
        struct Stop: Error {}
        XCTAssertThrowsError(try source.forEachPostPage(creator: creators[0].id, pageSize: 20) { _ in throw Stop() }) {
            XCTAssertTrue($0 is Stop)
        }
        // Returns only once the reader thread has left (it was waiting for room in the queue).
        source.finish()
    }
}
