import ArgumentParser
import FanslyMetadata
import Foundation
import SyncEngine

/// `fansly-stash inspect`: what a metadata database holds, per creator.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Summarise a metadata database per creator.",
        discussion: """
            Counts per creator: posts, messages, real bundles, walls, media items (images, videos, \
            items with a preview), media whose file was downloaded, and distinct hashtags. \
            The database is opened read-only and never written.
            """
    )

    @Option(
        help: ArgumentHelp(
            "The downloader's metadata database: metadata_db.sqlite3, a postgresql://user@host/db URL, or its config.yaml.",
            valueName: "db"))
    var db: String

    @Option(
        name: .customLong("creator"),
        help: ArgumentHelp(
            "Only this creator (username, case-insensitive, or account id). Repeatable.", valueName: "name"))
    var creators: [String] = []

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        let (database, description, warnings) = try MetadataOpening.openReporting(db)
        announceDatabase(description, warnings: warnings)
        let summaries: [CreatorSummary]
        if creators.isEmpty {
            summaries = try database.creators()
        } else {
            var seen = Set<FanslyID>()
            summaries = try creators.map { try database.creator(matching: $0) }
                .filter { seen.insert($0.id).inserted }
                .map { try database.summary(creator: $0.id) }
        }
        let identity = try database.identity()
        if json {
            print(
                try InspectReport(
                    database: database.displayName, alembicVersion: identity.alembicVersion,
                    creators: summaries.map(InspectReport.Creator.init)
                ).json())
        } else {
            print(InspectTable.render(summaries, path: database.displayName, alembicVersion: identity.alembicVersion))
        }
    }
}
