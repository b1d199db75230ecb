import GraphQL

/// Performer mutations (see `Mutations.swift` for the rules every mutation follows).
extension StashState {
    func checkPerformerName(_ name: String, disambiguation: String, excluding id: Int?) throws {
        if name.isEmpty { throw ResolverError("performer name must not be blank") }
        let conflict = performers.values.contains { other in
            other.id != id && StringMatch.like(other.name, name)
                && (disambiguation.isEmpty
                    ? other.disambiguation.isEmpty : StringMatch.like(other.disambiguation, disambiguation))
        }
        if conflict {
            throw ResolverError(
                disambiguation.isEmpty
                    ? "performer with name '\(name)' already exists"
                    : "performer with name '\(name)' and disambiguation '\(disambiguation)' already exists")
        }
    }

    static func checkPerformerAliases(name: String, aliases: [String]) throws {
        var seen: Set<String> = [name.lowercased()]
        for alias in aliases {
            if !seen.insert(alias.lowercased()).inserted {
                throw ResolverError("performer contains duplicate alias '\(alias)'")
            }
        }
    }

    func applyPerformerFields(_ input: InputObject, to performer: inout TestPerformer) throws {
        try input.applyCustomFields(to: &performer.customFields)
        if let urls = try Self.checkURLs(input) { performer.urls = urls }
        if input.has("gender") { performer.gender = input.rawString("gender") }
        if input.has("birthdate") { performer.birthdate = try Self.validDate(input.string("birthdate")) }
        if input.has("country") { performer.country = input.string("country") ?? "" }
        if input.has("details") { performer.details = input.string("details") ?? "" }
        if let favorite = input.bool("favorite") { performer.favorite = favorite }
        if let tagIds = try input.ids("tag_ids") { try requireExisting(tagIds, in: tags); performer.tagIds = tagIds }
        if input.has("image") { performer.image = input.rawString("image") }
        if let stashIds = input.objects("stash_ids") {
            performer.stashIds = stashIds.map {
                TestStashID(endpoint: $0.string("endpoint") ?? "", stashId: $0.string("stash_id") ?? "")
            }
        }
    }

    mutating func performerCreate(_ input: InputObject) throws -> Int {
        let name = input.string("name") ?? ""
        let disambiguation = input.string("disambiguation") ?? ""
        try checkPerformerName(name, disambiguation: disambiguation, excluding: nil)
        let aliases = Self.uniqued(input.strings("alias_list") ?? [])
        try Self.checkPerformerAliases(name: name, aliases: aliases)
        var performer = TestPerformer(id: peekId("performer"), name: name)
        performer.disambiguation = disambiguation
        performer.aliases = aliases
        try applyPerformerFields(input, to: &performer)
        performers[nextId("performer")] = performer
        return performer.id
    }

    mutating func performerUpdate(_ input: InputObject) throws -> Int {
        let id = try input.id("id") ?? 0
        guard var performer = performers[id] else { throw ResolverError("performer with id \(id) not found") }
        if input.has("name") || input.has("disambiguation") {
            let name = input.has("name") ? input.string("name") ?? "" : performer.name
            let disambiguation =
                input.has("disambiguation") ? input.string("disambiguation") ?? "" : performer.disambiguation
            try checkPerformerName(name, disambiguation: disambiguation, excluding: id)
            performer.name = name
            performer.disambiguation = disambiguation
        }
        if let aliases = input.strings("alias_list") { performer.aliases = Self.uniqued(aliases) }
        if input.has("name") || input.has("alias_list") {
            try Self.checkPerformerAliases(name: performer.name, aliases: performer.aliases)
        }
        try applyPerformerFields(input, to: &performer)
        performers[id] = performer
        return id
    }
}
