import Foundation
import PostgresTestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// `--db` pointing at PostgreSQL (a URL or the downloader's config.yaml) in the real binary:
/// inspect, plan and rules explain read it; every failure exits 1 with its own message; the
/// password shows nowhere.
final class PostgresCLITests: XCTestCase {
    static let sample = CLI.packageRoot.appendingPathComponent("examples/sample-metadata.sqlite3").path
    static let password = "cli-pg-secret-9d1e"
    var folder: URL!
    var server: TestPostgres!
    var role: String!

    override func setUpWithError() throws {
        guard let server = try TestPostgres.server() else { throw XCTSkip(TestPostgres.skipMessage) }
        self.server = server
        folder = try CLI.temporaryDirectory(self)
        role = try server.createRole(password: Self.password)
        let role = role!
        addTeardownBlock { server.dropRole(role) }
    }

    /// The bundled sample in PostgreSQL, readable by `role`; `change` applied (as the superuser).
    private func database(_ change: String = "") throws -> TestDatabase {
        let database = try server.createDatabase(schema: FanslyPostgresSchema.sql)
        addTeardownBlock { database.drop() }
        try SQLiteCopy.copy(sqlite: Self.sample, into: database)
        if !change.isEmpty { try database.execute(change) }
        try database.execute(
            "GRANT USAGE ON SCHEMA public TO \(role!); GRANT SELECT ON ALL TABLES IN SCHEMA public TO \(role!)")
        let role = role!
        addTeardownBlock {
            try? database.execute(
                "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM \(role); REVOKE ALL ON SCHEMA public FROM \(role)")
        }
        return database
    }

    private func url(_ database: TestDatabase, password: String? = PostgresCLITests.password) -> String {
        server.url(database: database.name, user: role, password: password)
    }

    private func run(_ arguments: [String], environment: [String: String] = [:]) throws -> CLIResult {
        let result = try CLI.run(
            arguments,
            environment: [
                "STASH_URL": "", "FANSLY_PG_PASSWORD": "", "PGPASSWORD": "",
                "PGPASSFILE": "/nonexistent",
                "XDG_STATE_HOME": folder.appendingPathComponent("state").path,
            ]
            .merging(environment) { $1 })
        XCTAssertFalse(
            result.output.contains(Self.password), "the password was printed by \(arguments):\n\(result.output)")
        return result
    }

    func testInspectByURLAndByTheDownloadersConfig() throws {
        let database = try database()
        let byURL = try run(["inspect", "--db", url(database)])
        XCTAssertEqual(byURL.exitCode, 0, byURL.stderr)
        let redacted = "postgresql://\(role!)@\(server.host):\(server.port)/\(database.name)"
        XCTAssertTrue(byURL.stdout.hasPrefix("\(redacted) (alembic 06658bf47c03): 3 creators"), byURL.stdout)
        let sqlite = try run(["inspect", "--db", Self.sample])
        XCTAssertEqual(
            byURL.stdout.split(separator: "\n").dropFirst(), sqlite.stdout.split(separator: "\n").dropFirst(),
            "the same counts as the SQLite file")

        let config = folder.appendingPathComponent("config.yaml").path
        try """
        options:
          download_directory: \(CLI.packageRoot.appendingPathComponent("examples").path)
        postgres:
          pg_host: \(server.host)
          pg_port: \(server.port)
          pg_database: \(database.name)
          pg_user: \(role!)
          pg_password: wrong-in-file
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let byConfig = try run(
            ["inspect", "--db", config, "--json"], environment: ["FANSLY_PG_PASSWORD": Self.password])
        XCTAssertEqual(byConfig.exitCode, 0, byConfig.stderr)
        XCTAssertTrue(byConfig.stdout.contains("\"database\" : \"\(redacted)\""), byConfig.stdout)
        XCTAssertEqual(
            byConfig.stderr,
            "Reading PostgreSQL database \(database.name) on \(server.host):\(server.port) as \(role!), "
                + "password from $FANSLY_PG_PASSWORD (from \(config))\n", "says which database was opened")
        let refused = try run(["inspect", "--db", config])
        XCTAssertEqual(refused.exitCode, 1)
        XCTAssertTrue(refused.stderr.contains("PostgreSQL refused the password of user \(role!) for "), refused.stderr)
        XCTAssertTrue(
            refused.stderr.contains("(password from pg_password in \(config)). Set FANSLY_PG_PASSWORD"), refused.stderr)
        XCTAssertFalse(refused.output.contains("wrong-in-file"))
    }

    func testPlanSaysOnceThatPostsCannotBeLinkedAndKeepsItInTheDocument() throws {
        // As v0.13+ writes: no attachments, no mentions.
        let database = try database("DELETE FROM attachments; DELETE FROM post_mentions;")
        let out = folder.appendingPathComponent("sync.plan").path
        let plan = try run(["plan", "--db", url(database), "--out", out])
        XCTAssertEqual(plan.exitCode, 0, plan.stderr)
        XCTAssertEqual(plan.stdout.components(separatedBy: "cannot be linked to their media").count, 2, plan.stdout)
        XCTAssertTrue(plan.stdout.contains("\nNote: "), plan.stdout)
        XCTAssertTrue(plan.stdout.contains("Planning postgresql://\(role!)@"), plan.stdout)
        XCTAssertTrue(plan.stderr.hasPrefix("Reading PostgreSQL database \(database.name) on "), plan.stderr)
        XCTAssertTrue(
            plan.stderr.contains(
                "Warning: postgresql://\(role!)@\(server.host):\(server.port)/\(database.name) does not say "
                    + "where the downloads are, so no file can be matched in Stash: set settings.downloadRoot"),
            plan.stderr)
        let saved = try String(contentsOfFile: out, encoding: .utf8)
        XCTAssertTrue(saved.contains(",\"notices\":[{\"counts\":{"), String(saved.suffix(2000)))
        XCTAssertFalse(saved.contains(Self.password))
        let json = try run(["plan", "--db", url(database), "--json"])
        XCTAssertTrue(json.stdout.contains("\"kind\":\"unlinked_posts\""), String(json.stdout.prefix(500)))

        // The same rows with their attachments (as after a migration): no notice.
        let migrated = try self.database()
        let linked = try run(["plan", "--db", url(migrated)])
        XCTAssertEqual(linked.exitCode, 0, linked.stderr)
        XCTAssertFalse(linked.stdout.contains("cannot be linked"), linked.stdout)
    }

    func testRulesExplainReadsPostgreSQL() throws {
        let database = try database()
        let explain = try run(["rules", "explain", "--db", url(database), "--account", "LunaVesper"])
        XCTAssertEqual(explain.exitCode, 0, explain.stderr)
        XCTAssertTrue(explain.stdout.contains("performer.account.lunavesper"), explain.stdout)
    }

    func testEveryFailureExitsOneWithItsMessage() throws {
        let database = try database()
        let cases: [(String, String)] = [
            (url(database, password: "not-it"), "PostgreSQL refused the password of user \(role!)"),
            (url(database, password: nil), "PostgreSQL wants a password for user \(role!)"),
            (
                server.url(database: "fansly_nowhere", user: role, password: Self.password),
                "has no database 'fansly_nowhere'"
            ),
            (url(database) + "?sslmode=require", "sslmode=require needs TLS, and the server does not offer it"),
            (
                "postgresql://\(role!):\(Self.password)@127.0.0.1:1/db",
                "Cannot connect to PostgreSQL at 127.0.0.1:1: connection refused"
            ),
            ("postgresql://u:\(Self.password)@h/db?sslmode=maybe", "sslmode 'maybe' is not one of"),
        ]
        for (argument, message) in cases {
            for command in [["inspect"], ["plan"], ["rules", "explain", "--account", "x"]] {
                let result = try run(command + ["--db", argument])
                XCTAssertEqual(result.exitCode, 1, "\(command) \(message): \(result.stderr)")
                XCTAssertTrue(result.stderr.contains(message), "\(command): \(result.stderr)")
            }
        }
        // A server that accepts the connection and never answers: the deadline ends it.
        let listener = try SilentListener()
        defer { listener.close() }
        let started = Date()
        let silent = try run([
            "plan", "--db", "postgresql://u:\(Self.password)@127.0.0.1:\(listener.port)/db?connect_timeout=2",
        ])
        XCTAssertEqual(silent.exitCode, 1)
        XCTAssertTrue(
            silent.stderr.contains("did not answer within 2 s while connecting and logging in"), silent.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)

        let incomplete = try server.createDatabase(
            schema: FanslyPostgresSchema.sql + "ALTER TABLE media DROP COLUMN is_downloaded;")
        addTeardownBlock { incomplete.drop() }
        try incomplete.execute("INSERT INTO alembic_version VALUES ('b6d60f698c27')")
        let missing = try run(["inspect", "--db", incomplete.url])
        XCTAssertEqual(missing.exitCode, 1)
        XCTAssertTrue(
            missing.stderr.contains(
                "is not a complete fansly-scraper metadata database: missing column media.is_downloaded"),
            missing.stderr)

        let newer = try server.createDatabase(schema: FanslyPostgresSchema.sql)
        addTeardownBlock { newer.drop() }
        try newer.execute("INSERT INTO alembic_version VALUES ('c0ffee000002')")
        let warned = try run(["inspect", "--db", newer.url])
        XCTAssertEqual(warned.exitCode, 0, warned.stderr)
        XCTAssertTrue(warned.stderr.contains("Warning: "), warned.stderr)
        XCTAssertTrue(
            warned.stderr.contains("is at alembic revision c0ffee000002, which fansly-stash does not know"),
            warned.stderr)

        let other = try server.createDatabase(schema: "CREATE TABLE invoices (id int)")
        addTeardownBlock { other.drop() }
        let result = try run(["inspect", "--db", other.url])
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertTrue(
            result.stderr.contains("is a PostgreSQL database but not a fansly-scraper metadata database"), result.stderr
        )
    }
}

/// A TCP socket on 127.0.0.1 that accepts connections (in its backlog) and never answers.
final class SilentListener {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound, listen(descriptor, 8) == 0 else { throw TestPostgresError("cannot listen on 127.0.0.1") }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { _ = Glibc.close(descriptor) }
}
