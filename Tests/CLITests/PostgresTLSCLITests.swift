import Foundation
import PostgresTestSupport
import XCTest

/// `--db` at a PostgreSQL server that takes TLS connections only (its pg_hba.conf has hostssl lines
/// alone, a self-signed certificate), in the real binary: without TLS the user is told the server
/// requires it (exit 1); with sslmode=require, and with the default prefer, it reads.
final class PostgresTLSCLITests: XCTestCase {
    static let sample = CLI.packageRoot.appendingPathComponent("examples/sample-metadata.sqlite3").path
    /// Started once for the class (initdb takes seconds); nil with `startError` when it could not be.
    nonisolated(unsafe) static var cluster: PrivateCluster?
    nonisolated(unsafe) static var startError: Error?
    nonisolated(unsafe) static var database: TestDatabase?

    override class func setUp() {
        super.setUp()
        do {
            // Only where PostgreSQL tests run at all (CI=true without a server throws: a failure).
            guard try TestPostgres.server() != nil else { return }
            let cluster = try PrivateCluster.startSSLOnly()
            Self.cluster = cluster
            let database = try cluster.server.createDatabase(schema: FanslyPostgresSchema.sql)
            try SQLiteCopy.copy(sqlite: sample, into: database)
            Self.database = database
        } catch {
            startError = error
        }
    }

    override class func tearDown() {
        database?.drop()
        cluster?.stop()
        super.tearDown()
    }

    private var folder: URL!

    override func setUpWithError() throws {
        if let error = Self.startError { throw error }
        guard Self.database != nil else { throw XCTSkip(TestPostgres.skipMessage) }
        folder = try CLI.temporaryDirectory(self)
    }

    /// The database's URL with `sslmode` (nil: none, so the default prefer).
    private func url(sslMode: String?) -> String {
        let server = Self.cluster!.server
        let base = "postgresql://\(server.user):\(server.password)@\(server.host):\(server.port)/\(Self.database!.name)"
        return base + (sslMode.map { "?sslmode=\($0)" } ?? "")
    }

    private func run(_ arguments: [String]) throws -> CLIResult {
        let result = try CLI.run(
            arguments,
            environment: [
                "STASH_URL": "", "FANSLY_PG_PASSWORD": "", "PGPASSWORD": "",
                "PGPASSFILE": "/nonexistent",
                "XDG_STATE_HOME": folder.appendingPathComponent("state").path,
            ])
        XCTAssertFalse(
            result.output.contains(Self.cluster!.server.password), "the password was printed by \(arguments)")
        return result
    }

    func testWithoutTLSTheUserIsToldTheServerRequiresIt() throws {
        let server = Self.cluster!.server
        // The CLI shows URLs in errors without their user part.
        let location = "@\(server.host):\(server.port)/\(Self.database!.name)?sslmode=disable"
        for command in [["inspect"], ["plan"], ["rules", "explain", "--account", "x"]] {
            let result = try run(command + ["--db", url(sslMode: "disable")])
            XCTAssertEqual(result.exitCode, 1, "\(command): \(result.stderr)")
            XCTAssertTrue(
                result.stderr.hasPrefix("Error: Cannot connect to postgresql://"), "\(command): \(result.stderr)")
            XCTAssertTrue(
                result.stderr.contains("\(location): the server only accepts encrypted connections"),
                "\(command): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("use sslmode=require or prefer"), "\(command): \(result.stderr)")
            XCTAssertEqual(result.stdout, "", "\(command)")
        }
    }

    func testRequireAndPreferReadOverTLS() throws {
        let sqlite = try run(["inspect", "--db", Self.sample])
        XCTAssertEqual(sqlite.exitCode, 0, sqlite.stderr)
        // prefer (the default, no sslmode) upgrades to TLS when the server offers it, as libpq does.
        for mode in ["require", nil] {
            let result = try run(["inspect", "--db", url(sslMode: mode)])
            XCTAssertEqual(result.exitCode, 0, "sslmode=\(mode ?? "default"): \(result.stderr)")
            XCTAssertEqual(
                result.stdout.split(separator: "\n").dropFirst(), sqlite.stdout.split(separator: "\n").dropFirst(),
                "sslmode=\(mode ?? "default"): the same counts as the SQLite file")
        }
        let plan = try run(["plan", "--db", url(sslMode: "require")])
        XCTAssertEqual(plan.exitCode, 0, plan.stderr)
        XCTAssertTrue(plan.stdout.contains("Plan: "), plan.stdout)
    }

    func testAnUntrustedCertificateFailsTheHandshakeWhenVerified() throws {
        // The certificate is self-signed: verify-full (and verify-ca) must refuse it, not read.
        let result = try run(["inspect", "--db", url(sslMode: "verify-full")])
        XCTAssertEqual(result.exitCode, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("the TLS handshake failed"), result.stderr)
    }
}
