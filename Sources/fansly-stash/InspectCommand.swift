import ArgumentParser

// OWNER: issue 3 (FanslyMetadata). Placeholder until implemented.
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Summarise a metadata database per creator.")
    func run() async throws { throw ValidationError("not implemented yet") }
}
