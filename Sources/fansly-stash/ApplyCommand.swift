import ArgumentParser

// OWNER: issue 7 (SyncEngine apply). Placeholder until implemented.
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "apply", abstract: "Execute a plan against Stash.")
    func run() async throws { throw ValidationError("not implemented yet") }
}
