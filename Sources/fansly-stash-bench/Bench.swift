import ArgumentParser

/// Benchmarks behind `swift run -c release fansly-stash-bench <suite>`; figures go to Docs/performance.md.
/// Each suite lives in its own file.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fansly-stash-bench",
        abstract: "Measure fansly-stash's speed and memory on generated data.",
        subcommands: [InspectBench.self, RulesBench.self, ClientBench.self, PlanBench.self, ApplyBench.self]
    )
}
