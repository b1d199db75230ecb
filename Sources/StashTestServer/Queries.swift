import GraphQL

/// Paging and sorting as `FindFilterType` does it: per_page 25 by default, -1 = all, 0 = none.
struct Paging {
    let page: Int
    let perPage: Int
    let sort: String?
    let descending: Bool

    init(_ map: Map) {
        let input = InputObject(map)
        page = max(1, input.int("page") ?? 1)
        perPage = input.int("per_page") ?? 25
        sort = input.rawString("sort")
        descending = input.rawString("direction") == "DESC"
    }

    func slice<T>(_ items: [T]) -> [T] {
        if perPage < 0 { return items }
        if perPage == 0 { return [] }
        let start = (page - 1) * perPage
        guard start < items.count else { return [] }
        return Array(items[start..<min(items.count, start + perPage)])
    }
}

/// An object the server holds, found by its id.
protocol StashRecord { var id: Int { get } }
extension TestScene: StashRecord {}
extension TestImage: StashRecord {}
extension TestGallery: StashRecord {}
extension TestPerformer: StashRecord {}
extension TestStudio: StashRecord {}
extension TestTag: StashRecord {}

/// What a find may reuse: the memo of the state it reads, and that state's version.
struct FindReuse {
    let memo: FindMemo
    let version: Int
}

extension StashState {
    /// Runs a find: `ids` (when given) overrides every filter, as in Stash. With `reuse`, the ordered
    /// ids of a filter and sort are computed once per state version, and a filter that requires a
    /// piece of the path (`path` gives the objects' paths) looks only at the objects whose path
    /// holds it (`PathIndex`); the answer is the same.
    func find<Record: StashRecord>(
        records: [Int: Record], kind: String, args: Map, path: ((Record) -> String?)? = nil, reuse: FindReuse? = nil,
        filterKey: String, sorts: [String: (Record, Record) -> Bool],
        values: (Record, String) -> ObjectFilter.Value?
    ) throws -> (count: Int, items: [Record]) {
        let paging = Paging(args["filter"])
        if let ids = args["ids"].array, !args["ids"].isNull {
            let wanted = try ids.map { try InputObject.parseID($0.string ?? "") }
            var selected = wanted.compactMap { records[$0] }
            try Self.sort(&selected, paging, sorts)
            return (selected.count, paging.slice(selected))
        }
        let filterMap = args[filterKey]
        let key = FindMemo.Key(kind: kind, filter: filterMap, sort: paging.sort, descending: paging.descending)
        if let reuse, let ids = reuse.memo.ids(key, version: reuse.version) {
            return (ids.count, paging.slice(ids).map { records[$0]! })
        }
        // Filtered in place and only the matches sorted and copied: a find pages through a
        // large library, and copying and sorting every record for each page made paging
        // quadratic (600,000 images, a few hundred pages).
        var ids: [Int]
        if filterMap.dictionary != nil {
            let filter = ObjectFilter(input: InputObject(filterMap))
            try filter.validate()
            if let reuse, let path, let piece = filter.requiredPathPiece {
                let index = reuse.memo.pathIndex(kind, version: reuse.version) {
                    PathIndex(paths: records.map { ($0.key, path($0.value)) })
                }
                ids = index.ids(containing: piece).filter { id in filter.matches { values(records[id]!, $0) } }
            } else {
                ids = records.compactMap { id, record in filter.matches { values(record, $0) } ? id : nil }
                ids.sort()
            }
        } else {
            ids = Array(records.keys)
            ids.sort()
        }
        var selected = ids.map { records[$0]! }
        try Self.sort(&selected, paging, sorts)
        if let reuse { reuse.memo.remember(selected.map(\.id), for: key, version: reuse.version) }
        return (selected.count, paging.slice(selected))
    }

    /// Orders a find's matches (ascending ids) as `paging` asks.
    private static func sort<Record: StashRecord>(
        _ selected: inout [Record], _ paging: Paging, _ sorts: [String: (Record, Record) -> Bool]
    ) throws {
        if let sort = paging.sort {
            guard let comparator = sorts[sort] else { throw ResolverError("invalid sort: \(sort)") }
            selected.sort(by: comparator)
            if paging.descending { selected.reverse() }
        } else if paging.descending {
            selected.reverse()
        }
    }

    func findScenes(_ args: Map, reuse: FindReuse? = nil) throws -> FindResultNode {
        let result = try find(
            records: scenes, kind: "scene", args: args, path: { $0.path }, reuse: reuse, filterKey: "scene_filter",
            sorts: [
                "id": { $0.id < $1.id }, "title": { $0.title < $1.title }, "path": { $0.path < $1.path },
                "date": { ($0.date ?? "") < ($1.date ?? "") }, "created_at": { $0.id < $1.id },
                "updated_at": { $0.id < $1.id },
            ]
        ) { scene, key in
            switch key {
            case "id": return .number(scene.id)
            case "title": return .text(scene.title)
            case "code": return .text(scene.code)
            case "details": return .text(scene.details)
            case "path": return .text(scene.path)
            case "url": return .list(scene.urls)
            case "organized": return .flag(scene.organized)
            default: return nil
            }
        }
        return FindResultNode(
            listKey: "scenes", count: result.count, items: result.items.map { SceneNode(state: self, record: $0) })
    }

    func findImages(_ args: Map, reuse: FindReuse? = nil) throws -> FindResultNode {
        let result = try find(
            records: images, kind: "image", args: args, path: { $0.path }, reuse: reuse, filterKey: "image_filter",
            sorts: [
                "id": { $0.id < $1.id }, "title": { $0.title < $1.title }, "path": { $0.path < $1.path },
                "created_at": { $0.id < $1.id }, "updated_at": { $0.id < $1.id },
            ]
        ) { image, key in
            switch key {
            case "id": return .number(image.id)
            case "title": return .text(image.title)
            case "code": return .text(image.code)
            case "details": return .text(image.details)
            case "path": return .text(image.path)
            case "url": return .list(image.urls)
            case "organized": return .flag(image.organized)
            default: return nil
            }
        }
        return FindResultNode(
            listKey: "images", count: result.count, items: result.items.map { ImageNode(state: self, record: $0) })
    }

    func findGalleries(_ args: Map, reuse: FindReuse? = nil) throws -> FindResultNode {
        let result = try find(
            records: galleries, kind: "gallery", args: args, path: { $0.folderPath ?? $0.zipPath }, reuse: reuse,
            filterKey: "gallery_filter",
            sorts: [
                "id": { $0.id < $1.id }, "title": { $0.title < $1.title },
                "path": { ($0.folderPath ?? $0.zipPath ?? "") < ($1.folderPath ?? $1.zipPath ?? "") },
                "created_at": { $0.id < $1.id }, "updated_at": { $0.id < $1.id },
            ]
        ) { gallery, key in
            switch key {
            case "id": return .number(gallery.id)
            case "title": return .text(gallery.title)
            case "code": return .text(gallery.code)
            case "details": return .text(gallery.details)
            case "path": return .text(gallery.folderPath ?? gallery.zipPath)
            case "url": return .list(gallery.urls)
            case "organized": return .flag(gallery.organized)
            case "is_zip": return .flag(gallery.zipPath != nil)
            default: return nil
            }
        }
        let facts = result.items.count > 1 ? GalleryFacts(state: self, galleries: Set(result.items.map(\.id))) : nil
        return FindResultNode(
            listKey: "galleries", count: result.count,
            items: result.items.map { GalleryNode(state: self, record: $0, facts: facts) })
    }

    func findPerformers(_ args: Map, reuse: FindReuse? = nil) throws -> FindResultNode {
        let result = try find(
            records: performers, kind: "performer", args: args, reuse: reuse, filterKey: "performer_filter",
            sorts: [
                "id": { $0.id < $1.id }, "name": { $0.name.lowercased() < $1.name.lowercased() },
                "created_at": { $0.id < $1.id }, "updated_at": { $0.id < $1.id },
            ]
        ) { performer, key in
            switch key {
            case "name": return .text(performer.name)
            case "disambiguation": return .text(performer.disambiguation)
            case "aliases": return .list(performer.aliases)
            case "url": return .list(performer.urls)
            case "details": return .text(performer.details)
            default: return nil
            }
        }
        return FindResultNode(
            listKey: "performers", count: result.count,
            items: result.items.map { PerformerNode(state: self, record: $0) })
    }

    func findStudios(_ args: Map, reuse: FindReuse? = nil) throws -> FindResultNode {
        let result = try find(
            records: studios, kind: "studio", args: args, reuse: reuse, filterKey: "studio_filter",
            sorts: [
                "id": { $0.id < $1.id }, "name": { $0.name.lowercased() < $1.name.lowercased() },
                "created_at": { $0.id < $1.id }, "updated_at": { $0.id < $1.id },
            ]
        ) { studio, key in
            switch key {
            case "name": return .text(studio.name)
            case "aliases": return .list(studio.aliases)
            case "url": return .list(studio.urls)
            case "details": return .text(studio.details)
            case "parents": return .ids(studio.parentId.map { [$0] } ?? [])
            default: return nil
            }
        }
        return FindResultNode(
            listKey: "studios", count: result.count, items: result.items.map { StudioNode(state: self, record: $0) })
    }

    func findTags(_ args: Map, reuse: FindReuse? = nil) throws -> FindResultNode {
        let result = try find(
            records: tags, kind: "tag", args: args, reuse: reuse, filterKey: "tag_filter",
            sorts: [
                "id": { $0.id < $1.id }, "name": { $0.name.lowercased() < $1.name.lowercased() },
                "created_at": { $0.id < $1.id }, "updated_at": { $0.id < $1.id },
            ]
        ) { tag, key in
            switch key {
            case "name": return .text(tag.name)
            case "aliases": return .list(tag.aliases)
            case "description": return .text(tag.description)
            default: return nil
            }
        }
        return FindResultNode(
            listKey: "tags", count: result.count, items: result.items.map { TagNode(state: self, record: $0) })
    }
}
