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
        let outcome = try ExplainOperation.run(subject, rules: set, database: db, progress: announce)
        guard let explanation = outcome.explanation else {
            var standardError = StandardError()
            print(
                "Error: no \(outcome.label) in \(outcome.databaseName) (or the rules skip its creator)",
                to: &standardError)
            throw ExitCode(1)
        }
        print(RulesExplainReport.render(explanation, label: outcome.label, rules: set))
    }

    /// The one record `validate()` made sure was given.
    private var subject: ExplainTarget {
        if let post { return .post(post) }
        if let message { return .message(message) }
        if let media { return .media(media) }
        return .account(account!)
    }
}
