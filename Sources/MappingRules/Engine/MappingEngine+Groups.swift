public import FanslyMetadata
import Foundation

/// One part of a grouped evaluation (`MappingEngine.evaluate(store:creators:groupLimit:part:)`).
public enum EvaluatedPart: Sendable {
    /// Everything fitted in one group: the state `evaluate(store:creators:)` gives, and the only part.
    case whole(DesiredState)
    /// First: the tags, studios and performers of every creator, merged as a whole evaluation merges them.
    case shared(DesiredState)
    /// One group of consecutive creators: the scenes, images, galleries and chapters only they
    /// produce and refer to (and that refer to nothing another group produces).
    case group(DesiredState)
    /// Last: the entities several groups produce or refer to, and every entity connected to one of them.
    case crossGroup(DesiredState)
}

extension MappingEngine {
    /// Evaluates the rules creator group by creator group, so that a large library is never held
    /// whole: `part` receives `.shared`, then each `.group`, then `.crossGroup`. Together they hold
    /// exactly the entities (and the merged values) `evaluate(store:creators:)` gives; an entity
    /// of `.group` or `.crossGroup` refers only to entities of its own part or of `.shared`.
    ///
    /// The records are read once: that pass keeps the tags, studios and performers, notes which
    /// creator produced or referred to each other address, and spools everything else to a
    /// temporary file (`ContributionSpool`); replaying the spool hands out the groups (consecutive
    /// creators producing at most `groupSize` entities besides tags, studios and performers, or one
    /// larger creator; `groupLimit` when not given). When the whole library produces at most
    /// `groupLimit` such entities, the pass keeps them all, nothing is spooled, and `part` receives
    /// only `.whole`.
    public func evaluate(
        store: any MetadataStore, creators: [Account]?, readers: Int = 2, groupLimit: Int, groupSize: Int? = nil,
        part: (EvaluatedPart) throws -> Void
    ) throws {
        try evaluate(
            store: store, creators: creators, readers: readers, groupLimit: groupLimit, groupSize: groupSize,
            spoolDirectory: FileManager.default.temporaryDirectory, part: part)
    }

    /// `evaluate(store:creators:readers:groupLimit:groupSize:part:)` spooling to a file in `spoolDirectory`.
    func evaluate(
        store: any MetadataStore, creators: [Account]?, readers: Int = 2, groupLimit: Int, groupSize: Int? = nil,
        spoolDirectory: URL, part: (EvaluatedPart) throws -> Void
    ) throws {
        let creators = try creators ?? store.creatorAccounts()
        let survey = GroupRouter(
            surveying: creators.count, limit: groupLimit, groupSize: groupSize ?? groupLimit,
            spoolDirectory: spoolDirectory)
        let first = try evaluation(store: store, creators: creators, readers: readers, router: survey)
        let folders = first.creatorFolders
        let layout = rules.folderLayout(source: StoreRecordSource(store), creatorFolders: folders)
        func finished(_ state: DesiredState) -> DesiredState {
            var state = state
            state.creatorFolders = folders
            state.folderLayout = layout
            return state
        }
        guard survey.exceeded else { return try part(.whole(finished(first.state()))) }
        // Passing the limit made the spool, or the run stopped with the reason it could not.
        guard let spool = survey.spool else { throw ContributionSpool.SpoolError.corrupt }
        try part(.shared(finished(first.state())))
        try withoutActuallyEscaping(part) { part in
            // The router lives only for this run.
            let partition = GroupRouter(partitioning: survey) { try part(.group(finished($0))) }
            try spool.replay { event in
                switch event {
                case .contribution(let entity, let rank): partition.route(entity, rank: rank)
                case .finished(let creator): try partition.finishReplayed(creator: creator)
                }
            }
            try part(.crossGroup(finished(partition.heldState())))
        }
    }

    /// One run over `creators` whose contributions go through `router`; returns its builder.
    private func evaluation(store: any MetadataStore, creators: [Account], readers: Int, router: GroupRouter)
        throws -> StateBuilder
    {
        try withRecordSource(store, creators: creators, readers: readers) { source in
            let evaluation = Evaluation(rules: rules, source: source, observer: nil, router: router)
            try evaluation.run(creators: creators)
            return evaluation.builder
        }
    }
}
