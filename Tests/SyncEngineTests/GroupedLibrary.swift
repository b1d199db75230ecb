import Foundation
import SampleData

/// The library the grouped-plan tests plan group by group and whole: five creators with walls,
/// bundles and the sample's quirks (reposts and mentions across creators, shared hashtags).
enum GroupedLibrary {
    /// Where the downloads are, for the rules and for the files seeded into a test server.
    static let downloads = "/data/fansly"
    static let options = SampleOptions(
        creators: 5, postsPerCreator: 40, mediaPerPost: 3, messagesPerCreator: 6, includesQuirks: true)

    /// Writes the library's SQLite database into `folder` and returns its path.
    static func write(in folder: URL) throws -> String {
        let url = folder.appendingPathComponent("metadata_db.sqlite3")
        try SampleDatabase.write(to: url, options: options)
        return url.path
    }

    /// Writes rules into `folder` that also make wall and bundle galleries (a bundle holds images
    /// other creators' posts produced), followed by `extra` YAML; returns their path.
    static func galleryRules(in folder: URL, extra: String = "") throws -> String {
        let path = folder.appendingPathComponent("galleries.yaml").path
        try """
        extends: default
        settings:
          downloadRoot: \(downloads)
        wall:
          as: galleries
          gallery:
            fields:
              title: "{{ account.username }} - {{ wall.name }}"
              studio: creator
        bundle:
          gallery:
            fields:
              title: "{{ account.username }} bundle {{ bundle.id }}"

        """.appending(extra).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
