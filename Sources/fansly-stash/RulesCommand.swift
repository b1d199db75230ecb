import ArgumentParser
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
    @Option(
        name: .customLong("rules"),
        help: ArgumentHelp(
            "A rule file (YAML). Repeatable; later files override earlier ones. Default: the built-in rules.",
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
        // Warnings do not make the rules invalid (a download folder of another machine), but say so.
        var errors = StandardError()
        for warning in set.warnings { print("warning: \(warning)", to: &errors) }
        print(
            "OK: \(set.files.joined(separator: " + ")) — the rules are valid"
                + (set.warnings.isEmpty ? "" : " (\(set.warnings.count) warning\(set.warnings.count == 1 ? "" : "s"))"))
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
        // The shipped file with its field tables from the catalog (a test keeps the two equal).
        print(RuleSchema.text, terminator: "")
    }
}
