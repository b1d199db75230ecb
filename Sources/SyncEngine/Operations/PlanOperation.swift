import FanslyMetadata
import Foundation
import MappingRules
import StashClient

/// `plan` as a library call: opens the database and the rules, starts reading Stash while the rules
/// are evaluated, and computes the `Plan`. Writes nothing anywhere (no state file is created).
public struct PlanOperation: Sendable {
    /// What to plan.
    public var request: PlanRequest

    /// An operation that runs `request` (nothing happens before `run`).
    public init(_ request: PlanRequest) { self.request = request }

    /// Objects per page when a plan reads Stash: every scene and image under the creator folders.
    static let stashPageSize = 5000

    /// Computes the plan and returns it whole, in memory (`run(savingTo:)` for a plan that may be
    /// large); `progress` receives `.status` lines. Throws the sources' own errors (`MetadataError`,
    /// `RulesError`, `StashError`) and `OperationFailure`.
    public func run(progress: @escaping OperationProgress = { _ in }) async throws -> Plan {
        try await run(savingTo: nil, progress: progress).plan()
    }

    /// Computes the plan and saves it to the plan file at `path` when one is given (gzip-compressed
    /// when it ends in `.gz`; a plan there is replaced only once the new one is complete). A plan
    /// made whole (a small library, `--creator`, `--target`, an online plan that falls back to the
    /// whole state) is returned in memory;
    /// one made creator group by creator group goes straight to a file, `path` or a temporary one
    /// without a name that is gone with the result, and is never held whole: `FinishedPlan`
    /// renders, prints and counts either alike. With `renderer` (the report that will be asked
    /// for), a plan made part by part has its report made as it is planned, and
    /// `FinishedPlan.render(with:)` with that renderer does not read the plan file again. Throws as
    /// `run(progress:)`, and `OperationFailure` when the plan cannot be saved.
    public func run(
        savingTo path: String?, reportingWith renderer: PlanRenderer? = nil,
        progress: @escaping OperationProgress = { _ in }
    ) async throws -> FinishedPlan {
        let status: @Sendable (String) -> Void = { progress(.status($0)) }
        // Planning is one CPU-bound pass with helper threads; one arena keeps their frees reusable.
        GlibcMalloc.limitToOneArena()
        status("opening \(MetadataOpening.displayName(request.database))…")
        let database = try MetadataOpening.openAnnouncing(request.database, progress: progress)
        let identity = try database.identity()
        status("loading rules…")
        let ruleSet = try RuleSet.load(paths: request.ruleFiles)
            .overridingSettings(downloadRoot: request.downloadRoot, pathMap: request.pathMap)
        if database.defaultDownloadRoot == nil && !ruleSet.setsDownloadRoot {
            progress(
                .warning(
                    "\(database.displayName) does not say where the downloads are, so no file can be matched in "
                        + "Stash: set settings.downloadRoot in your rules, or pass the downloader's config.yaml as --db "
                        + "(its download_directory is used)"))
        }
        // A username (any case) or an account id; an unknown name gets a "did you mean".
        let accounts = request.creators.isEmpty ? nil : try request.creators.map { try database.creator(matching: $0) }
        let usernames = accounts?.map(\.username) ?? []
        // Listing the creators scans the database: done once, for every step that needs them.
        let creators = try accounts ?? database.creatorAccounts()
        let engine = MappingEngine(rules: ruleSet)

        let client = request.stash.map { endpoint in
            var configuration = StashConfiguration(
                endpoint: endpoint, apiKey: request.apiKey,
                apiKeyEnvironmentVariable: request.apiKeyEnvironmentVariable, pageSize: Self.stashPageSize)
            configuration.sessionCookie = request.sessionCookie
            return StashClient(configuration: configuration)
        }
        let links = try StateFiles.linksForPlanning(statePath: request.statePath, stash: request.stash)

        // Stash is read while the rules are evaluated: what it holds under the creator folders does
        // not depend on the records. With targets, the kinds to read are only known afterwards.
        var prefetched: StashSnapshotLoader.Prefetch?
        var folders: [String: [String]] = [:]
        if let client, request.targets.isEmpty {
            folders = try engine.creatorFolders(source: StoreRecordSource(database), creators: creators)
            var loader = StashSnapshotLoader(client: client)
            loader.objectsInMemory = request.stashObjectsInMemory
            prefetched = loader.prefetch(creatorFolders: folders)
        }
        defer { prefetched?.cancel() }
        let inputs = PlanInputs(
            rulesHash: RulesHash.of(canonicalData: ruleSet.canonicalData),
            rulesFiles: request.ruleFiles.map { URL(fileURLWithPath: $0).standardizedFileURL.path },
            database: identity, stashURL: request.stash?.description,
            creators: usernames.map { $0.lowercased() }, targets: request.targets)
        let rulesWarnings = ruleSet.warnings.map {
            PlanNotice(kind: PlanNotice.rulesWarningKind, message: $0.description, counts: [:])
        }
        status("evaluating the rules over the database…")
        var evaluated: DesiredState?
        if let client, let prefetched, accounts == nil {
            // Online, everything: group by group too, when that gives the whole plan.
            switch try await planGroupedOnline(
                engine: engine, database: database, creators: creators, client: client, prefetched: prefetched,
                folders: folders,
                links: links, inputs: inputs, renderer: renderer, status: status)
            {
            case .planned(let grouped, let notice):
                defer { grouped.abandon() }
                let linkage = linkageNoticesMeanwhile(database, creators)
                return try finish(grouped, inputs: inputs, savingTo: path) {
                    try linkage.value() + rulesWarnings + (notice.map { [$0] } ?? [])
                }
            case .whole(let state): evaluated = state
            case .fallBack(let reason): status("planning the whole library at once (\(reason))…")
            }
        }
        if evaluated == nil && client == nil && request.targets.isEmpty && accounts == nil {
            // Offline, everything: creator group by creator group (a small library in one piece).
            var whole: DesiredState?
            let grouped = GroupedPlan(
                inputs: inputs, tool: request.tool, links: try links?.allLinks() ?? [:], renderer: renderer)
            // However this ends, no part is left planning and the spooled parts are released.
            defer { grouped.abandon() }
            try engine.evaluate(
                store: database, creators: creators, groupLimit: request.groupLimit, groupSize: request.groupSize
            ) { part in
                if case .whole(let state) = part { whole = state } else { try grouped.take(part) }
            }
            if let whole {
                evaluated = whole
            } else {
                let linkage = linkageNoticesMeanwhile(database, creators)
                return try finish(grouped, inputs: inputs, savingTo: path) { try linkage.value() + rulesWarnings }
            }
        }
        if evaluated == nil && !request.targets.isEmpty {
            // Targets: group by group too, keeping only what they name (a small library in one piece).
            var narrowing = TargetNarrowing(targets: request.targets)
            try engine.evaluate(
                store: database, creators: creators, groupLimit: request.groupLimit, groupSize: request.groupSize
            ) { narrowing.take($0) }
            evaluated = try narrowing.state()
        }
        let desired = try evaluated ?? engine.evaluate(store: database, creators: creators)
        let notices = try linkageNotices(database, creators)

        var session = PlanSession(
            desired: desired, inputs: inputs, client: client, links: links, catalog: mediaCatalog(of: database),
            selection: PlanSelection(creators: usernames, targets: request.targets),
            tool: request.tool, prefetched: prefetched)
        session.notices = notices + rulesWarnings
        let plan = try await session.run(progress: status)
        if let path { try Self.saving(to: path) { try PlanFile.write(plan, to: path) } }
        return FinishedPlan(plan)
    }

    /// The plan of a grouped evaluation, merged into its file: `path`, or a temporary one; the
    /// notices are asked for once the parts are merged, and what that throws is thrown as it is
    /// (nothing is saved then).
    private func finish(
        _ grouped: GroupedPlan, inputs: PlanInputs, savingTo path: String?, notices: () throws -> [PlanNotice]
    ) throws -> FinishedPlan {
        var finalNotices: [PlanNotice] = []
        do {
            return try Self.saving(to: path) {
                let header = PlanHeader(createdAt: Date(), tool: request.tool, inputs: inputs)
                let writer =
                    try path.map { try PlanFileWriter(path: $0, header: header) }
                    ?? PlanFileWriter.temporary(header: header)
                let report = try grouped.finish(into: writer) {
                    do { finalNotices = try notices() } catch { throw NoticesFailed(error: error) }
                    return finalNotices
                }
                return FinishedPlan(
                    file: try writer.reader(), summary: writer.summary, report: report, notices: finalNotices)
            }
        } catch let failed as NoticesFailed {
            throw failed.error
        }
    }

    /// The notices could not be made (the database's error): not a failure to save the plan.
    private struct NoticesFailed: Error { var error: any Error }

    /// `linkageNotices`, queried on a thread of its own while the grouped plan's parts are merged:
    /// the evaluation is done with the store by then, and nothing else uses it.
    private func linkageNoticesMeanwhile(_ database: any MetadataStore, _ creators: [Account])
        -> BackgroundValue<[PlanNotice]>
    {
        let store = UncheckedStore(store: database)
        return BackgroundValue(label: "fansly-stash.linkage-notices") {
            try linkageNotices(store.store, creators)
        }
    }

    /// `body`, its failures said as failures to save the plan to `path` (or to a temporary file).
    private static func saving<T>(to path: String?, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let failed as NoticesFailed { throw failed } catch {
            let place = path ?? "a temporary file in \(NSTemporaryDirectory())"
            throw OperationFailure("cannot save the plan to \(place): \(OperationFailure.describe(error))")
        }
    }

    /// Posts a v0.13+ database cannot link to their media: said once, with counts, in the plan.
    private func linkageNotices(_ database: any MetadataStore, _ creators: [Account]) throws -> [PlanNotice] {
        let linkage = try database.mediaLinkage(creators: creators.map(\.id))
        return linkage.flatMap(PlanNotice.unlinkedPosts).map { [$0] } ?? []
    }
}
