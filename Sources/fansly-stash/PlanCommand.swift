import ArgumentParser

// OWNER: issue 6 (SyncEngine plan). Placeholder until implemented.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plan", abstract: "Show what apply would change in Stash (a dry run).")
    func run() async throws { throw ValidationError("not implemented yet") }
}
