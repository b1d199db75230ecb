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

    @Option(help: ArgumentHelp("The downloader's metadata database (metadata_db.sqlite3).", valueName: "path"))
    var db: String

    @Option(name: .customLong("creator"),
            help: ArgumentHelp("Only this creator (username, case-insensitive, or account id). Repeatable.", valueName: "name"))
    var creators: [String] = []

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        let database = try MetadataOpening.open(db)
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
            print(try InspectReport(database: database.path, alembicVersion: identity.alembicVersion,
                                    creators: summaries.map(InspectReport.Creator.init)).json())
        } else {
            print(InspectTable.render(summaries, path: database.path, alembicVersion: identity.alembicVersion))
        }
    }
}

/// The `--json` document: stable keys, one object per creator.
struct InspectReport: Encodable {
    struct Creator: Encodable {
        var id: String
        var username: String
        var displayName: String?
        var posts, messages, bundles, walls, images, videos, previews, downloadedMedia, hashtags: Int

        init(_ summary: CreatorSummary) {
            // Ids as strings: 19-digit snowflakes lose precision in JavaScript numbers.
            id = String(summary.account.id)
            username = summary.account.username
            displayName = summary.account.displayName
            posts = summary.posts; messages = summary.messages; bundles = summary.bundles; walls = summary.walls
            images = summary.images; videos = summary.videos; previews = summary.previews
            downloadedMedia = summary.downloadedMedia; hashtags = summary.hashtags
        }
    }

    var database: String
    var alembicVersion: String?
    var creators: [Creator]

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

/// The human-readable table.
enum InspectTable {
    static let headers = ["creator", "id", "posts", "messages", "bundles", "walls", "images", "videos",
                          "previews", "downloaded", "hashtags"]

    static func render(_ summaries: [CreatorSummary], path: String, alembicVersion: String?) -> String {
        var rows = summaries.map { summary -> [String] in
            [summary.account.username, String(summary.account.id)]
                + [summary.posts, summary.messages, summary.bundles, summary.walls, summary.images, summary.videos,
                   summary.previews, summary.downloadedMedia, summary.hashtags].map(String.init)
        }
        if summaries.count > 1 {
            let totals = [\CreatorSummary.posts, \.messages, \.bundles, \.walls, \.images, \.videos, \.previews,
                          \.downloadedMedia, \.hashtags].map { key in summaries.reduce(0) { $0 + $1[keyPath: key] } }
            // Messages and hashtags can be shared between creators, so their totals are not summed.
            var totalRow = ["total", ""] + totals.map(String.init)
            totalRow[3] = ""; totalRow[10] = ""
            rows.append(totalRow)
        }
        let widths = headers.indices.map { column in ([headers] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                return index < 2 ? cell + padding : padding + cell
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        var output = ["\(path) (alembic \(alembicVersion ?? "unknown")): \(summaries.count) creator\(summaries.count == 1 ? "" : "s")", ""]
        if summaries.isEmpty {
            output.append("No creators: the database holds no posts, media or walls yet.")
        } else {
            output.append(line(headers))
            output += rows.map(line)
        }
        return output.joined(separator: "\n")
    }
}
