import Foundation
import XCTest

@testable import FanslyMetadata

/// `--db` as a URL, a password from the environment or ~/.pgpass, or the downloader's configuration.
final class PostgresLocationTests: XCTestCase {
    private let noEnvironment: [String: String] = [:]

    private func home() throws -> String { try TestSupport.temporaryDirectory(self).path }

    func testURLPartsDefaultsAndRedaction() throws {
        let endpoint = try PostgresEndpoint.parse(
            url: "postgresql://fansly_user:s3cr%40t@db.local:6543/fansly_metadata?sslmode=require",
            environment: noEnvironment)
        XCTAssertEqual(endpoint.host, "db.local")
        XCTAssertEqual(endpoint.port, 6543)
        XCTAssertEqual(endpoint.user, "fansly_user")
        XCTAssertEqual(endpoint.database, "fansly_metadata")
        XCTAssertEqual(endpoint.sslMode, .require)
        XCTAssertEqual(endpoint.password, "s3cr@t")
        XCTAssertEqual(endpoint.passwordSource, .url)
        XCTAssertEqual(endpoint.redactedURL, "postgresql://fansly_user@db.local:6543/fansly_metadata?sslmode=require")
        XCTAssertEqual("\(endpoint)", endpoint.redactedURL)
        var dumped = ""
        dump(endpoint, to: &dumped)
        XCTAssertFalse(dumped.contains("s3cr"), dumped)

        let timed = try PostgresEndpoint.parse(
            url: "postgresql://u@h/db?connect_timeout=3&sslmode=disable", environment: noEnvironment)
        XCTAssertEqual(timed.connectTimeout, 3)
        XCTAssertEqual(timed.redactedURL, "postgresql://u@h:5432/db?sslmode=disable&connect_timeout=3")
        let short = try PostgresEndpoint.parse(url: "postgres://alice@localhost/", environment: noEnvironment)
        XCTAssertEqual(short.port, 5432)
        XCTAssertEqual(short.database, "alice", "libpq's default database is the user name")
        XCTAssertEqual(short.sslMode, .prefer)
        XCTAssertNil(short.password)
        let bare = try PostgresEndpoint.parse(url: "postgresql:///fansly_metadata", environment: ["PGUSER": "bob"])
        XCTAssertEqual(bare.host, "localhost")
        XCTAssertEqual(bare.user, "bob")
        XCTAssertEqual(bare.database, "fansly_metadata")
    }

    func testBadURLsSayWhatIsWrongWithoutThePassword() {
        for (url, expected) in [
            (
                "postgresql://u:hunter2@h/db?sslmode=sometimes",
                "sslmode 'sometimes' is not one of disable, prefer, require, verify-ca, verify-full"
            ),
            ("postgresql://u:hunter2@h/db?application_name=x", "unsupported parameter 'application_name'"),
            ("postgresql://u:hunter2@h/db?connect_timeout=soon", "connect_timeout 'soon' is not a number of seconds"),
            ("postgresql://u:hunter2@h/a/b", "the path must be just the database name"),
            ("postgresql://u:hunter2@h:99999/db", "port"),
        ] {
            XCTAssertThrowsError(try PostgresEndpoint.parse(url: url, environment: noEnvironment), url) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains(expected), text)
                XCTAssertFalse(text.contains("hunter2"), text)
            }
        }
    }

    func testPasswordOrderURLThenFanslyVariableThenPGPASSWORDThenPgpass() throws {
        let home = try home()
        let pgpass = home + "/.pgpass"
        try "# comment\nother:5432:*:*:nope\nlocalhost:5432:fansly_metadata:fansly_user:from\\:pgpass\n".write(
            toFile: pgpass, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: pgpass)
        let url = "postgresql://fansly_user@localhost:5432/fansly_metadata"
        func resolved(_ argument: String, _ environment: [String: String]) throws -> PostgresEndpoint {
            guard
                case .postgres(let endpoint) = try ResolvedDatabase.resolve(
                    argument, environment: environment, homeDirectory: home
                ).location
            else {
                throw XCTSkip("not PostgreSQL")
            }
            return endpoint
        }
        let all = ["FANSLY_PG_PASSWORD": "from-fansly", "PGPASSWORD": "from-pg"]
        XCTAssertEqual(
            try resolved("postgresql://fansly_user:inline@localhost/fansly_metadata", all).password, "inline")
        XCTAssertEqual(try resolved(url, all).password, "from-fansly")
        XCTAssertEqual(try resolved(url, all).passwordSource, .environment("FANSLY_PG_PASSWORD"))
        XCTAssertEqual(try resolved(url, ["PGPASSWORD": "from-pg"]).password, "from-pg")
        let fromFile = try resolved(url, [:])
        XCTAssertEqual(fromFile.password, "from:pgpass", "\\: is an escaped colon")
        XCTAssertEqual(fromFile.passwordSource, .pgpass(pgpass))
        XCTAssertNil(try resolved("postgresql://someone@localhost/fansly_metadata", [:]).password, "no line matches")
        XCTAssertEqual(try resolved("postgresql://x@other:5432/any", [:]).password, "nope", "* matches anything")
        XCTAssertEqual(try resolved(url, ["PGPASSFILE": "/nonexistent"]).password, nil)
    }

    func testPgpassReadableByOthersIsIgnoredWithAWarning() throws {
        let home = try home()
        let pgpass = home + "/.pgpass"
        try "*:*:*:*:leaky\n".write(toFile: pgpass, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: pgpass)
        let resolved = try ResolvedDatabase.resolve("postgresql://u@h/db", environment: [:], homeDirectory: home)
        guard case .postgres(let endpoint) = resolved.location else { return XCTFail("not PostgreSQL") }
        XCTAssertNil(endpoint.password)
        XCTAssertEqual(
            resolved.warnings,
            ["\(pgpass) has group or world access, so it is ignored (as libpq does): run chmod 600 \(pgpass)"])
    }

    func testConfigYAMLPostgresSectionAndDownloadDirectory() throws {
        let folder = try home()
        let config = folder + "/config.yaml"
        try """
        options:
          download_directory: /srv/fansly
          download_mode: normal
        postgres:
          pg_host: db.example
          pg_port: 5433
          pg_database: fansly_metadata
          pg_user: fansly_user
          pg_password: from-config
          pg_sslmode: prefer
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let resolved = try ResolvedDatabase.resolve(config, environment: [:], homeDirectory: folder)
        guard case .postgres(let endpoint) = resolved.location else { return XCTFail("not PostgreSQL") }
        XCTAssertEqual(endpoint.redactedURL, "postgresql://fansly_user@db.example:5433/fansly_metadata")
        XCTAssertEqual(endpoint.password, "from-config")
        XCTAssertEqual(resolved.downloadRoot, "/srv/fansly")
        XCTAssertEqual(resolved.argument, config)
        XCTAssertEqual(
            resolved.description,
            "PostgreSQL database fansly_metadata on db.example:5433 as fansly_user, "
                + "password from pg_password in \(config) (from \(config))")
        XCTAssertFalse(resolved.description.contains("from-config"))

        let overridden = try ResolvedDatabase.resolve(
            config, environment: ["FANSLY_PG_PASSWORD": "env-wins"], homeDirectory: folder)
        guard case .postgres(let winner) = overridden.location else { return XCTFail("not PostgreSQL") }
        XCTAssertEqual(winner.password, "env-wins", "FANSLY_PG_PASSWORD wins over pg_password, as in the downloader")
    }

    func testConfigYAMLDefaultsAndLocalDirectory() throws {
        let folder = try home()
        let config = folder + "/config.yaml"
        try "options:\n  download_directory: Local_directory\npostgres:\n  pg_password: null\n".write(
            toFile: config, atomically: true, encoding: .utf8)
        let resolved = try ResolvedDatabase.resolve(config, environment: [:], homeDirectory: folder)
        guard case .postgres(let endpoint) = resolved.location else { return XCTFail("not PostgreSQL") }
        XCTAssertEqual(endpoint.redactedURL, "postgresql://fansly_user@localhost:5432/fansly_metadata")
        XCTAssertNil(endpoint.password)
        XCTAssertEqual(resolved.downloadRoot, folder, "Local_directory is the folder the downloader runs in")
    }

    func testConfigINIPostgresSectionLegacyOptionsAndSQLiteEra() throws {
        let folder = try home()
        let ini = folder + "/config.ini"
        try """
        [TargetedCreator]
        username = someone
        [Options]
        download_directory = downloads
        ; a comment
        [Postgres]
        pg_host = 10.0.0.5
        PG_PORT = 5544
        pg_database = meta
        pg_user = reader
        pg_password = ini-secret
        """.write(toFile: ini, atomically: true, encoding: .utf8)
        var resolved = try ResolvedDatabase.resolve(ini, environment: [:], homeDirectory: folder)
        guard case .postgres(let endpoint) = resolved.location else { return XCTFail("not PostgreSQL") }
        XCTAssertEqual(endpoint.redactedURL, "postgresql://reader@10.0.0.5:5544/meta")
        XCTAssertEqual(endpoint.password, "ini-secret")
        XCTAssertEqual(resolved.downloadRoot, folder + "/downloads")

        try "[Options]\ndownload_directory = /data\npg_host = legacy.host\npg_user = old\n".write(
            toFile: ini, atomically: true, encoding: .utf8)
        resolved = try ResolvedDatabase.resolve(ini, environment: [:], homeDirectory: folder)
        guard case .postgres(let legacy) = resolved.location else { return XCTFail("not PostgreSQL") }
        XCTAssertEqual(
            legacy.redactedURL, "postgresql://old@legacy.host:5432/fansly_metadata", "v0.11 kept pg_* under [Options]")

        try "[Options]\ndownload_directory = /data\nmetadata_db_file = /data/meta.sqlite3\n".write(
            toFile: ini, atomically: true, encoding: .utf8)
        resolved = try ResolvedDatabase.resolve(ini, environment: [:], homeDirectory: folder)
        XCTAssertEqual(resolved.location, .sqlite(path: "/data/meta.sqlite3"))
        XCTAssertEqual(resolved.downloadRoot, "/data")

        try "[Options]\ndownload_directory = /data\n".write(toFile: ini, atomically: true, encoding: .utf8)
        resolved = try ResolvedDatabase.resolve(ini, environment: [:], homeDirectory: folder)
        XCTAssertEqual(resolved.location, .sqlite(path: "/data/metadata_db.sqlite3"), "v0.10's default place")
    }

    func testASQLiteEraConfigGivesTheDownloadFolderToTheSQLiteDatabase() throws {
        let folder = try home()
        let ini = folder + "/config.ini"
        try "[Options]\ndownload_directory = /srv/fansly\nmetadata_db_file = \(TestSupport.sampleDatabase.path)\n"
            .write(toFile: ini, atomically: true, encoding: .utf8)
        let store = try MetadataStores.open(ResolvedDatabase.resolve(ini, environment: [:], homeDirectory: folder))
        XCTAssertTrue(store is MetadataDatabase)
        XCTAssertEqual(store.displayName, TestSupport.sampleDatabase.path)
        XCTAssertEqual(store.defaultDownloadRoot, "/srv/fansly", "download_directory, not the database's folder")
        XCTAssertEqual(
            try MetadataDatabase(path: TestSupport.sampleDatabase.path).defaultDownloadRoot,
            TestSupport.sampleDatabase.deletingLastPathComponent().path)
    }

    func testBrokenConfigsGetClearErrorsWithoutThePassword() throws {
        let folder = try home()
        let config = folder + "/config.yaml"
        try "postgres:\n  pg_password: topsecret\n  pg_port: [oops\n".write(
            toFile: config, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ResolvedDatabase.resolve(config, environment: [:], homeDirectory: folder)) { error in
            let text = "\(error)"
            XCTAssertTrue(
                text.hasPrefix("Cannot read the downloader configuration \(config): it is not valid YAML"), text)
            XCTAssertFalse(text.contains("topsecret"), text)
        }
        try "postgres:\n  pg_port: many\n".write(toFile: config, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ResolvedDatabase.resolve(config, environment: [:], homeDirectory: folder)) { error in
            XCTAssertEqual(
                "\(error)", "Cannot read the downloader configuration \(config): pg_port 'many' is not a port number.")
        }
        XCTAssertThrowsError(
            try ResolvedDatabase.resolve(folder + "/missing.yaml", environment: [:], homeDirectory: folder)
        ) { error in
            XCTAssertEqual(error as? MetadataError, .fileNotFound(path: folder + "/missing.yaml"))
        }
    }

    func testPlainPathsStaySQLite() throws {
        let resolved = try ResolvedDatabase.resolve("examples/../examples/sample-metadata.sqlite3", environment: [:])
        guard case .sqlite(let path) = resolved.location else { return XCTFail("not SQLite") }
        XCTAssertTrue(path.hasSuffix("/examples/sample-metadata.sqlite3"), path)
        XCTAssertEqual(resolved.argument, path)
    }
}
