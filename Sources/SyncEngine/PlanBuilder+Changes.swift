import FanslyMetadata
import Foundation
import MappingRules

/// A matched entity's change: its fields diffed against Stash, its references resolved to Stash ids.
extension PlanBuilder {
    func skip(_ entity: DesiredEntity, _ reason: SkipReason, _ detail: String?, stashId: String? = nil)
        -> PlannedChange
    {
        PlannedChange(
            address: entity.address, action: .skip, reason: reason, detail: detail, stashId: stashId,
            match: entity.match, creator: entity.creator, source: entity.source)
    }

    func change(_ index: Int, _ entity: UnsafePointer<DesiredEntity>) -> PlannedChange {
        var notes: [String] = []
        var values: [(DesiredField, FieldValue)] = []
        values.reserveCapacity(entity.pointee.fields.count)
        for field in entity.pointee.fields where field.strategy != .ignore {
            switch resolve(field.value) {
            case .value(let value, var dropped):
                // Media without a file in Stash are listed as unmatched already.
                dropped.removeAll { position[$0].map { mediaStates[$0].isUnmatched } ?? false }
                if !dropped.isEmpty {
                    notes.append(
                        "\(field.name): left out \(dropped.map(\.description).joined(separator: ", ")) (not in Stash and not created)"
                    )
                }
                values.append((field, value))
            case .unresolved(let target):
                if entity.pointee.address.kind == .chapter && field.name == "gallery_id" {
                    return skip(entity.pointee, .unresolved, "its gallery \(target) is not in Stash and not created")
                }
                notes.append("\(field.name): left out \(target) (not in Stash and not created)")
            }
        }
        var detail = notes.isEmpty ? nil : notes.joined(separator: "; ")

        guard case .existing(let id)? = resolutions[index] else {
            var fields: [FieldChange] = []
            fields.reserveCapacity(values.reduce(0) { $0 + ($1.1.isEmpty ? 0 : 1) })
            for (field, value) in values where !value.isEmpty {
                fields.append(FieldChange(field: field.name, before: .null, after: value))
            }
            if entity.pointee.address.kind == .chapter, let reason = chapterOutOfRange(entity.pointee, fields) {
                return skip(entity.pointee, .notCreated, reason)
            }
            return PlannedChange(
                address: entity.pointee.address, action: .create, detail: detail, fields: fields,
                match: entity.pointee.match, creator: entity.pointee.creator, source: entity.pointee.source)
        }
        guard let object = snapshot.object(entity.pointee.address.kind, id: id) else {
            return skip(
                entity.pointee, .unresolved, "Stash \(entity.pointee.address.kind.rawValue) #\(id) vanished",
                stashId: id)
        }
        let link = planner.links[entity.pointee.address].flatMap { $0.stashId == id ? $0 : nil }
        // `organized` that apply itself wrote (the default rules create galleries organized) does not
        // freeze the object: later scans must still reach it. People's edits are protected as drift.
        let organizedByUs = link?.writtenFields["organized"] == .bool(true)
        let organizedByUser = entity.pointee.respectOrganized && object.organized && !organizedByUs
        // A link without written fields only remembers a match (a noop): it says nothing of who organized it.
        let linkKnowsWrites = !(link?.writtenFields.isEmpty ?? true)
        // Scenes and images come from Stash's scans, never from apply: only objects apply may have
        // created can carry its own mark without a record of it.
        let mayBeApplys = entity.pointee.address.kind != .scene && entity.pointee.address.kind != .image
        if organizedByUser && (linkKnowsWrites || !mayBeApplys) {
            return skip(entity.pointee, .organized, "organized in Stash", stashId: id)
        }
        if !entity.pointee.fields.isEmpty && entity.pointee.fields.allSatisfy({ $0.strategy == .ignore }) {
            return skip(entity.pointee, .ignored, "every field is ignored by the rules", stashId: id)
        }
        var fieldChanges: [FieldChange] = []
        var drift: [FieldDrift] = []
        for (field, value) in values {
            // Stash's finds do not say whether an object has an image, so an unknown image counts as
            // present: merge never replaces a picture someone chose.
            let current = object.fields[field.name] ?? (field.name == "image" ? .string("(an image in Stash)") : .null)
            let decision = FieldDiff.decide(
                field: field.name, desired: value, current: current,
                strategy: field.strategy, written: link?.writtenFields[field.name])
            if let change = decision.change { fieldChanges.append(change) }
            if let fieldDrift = decision.drift { drift.append(fieldDrift) }
        }
        if organizedByUser && !fieldChanges.isEmpty {
            // Without a record of writes (a new or lost state file) an organized object that already holds every
            // value the rules want is indistinguishable from one apply finished (apply marks objects
            // organized last): it is a noop. One that differs was organized by a person: left alone.
            return skip(entity.pointee, .organized, "organized in Stash", stashId: id)
        }
        if entity.pointee.address.kind == .tag, let nameField = entity.pointee[field: "name"],
            nameField.strategy != .ignore,
            case .string(let name) = nameField.value,
            let note = TagNaming.adjust(
                &fieldChanges, desired: name, object: object, writtenNames: writtenNames(ofTag: id))
        {
            notes.append(note)
            detail = notes.joined(separator: "; ")
        }
        if entity.pointee.address.kind == .chapter, !fieldChanges.isEmpty,
            let reason = chapterOutOfRange(entity.pointee, fieldChanges)
        {
            return skip(entity.pointee, .unresolved, reason, stashId: id)
        }
        return PlannedChange(
            address: entity.pointee.address, action: fieldChanges.isEmpty ? .noop : .update, detail: detail,
            stashId: id, fields: Self.exact(fieldChanges), drift: drift, match: entity.pointee.match,
            creator: entity.pointee.creator, source: entity.pointee.source)
    }

    /// The names fansly-stash recorded writing to the Stash tag `id`, under any address (a tag the
    /// alias table now calls differently was created under its old address).
    private func writtenNames(ofTag id: String) -> [FieldValue] {
        if tagNamesById == nil {
            var names: [String: [FieldValue]] = [:]
            for (address, link) in planner.links where address.kind == .tag {
                if let name = link.writtenFields["name"] { names[link.stashId, default: []].append(name) }
            }
            tagNamesById = names
        }
        return tagNamesById?[id] ?? []
    }

    private enum ResolvedValue {
        case value(FieldValue, dropped: [EntityAddress])
        case unresolved(EntityAddress)
    }

    private func ref(_ address: EntityAddress) -> StashRef? {
        position[address].flatMap { ref(at: $0, address) }
    }

    private func ref(at index: Int, _ address: EntityAddress) -> StashRef? {
        // Tags, studios and performers are referred to again and again (galleries and images once
        // or twice: caching those would only hold memory).
        let shared = Self.isShared(address.kind)
        if shared, let cached = refCache[index] { return cached }
        let resolved: StashRef
        switch resolutions[index] {
        case .existing(let id)?:
            let name = Planner.label(of: at(index).pointee.fields) ?? snapshot.object(address.kind, id: id)?.displayName
            resolved = StashRef(id: id, label: name)
        case .created?: resolved = StashRef(address: address, label: Planner.label(of: at(index).pointee.fields))
        case .unavailable?, nil: return nil
        }
        if shared { refCache[index] = resolved }
        return resolved
    }

    /// Kinds that many entities refer to.
    static func isShared(_ kind: EntityKind) -> Bool { kind == .tag || kind == .studio || kind == .performer }

    /// Up to four referenced positions: the key under which a resolved list is shared.
    struct ListKey: Hashable {
        var count: Int
        var positions: (Int32, Int32, Int32, Int32) = (-1, -1, -1, -1)
        static func == (lhs: ListKey, rhs: ListKey) -> Bool {
            lhs.count == rhs.count && lhs.positions == rhs.positions
        }
        func hash(into hasher: inout Hasher) {
            hasher.combine(count)
            hasher.combine(positions.0); hasher.combine(positions.1); hasher.combine(positions.2);
            hasher.combine(positions.3)
        }
    }

    private func resolve(_ value: FieldValue) -> ResolvedValue {
        switch value {
        case .string(let text): return .value(.string(text), dropped: [])
        case .int(let number): return .value(.int(number), dropped: [])
        case .bool(let flag): return .value(.bool(flag), dropped: [])
        case .date(let text): return .value(.date(text), dropped: [])
        case .strings(let items): return .value(.strings(items), dropped: [])
        case .null: return .value(.null, dropped: [])
        case .ref(let desired):
            // The rules name entities by address; a reference that is already an id stays as it is.
            guard let address = desired.address else { return .value(value, dropped: []) }
            guard let index = position[address] else { return .unresolved(address) }
            // One boxed value per referenced entity, shared by every change that refers to it.
            let shared = Self.isShared(address.kind)
            if shared, let cached = refValueCache[index] { return .value(cached, dropped: []) }
            guard let resolved = ref(at: index, address) else { return .unresolved(address) }
            let value = FieldValue.ref(resolved)
            if shared { refValueCache[index] = value }
            return .value(value, dropped: [])
        case .refs(let desired):
            // Short lists recur (a creator's performer, a post's tags, an image's gallery): the
            // resolved list is built once and shared by every change that carries it.
            var key = ListKey(count: desired.count)
            var cacheable =
                desired.count <= 4 && desired.allSatisfy { $0.address.map { Self.isShared($0.kind) } ?? false }
            if cacheable {
                for (slot, address) in desired.lazy.compactMap(\.address).enumerated() {
                    guard let index = position[address], let small = Int32(exactly: index) else {
                        cacheable = false; break
                    }
                    switch slot {
                    case 0: key.positions.0 = small
                    case 1: key.positions.1 = small
                    case 2: key.positions.2 = small
                    default: key.positions.3 = small
                    }
                }
                if cacheable, let cached = listCache[key] { return .value(cached.value, dropped: cached.dropped) }
            }
            var refs: [StashRef] = []
            refs.reserveCapacity(desired.count)
            var dropped: [EntityAddress] = []
            for item in desired {
                guard let address = item.address else { refs.append(item); continue }
                if let resolved = ref(address) { refs.append(resolved) } else { dropped.append(address) }
            }
            let value = FieldValue.refs(refs)
            if cacheable { listCache[key] = (value, dropped) }
            return .value(value, dropped: dropped)
        }
    }
}
