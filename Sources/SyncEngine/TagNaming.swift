import Foundation
import MappingRules

/// How a tag the rules name differently from Stash is reconciled (`tags.aliases` names the canonical
/// tag: `Latex Model: [latexmodel]` means the tag Stash knows as `latexmodel` should be called
/// `Latex Model`, with `latexmodel` as an alias).
///
/// - The tag is renamed when fansly-stash wrote the name Stash holds (it created or named the tag,
///   under any address), because then the name is the rules' to change.
/// - Otherwise the name is someone else's: the plan says what stands in the way instead of
///   silently keeping it.
/// - An alias equal to the tag's name (after the change) is never sent: Stash refuses it, and it
///   would say nothing.
enum TagNaming {
    /// Adjusts the field changes of the existing tag `object` whose desired name is `desired`;
    /// returns a note for the plan when the rules cannot rename it.
    /// - Parameter writtenNames: names fansly-stash recorded writing to this Stash tag, under any address.
    static func adjust(
        _ changes: inout [FieldChange], desired: String?, object: StashObject,
        writtenNames: [FieldValue]
    ) -> String? {
        var note: String?
        var finalName: String?
        if case .string(let current)? = object.fields["name"] { finalName = current }
        if let desired, let current = finalName, current.trimmedForComparison != desired.trimmedForComparison {
            if changes.contains(where: { $0.field == "name" }) {
                finalName = desired
            } else if writtenNames.contains(where: {
                PlanValueComparison.equivalent($0, .string(current), field: "name")
            }) {
                changes.insert(FieldChange(field: "name", before: .string(current), after: .string(desired)), at: 0)
                finalName = desired
            } else {
                note =
                    "name: the rules call this tag \"\(desired)\", but Stash's name \"\(current)\" was not given by fansly-stash; "
                    + "rename it in Stash, or set tags.strategy: overwrite"
            }
        }
        if let name = finalName?.lowercased(), let index = changes.firstIndex(where: { $0.field == "aliases" }),
            case .strings(let items) = changes[index].after
        {
            let kept = items.filter { $0.trimmedForComparison.lowercased() != name }
            let before: [String]
            if case .strings(let old) = changes[index].before { before = old } else { before = [] }
            if kept.count != items.count {
                if PlanValueComparison.sameStrings(kept, before, field: "aliases") {
                    changes.remove(at: index)
                } else {
                    changes[index].after = .strings(kept)
                }
            }
        }
        return note
    }
}
