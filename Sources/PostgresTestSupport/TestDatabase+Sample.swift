public import SampleData
public import XCTest

extension TestPostgres {
    /// The test server, or a skip that says how to provide one (a failure with `CI=true`).
    public static func requireServer() throws -> TestPostgres {
        guard let server = try server() else { throw XCTSkip(skipMessage) }
        return server
    }

    /// A new database filled by the sample generator in `shape`, dropped when the test ends.
    /// - Returns: the database and the files the downloader would have written beside it.
    public static func sampleDatabase(
        _ testCase: XCTestCase, options: SampleOptions = .sample,
        shape: SampleShape
    ) async throws -> (database: TestDatabase, files: [SampleFile]) {
        let database = try requireServer().createDatabase(prefix: "fs_sample")
        testCase.addTeardownBlock { database.drop() }
        let files = try await SamplePostgres.write(
            to: PostgresTarget(url: database.url), options: options, shape: shape)
        return (database, files)
    }

    /// A sample database in `shape` and a login role that may only read it (CONNECT, USAGE and
    /// SELECT), both dropped when the test ends. The URL names the role without its password.
    public static func readOnlySample(_ testCase: XCTestCase, options: SampleOptions = .sample, shape: SampleShape)
        async throws
        -> (url: String, password: String, database: TestDatabase, files: [SampleFile])
    {
        let server = try requireServer()
        let password = "pg-reader-" + UUID().uuidString
        let role = try server.createRole(prefix: "fs_reader", password: password)
        // Registered first, so it runs after the database is dropped (teardown blocks run last-in first-out).
        testCase.addTeardownBlock { server.dropRole(role) }
        let (database, files) = try await sampleDatabase(testCase, options: options, shape: shape)
        try database.execute(
            """
            GRANT CONNECT ON DATABASE \(database.name) TO \(role);
            GRANT USAGE ON SCHEMA public TO \(role);
            GRANT SELECT ON ALL TABLES IN SCHEMA public TO \(role);
            """)
        return (server.url(database: database.name, user: role, password: nil), password, database, files)
    }
}

extension TestDatabase {
    /// One value of the first row (cast it to text in `sql`), nil for NULL or no row.
    public func value(_ sql: String) throws -> String? {
        try rows(sql).first?.first ?? nil
    }

    /// `accounts.username` by id.
    public func usernames() throws -> [Int64: String] {
        var result: [Int64: String] = [:]
        for row in try rows("SELECT id::text, username::text FROM accounts") {
            if let id = row[0].flatMap(Int64.init), let name = row[1] { result[id] = name }
        }
        return result
    }

    /// An MD5 over every row of every table in `public`, each table's rows in a fixed order:
    /// equal before and after a run means the run wrote nothing.
    public func checksum() throws -> String {
        let tables = try rows("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1").compactMap
        { $0[0] }
        return try tables.map { table in
            let digest = try value(
                """
                SELECT count(*)::text || ':' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '')
                FROM "\(table)" t
                """)
            return "\(table)=\(digest ?? "")"
        }.joined(separator: " ")
    }
}
