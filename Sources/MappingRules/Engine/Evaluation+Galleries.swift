import FanslyMetadata
import Foundation

/// Galleries (of posts, messages, bundles and walls) and wall chapters.
extension Evaluation {
    /// A gallery's fields, or nil when its `when` excludes it or it gets no title.
    func galleryFields(
        _ rule: EntityRule, context: RecordContext, refs: References,
        address: EntityAddress
    ) -> (fields: [DesiredField], origins: [String: FieldOrigin])? {
        var context = context
        context.media = nil
        context.file = nil
        context.position = 0
        if let when = rule.when, !when.holds(context) {
            observer?.note("no gallery: excluded by " + ExplainObserver.place("\(rule.path).when", when))
            return nil
        }
        let (fields, origins) = evaluateFields(rule.fields, context, refs: refs, address: address, target: .gallery)
        guard fields.contains(where: { $0.name == "title" }) else {
            observer?.note("no gallery: \(rule.path).fields.title is empty for it (Stash needs a title)")
            return nil
        }
        return (fields, origins)
    }

    /// Adds a gallery holding `images` (a wall or bundle gallery); galleries without images are not produced.
    @discardableResult
    func addGallery(
        _ rule: EntityRule, context: RecordContext, refs: References, address: EntityAddress,
        images: [EntityAddress], stashHint: Int64?, label: String, rank: Rank
    ) -> Bool {
        guard rule.enabled, !images.isEmpty,
            let (fields, origins) = galleryFields(rule, context: context, refs: refs, address: address)
        else { return false }
        addGallery(
            rule, fields: fields, origins: origins, address: address, images: images, stashHint: stashHint,
            creator: context.account?.username, label: label, rank: rank)
        return true
    }

    /// Adds a gallery with evaluated `fields`, holding `images` (none for a gallery that groups videos).
    func addGallery(
        _ rule: EntityRule, fields: [DesiredField], origins: [String: FieldOrigin], address: EntityAddress,
        images: [EntityAddress], stashHint: Int64?, creator: String?, label: String, rank: Rank
    ) {
        var fields = fields
        var origins = origins
        if !images.isEmpty {
            fields.append(DesiredField(name: "image_ids", value: .references(images)))
            if observer != nil {
                origins["image_ids"] = FieldOrigin(
                    rule: "engine: the images produced for this \(address.key.split(separator: ".").first ?? "item")",
                    location: nil)
            }
        }
        var match = matchKeys(rule.match, fields: fields)
        if rule.match.contains(.stashId), let hint = stashHint { match.append(.stashIdHint(String(hint))) }
        add(
            DesiredEntity(
                address: address, fields: fields, match: match, createMissing: rule.createMissing,
                respectOrganized: rule.respectOrganized, creator: creator, source: label), rank: rank, origins: origins)
    }

    // MARK: Walls

    func addWallEntities(_ post: Post, context base: RecordContext, gallery: EntityAddress?, images: [EntityAddress]) {
        guard rules.wallMode != .none, !post.wallIds.isEmpty else { return }
        for wallId in post.wallIds {
            guard let wall = walls[wallId] else { continue }
            var context = base
            context.wall = wall
            if let when = rules.wallWhen, !when.holds(context) { continue }
            switch rules.wallMode {
            case .chapters:
                let rule = rules.chapter
                // A chapter starts at an image: a gallery that only groups videos has none.
                guard let gallery, !images.isEmpty, rule.enabled, rule.when?.holds(context) ?? true else { continue }
                let address = Addresses.chapter(wall: wall.id, post: post.id)
                var (fields, origins) = evaluateFields(
                    rule.fields, context, refs: References(), address: address, target: nil)
                guard fields.contains(where: { $0.name == "title" }) else { continue }
                if !fields.contains(where: { $0.name == "image_index" }) {
                    fields.append(DesiredField(name: "image_index", value: .int(1)))
                }
                fields.insert(DesiredField(name: "gallery_id", value: .reference(gallery)), at: 0)
                if observer != nil {
                    origins["gallery_id"] = FieldOrigin(rule: "engine: the post's gallery", location: nil)
                }
                add(
                    DesiredEntity(
                        address: address, fields: fields, match: [], createMissing: rule.createMissing,
                        respectOrganized: rule.respectOrganized, creator: base.account?.username,
                        source: "wall \(wall.id), post \(post.id)"), rank: .item(post.createdAt, post.id),
                    origins: origins)
            case .galleries:
                wallImages[wall.id, default: []] += images
            case .none:
                break
            }
        }
    }

    func addWallGalleries(_ creator: Account) {
        guard let refs = references(for: creator) else { return }
        for wall in walls.values.sorted(by: { ($0.pos ?? 0, $0.id) < ($1.pos ?? 0, $1.id) }) {
            var context = RecordContext(urls: rules.urls)
            context.account = creator
            context.wall = wall
            if let when = rules.wallWhen, !when.holds(context) { continue }
            var seen = Set<EntityAddress>()
            let images = (wallImages[wall.id] ?? []).filter { seen.insert($0).inserted }
            addGallery(
                rules.wallGallery, context: context, refs: refs, address: Addresses.gallery("wall", wall.id),
                images: images, stashHint: wall.stashID, label: "wall \(wall.id)", rank: .item(nil, wall.id))
        }
    }
}
