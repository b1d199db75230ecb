import ArgumentParser
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
        let inspection = try InspectOperation.run(database: db, creators: creators, progress: announce)
        if json {
            print(
                try InspectReport(
                    database: inspection.databaseName, alembicVersion: inspection.alembicVersion,
                    creators: inspection.creators.map(InspectReport.Creator.init)
                ).json())
        } else {
            print(
                InspectTable.render(
                    inspection.creators, path: inspection.databaseName, alembicVersion: inspection.alembicVersion))
        }
    }
}
