import ArgumentParser

// OWNER: issue 5. Placeholder until implemented.
struct ClientBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "client")
    func run() async throws { throw ValidationError("not implemented yet") }
}
