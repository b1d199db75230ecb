import ArgumentParser

// OWNER: issue 7. Placeholder until implemented.
struct ApplyBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "apply")
    func run() async throws { throw ValidationError("not implemented yet") }
}
