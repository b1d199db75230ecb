public import FanslyMetadata
import Foundation

/// Turns metadata records into the Stash entities the rules want (`DesiredState`).
/// Pure and deterministic: the same rules and records give the same state, byte for byte.
///
/// The work is done by an `Evaluation` (one run over the records; its parts live beside this file,
/// one concern per file); `rules explain` watches a run through an `ExplainObserver`.
public struct MappingEngine: Sendable {
    public let rules: RuleSet

    public init(rules: RuleSet) { self.rules = rules }

    /// Page size used when streaming a database.
    public static let pageSize = 500

    /// Evaluates records held in memory.
    public func evaluate(records: MetadataRecords, creators: [Account]? = nil) throws -> DesiredState {
        try evaluate(source: records, creators: creators)
    }

    /// Evaluates any record source, creator by creator, page by page.
    /// - Parameter creators: the creators to map; nil maps every creator of the source.
    public func evaluate(source: some MetadataRecordSource, creators: [Account]? = nil) throws -> DesiredState {
        let evaluation = Evaluation(rules: rules, source: source, observer: nil)
        try evaluation.run(creators: creators ?? source.creatorAccounts())
        var state = evaluation.builder.state()
        state.folderLayout = rules.folderLayout(source: source, creatorFolders: state.creatorFolders)
        return state
    }

    /// Evaluates with provenance: the state plus, per entity and field, the rule that produced it.
    public func explain(source: some MetadataRecordSource, creators: [Account]) throws -> (
        DesiredState, [EntityAddress: [String: FieldOrigin]]
    ) {
        let evaluation = Evaluation(rules: rules, source: source, observer: ExplainObserver(target: nil))
        try evaluation.run(creators: creators)
        return (evaluation.builder.state(), evaluation.builder.allOrigins)
    }
}

/// The addresses the engine uses. Documented in Docs/mapping.md.
public enum Addresses {
    static let networkStudio = EntityAddress(kind: .studio, key: "network.fansly")
    public static func performer(_ username: String) -> EntityAddress {
        .init(kind: .performer, key: "account.\(username.lowercased())")
    }
    static func sharedPerformer(_ username: String, _ name: String) -> EntityAddress {
        .init(kind: .performer, key: "account.\(username.lowercased()).\(tagKey(name))")
    }
    public static func studio(_ username: String) -> EntityAddress {
        .init(kind: .studio, key: "account.\(username.lowercased())")
    }
    public static func tag(_ name: String) -> EntityAddress { .init(kind: .tag, key: tagKey(name)) }
    public static func gallery(_ source: String, _ id: FanslyID) -> EntityAddress {
        .init(kind: .gallery, key: "\(source).\(id)")
    }
    public static func scene(_ accountMediaId: FanslyID) -> EntityAddress {
        .init(kind: .scene, key: "media.\(accountMediaId)")
    }
    public static func image(_ accountMediaId: FanslyID) -> EntityAddress {
        .init(kind: .image, key: "media.\(accountMediaId)")
    }
    public static func chapter(wall: FanslyID, post: FanslyID) -> EntityAddress {
        .init(kind: .chapter, key: "wall.\(wall).post.\(post)")
    }

    /// `Latex Model` → `latex-model`; names without ASCII letters or digits keep their lower-cased text.
    static func tagKey(_ name: String) -> String {
        let slug = TextOps.slug(name)
        return slug.isEmpty ? name.lowercased().replacingOccurrences(of: " ", with: "-") : slug
    }
}
