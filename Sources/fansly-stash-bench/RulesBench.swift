import ArgumentParser

// OWNER: issue 4. Placeholder until implemented.
struct RulesBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rules")
    func run() async throws { throw ValidationError("not implemented yet") }
}
