import ArgumentParser

// OWNER: issue 3. Placeholder until implemented.
struct InspectBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect")
    func run() async throws { throw ValidationError("not implemented yet") }
}
