public import Foundation
import GRDB

/// Writes deterministic metadata databases with the exact schema of fansly-scraper v0.10.x,
/// and lists the files the downloader would have written beside them.
public enum SampleDatabase {
    /// Creates a new database at `url` filled according to `options`, in one transaction.
    /// Refuses to touch an existing file unless `replacing` is true (it could be a real database).
    /// - Returns: the downloaded files, sorted by path.
    @discardableResult
    public static func write(to url: URL, options: SampleOptions, replacing: Bool = false) throws -> [SampleFile] {
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: url.path) {
            guard replacing else { throw SampleDataError.fileExists(url.path) }
            try fileManager.removeItem(at: url)
        }
        let directory = url.deletingLastPathComponent().path
        guard fileManager.fileExists(atPath: directory) else { throw SampleDataError.directoryMissing(directory) }
        var configuration = Configuration()
        // The downloader's data has dangling references (message bundles, missing last messages).
        configuration.foreignKeysEnabled = false
        let queue = try DatabaseQueue(path: url.path, configuration: configuration)
        let files = try queue.write { db -> [SampleFile] in
            try FanslySchema.create(in: db, recordingRevision: nil)
            var generator = SampleGenerator(options: options, sink: DatabaseSink(db: db))
            try generator.run()
            return generator.files
        }
        try queue.close()
        return files
    }

    /// Creates a database with the schema and alembic revision but no rows: what the downloader
    /// writes before its first download.
    public static func writeEmpty(to url: URL) throws {
        guard !FileManager.default.fileExists(atPath: url.path) else { throw SampleDataError.fileExists(url.path) }
        let queue = try DatabaseQueue(path: url.path)
        try queue.write { db in try FanslySchema.create(in: db) }
        try queue.close()
    }

    /// The files the downloader would have written for a database generated with `options`
    /// (the same list `write(to:options:)` returns), without writing anything.
    public static func downloadedFiles(options: SampleOptions) -> [SampleFile] {
        var generator = SampleGenerator(options: options, sink: DiscardingSink())
        // The discarding sink cannot fail.
        try! generator.run()
        return generator.files
    }

    /// Writes `files`' paths to `url`, one per line, in order.
    public static func writeFileList(_ files: [SampleFile], to url: URL) throws {
        let text = files.map(\.path).joined(separator: "\n") + "\n"
        try Data(text.utf8).write(to: url, options: .atomic)
    }
}

/// Why the generator could not write a database.
public enum SampleDataError: Error, CustomStringConvertible, LocalizedError {
    /// The output file exists; the generator never overwrites a file unless asked to.
    case fileExists(String)
    /// The folder the database should go into does not exist.
    case directoryMissing(String)
    /// Not a `postgresql://user@host[:port]/dbname` URL (shown without its password).
    case invalidPostgresURL(String)
    /// The PostgreSQL database already has tables; the generator only fills an empty one.
    case databaseNotEmpty(String)

    /// The message shown to users.
    public var description: String {
        switch self {
        case .fileExists(let path):
            return "\(path) already exists; refusing to overwrite it (pass --force to replace a generated file)"
        case .directoryMissing(let path):
            return "the folder \(path) does not exist; create it first"
        case .invalidPostgresURL(let url):
            return "\(url) is not a PostgreSQL URL; expected postgresql://user[:password]@host[:port]/dbname"
        case .databaseNotEmpty(let target):
            return
                "\(target) already has tables; refusing to write into it (create an empty database with `createdb NAME`)"
        }
    }

    /// Same as `description`, for `localizedDescription`.
    public var errorDescription: String? { description }
}
