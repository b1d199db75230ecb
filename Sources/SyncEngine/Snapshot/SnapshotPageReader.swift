import MappingRules
import StashClient

/// Reads a snapshot find's page (`{"data":{"findScenes":{"count":…,"scenes":[…]}}}`) straight from
/// its bytes into `SnapshotRecord`s, as `SnapshotRecord.init(from:)` would decode them: each member
/// is matched to its slot by its key's bytes (in the order Stash sends them first: a GraphQL answer
/// follows its selection) and read by the slot's type.
///
/// Written by hand because the `Decodable` path, not the JSON, was the cost: a keyed container per
/// object and per reference, a look-up per slot and generic metadata made at run time, about 5 s
/// of CPU for the 573,432 objects of the 600,000-media benchmark (a faster `Decoder` under the same
/// `init(from:)` saved nothing; Docs/performance.md, scale). Anything it does not read exactly as
/// `JSONDecoder` would (GraphQL errors, a repeated key, a number with a fraction, invalid UTF-8)
/// gives nil, and the page is decoded by `JSONDecoder`, which reports what is wrong.
enum SnapshotPageReader {
    /// The page's records and the find's `count`; nil when `JSONDecoder` is to read it.
    static func page<Kind: SnapshotKind>(_ response: UnsafeRawBufferPointer, field: String, listKey: String)
        -> (items: [SnapshotRecord<Kind>], count: Int)?
    {
        let selection = Kind.selection
        guard selection.keys.readable, SnapshotSelection.chapter.keys.readable else { return nil }
        var records: [SnapshotRecord<Kind>] = []
        var count: Int?
        do {
            var reader = JSONBytes(response.assumingMemoryBound(to: UInt8.self))
            var seen = Seen()
            try reader.object { reader, key in
                if Self.equal(key, "data") {
                    try seen.first(0)
                    // `data` holds the find alone: anything else is left to JSONDecoder.
                    try reader.object { reader, key in
                        guard key.elementsEqual(field.utf8) else { throw JSONBytes.Unread() }
                        try seen.first(1)
                        try reader.object { reader, key in
                            if Self.equal(key, "count") {
                                try seen.first(2)
                                count = try reader.integer()
                            } else if key.elementsEqual(listKey.utf8) {
                                try seen.first(3)
                                try reader.array { reader in
                                    try records.append(SnapshotRecord(record(&reader, selection)))
                                }
                            } else {
                                throw JSONBytes.Unread()
                            }
                        }
                    }
                } else if Self.equal(key, "errors") {
                    // GraphQL errors are reported by the decoder's path.
                    try seen.first(4)
                    guard reader.isNull() else { throw JSONBytes.Unread() }
                } else {
                    try reader.skipValue()
                }
            }
            guard reader.atEnd(), seen.contains(3), let count else { return nil }
            return (records, count)
        } catch {
            return nil
        }
    }

    /// What `SnapshotRecord` holds, read for `selection`.
    struct Parts {
        var id = ""
        var values: [ReadValue?]
        var paths: [String] = []
        var customFields: CustomFieldValues?
        var chapters: [SnapshotRecord<ChapterSnapshot>] = []
    }

    private static func record(_ reader: inout JSONBytes, _ selection: SnapshotSelection) throws -> Parts {
        let keys = selection.keys
        var parts = Parts(values: Array(repeating: nil, count: keys.slots.count))
        var seen = Seen()
        // Past the last slot read: where the next member's key is looked for first.
        var next = 0
        try reader.object { reader, key in
            if Self.equal(key, "id") {
                try seen.first(63)
                parts.id = try reader.string()
                return
            }
            var slot = next < keys.slots.count && key.elementsEqual(keys.slots[next]) ? next : nil
            if slot == nil { slot = keys.slots.firstIndex { key.elementsEqual($0) } }
            if let slot {
                try seen.first(slot)
                parts.values[slot] = try value(&reader, selection.slots[slot])
                next = slot + 1
                return
            }
            switch keys.extra(key) {
            case .customFields?:
                try seen.first(62)
                parts.customFields = try customFields(&reader)
            case .files?, .visualFiles?:
                try seen.first(61)
                parts.paths.insert(contentsOf: try paths(&reader), at: 0)
            case .folder?:
                try seen.first(60)
                if !reader.isNull() { parts.paths.append(try path(&reader)) }
            case .chapters?:
                try seen.first(59)
                if reader.isNull() { return }
                try reader.array { reader in
                    try parts.chapters.append(SnapshotRecord(record(&reader, SnapshotSelection.chapter)))
                }
            case nil:
                try reader.skipValue()
            }
        }
        guard seen.contains(63) else { throw JSONBytes.Unread() }
        return parts
    }

    /// One slot's value; nil for null (a missing member stays nil too).
    private static func value(_ reader: inout JSONBytes, _ slot: SnapshotSelection.Slot) throws -> ReadValue? {
        if reader.isNull() { return nil }
        switch slot.type {
        case .text, .date: return .text(try reader.string())
        case .int: return .int(try reader.integer())
        case .bool: return .bool(try reader.bool())
        case .strings:
            var items: [String] = []
            try reader.array { items.append(try $0.string()) }
            return .strings(items)
        case .reference where slot.titled: return .titled(try titledRef(&reader))
        case .reference: return .named(try namedRef(&reader))
        case .references where slot.titled:
            var refs: [TitledRef] = []
            try reader.array { refs.append(try titledRef(&$0)) }
            return .titleds(refs)
        case .references:
            var refs: [NamedRef] = []
            try reader.array { refs.append(try namedRef(&$0)) }
            return .nameds(refs)
        }
    }

    private static func namedRef(_ reader: inout JSONBytes) throws -> NamedRef {
        var id: String?
        var name: String?
        try reader.object { reader, key in
            if Self.equal(key, "id") {
                guard id == nil else { throw JSONBytes.Unread() }
                id = try reader.string()
            } else if Self.equal(key, "name") {
                guard name == nil else { throw JSONBytes.Unread() }
                name = try reader.string()
            } else {
                try reader.skipValue()
            }
        }
        guard let id, let name else { throw JSONBytes.Unread() }
        return NamedRef(id: id, name: name)
    }

    private static func titledRef(_ reader: inout JSONBytes) throws -> TitledRef {
        var id: String?
        var title: String?
        var seen = Seen()
        try reader.object { reader, key in
            if Self.equal(key, "id") {
                try seen.first(0)
                id = try reader.string()
            } else if Self.equal(key, "title") {
                try seen.first(1)
                title = reader.isNull() ? nil : try reader.string()
            } else {
                try reader.skipValue()
            }
        }
        guard let id else { throw JSONBytes.Unread() }
        return TitledRef(id: id, title: title)
    }

    /// The paths of a list of files; none for null.
    private static func paths(_ reader: inout JSONBytes) throws -> [String] {
        if reader.isNull() { return [] }
        var paths: [String] = []
        try reader.array { paths.append(try path(&$0)) }
        return paths
    }

    /// `{"path": …}`.
    private static func path(_ reader: inout JSONBytes) throws -> String {
        var path: String?
        try reader.object { reader, key in
            if Self.equal(key, "path") {
                guard path == nil else { throw JSONBytes.Unread() }
                path = try reader.string()
            } else {
                try reader.skipValue()
            }
        }
        guard let path else { throw JSONBytes.Unread() }
        return path
    }

    /// `custom_fields` as `CustomFieldValues` reads them: text, booleans and whole numbers as text,
    /// nulls and nested values left out (other numbers are left to JSONDecoder).
    private static func customFields(_ reader: inout JSONBytes) throws -> CustomFieldValues? {
        if reader.isNull() { return nil }
        var values: [String: String] = [:]
        var names: Set<String> = []
        try reader.objectByName { reader, name in
            guard names.insert(name).inserted else { throw JSONBytes.Unread() }
            switch reader.peekValue() {
            case UInt8(ascii: "\""): values[name] = try reader.string()
            case UInt8(ascii: "t"), UInt8(ascii: "f"): values[name] = String(try reader.bool())
            case UInt8(ascii: "{"), UInt8(ascii: "["): try reader.skipValue()
            case UInt8(ascii: "n"): guard reader.isNull() else { throw JSONBytes.Unread() }
            default: values[name] = String(try reader.integer())
            }
        }
        return CustomFieldValues(values)
    }

    private static func equal(_ key: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard key.count == count else { return false }
        for index in 0..<count where key[index] != literal.utf8Start[index] { return false }
        return true
    }

    /// Which of up to 64 members were read: a repeated one is left to JSONDecoder.
    private struct Seen {
        private var bits: UInt64 = 0
        mutating func first(_ member: Int) throws {
            let bit: UInt64 = 1 << UInt64(member)
            guard bits & bit == 0 else { throw JSONBytes.Unread() }
            bits |= bit
        }
        func contains(_ member: Int) -> Bool { bits & (1 << UInt64(member)) != 0 }
    }
}

extension SnapshotRecord {
    init(_ parts: SnapshotPageReader.Parts) {
        self.init(
            id: parts.id, values: parts.values, paths: parts.paths, customFields: parts.customFields,
            chapters: parts.chapters)
    }
}

extension SnapshotSelection {
    /// The selection's keys as `SnapshotPageReader` matches them.
    struct Keys: Sendable {
        /// Each slot's key, in slot order.
        let slots: [[UInt8]]
        /// The members besides the slots that this selection reads.
        let extras: [(key: [UInt8], extra: ReadExtra)]
        /// False when keys repeat or are too many for the reader: `JSONDecoder` reads them.
        let readable: Bool

        init(_ slots: [Slot], extra: Extra) {
            self.slots = slots.map { Array($0.key.stringValue.utf8) }
            var extras: [(SnapshotKey, ReadExtra)] = [(.customFields, .customFields)]
            switch extra {
            case .none: break
            case .files: extras.append((.files, .files))
            case .visualFiles: extras.append((.visualFiles, .visualFiles))
            case .galleryPathsAndChapters: extras += [(.files, .files), (.folder, .folder), (.chapters, .chapters)]
            }
            self.extras = extras.map { (Array($0.0.stringValue.utf8), $0.1) }
            let all = self.slots + self.extras.map(\.key) + [Array("id".utf8)]
            readable = Set(all).count == all.count && slots.count <= 58
        }

        func extra(_ key: UnsafeBufferPointer<UInt8>) -> ReadExtra? {
            extras.first { key.elementsEqual($0.key) }?.extra
        }
    }

    /// A member read besides the slots.
    enum ReadExtra: Sendable { case customFields, files, visualFiles, folder, chapters }
}
