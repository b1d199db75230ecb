import FanslyMetadata
import Foundation
import MappingRules
import PostgresTestSupport
import XCTest

@testable import SyncEngine

/// Planning from PostgreSQL through the operation layer: the plan equals the SQLite one for the same
/// rows, records the database without its password, and goes stale when the downloader writes.
final class PostgresPlanTests: XCTestCase {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    private static let sample = root.appendingPathComponent("examples/sample-metadata.sqlite3").path
    private let password = "plan-pg-secret-77"

    /// The sample in PostgreSQL and the downloader's config.yaml naming it (password in the file).
    private func migrated() throws -> (database: TestDatabase, config: String) {
        guard let server = try TestPostgres.server() else { throw XCTSkip(TestPostgres.skipMessage) }
        let database = try server.createDatabase(schema: FanslyPostgresSchema.sql)
        addTeardownBlock { database.drop() }
        try SQLiteCopy.copy(sqlite: Self.sample, into: database)
        let role = try server.createRole(password: password)
        try database.execute(
            "GRANT USAGE ON SCHEMA public TO \(role); GRANT SELECT ON ALL TABLES IN SCHEMA public TO \(role)")
        addTeardownBlock {
            try? database.execute(
                "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM \(role); REVOKE ALL ON SCHEMA public FROM \(role)")
            server.dropRole(role)
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pg-plan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("config.yaml").path
        try """
        options:
          download_directory: \(Self.root.appendingPathComponent("examples").path)
        postgres:
          pg_host: \(server.host)
          pg_port: \(server.port)
          pg_database: \(database.name)
          pg_user: \(role)
          pg_password: \(password)
        """.write(toFile: config, atomically: true, encoding: .utf8)
        return (database, config)
    }

    func testThePlanEqualsTheSQLiteOneAndGoesStaleWhenTheDownloaderWrites() async throws {
        let (database, config) = try migrated()
        let fixed = Date(timeIntervalSince1970: 1_700_000_000)
        var fromPostgres = try await PlanOperation(PlanRequest(database: config, tool: "fansly-stash test")).run()
        var fromSQLite = try await PlanOperation(PlanRequest(database: Self.sample, tool: "fansly-stash test")).run()
        XCTAssertEqual(fromPostgres.inputs.database.path, config, "re-opened as it was named")
        XCTAssertEqual(fromPostgres.inputs.database.alembicVersion, "06658bf47c03")
        XCTAssertEqual(fromPostgres.notices, [], "migrated rows keep their attachments")
        fromPostgres.createdAt = fixed; fromSQLite.createdAt = fixed
        fromPostgres.inputs.database = fromSQLite.inputs.database
        XCTAssertEqual(fromPostgres, fromSQLite, "the same rows give the same plan")
        XCTAssertFalse(String(decoding: try PlanFile.encode(fromPostgres), as: UTF8.self).contains(password))

        let plan = try await PlanOperation(PlanRequest(database: config, tool: "fansly-stash test")).run()
        XCTAssertNoThrow(try PlanStaleness.verify(plan.inputs, path: "sync.plan", stashURL: nil))
        try database.execute(
            """
            INSERT INTO posts (id, "accountId", content, "createdAt")
            SELECT 999000000000000001, "accountId", 'new', now() FROM posts LIMIT 1
            """)
        XCTAssertThrowsError(try PlanStaleness.verify(plan.inputs, path: "sync.plan", stashURL: nil)) { error in
            XCTAssertEqual(
                "\(error)",
                "stale plan sync.plan: the database \(config) changed since the plan was made (a downloader run?). Run plan again."
            )
        }
    }

    func testAPlanOfAV013DatabaseCarriesTheNotice() async throws {
        let (database, config) = try migrated()
        try database.execute("DELETE FROM attachments; DELETE FROM post_mentions;")
        let plan = try await PlanOperation(PlanRequest(database: config, tool: "fansly-stash test")).run()
        XCTAssertEqual(plan.notices.map(\.kind), ["unlinked_posts"])
        let counts = try XCTUnwrap(plan.notices.first?.counts)
        XCTAssertEqual(counts["posts_without_media_links"], counts["posts"])
        XCTAssertGreaterThan(counts["unlinked_downloaded_media"] ?? 0, 0)
        XCTAssertFalse(plan.changes.contains { $0.address.key.hasPrefix("post.") }, "no post gallery is invented")
        let one = try await PlanOperation(
            PlanRequest(database: config, creators: ["lunavesper"], tool: "fansly-stash test")
        ).run()
        XCTAssertLessThan(
            one.notices.first?.counts["posts"] ?? 0, counts["posts"] ?? 0, "counted for the planned creators")
    }

    /// A plan made creator group by creator group queries the notice while its parts are merged:
    /// the plan carries the notice the whole plan carries.
    func testAGroupedPlanOfAV013DatabaseCarriesTheWholePlansNotice() async throws {
        let (database, config) = try migrated()
        try database.execute("DELETE FROM attachments; DELETE FROM post_mentions;")
        let whole = try await PlanOperation(PlanRequest(database: config, tool: "fansly-stash test")).run()
        XCTAssertEqual(whole.notices.map(\.kind), ["unlinked_posts"])
        var request = PlanRequest(database: config, tool: "fansly-stash test")
        request.groupLimit = 5
        let renderer = PlanRenderer()
        let finished = try await PlanOperation(request).run(savingTo: nil, reportingWith: renderer)
        XCTAssertTrue(finished.isInFile, "planned group by group")
        var report = ""
        try finished.render(with: renderer) { report += $0 }
        XCTAssertEqual(report, renderer.render(whole), "the report made while merging says it")
        let grouped = try finished.plan()
        XCTAssertEqual(grouped.notices, whole.notices, "the plan file's trailer carries it")
        XCTAssertEqual(grouped.changes, whole.changes)
    }
}
