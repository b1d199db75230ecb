import ArgumentParser
import FanslyMetadata
import Foundation
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

/// The text of `rules explain`.
enum RulesExplainReport {
    static func render(_ explanation: Explanation, label: String, rules: RuleSet) -> String {
        var lines = [
            "\(label) (creator \(explanation.creator), rules: \(rules.files.joined(separator: " + ")))", "",
            "variables:",
        ]
        let width = explanation.variables.map(\.name.count).max() ?? 0
        for (name, value) in explanation.variables {
            let shown = value.count > 100 ? String(value.prefix(97)) + "..." : value
            lines.append(
                "  " + name.padding(toLength: width, withPad: " ", startingAt: 0) + " = "
                    + shown.replacingOccurrences(of: "\n", with: "\\n"))
        }
        if explanation.entities.isEmpty && explanation.why.isEmpty {
            lines += ["", "The rules produce nothing for it (disabled rules, a when: condition, or no file)."]
        }
        if !explanation.why.isEmpty {
            lines += ["", "why:"] + explanation.why.map { "  " + $0 }
        }
        for entity in explanation.entities {
            var flags: [String] = []
            flags.append(entity.createMissing ? "created when missing" : "never created")
            if entity.respectOrganized { flags.append("left alone when organized") }
            lines += ["", "\(entity.address)  (\(flags.joined(separator: ", ")); from \(entity.source))"]
            let origins = explanation.origins[entity.address] ?? [:]
            let fieldWidth = entity.fields.map(\.name.count).max() ?? 0
            for field in entity.fields {
                var line =
                    "  " + field.name.padding(toLength: fieldWidth, withPad: " ", startingAt: 0) + " = "
                    + field.value.displayText
                if field.strategy != .merge { line += "  [\(field.strategy.rawValue)]" }
                if let origin = origins[field.name] {
                    line += "   ← " + origin.rule + (origin.location.map { " (\($0))" } ?? "")
                }
                lines.append(line)
                for step in origins[field.name]?.steps ?? [] { lines.append("      then " + step) }
            }
            if !entity.match.isEmpty { lines.append("  match: " + entity.match.map(describe).joined(separator: ", ")) }
            for file in entity.files {
                lines.append(
                    "  file: \(file.isPreview ? "preview_id" : "id")_\(file.fileMediaId)\(file.basename.map { " (\($0))" } ?? "") in \(file.folders.joined(separator: " or "))"
                )
            }
        }
        return lines.joined(separator: "\n")
    }

    static func describe(_ key: MatchKey) -> String {
        switch key {
        case .name(let name, let disambiguation): return "name \"\(name)\"" + (disambiguation.map { " (\($0))" } ?? "")
        case .url(let url): return "url \(url)"
        case .code(let code): return "code \(code)"
        case .fileMediaId(let id): return "file id \(id)"
        case .stashIdHint(let id): return "stash id hint \(id)"
        }
    }
}
