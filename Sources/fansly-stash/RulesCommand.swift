import ArgumentParser

// OWNER: issue 4 (MappingRules). Placeholder until implemented.
struct RulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rules", abstract: "Check and explain mapping rules.")
    func run() async throws { throw ValidationError("not implemented yet") }
}
