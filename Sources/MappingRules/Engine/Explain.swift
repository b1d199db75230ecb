public import FanslyMetadata
import Foundation

/// What `rules explain` reports on.
public enum ExplainTarget: Sendable, Hashable {
    case post(FanslyID)
    case message(FanslyID)
    /// An `account_media` id, an original media id or the id in a file name.
    case media(FanslyID)
    /// A username (any case) or an account id.
    case account(String)
}

/// The variables one record gave the templates, and every entity it produced with the rule behind each field.
public struct Explanation: Sendable {
    /// Variable name → value as text (`(empty)` for empty values), in reference order.
    public var variables: [(name: String, value: String)]
    public var entities: [DesiredEntity]
    /// Per entity address and Stash field name: the rule that produced the value.
    public var origins: [EntityAddress: [String: FieldOrigin]]
    /// The creator whose evaluation produced the record.
    public var creator: String
    /// Why the record produced what it did, or did not: the `when:` that excluded it (file:line),
    /// the disabled rule, the gallery it did not get.
    public var why: [String] = []
}

extension MappingEngine {
    /// Explains one record: finds the creator it belongs to, evaluates that creator with provenance,
    /// and returns the record's variables and the entities it produced.
    /// - Returns: nil when no creator's records contain the target.
    public func explain(_ target: ExplainTarget, source: some MetadataRecordSource, creators: [Account]? = nil) throws
        -> Explanation?
    {
        let candidates = try creators ?? source.creatorAccounts()
        for creator in candidates {
            let observer = ExplainObserver(target: target)
            let evaluation = Evaluation(rules: rules, source: source, observer: observer)
            try evaluation.run(creators: [creator])
            guard let context = observer.context else { continue }
            let variables = context.listing(roots: observer.roots).map { name, value in
                (name: name, value: value.isEmpty ? "(empty)" : value.text)
            }
            let state = evaluation.builder.state()
            let wanted = Set(observer.addresses)
            let entities = state.entities.filter { wanted.contains($0.address) }
            var origins: [EntityAddress: [String: FieldOrigin]] = [:]
            for entity in entities { origins[entity.address] = evaluation.builder.origins(entity.address) }
            return Explanation(
                variables: variables, entities: entities, origins: origins, creator: creator.username,
                why: observer.why)
        }
        return nil
    }
}
