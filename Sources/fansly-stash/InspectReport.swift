import FanslyMetadata
import Foundation

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
    static let headers = [
        "creator", "id", "posts", "messages", "bundles", "walls", "images", "videos",
        "previews", "downloaded", "hashtags",
    ]

    static func render(_ summaries: [CreatorSummary], path: String, alembicVersion: String?) -> String {
        var rows = summaries.map { summary -> [String] in
            [summary.account.username, String(summary.account.id)]
                + [
                    summary.posts, summary.messages, summary.bundles, summary.walls, summary.images, summary.videos,
                    summary.previews, summary.downloadedMedia, summary.hashtags,
                ].map(String.init)
        }
        if summaries.count > 1 {
            let totals = [
                \CreatorSummary.posts, \.messages, \.bundles, \.walls, \.images, \.videos, \.previews,
                \.downloadedMedia, \.hashtags,
            ].map { key in summaries.reduce(0) { $0 + $1[keyPath: key] } }
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
        var output = [
            "\(path) (alembic \(alembicVersion ?? "unknown")): \(summaries.count) creator\(summaries.count == 1 ? "" : "s")",
            "",
        ]
        if summaries.isEmpty {
            output.append("No creators: the database holds no posts, media or walls yet.")
        } else {
            output.append(line(headers))
            output += rows.map(line)
            if summaries.count > 1 {
                output += [
                    "",
                    "The total leaves messages and hashtags blank: creators share message groups and hashtags, "
                        + "so a sum would count them twice.",
                ]
            }
        }
        return output.joined(separator: "\n")
    }
}
