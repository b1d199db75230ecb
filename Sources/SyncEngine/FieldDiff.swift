import Foundation
import MappingRules

/// Compares field values the way Stash stores them: `""` equals null, lists that Stash keeps as
/// sets compare as sets, dates compare as calendar dates, references compare by Stash id.
enum PlanValueComparison {
    /// Fields whose items Stash compares case-insensitively (aliases must be unique ignoring case).
    static let caseInsensitiveLists = StashFieldCatalog.caseInsensitiveLists

    /// True when `lhs` and `rhs` mean the same value of `field`.
    static func equivalent(_ lhs: FieldValue, _ rhs: FieldValue, field: String) -> Bool {
        if lhs.isEmpty && rhs.isEmpty { return true }
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)):
            return a == b || a.trimmedForComparison == b.trimmedForComparison
        case (.date(let a), .date(let b)), (.date(let a), .string(let b)), (.string(let a), .date(let b)):
            if a == b { return true }
            guard let left = CalendarDate(a), let right = CalendarDate(b) else { return a == b }
            return left == right
        case (.int(let a), .int(let b)): return a == b
        case (.bool(let a), .bool(let b)): return a == b
        case (.bool(false), .null), (.null, .bool(false)): return true
        // Lists of one kind (the diff's hot path) compare without building keys as strings.
        case (.refs(let a), .refs(let b)): return sameRefs(a, b)
        case (.strings(let a), .strings(let b)): return sameStrings(a, b, field: field)
        case (.refs, .null), (.null, .refs), (.strings, .null), (.null, .strings):
            return false // one side is a non-empty list: empty ones returned above
        case (.strings, _), (_, .strings), (.refs, _), (_, .refs):
            return Set(listKeys(lhs, field: field)) == Set(listKeys(rhs, field: field))
        case (.ref(let a), .ref(let b)): return RefKey(a) == RefKey(b)
        default: return false
        }
    }

    /// Same references as sets (by Stash id, else planned address, else label).
    static func sameRefs(_ a: [StashRef], _ b: [StashRef]) -> Bool {
        if a.isEmpty != b.isEmpty { return false }
        if a.count == b.count && zip(a, b).allSatisfy({ RefKey($0) == RefKey($1) }) { return true }
        return Set(a.map(RefKey.init)) == Set(b.map(RefKey.init))
    }

    /// Same strings as sets, trimmed (and case-folded for alias lists).
    static func sameStrings(_ a: [String], _ b: [String], field: String) -> Bool {
        if a.isEmpty != b.isEmpty { return false }
        if a == b { return true }
        if caseInsensitiveLists.contains(field) {
            return Set(a.map { $0.trimmedForComparison.lowercased() })
                == Set(b.map { $0.trimmedForComparison.lowercased() })
        }
        return Set(a.map(\.trimmedForComparison)) == Set(b.map(\.trimmedForComparison))
    }

    /// Identities of a list's items (for sets): trimmed strings (lower-cased for alias lists), ref identities.
    static func listKeys(_ value: FieldValue, field: String) -> [String] {
        switch value {
        case .strings(let items):
            let folded = caseInsensitiveLists.contains(field)
            return items.map { item in
                let trimmed = String(item.trimmedForComparison)
                return folded ? trimmed.lowercased() : trimmed
            }
        case .refs(let refs): return refs.map(\.identity)
        case .ref(let ref): return [ref.identity]
        case .string(let text): return text.isEmpty ? [] : [text]
        default: return []
        }
    }
}

/// A `YYYY-MM-DD` calendar date, tolerant of a time part and missing zero padding.
struct CalendarDate: Hashable {
    var year: Int, month: Int, day: Int

    init?(_ text: String) {
        let datePart = text.trimmedForComparison.prefix { $0 != "T" && $0 != " " }
        let parts = datePart.split(separator: "-")
        guard parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        self.year = year; self.month = month; self.day = day
    }
}

/// What makes two references the same object, as a value (`StashRef.identity` without building a string).
enum RefKey: Hashable {
    case id(String), address(EntityAddress), label(String)

    init(_ ref: StashRef) {
        if let id = ref.id {
            self = .id(id)
        } else if let address = ref.address {
            self = .address(address)
        } else {
            self = .label(ref.label ?? "")
        }
    }
}

extension StashRef {
    /// What makes two references the same object: the Stash id, else the planned address.
    var identity: String {
        if let id { return "id:\(id)" }
        if let address { return "address:\(address)" }
        return "label:\(label ?? "")"
    }
}

/// The diff's decision for one field of an object that exists in Stash.
struct FieldDecision: Sendable, Hashable {
    /// What apply should write, if anything.
    public var change: FieldChange?
    /// Set when Stash's value differs from what fansly-stash last wrote.
    var drift: FieldDrift?
}

/// Decides, field by field, what an update writes, following the rules' strategies.
enum FieldDiff {
    /// Compares the rules' `desired` value of `field` with Stash's `current` one.
    ///
    /// - `merge`: single values are set when Stash's is empty, or when Stash still holds what
    ///   fansly-stash last wrote (the rules changed); list items missing from Stash are added.
    /// - `overwrite`: Stash's value is replaced when it differs.
    /// - `ignore`: never touched.
    /// A field whose Stash value changed since fansly-stash wrote it (`written`) is drift: reported,
    /// and left alone unless the strategy is `overwrite`.
    static func decide(
        field: String, desired: FieldValue, current: FieldValue, strategy: FieldStrategy,
        written: FieldValue?
    ) -> FieldDecision {
        if strategy == .ignore { return FieldDecision() }
        var decision = FieldDecision()
        let isList = isListValue(desired) || isListValue(current)
        if let written, isDrifted(field: field, written: written, current: current, isList: isList) {
            decision.drift = FieldDrift(
                field: field, written: PlanValueText.render(written),
                current: PlanValueText.render(current))
            if strategy != .overwrite { return decision }
        }
        if field == "image" {
            // Stash serves its own URL for images, so only emptiness can be compared: write an image
            // when Stash has none, or when the rules' image changed since fansly-stash last sent one.
            guard !desired.isEmpty else { return decision }
            let rulesChanged = written.map { !PlanValueComparison.equivalent($0, desired, field: field) } ?? false
            let replace = strategy == .overwrite && written == nil
            if current.isEmpty || rulesChanged || replace {
                decision.change = FieldChange(field: field, before: current, after: desired)
            }
            return decision
        }
        if PlanValueComparison.equivalent(desired, current, field: field) { return decision }
        if isList {
            switch strategy {
            case .overwrite:
                decision.change = FieldChange(field: field, before: current, after: desired, operation: .set)
            case .merge:
                if let merged = mergedList(desired: desired, current: current, field: field) {
                    decision.change = FieldChange(field: field, before: current, after: merged, operation: .add)
                }
            case .ignore: break
            }
            return decision
        }
        if desired.isEmpty && strategy != .overwrite { return decision }
        let ownsValue = written.map { PlanValueComparison.equivalent($0, current, field: field) } ?? false
        if strategy == .overwrite || current.isEmpty || ownsValue {
            decision.change = FieldChange(field: field, before: current, after: desired, operation: .set)
        }
        return decision
    }

    /// Stash's list plus the desired items it lacks; nil when it lacks none.
    static func mergedList(desired: FieldValue, current: FieldValue, field: String) -> FieldValue? {
        if case .refs(let refs) = desired, let present = refKeys(current) {
            // Nothing in Stash yet: the desired list itself (shared with other changes), not a copy.
            if present.isEmpty { return refs.isEmpty ? nil : desired }
            let missing = refs.filter { !present.contains(RefKey($0)) }
            guard !missing.isEmpty else { return nil }
            return .refs(currentRefs(current) + missing)
        }
        let present = Set(PlanValueComparison.listKeys(current, field: field))
        switch desired {
        case .strings(let items) where present.isEmpty:
            return items.isEmpty ? nil : desired
        case .strings(let items):
            let missing = items.filter {
                !present.contains(PlanValueComparison.listKeys(.strings([$0]), field: field)[0])
            }
            guard !missing.isEmpty else { return nil }
            return .strings(currentStrings(current) + missing)
        case .refs(let refs):
            let missing = refs.filter { !present.contains($0.identity) }
            guard !missing.isEmpty else { return nil }
            return .refs(currentRefs(current) + missing)
        default:
            return nil
        }
    }

    /// True when Stash no longer holds what fansly-stash wrote. For lists, drift means an item
    /// fansly-stash wrote was removed (items added by people are theirs and never drift).
    static func isDrifted(field: String, written: FieldValue, current: FieldValue, isList: Bool) -> Bool {
        if isList {
            if case .refs(let refs) = written, let present = refKeys(current) {
                return refs.contains { !present.contains(RefKey($0)) }
            }
            let present = Set(PlanValueComparison.listKeys(current, field: field))
            return PlanValueComparison.listKeys(written, field: field).contains { !present.contains($0) }
        }
        if field == "image" { return false }
        return !PlanValueComparison.equivalent(written, current, field: field)
    }

    /// The keys of a value made of references (none for null), or nil for any other value.
    static func refKeys(_ value: FieldValue) -> Set<RefKey>? {
        switch value {
        case .refs(let refs): return Set(refs.map(RefKey.init))
        case .ref(let ref): return [RefKey(ref)]
        case .null: return []
        default: return nil
        }
    }

    static func isListValue(_ value: FieldValue) -> Bool {
        switch value {
        case .strings, .refs: return true
        default: return false
        }
    }

    private static func currentStrings(_ value: FieldValue) -> [String] {
        if case .strings(let items) = value { return items }
        return []
    }

    private static func currentRefs(_ value: FieldValue) -> [StashRef] {
        switch value {
        case .refs(let refs): return refs
        case .ref(let ref): return [ref]
        default: return []
        }
    }
}

/// Renders values for people: strings quoted, lists bracketed, references by label.
enum PlanValueText {
    /// `"text"`, `2024-01-31`, `["a", "b"]`, `"Studio name" (12)` for a reference.
    public static func render(_ value: FieldValue) -> String {
        switch value {
        case .null: return "null"
        case .string(let text): return quote(text)
        case .int(let number): return String(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .date(let text): return text
        case .strings(let items): return "[" + items.map(quote).joined(separator: ", ") + "]"
        case .ref(let ref): return render(ref)
        case .refs(let refs): return "[" + refs.map(render).joined(separator: ", ") + "]"
        }
    }

    /// A reference as people read it: its label, with the id or "(new)" when created by the plan.
    public static func render(_ ref: StashRef) -> String {
        let name = ref.label.map(quote) ?? ref.address?.description ?? "?"
        if let id = ref.id { return ref.label == nil ? "#\(id)" : "\(name) #\(id)" }
        return "\(name) (new)"
    }

    /// Appends `render(value)` to `out`, without building the pieces as strings of their own.
    public static func render(_ value: FieldValue, into out: inout String) {
        switch value {
        case .null: out += "null"
        case .string(let text): appendQuoted(text, to: &out)
        case .int(let number): out += String(number)
        case .bool(let flag): out += flag ? "true" : "false"
        case .date(let text): out += text
        case .strings(let items):
            out += "["
            for index in items.indices {
                if index > 0 { out += ", " }
                appendQuoted(items[index], to: &out)
            }
            out += "]"
        case .ref(let ref): render(ref, into: &out)
        case .refs(let refs):
            out += "["
            for index in refs.indices {
                if index > 0 { out += ", " }
                render(refs[index], into: &out)
            }
            out += "]"
        }
    }

    /// Appends `render(ref)` to `out`.
    static func render(_ ref: StashRef, into out: inout String) {
        if let id = ref.id {
            if let label = ref.label { appendQuoted(label, to: &out); out += " #" } else { out += "#" }
            out += id
            return
        }
        if let label = ref.label {
            appendQuoted(label, to: &out)
        } else if let address = ref.address {
            out += address.kind.rawValue; out += "."; out += address.key
        } else {
            out += "?"
        }
        out += " (new)"
    }

    static func appendQuoted(_ text: String, to out: inout String) {
        if text.utf8.contains(where: {
            $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n")
        }) {
            out += quote(text)
        } else {
            out += "\""; out += text; out += "\""
        }
    }

    static func quote(_ text: String) -> String {
        // Plans render hundreds of thousands of values: escape only when needed, in one pass.
        guard
            text.utf8.contains(where: {
                $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n")
            })
        else {
            return "\"" + text + "\""
        }
        var escaped = "\""
        escaped.reserveCapacity(text.utf8.count + 8)
        for character in text.unicodeScalars {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped + "\""
    }
}

extension String {
    /// Without leading and trailing whitespace and newlines; avoids Foundation when there is none
    /// (the common case, and the hot path of diffs over tens of thousands of objects).
    var trimmedForComparison: Substring {
        // No ASCII whitespace or non-ASCII byte at either end: nothing to trim (the usual case).
        if let first = utf8.first, let last = utf8.last, (0x21...0x7E).contains(first), (0x21...0x7E).contains(last) {
            return self[...]
        }
        var slice = Substring(self)
        while let first = slice.unicodeScalars.first, first.properties.isWhitespace { slice = slice.dropFirst() }
        while let last = slice.unicodeScalars.last, last.properties.isWhitespace { slice = slice.dropLast() }
        return slice
    }
}
