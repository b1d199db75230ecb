public import ArgumentParser
import Foundation
import SampleData

/// `fansly-sample`: writes the bundled sample database or a large benchmark database, as SQLite
/// (v0.10) or into an empty PostgreSQL database (v0.15.1's schema, migrated or v0.13 shape).
@main
struct FanslySample: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fansly-sample",
        abstract:
            "Generate a fansly-scraper metadata database from a fixed seed (SQLite v0.10.x or PostgreSQL v0.15.1 schema).",
        discussion: """
            Examples:
              fansly-sample --out examples/sample-metadata.sqlite3 --files examples/sample-files.txt --force
              fansly-sample --large --creators 5 --posts 20000 --media-per-post 3 --out /tmp/large.sqlite3
              fansly-sample --postgres postgresql://me@127.0.0.1/fansly_sample --shape v013 --files /tmp/v013-files.txt

            --postgres fills an existing, empty database (createdb NAME); the password comes from the URL
            or $PGPASSWORD. Shapes: `migrated` is the v0.10 data as the downloader's migration script
            copies it (attachments present, previews named .None); `v013` is what v0.13 and later write
            (no attachments or mentions, HLS files on the parent row, stories, stub posts).
            """
    )

    @Option(help: "SQLite database file to write.")
    var out: String?

    @Option(
        help: "PostgreSQL database to fill instead: postgresql://user[:password]@host[:port]/dbname (must be empty).")
    var postgres: String?

    @Option(help: "With --postgres: migrated or v013.")
    var shape: SampleShape = .v013

    @Option(help: "Also write the downloaded file paths (relative to the download folder) to this file.")
    var files: String?

    @Flag(help: "Generate a benchmark database instead of the quirk-rich sample.")
    var large = false

    @Option(help: "Creators (with --large).")
    var creators = 5

    @Option(help: "Posts in total, spread evenly over the creators (with --large).")
    var posts = 20_000

    @Option(help: "Media per post (with --large).")
    var mediaPerPost = 3

    @Flag(help: "Replace the output file if it exists (SQLite only).")
    var force = false

    func validate() throws {
        guard (out == nil) != (postgres == nil) else {
            throw ValidationError("give either --out FILE or --postgres URL")
        }
        guard creators > 0 else { throw ValidationError("--creators must be at least 1") }
        guard posts >= 0, mediaPerPost >= 0 else {
            throw ValidationError("--posts and --media-per-post cannot be negative")
        }
    }

    func run() async throws {
        let options: SampleOptions =
            large
            ? .large(creators: creators, postsPerCreator: posts / creators, mediaPerPost: mediaPerPost)
            : .sample
        let start = Date()
        let written: [SampleFile]
        let destination: String
        if let postgres {
            let target = try PostgresTarget(url: postgres)
            written = try await SamplePostgres.write(to: target, options: options, shape: shape)
            destination = "\(target) (\(shape.rawValue) shape)"
        } else {
            let out = out!
            written = try SampleDatabase.write(to: URL(fileURLWithPath: out), options: options, replacing: force)
            destination = out
        }
        if let files {
            try SampleDatabase.writeFileList(written, to: URL(fileURLWithPath: files))
        }
        let seconds = Date().timeIntervalSince(start)
        print("wrote \(destination) (\(written.count) downloaded files) in \(String(format: "%.2f", seconds)) s")
    }
}

extension SampleShape: ExpressibleByArgument {}
