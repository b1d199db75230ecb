import Foundation
import GRDB
import SampleData
import XCTest

@testable import FanslyMetadata

/// Paths and database builders shared by the FanslyMetadata tests.
enum TestSupport {
    /// The package root, found from this file's location.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var sampleDatabase: URL { packageRoot.appendingPathComponent("examples/sample-metadata.sqlite3") }
    static var sampleFileList: URL { packageRoot.appendingPathComponent("examples/sample-files.txt") }
    /// `shared/reference` beside the package root (`<clone>/../shared` in CI) or beside one of its
    /// ancestors (worktrees nest one level deeper); the first that exists.
    static var referenceDirectory: URL {
        var directory = packageRoot.deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("shared/reference")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/reference")
    }

    /// A fresh temporary directory, removed when the test ends.
    static func temporaryDirectory(_ testCase: XCTestCase) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("fansly-metadata-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        testCase.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Writes the generated sample into a temporary directory.
    static func generatedSample(_ testCase: XCTestCase, options: SampleOptions = .sample) throws -> URL {
        let url = try temporaryDirectory(testCase).appendingPathComponent("metadata_db.sqlite3")
        try SampleDatabase.write(to: url, options: options)
        return url
    }

    /// Creates a database with the reference schema (and alembic row), lets `build` add rows,
    /// and closes it. Foreign keys are off: real databases hold dangling references.
    static func makeDatabase(
        _ testCase: XCTestCase, name: String = "metadata_db.sqlite3", revision: String? = FanslySchema.alembicRevision,
        _ build: (Database) throws -> Void = { _ in }
    ) throws -> URL {
        let url = try temporaryDirectory(testCase).appendingPathComponent(name)
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false
        let queue = try DatabaseQueue(path: url.path, configuration: configuration)
        try queue.write { db in
            try FanslySchema.create(in: db, recordingRevision: revision)
            try build(db)
        }
        try queue.close()
        return url
    }

    /// Changes an existing test database (foreign keys off, as the downloader's data needs).
    static func modify(_ url: URL, _ change: (Database) throws -> Void) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false
        let queue = try DatabaseQueue(path: url.path, configuration: configuration)
        try queue.write(change)
        try queue.close()
    }

    static func bytes(_ url: URL) throws -> Data { try Data(contentsOf: url) }
}

/// Row builders with the downloader's conventions, for hand-made test databases.
extension Database {
    func insertAccount(
        _ id: Int64, _ username: String, created: DatabaseValueConvertible? = "2023-01-01 00:00:00.000000"
    ) throws {
        try execute(
            sql: "INSERT INTO accounts (id, username, \"createdAt\") VALUES (?, ?, ?)",
            arguments: [id, username, created])
    }

    func insertPost(
        _ id: Int64, account: Int64, content: String? = "post",
        created: DatabaseValueConvertible? = "2024-05-01 12:30:00.000000"
    ) throws {
        try execute(
            sql: "INSERT INTO posts (id, \"accountId\", content, \"createdAt\") VALUES (?, ?, ?, ?)",
            arguments: [id, account, content, created])
    }

    func insertMedia(
        _ id: Int64, account: Int64, mimetype: String? = "image/jpeg", type: Int? = 1,
        file: String? = nil, downloaded: Bool? = nil, created: DatabaseValueConvertible? = "2024-05-01 12:00:00.000000"
    ) throws {
        try execute(
            sql: """
                INSERT INTO media (id, "accountId", mimetype, type, local_filename, is_downloaded, "createdAt")
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, account, mimetype, type, file, downloaded ?? (file != nil), created])
    }

    func insertAccountMedia(
        _ id: Int64, account: Int64, media: Int64, preview: Int64? = nil, access: Bool = true,
        deleted: Bool = false, created: DatabaseValueConvertible = "2024-05-01 12:00:00.000000"
    ) throws {
        try execute(
            sql: """
                INSERT INTO account_media (id, "accountId", "mediaId", "previewId", "createdAt", deleted, access)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, account, media, preview, created, deleted, access])
    }

    func insertAttachment(
        _ id: Int64, post: Int64? = nil, message: Int64? = nil, content: Int64, pos: Int, type: String = "ACCOUNT_MEDIA"
    ) throws {
        try execute(
            sql: """
                INSERT INTO attachments (id, "postId", "messageId", "contentId", pos, "contentType") VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [id, post, message, content, pos, type])
    }
}
