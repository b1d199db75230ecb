import ArgumentParser
import FanslyMetadata
import Foundation
import MappingRules

/// `fansly-stash rules`: check, show and explain mapping rules; print their JSON Schema.
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Check, show and explain mapping rules.",
        discussion: """
        Rules are YAML files (Docs/rules.md). Without --rules the built-in rules/default.yaml is used; \
        with several --rules files, later files override earlier ones key by key.
        """,
        subcommands: [RulesCheck.self, RulesShow.self, RulesExplain.self, RulesSchema.self],
        defaultSubcommand: RulesCheck.self
    )
}

/// The `--rules` option shared by the rules subcommands.
struct RulesFileOptions: ParsableArguments {
    @Option(name: .customLong("rules"),
            help: ArgumentHelp("A rule file (YAML). Repeatable; later files override earlier ones. Default: the built-in rules.",
                               valueName: "path"))
    var paths: [String] = []

    /// The loaded rules, or every problem printed to standard error and exit code 1.
    func load() throws -> RuleSet {
        do {
            return try RuleSet.load(paths: paths)
        } catch let error as RulesError {
            var standardError = StandardError()
            print(error.description, to: &standardError)
            throw ExitCode(1)
        }
    }

    var describedFiles: String { paths.isEmpty ? RuleSet.builtInName : paths.joined(separator: ", ") }
}

/// Writes to standard error.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) { FileHandle.standardError.write(Data(string.utf8)) }
}

struct RulesCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Load and validate rule files; report every problem (exit 1 when there is any).",
        discussion: "Problems are printed as file:line:column: message, one per line, all of them."
    )

    @OptionGroup var rules: RulesFileOptions

    func run() throws {
        let set = try rules.load()
        print("OK: \(set.files.joined(separator: " + ")) — the rules are valid")
    }
}

struct RulesShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print the effective rules (all files merged) as YAML."
    )

    @OptionGroup var rules: RulesFileOptions

    func run() throws {
        let set = try rules.load()
        print("# effective rules from \(set.files.joined(separator: " + "))")
        print(set.effectiveYAML, terminator: "")
    }
}

struct RulesSchema: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema of rule files (for editors: # yaml-language-server: $schema=…)."
    )

    func run() throws {
        print(EmbeddedRules.schemaJSON, terminator: EmbeddedRules.schemaJSON.hasSuffix("\n") ? "" : "\n")
    }
}

struct RulesExplain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show what the rules make of one post, message, media or account, and which rule produced each field.",
        discussion: """
        Prints the template variables of the record, then every entity it produces with each Stash field, \
        its strategy and the rule (file:line:column) that produced it. Give exactly one of --post, --message, \
        --media, --account.
        """
    )

    @Option(help: ArgumentHelp("The downloader's metadata database.", valueName: "path"))
    var db: String

    @OptionGroup var rules: RulesFileOptions

    @Option(help: ArgumentHelp("A post id.", valueName: "id")) var post: FanslyID?
    @Option(help: ArgumentHelp("A message id.", valueName: "id")) var message: FanslyID?
    @Option(help: ArgumentHelp("An account_media id, media id or the id in a file name.", valueName: "id")) var media: FanslyID?
    @Option(help: ArgumentHelp("A username (any case) or account id.", valueName: "name")) var account: String?

    func validate() throws {
        let given = [post != nil, message != nil, media != nil, account != nil].filter { $0 }.count
        if given != 1 { throw ValidationError("give exactly one of --post, --message, --media, --account") }
    }

    func run() throws {
        let set = try rules.load()
        let database = try MetadataDatabase(path: db)
        let target: ExplainTarget
        let label: String
        var creators: [Account]?
        if let post { target = .post(post); label = "post \(post)" }
        else if let message { target = .message(message); label = "message \(message)" }
        else if let media { target = .media(media); label = "media \(media)" }
        else {
            let found = try database.creator(matching: account!)
            target = .account(found.username)
            label = "account \(found.username)"
            creators = [found]
        }
        guard let explanation = try MappingEngine(rules: set).explain(target, source: database, creators: creators) else {
            var standardError = StandardError()
            print("Error: no \(label) in \(database.path) (or the rules skip its creator)", to: &standardError)
            throw ExitCode(1)
        }
        print(RulesExplainReport.render(explanation, label: label, rules: set))
    }
}

/// The text of `rules explain`.
enum RulesExplainReport {
    static func render(_ explanation: Explanation, label: String, rules: RuleSet) -> String {
        var lines = ["\(label) (creator \(explanation.creator), rules: \(rules.files.joined(separator: " + ")))", "", "variables:"]
        let width = explanation.variables.map(\.name.count).max() ?? 0
        for (name, value) in explanation.variables {
            let shown = value.count > 100 ? String(value.prefix(97)) + "..." : value
            lines.append("  " + name.padding(toLength: width, withPad: " ", startingAt: 0) + " = " + shown.replacingOccurrences(of: "\n", with: "\\n"))
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
                var line = "  " + field.name.padding(toLength: fieldWidth, withPad: " ", startingAt: 0) + " = " + field.value.displayText
                if field.strategy != .merge { line += "  [\(field.strategy.rawValue)]" }
                if let origin = origins[field.name] {
                    line += "   ← " + origin.rule + (origin.location.map { " (\($0))" } ?? "")
                }
                lines.append(line)
                for step in origins[field.name]?.steps ?? [] { lines.append("      then " + step) }
            }
            if !entity.match.isEmpty { lines.append("  match: " + entity.match.map(describe).joined(separator: ", ")) }
            for file in entity.files {
                lines.append("  file: \(file.isPreview ? "preview_id" : "id")_\(file.fileMediaId)\(file.basename.map { " (\($0))" } ?? "") in \(file.folders.joined(separator: " or "))")
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
