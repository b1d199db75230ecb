import FanslyMetadata
public import MappingRules

/// `rules explain` as one call, for the CLI and a plugin alike: which rule produced each field of one
/// record's entities.
public enum ExplainOperation {
    /// What was explained: the subject as shown to people (`post 123`, `account luna`), the database
    /// as shown to people, and the explanation (nil when the database has no such record or the
    /// rules skip its creator).
    public struct Outcome: Sendable {
        public var label: String
        public var databaseName: String
        public var explanation: Explanation?
    }

    /// Opens `database` read-only (which database it is and its warnings go to `progress` as
    /// `.database` and `.warning` events) and evaluates `rules` for `subject` with explain on; an
    /// account (a username in any case, or an account id) is looked up first.
    public static func run(
        _ subject: ExplainTarget, rules: RuleSet, database spec: String, progress: OperationProgress
    ) throws -> Outcome {
        let database = try MetadataOpening.openAnnouncing(spec, progress: progress)
        let target: ExplainTarget
        let label: String
        var creators: [Account]?
        switch subject {
        case .post(let post): target = .post(post); label = "post \(post)"
        case .message(let message): target = .message(message); label = "message \(message)"
        case .media(let media): target = .media(media); label = "media \(media)"
        case .account(let account):
            let found = try database.creator(matching: account)
            target = .account(found.username)
            label = "account \(found.username)"
            creators = [found]
        }
        let explanation = try MappingEngine(rules: rules).explain(
            target, source: StoreRecordSource(database), creators: creators)
        return Outcome(label: label, databaseName: database.displayName, explanation: explanation)
    }
}
