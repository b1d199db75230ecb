import ArgumentParser

// OWNER: issue 6. Placeholder until implemented.
struct PlanBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plan")
    func run() async throws { throw ValidationError("not implemented yet") }
}
