import ArgumentParser

/// The `fansly-stash` command: maps a fansly-downloader metadata database into Stash.
/// Each subcommand lives in its own file and stays thin: parsing, then a call into a library.
@main
struct FanslyStash: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fansly-stash",
        abstract: "Map a Fansly downloader's metadata database into Stash, rule-driven.",
        discussion: """
        Typical use:
          fansly-stash inspect --db metadata_db.sqlite3
          fansly-stash plan --db metadata_db.sqlite3 --stash-url http://localhost:9999 --out sync.plan
          fansly-stash apply sync.plan
        """,
        version: "0.1.0",
        subcommands: [InspectCommand.self, RulesCommand.self, PlanCommand.self, ApplyCommand.self]
    )
}
