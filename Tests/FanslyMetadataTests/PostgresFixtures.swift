import Foundation
import PostgresTestSupport
import XCTest

@testable import FanslyMetadata

/// Small PostgreSQL databases with fansly-scraper v0.15.1's schema, one per test, dropped after it.
enum PGFixture {
    /// The test server, or a skip (a failure with CI=true).
    static func server() throws -> TestPostgres {
        guard let server = try TestPostgres.server() else { throw XCTSkip(TestPostgres.skipMessage) }
        return server
    }

    /// A new database with the v0.15.1 schema, its alembic row, and `rows` (SQL) inserted.
    static func database(
        _ testCase: XCTestCase, revision: String? = FanslyPostgresSchema.alembicHead,
        schema: String = FanslyPostgresSchema.sql, rows: String = ""
    ) throws -> TestDatabase {
        let server = try server()
        let database = try server.createDatabase(schema: schema)
        testCase.addTeardownBlock { database.drop() }
        if let revision { try database.execute("INSERT INTO alembic_version VALUES ('\(revision)')") }
        if !rows.isEmpty { try database.execute(rows) }
        return database
    }

    /// The superuser's endpoint for `database` (password from the URL).
    static func endpoint(_ database: TestDatabase) throws -> PostgresEndpoint {
        try PostgresEndpoint.parse(url: database.url, environment: [:])
    }

    /// Opens `database` read-only; closed when the test ends.
    static func open(
        _ testCase: XCTestCase, _ database: TestDatabase,
        options: PostgresReadOptions = PostgresReadOptions()
    ) throws -> PostgresMetadataDatabase {
        let store = try PostgresMetadataDatabase(endpoint: endpoint(database), options: options)
        testCase.addTeardownBlock { store.close() }
        return store
    }

    static let creator = QuirkRows.creator, fan = QuirkRows.fan, image = QuirkRows.image
    static let hlsParent = QuirkRows.hlsParent, dashVariant = QuirkRows.dashVariant, hlsVariant = QuirkRows.hlsVariant
    static let locked = QuirkRows.locked, preview = QuirkRows.preview, storyImage = QuirkRows.storyImage
    static let post = QuirkRows.post, stubPost = QuirkRows.stubPost, wall = QuirkRows.wall, bundle = QuirkRows.bundle
    static let creatorRows = QuirkRows.sql

    /// The date SQLite's reader gives for the same instant stored as v0.10 text.
    static func sqliteDate(_ text: String) -> Date { Timestamp.parse(text)! }
}
