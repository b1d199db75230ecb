import Foundation
import MappingRules
import StashClient

extension EntityKind {
    /// The Stash type whose `custom_fields` this kind's objects carry (chapters have none).
    var customFieldsType: CustomFieldsType? {
        switch self {
        case .performer: return .performer
        case .studio: return .studio
        case .tag: return .tag
        case .gallery: return .gallery
        case .scene: return .scene
        case .image: return .image
        case .chapter: return nil
        }
    }
}

extension DesiredState {
    /// Leaves out the `custom_fields.*` fields of kinds the connected Stash has no custom fields
    /// for, and says so in one notice (nil when nothing was left out): an older Stash is not a
    /// failure, it just cannot hold them.
    mutating func removeCustomFields(unsupportedBy capabilities: StashCapabilities) -> PlanNotice? {
        var leftOut: [EntityKind: Set<String>] = [:]
        removeCustomFields(unsupportedBy: capabilities, leftOut: &leftOut)
        return Self.customFieldsNotice(leftOut)
    }

    /// `removeCustomFields(unsupportedBy:)` adding what it left out to `leftOut` (a grouped plan
    /// says it once for every part).
    mutating func removeCustomFields(
        unsupportedBy capabilities: StashCapabilities, leftOut: inout [EntityKind: Set<String>]
    ) {
        let prefix = StashFieldCatalog.customFieldPrefix
        let kinds = EntityKind.allCases.filter { kind in
            kind.customFieldsType.map { !capabilities.customFields.contains($0) } ?? true
        }
        guard !kinds.isEmpty else { return }
        func isCustom(_ name: String) -> Bool {
            // Bytes first: most names do not start like the prefix, and `hasPrefix` compares characters.
            name.utf8.starts(with: prefix.utf8) && name.hasPrefix(prefix)
        }
        // Found in place first: reading `entities[index].fields` of every entity copied each list.
        var holders: [Int] = []
        entities.withUnsafeBufferPointer { entities in
            for index in entities.indices where kinds.contains(entities[index].address.kind) {
                if entities[index].fields.contains(where: { isCustom($0.name) }) { holders.append(index) }
            }
        }
        for index in holders {
            let kind = entities[index].address.kind
            for field in entities[index].fields where isCustom(field.name) {
                leftOut[kind, default: []].insert(String(field.name.dropFirst(prefix.count)))
            }
            entities[index].fields.removeAll { isCustom($0.name) }
        }
    }

    /// The notice of the custom fields left out (nil when none was).
    static func customFieldsNotice(_ leftOut: [EntityKind: Set<String>]) -> PlanNotice? {
        guard !leftOut.isEmpty else { return nil }
        let kinds = leftOut.keys.sorted().map { kind -> String in
            let plural = kind.customFieldsType?.plural ?? kind.rawValue + "s"
            return "\(plural) (\(leftOut[kind]!.sorted().joined(separator: ", ")))"
        }
        let message =
            "this Stash has no custom fields on \(kinds.joined(separator: ", ")); the rules' custom_fields for them "
            + "are left out (Stash v0.31 has custom fields on scenes, images, galleries, studios and tags)"
        return PlanNotice(
            kind: PlanNotice.customFieldsLeftOutKind, message: message,
            counts: Dictionary(uniqueKeysWithValues: leftOut.map { ($0.key.rawValue, $0.value.count) }))
    }
}

extension PlanNotice {
    /// Kind of the notice naming the download folder found in Stash (shown first in the report).
    static let downloadRootKind = "download_root"
    /// Kind of the notice listing custom fields the connected Stash cannot hold.
    static let customFieldsLeftOutKind = "custom_fields_left_out"
    /// Kind of a rules warning (`settings.downloadRoot` that is not a folder on this machine).
    static let rulesWarningKind = "rules_warning"
}
