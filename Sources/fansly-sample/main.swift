import ArgumentParser
import Foundation
import SampleData

/// `fansly-sample`: writes the bundled sample database or a large benchmark database.
struct FanslySample: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fansly-sample",
        abstract: "Generate a fansly-scraper metadata database (exact v0.10.x schema) from a fixed seed.",
        discussion: """
        Examples:
          fansly-sample --out examples/sample-metadata.sqlite3 --files examples/sample-files.txt --force
          fansly-sample --large --creators 5 --posts 20000 --media-per-post 3 --out /tmp/large.sqlite3
        """
    )

    @Option(help: "Database file to write.")
    var out: String

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

    @Flag(help: "Replace the output file if it exists.")
    var force = false

    func validate() throws {
        guard creators > 0 else { throw ValidationError("--creators must be at least 1") }
        guard posts >= 0, mediaPerPost >= 0 else { throw ValidationError("--posts and --media-per-post cannot be negative") }
    }

    func run() throws {
        let options: SampleOptions = large
            ? .large(creators: creators, postsPerCreator: posts / creators, mediaPerPost: mediaPerPost)
            : .sample
        let start = Date()
        let written = try SampleDatabase.write(to: URL(fileURLWithPath: out), options: options, replacing: force)
        if let files {
            try SampleDatabase.writeFileList(written, to: URL(fileURLWithPath: files))
        }
        let seconds = Date().timeIntervalSince(start)
        print("wrote \(out) (\(written.count) downloaded files) in \(String(format: "%.2f", seconds)) s")
    }
}

FanslySample.main()
