import ArgumentParser
import FanslyMetadata
import MappingRules
import SyncEngine

/// `fansly-stash rules explain`: which rule produced each field of one record's entities.
struct RulesExplain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract:
            "Show what the rules make of one post, message, media or account, and which rule produced each field.",
        discussion: """
            Prints the template variables of the record, then every entity it produces with each Stash field, \
            its strategy and the rule (file:line:column) that produced it. Give exactly one of --post, --message, \
            --media, --account.
            """
    )

    @Option(
        help: ArgumentHelp(
            "The downloader's metadata database: metadata_db.sqlite3, a postgresql://user@host/db URL, or its config.yaml.",
            valueName: "db"))
    var db: String

    @OptionGroup var rules: RulesFileOptions

    @Option(help: ArgumentHelp("A post id.", valueName: "id")) var post: FanslyID?
    @Option(help: ArgumentHelp("A message id.", valueName: "id")) var message: FanslyID?
    @Option(help: ArgumentHelp("An account_media id, media id or the id in a file name.", valueName: "id")) var media:
        FanslyID?
    @Option(help: ArgumentHelp("A username (any case) or account id.", valueName: "name")) var account: String?

    func validate() throws {
        let given = [post != nil, message != nil, media != nil, account != nil].filter { $0 }.count
        if given != 1 { throw ValidationError("give exactly one of --post, --message, --media, --account") }
    }

    func run() throws {
        let set = try rules.load()
        let (database, description, warnings) = try MetadataOpening.openReporting(db)
        announceDatabase(description, warnings: warnings)
        let target: ExplainTarget
        let label: String
        var creators: [Account]?
        if let post {
            target = .post(post); label = "post \(post)"
        } else if let message {
            target = .message(message); label = "message \(message)"
        } else if let media {
            target = .media(media); label = "media \(media)"
        } else {
            let found = try database.creator(matching: account!)
            target = .account(found.username)
            label = "account \(found.username)"
            creators = [found]
        }
        guard
            let explanation = try MappingEngine(rules: set).explain(
                target, source: StoreRecordSource(database), creators: creators)
        else {
            var standardError = StandardError()
            print("Error: no \(label) in \(database.displayName) (or the rules skip its creator)", to: &standardError)
            throw ExitCode(1)
        }
        print(RulesExplainReport.render(explanation, label: label, rules: set))
    }
}
