import FanslyMetadata
import Foundation

/// Watches one evaluation for `rules explain`: whether the record being mapped is the one asked
/// about, the variables it saw, the entities it produced and why it produced what it did, or did
/// not. It also turns on provenance (which rule gave each field).
///
/// The engine reports to it at a few places; a plain evaluation has none, so each of those costs a
/// nil check and the strings it would report are never built.
final class ExplainObserver {
    /// The record to report on; nil when only provenance is wanted.
    let target: ExplainTarget?
    /// The explained record's variables, as the first place that recognised it saw them.
    private(set) var context: RecordContext?
    private(set) var roots: Roots = []
    /// The entities the explained record produced, in order.
    private(set) var addresses: [EntityAddress] = []
    /// Why the record produced what it did, or did not.
    private(set) var why: [String] = []
    /// How deep the engine is inside the explained record (a post, then one of its media).
    private var depth = 0

    init(target: ExplainTarget?) { self.target = target }

    /// True while the engine maps the explained record or something it leads to.
    var isInside: Bool { depth > 0 }

    func enter() { depth += 1 }
    func leave() { depth -= 1 }

    func capture(_ context: RecordContext, roots: Roots) {
        if self.context == nil { self.context = context; self.roots = roots }
    }

    /// A reason, kept while inside the explained record (once).
    func note(_ text: String) {
        if depth > 0, !why.contains(text) { why.append(text) }
    }

    /// A reason about the explained record itself, seen where it is turned away.
    func report(_ text: String) { why.append(text) }

    func produced(_ address: EntityAddress) {
        if depth > 0, !addresses.contains(address) { addresses.append(address) }
    }

    // MARK: Which record is explained

    func isTarget(account: Account) -> Bool {
        guard case .account(let name)? = target else { return false }
        return name.caseInsensitiveCompare(account.username) == .orderedSame || name == String(account.id)
    }

    func isTarget(post id: FanslyID) -> Bool {
        if case .post(let wanted)? = target { return wanted == id }
        return false
    }

    func isTarget(message id: FanslyID) -> Bool {
        if case .message(let wanted)? = target { return wanted == id }
        return false
    }

    /// A media of a post or message: by its `account_media` id, its media id or its file's id.
    func isTarget(media item: AccountMedia, file: DownloadedFile?) -> Bool {
        guard case .media(let id)? = target else { return false }
        return id == item.id || id == item.media.id || id == file?.fileMediaId
    }

    /// A loose media: by its `account_media` id, its media id or any of its files' ids.
    func isTarget(looseMedia item: AccountMedia) -> Bool {
        guard case .media(let id)? = target else { return false }
        return id == item.id || id == item.media.id || item.fileIds.contains(id)
    }

    // MARK: Provenance

    /// Where a field's value comes from: its rule, and the `postProcess` steps that shaped it (those
    /// whose `when` held), e.g. the ` - 2/2` of a title.
    func origin(of rule: FieldRule, _ context: RecordContext) -> FieldOrigin {
        var origin = FieldOrigin(rule: rule.path, location: rule.location.description)
        for (index, step) in rule.postProcess.enumerated() where step.when?.holds(context) ?? true {
            origin.steps.append("\(rule.path).postProcess[\(index)] \(step.step.name) (\(step.location))")
        }
        return origin
    }

    /// `condition` as people find it in the rules.
    static func place(_ path: String, _ condition: Condition) -> String {
        "\(path) (\(condition.location))"
    }
}
