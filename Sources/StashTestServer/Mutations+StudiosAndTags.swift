import GraphQL

/// Studio and tag mutations: names and aliases unique across all names and aliases (see
/// `Mutations.swift` for the rules every mutation follows).
extension StashState {
    /// Stash's EnsureTagNameUnique / EnsureStudioNameUnique, applied to the name and to every alias:
    /// a text may not be another object's name (`LIKE`, case-insensitive) nor one of its aliases.
    static func checkNamesUnique(
        kind: String, name: String?, aliases: [String]?, excluding id: Int?,
        others: [(id: Int, name: String, aliases: [String])]
    ) throws {
        let others = others.filter { $0.id != id }.sorted { $0.id < $1.id }
        if let name, name.isEmpty { throw ResolverError("\(kind) name must not be blank") }
        for text in (name.map { [$0] } ?? []) + (aliases ?? []) {
            if others.contains(where: { StringMatch.like($0.name, text) }) {
                throw ResolverError("\(kind) with name '\(text)' already exists")
            }
            if let owner = others.first(where: { $0.aliases.contains { StringMatch.like($0, text) } }) {
                throw ResolverError("name '\(text)' is used as alias for '\(owner.name)'")
            }
        }
    }

    var studioNames: [(id: Int, name: String, aliases: [String])] {
        studios.values.map { ($0.id, $0.name, $0.aliases) }
    }
    var tagNames: [(id: Int, name: String, aliases: [String])] { tags.values.map { ($0.id, $0.name, $0.aliases) } }

    func checkStudioParent(_ parentId: Int?, of id: Int?) throws {
        guard let parentId else { return }
        guard studios[parentId] != nil else { throw ResolverError("FOREIGN KEY constraint failed") }
        var current: Int? = parentId
        var seen: Set<Int> = []
        while let cursor = current, seen.insert(cursor).inserted {
            if cursor == id { throw ResolverError("studio cannot be an ancestor of itself") }
            current = studios[cursor]?.parentId
        }
    }

    mutating func studioCreate(_ input: InputObject) throws -> Int {
        let name = input.string("name") ?? ""
        let aliases = Self.uniqued(input.strings("aliases") ?? [])
        try Self.checkNamesUnique(kind: "studio", name: name, aliases: aliases, excluding: nil, others: studioNames)
        var studio = TestStudio(id: peekId("studio"), name: name)
        studio.aliases = aliases
        try applyStudioFields(input, to: &studio)
        studios[nextId("studio")] = studio
        return studio.id
    }

    func applyStudioFields(_ input: InputObject, to studio: inout TestStudio) throws {
        try input.applyCustomFields(to: &studio.customFields)
        if let organized = input.bool("organized") { studio.organized = organized }
        if let urls = try Self.checkURLs(input) { studio.urls = urls }
        if input.has("parent_id") {
            let parent = try input.id("parent_id")
            try checkStudioParent(parent, of: studio.id)
            studio.parentId = parent
        }
        if input.has("details") { studio.details = input.string("details") ?? "" }
        if let favorite = input.bool("favorite") { studio.favorite = favorite }
        if let tagIds = try input.ids("tag_ids") { try requireExisting(tagIds, in: tags); studio.tagIds = tagIds }
        if input.has("image") { studio.image = input.rawString("image") }
    }

    mutating func studioUpdate(_ input: InputObject) throws -> Int {
        let id = try input.id("id") ?? 0
        guard var studio = studios[id] else { throw ResolverError("studio with id \(id) not found") }
        let name = input.has("name") ? input.string("name") ?? "" : nil
        let aliases = input.strings("aliases").map(Self.uniqued)
        try Self.checkNamesUnique(kind: "studio", name: name, aliases: aliases, excluding: id, others: studioNames)
        if let name { studio.name = name }
        if let aliases { studio.aliases = aliases }
        try applyStudioFields(input, to: &studio)
        studios[id] = studio
        return id
    }

    /// Stash's ValidateHierarchy: a new parent may not be a descendant of the tag, a new child not
    /// one of its ancestors.
    func checkTagHierarchy(_ tag: TestTag, childIds: [Int]) throws {
        try requireExisting(tag.parentIds, in: tags)
        try requireExisting(childIds, in: tags)
        func walk(from start: Int, next: (Int) -> [Int]) -> [Int: [Int]] {
            var paths: [Int: [Int]] = [:]
            var queue: [(Int, [Int])] = next(start).map { ($0, [start, $0]) }
            while !queue.isEmpty {
                let (current, path) = queue.removeFirst()
                if paths[current] != nil || current == start { continue }
                paths[current] = path
                queue.append(contentsOf: next(current).map { ($0, path + [$0]) })
            }
            return paths
        }
        let descendants = walk(from: tag.id) { id in tags.values.filter { $0.parentIds.contains(id) }.map(\.id) }
        let ancestors = walk(from: tag.id) { id in id == tag.id ? [] : tags[id]?.parentIds ?? [] }
        func describe(_ path: [Int]) -> String {
            path.map { $0 == tag.id ? tag.name : tags[$0]?.name ?? "?" }.joined(separator: " > ")
        }
        for parent in tag.parentIds {
            if parent == tag.id || descendants[parent] != nil {
                let name = tags[parent]?.name ?? tag.name
                throw ResolverError(
                    "cannot apply tag \"\(name)\" as a parent of \"\(tag.name)\" as it is already a descendant (\(describe(descendants[parent] ?? [parent])))"
                )
            }
        }
        let currentAncestors = walk(from: tag.id) { id in (id == tag.id ? tag.parentIds : tags[id]?.parentIds) ?? [] }
        for child in childIds {
            if child == tag.id || currentAncestors[child] != nil || ancestors[child] != nil {
                let name = tags[child]?.name ?? tag.name
                throw ResolverError(
                    "cannot apply tag \"\(name)\" as a child of \"\(tag.name)\" as it is already an ancestor (\(describe((currentAncestors[child] ?? [child]).reversed())))"
                )
            }
        }
    }

    mutating func applyTagFields(_ input: InputObject, to tag: inout TestTag) throws {
        try input.applyCustomFields(to: &tag.customFields)
        if input.has("sort_name") { tag.sortName = input.string("sort_name") ?? "" }
        if input.has("description") { tag.description = input.string("description") ?? "" }
        if let favorite = input.bool("favorite") { tag.favorite = favorite }
        if let ignore = input.bool("ignore_auto_tag") { tag.ignoreAutoTag = ignore }
        if let parents = try input.ids("parent_ids") { tag.parentIds = parents }
        let childIds = try input.ids("child_ids")
        try checkTagHierarchy(tag, childIds: childIds ?? [])
        if let childIds {
            for (id, var other) in tags where id != tag.id {
                let shouldBeChild = childIds.contains(id)
                if shouldBeChild && !other.parentIds.contains(tag.id) {
                    other.parentIds.append(tag.id); tags[id] = other
                }
                if !shouldBeChild && other.parentIds.contains(tag.id) {
                    other.parentIds.removeAll { $0 == tag.id }; tags[id] = other
                }
            }
        }
    }

    mutating func tagCreate(_ input: InputObject) throws -> Int {
        let name = input.string("name") ?? ""
        let aliases = Self.uniqued(input.strings("aliases") ?? [])
        try Self.checkNamesUnique(kind: "tag", name: name, aliases: aliases, excluding: nil, others: tagNames)
        var tag = TestTag(id: nextId("tag"), name: name)
        tag.aliases = aliases
        try applyTagFields(input, to: &tag)
        tags[tag.id] = tag
        return tag.id
    }

    mutating func tagUpdate(_ input: InputObject) throws -> Int {
        let id = try input.id("id") ?? 0
        guard var tag = tags[id] else { throw ResolverError("tag with id \(id) not found") }
        let name = input.has("name") ? input.string("name") ?? "" : nil
        let aliases = input.strings("aliases").map(Self.uniqued)
        try Self.checkNamesUnique(kind: "tag", name: name, aliases: aliases, excluding: id, others: tagNames)
        if let name { tag.name = name }
        if let aliases { tag.aliases = aliases }
        try applyTagFields(input, to: &tag)
        tags[id] = tag
        return id
    }
}
