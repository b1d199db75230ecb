import Foundation
import NIOCore
import PostgresNIO
import PostgresTestSupport
import XCTest

@testable import FanslyMetadata

#if canImport(Glibc)
import Glibc
#endif

/// Every way opening a PostgreSQL database goes wrong gets its own message (never the password).
final class PostgresErrorTests: XCTestCase {
    private func message(_ body: () throws -> Any) -> String {
        do { _ = try body() } catch { return "\(error)" }
        XCTFail("no error")
        return ""
    }

    /// A TCP socket on 127.0.0.1 that accepts connections (backlog) and never answers.
    private func silentListener() throws -> (port: Int, close: () -> Void) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound, listen(fd, 8) == 0 else { throw TestPostgresError("cannot listen") }
        return (Int(UInt16(bigEndian: address.sin_port)), { _ = Glibc.close(fd) })
    }

    func testRefusedAndUnknownHost() throws {
        let (port, close) = try silentListener()
        close()
        let refused = message {
            try PostgresMetadataDatabase(
                endpoint: PostgresEndpoint(host: "127.0.0.1", port: port, database: "x", user: "u"))
        }
        XCTAssertEqual(
            refused,
            "Cannot connect to PostgreSQL at 127.0.0.1:\(port): connection refused (nothing listens on that port). "
                + "Is the server running, and are pg_host/pg_port (or the URL's host and port) right?")
        let unknown = message {
            try PostgresMetadataDatabase(
                endpoint: PostgresEndpoint(host: "no-such-host.invalid", port: 5432, database: "x", user: "u"),
                options: PostgresReadOptions(connectTimeout: 10))
        }
        XCTAssertTrue(unknown.hasPrefix("Cannot connect to PostgreSQL at no-such-host.invalid:5432: "), unknown)
    }

    func testConnectTimeout() throws {
        let (port, close) = try silentListener()
        defer { close() }
        let started = Date()
        let text = message {
            try PostgresMetadataDatabase(
                endpoint: PostgresEndpoint(host: "127.0.0.1", port: port, database: "x", user: "u", sslMode: .disable),
                options: PostgresReadOptions(connectTimeout: 1))
        }
        XCTAssertEqual(
            text,
            "PostgreSQL at postgresql://u@127.0.0.1:\(port)/x?sslmode=disable did not answer within 1 s while connecting "
                + "and logging in. Check that the server is reachable and not blocked (a long migration or lock), then try again."
        )
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
    }

    func testStatementTimeoutWhileTheDownloaderHoldsALock() throws {
        let database = try PGFixture.database(self, rows: PGFixture.creatorRows)
        let locker = try database.server.connect(database: database.name)
        defer { try? locker.close().wait() }
        try TestPostgres.run("BEGIN; LOCK TABLE posts IN ACCESS EXCLUSIVE MODE", on: locker)
        let store = try PGFixture.open(
            self, database, options: PostgresReadOptions(connectTimeout: 5, statementTimeout: 1))
        let text = message { try store.creators() }
        XCTAssertTrue(
            text.hasPrefix("PostgreSQL at \(store.displayName) did not answer within 1 s while reading"), text)
    }

    func testAuthenticationFailuresNameTheVariable() throws {
        let server = try PGFixture.server()
        let role = try server.createRole(password: "right-password")
        addTeardownBlock { server.dropRole(role) }
        let wrong = try PostgresEndpoint.parse(
            url: server.url(database: "postgres", user: role, password: "wrong-password"), environment: [:])
        let text = message { try PostgresMetadataDatabase(endpoint: wrong) }
        XCTAssertEqual(
            text,
            "PostgreSQL refused the password of user \(role) for postgresql://\(role)@\(server.host):\(server.port)/postgres "
                + "(password from the URL). Set FANSLY_PG_PASSWORD to the right password (it wins over config files), or fix the URL."
        )
        XCTAssertFalse(text.contains("wrong-password"))
        let none = try PostgresEndpoint.parse(
            url: server.url(database: "postgres", user: role, password: nil), environment: [:])
        XCTAssertEqual(
            message { try PostgresMetadataDatabase(endpoint: none) },
            "PostgreSQL wants a password for user \(role) at \(none.redactedURL) and none was given. "
                + "Set FANSLY_PG_PASSWORD (the downloader's variable), or PGPASSWORD, or add it to ~/.pgpass.")
    }

    func testNoSuchDatabase() throws {
        let server = try PGFixture.server()
        let endpoint = try PostgresEndpoint.parse(
            url: server.url(database: "fansly_metadata_nowhere"), environment: [:])
        XCTAssertEqual(
            message { try PostgresMetadataDatabase(endpoint: endpoint) },
            "The PostgreSQL server of \(endpoint.redactedURL) has no database 'fansly_metadata_nowhere'. Check pg_database in "
                + "the downloader's config.yaml (default fansly_metadata) or the database name in the URL.")
    }

    func testTLSRequiredButNotOffered() throws {
        let database = try PGFixture.database(self, rows: PGFixture.creatorRows)
        let endpoint = try PostgresEndpoint.parse(url: database.url + "?sslmode=require", environment: [:])
        XCTAssertEqual(
            message { try PostgresMetadataDatabase(endpoint: endpoint) },
            "Cannot connect to \(endpoint.redactedURL): sslmode=require needs TLS, and the server does not offer it "
                + "(use sslmode=prefer or disable, or turn on ssl in the server's postgresql.conf).")
        // prefer (the default) falls back to plain TCP on this server.
        let preferred = try PostgresEndpoint.parse(url: database.url + "?sslmode=prefer", environment: [:])
        XCTAssertEqual(try PostgresMetadataDatabase(endpoint: preferred).creators().count, 1)
    }

    func testAnotherApplicationsDatabase() throws {
        let database = try PGFixture.database(
            self, revision: nil, schema: "CREATE TABLE orders (id int); CREATE TABLE customers (id int);")
        let endpoint = try PGFixture.endpoint(database)
        XCTAssertEqual(
            message { try PostgresMetadataDatabase(endpoint: endpoint) },
            "\(endpoint.redactedURL) is a PostgreSQL database but not a fansly-scraper metadata database: none of the tables "
                + "accounts, posts, media, account_media exist (it has: customers, orders).")
    }

    func testMissingColumnsAndTables() throws {
        let database = try PGFixture.database(
            self,
            schema: FanslyPostgresSchema.sql
                + "ALTER TABLE media DROP COLUMN local_filename; DROP TABLE post_hashtags;")
        let endpoint = try PGFixture.endpoint(database)
        XCTAssertEqual(
            message { try PostgresMetadataDatabase(endpoint: endpoint) },
            "\(endpoint.redactedURL) is not a complete fansly-scraper metadata database: missing column media.local_filename, "
                + "table post_hashtags. fansly-stash reads the schema of fansly-scraper v0.11 to v0.15.1 (alembic revision b6d60f698c27)."
        )
    }

    func testMissingAlembicRow() throws {
        let database = try PGFixture.database(self, revision: nil)
        let endpoint = try PGFixture.endpoint(database)
        XCTAssertEqual(
            message { try PostgresMetadataDatabase(endpoint: endpoint) },
            "\(endpoint.redactedURL) has the fansly-scraper tables but its alembic_version table is empty, so it was not created "
                + "by fansly-scraper's migrations or is damaged. Run the downloader once (it migrates its database on start), "
                + "or point at its own database.")
    }

    func testUnknownNewerRevisionWarnsAndReadsWhenColumnsAreThere() throws {
        let database = try PGFixture.database(self, revision: "c0ffee000001", rows: PGFixture.creatorRows)
        let store = try PGFixture.open(self, database)
        XCTAssertEqual(
            store.warnings,
            [
                "\(store.displayName) is at alembic revision c0ffee000001, which fansly-stash does not know "
                    + "(it knows fansly-scraper up to v0.15.1, revision b6d60f698c27); every table and column it reads is there, so it reads on. "
                    + "Check the plan, and update fansly-stash if something looks wrong."
            ])
        XCTAssertEqual(try store.creators().map(\.posts), [1])

        let broken = try PGFixture.database(
            self, revision: "c0ffee000001",
            schema: FanslyPostgresSchema.sql + "ALTER TABLE posts RENAME COLUMN content TO body;")
        let endpoint = try PGFixture.endpoint(broken)
        XCTAssertEqual(
            message { try PostgresMetadataDatabase(endpoint: endpoint) },
            "\(endpoint.redactedURL) is not a complete fansly-scraper metadata database: missing column posts.content, "
                + "(alembic revision c0ffee000001 is newer than fansly-stash knows). fansly-stash reads the schema of "
                + "fansly-scraper v0.11 to v0.15.1 (alembic revision b6d60f698c27).")
    }
}
