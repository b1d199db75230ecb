import MappingRules

/// What a `--target` plan needs of a grouped evaluation (`MappingEngine.evaluate(…, groupLimit:, part:)`):
/// the shared tags, studios and performers, and from each part only the entities a target names and
/// what they refer to, so that a large library is never held whole to plan a few of its entities.
///
/// The state it gives selects (`Planner.select`) exactly the entities the whole state does: an
/// entity of a part refers only to its own part and the shared entities, which are all kept. A
/// target no entity matches is reported as the whole state reports it, with the same suggestion
/// (the closest address of every part, the first in address order among equals).
struct TargetNarrowing {
    private let targets: [String]
    private var shared: DesiredState?
    private var kept: [DesiredEntity] = []
    private var matched = Set<String>()
    /// For each target nothing matched yet: the closest address seen and its distance.
    private var closest: [String: (distance: Int, address: EntityAddress)] = [:]
    private var whole: DesiredState?

    init(targets: [String]) { self.targets = targets }

    /// Takes one part of the evaluation, keeping what the targets need of it.
    mutating func take(_ part: EvaluatedPart) {
        switch part {
        case .whole(let state): whole = state
        case .shared(let state):
            note(state.entities)
            shared = state
        case .group(let state), .crossGroup(let state):
            note(state.entities)
            let selection = PlanSelection(targets: targets)
            kept += Planner.selected(state.entities) { selection.matchesTarget($0.address) }
        }
    }

    /// The narrowed state: the shared entities and what each part kept, in address order; throws
    /// `PlanError.unknownTarget` for the first target nothing matched.
    func state() throws -> DesiredState {
        // A library evaluated whole is narrowed by the plan, as without groups.
        if let whole { return whole }
        for target in targets where !matched.contains(target) {
            let suggestion = closest[target].flatMap { found in
                Planner.isSuggested(distance: found.distance, for: target) ? found.address.description : nil
            }
            throw PlanError.unknownTarget(target, suggestion: suggestion)
        }
        guard var state = shared else { preconditionFailure("a grouped evaluation has a shared part") }
        state.entities = GroupedPlan.merged(state.entities, kept.sorted { $0.address < $1.address })
        return state
    }

    /// Records which targets `entities` match, and the closest addresses for those still unmatched.
    private mutating func note(_ entities: [DesiredEntity]) {
        for target in targets where !matched.contains(target) {
            let selection = PlanSelection(targets: [target])
            if entities.contains(where: { selection.matchesTarget($0.address) }) {
                matched.insert(target)
                closest[target] = nil
                continue
            }
            var best = closest[target]
            for entity in entities {
                let distance = editDistance(entity.address.description, target)
                if best.map({ distance < $0.distance || (distance == $0.distance && entity.address < $0.address) })
                    ?? true
                {
                    best = (distance, entity.address)
                }
            }
            closest[target] = best
        }
    }
}
