import Foundation
import GRDB
import XCTest

/// A metadata database built from the reference DDL itself (`../shared/reference/
/// fansly-metadata-schema.sql`), filled with rows as the real downloader writes them: TEXT
/// timestamps with a fraction, booleans 0/1, 19-digit ids, phantom bundles, an HLS variant, a
/// `.None` preview of a locked video, a message attachment to a bundle that was never stored, a
/// handle-only mention, a repost (`AGGREGATED_POSTS`) and a poll.
enum AcceptanceReferenceDatabase {
    static let creator = "EmberWilde42"
    static let creatorId: Int64 = 281_038_385_793_998_848
    static let mentionedFriend = "otherpal"
    static let unknownHandle = "ghosthandle"
    /// Post with a real two-image bundle, hashtags `#Latex#LatexModel` and both mentions.
    static let bundlePost: Int64 = 537_124_881_301_504_000
    /// Post with one video whose file is named after its HLS variant.
    static let videoPost: Int64 = 484_272_142_024_704_000
    static let videoMedia: Int64 = 484_272_142_024_704_400
    static let videoVariant: Int64 = 484_272_142_024_704_403
    /// Post whose only media is locked: just a `.None` preview image was downloaded.
    static let lockedPost: Int64 = 486_482_292_768_768_100
    static let message: Int64 = 800_000_000_000_000_001
    static let messageGroup: Int64 = 810_000_000_000_000_001

    /// The reference DDL, or a skip when `../shared` is not beside the package.
    static func referenceSchema() throws -> String {
        var directory = CLI.packageRoot.deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("shared/reference/fansly-metadata-schema.sql")
            if FileManager.default.fileExists(atPath: candidate.path) {
                return try String(contentsOf: candidate, encoding: .utf8)
            }
            directory = directory.deletingLastPathComponent()
        }
        throw XCTSkip(
            "../shared/reference/fansly-metadata-schema.sql is absent beside the package; the reference-DDL acceptance tests are skipped"
        )
    }

    /// Writes the database to `url` and returns the downloaded files' paths relative to the download folder.
    @discardableResult
    static func write(to url: URL) throws -> [String] {
        let ddl = try referenceSchema()
        let rows = try self.rows
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false // real databases hold dangling references
        let queue = try DatabaseQueue(path: url.path, configuration: configuration)
        try queue.write { db in
            try db.execute(sql: ddl)
            try db.execute(sql: rows)
        }
        try queue.close()
        return files
    }

    /// Where the downloader saved each downloaded file (Stash scans all but the `.None` preview).
    static let files = [
        "EmberWilde42_fansly/Timeline/Pictures/2023-07-17_at_00-48_UTC_id_537124881301504299.jpeg",
        "EmberWilde42_fansly/Timeline/Pictures/2023-07-17_at_00-48_UTC_id_537124881301504300.jpeg",
        "EmberWilde42_fansly/Timeline/Videos/2023-02-21_at_04-30_UTC_id_484272142024704403.mp4",
        "EmberWilde42_fansly/Timeline/Pictures/2023-02-27_at_06-52_UTC_preview_id_486482292768768232.None",
        "EmberWilde42_fansly/Messages/Pictures/2024-01-05_at_12-00_UTC_id_600000000000000001.png",
    ]

    /// The rows, shared with FanslyMetadataTests' RealSchemaTests.
    static var rows: String {
        get throws {
            try String(
                contentsOf: CLI.packageRoot.appendingPathComponent("Tests/Fixtures/reference-database-rows.sql"),
                encoding: .utf8)
        }
    }
}
