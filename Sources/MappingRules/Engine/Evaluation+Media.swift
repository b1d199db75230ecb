import FanslyMetadata
import Foundation

/// The media of a post or message: which ones the rules take, their scenes and images, the
/// item's gallery.
extension Evaluation {
    struct ItemResult {
        var gallery: EntityAddress?
        var images: [EntityAddress] = []
        var scenes: [EntityAddress] = []
    }

    /// A media of a post or message that a rule takes, and what its context sets (the owner, the
    /// media and file, the position). A class, without the context itself: the context is kilobytes
    /// with dozens of references, and a struct holding it was copied out and destroyed at each read
    /// of the list.
    final class MediaPick {
        let index: Int
        let rule: EntityRule
        let address: EntityAddress
        let target: ExtraTag.Target
        let owner: Account?
        let refs: References
        let file: DownloadedFile
        let focused: Bool

        init(
            index: Int, rule: EntityRule, address: EntityAddress, target: ExtraTag.Target, owner: Account?,
            refs: References, file: DownloadedFile, focused: Bool
        ) {
            self.index = index
            self.rule = rule
            self.address = address
            self.target = target
            self.owner = owner
            self.refs = refs
            self.file = file
            self.focused = focused
        }
    }

    func processItem(
        _ source: SourceRules, context base: RecordContext, media: [AccountMedia], refs: References,
        gallery galleryAddress: EntityAddress?, stashHint: Int64?, folders: [String], label: String,
        rank: Rank, ownerFromMedia: Account? = nil, quoted: ItemResult = ItemResult()
    ) -> ItemResult {
        var result = ItemResult()
        var context = base
        context.total = media.count
        // A message's media may have other owners: their fields may differ. Explaining needs each
        // field's provenance, so nothing is taken from the cache then.
        recordCache.start(enabled: media.count > 1 && observer == nil && ownerFromMedia == nil)
        defer { recordCache.stop() }
        // Which media the rules take comes first: whether the post gets a gallery depends on it, and
        // its scenes point at that gallery.
        let picks = pickMedia(source, context: context, media: media, refs: refs, ownerFromMedia: ownerFromMedia)
        var gallery: (fields: [DesiredField], origins: [String: FieldOrigin])?
        let hasImages = !quoted.images.isEmpty || picks.contains { $0.target == .image }
        let hasScenes = !quoted.scenes.isEmpty || picks.contains { $0.target == .scene }
        if let galleryAddress, source.gallery.enabled, hasImages || (source.gallery.withoutImages && hasScenes) {
            gallery = galleryFields(source.gallery, context: context, refs: refs, address: galleryAddress)
        } else if galleryAddress != nil, let observer, observer.isInside {
            if !source.gallery.enabled {
                observer.note("no gallery: \(source.gallery.path) is disabled (absent, false or enabled: false)")
            } else if hasScenes {
                observer.note("no gallery: only videos, and \(source.gallery.path) does not say withoutImages: true")
            } else {
                observer.note("no gallery: no picture the rules take")
            }
        }
        for pick in picks {
            if pick.focused { observer?.enter() }
            defer { if pick.focused { observer?.leave() } }
            var itemRefs = pick.refs
            itemRefs.itemGallery = gallery == nil ? nil : galleryAddress
            // The context `pickMedia` tested the pick's `when` with.
            context.account = pick.owner
            context.media = media[pick.index]
            context.file = pick.file
            context.position = pick.index + 1
            let (fields, origins) = evaluateFields(
                pick.rule.fields, context, refs: itemRefs, address: pick.address, target: pick.target)
            var match = matchKeys(pick.rule.match, fields: fields)
            if pick.rule.match.contains(.file) { match.insert(.fileMediaId(pick.file.fileMediaId), at: 0) }
            if pick.rule.match.contains(.stashId), let hint = media[pick.index].stashID {
                match.append(.stashIdHint(String(hint)))
            }
            let expected = ExpectedFile(
                fileMediaId: pick.file.fileMediaId, isPreview: pick.file.isPreview,
                basename: pick.file.localFilename, folders: folders)
            let position =
                media.count > 1 ? ", media \(pick.index + 1)/\(media.count)" : ", media \(media[pick.index].id)"
            add(
                DesiredEntity(
                    address: pick.address, fields: fields, match: match, createMissing: false,
                    respectOrganized: pick.rule.respectOrganized, creator: pick.owner?.username,
                    files: [expected], source: label + position), rank: rank, origins: origins)
            if pick.target == .image { result.images.append(pick.address) } else { result.scenes.append(pick.address) }
        }
        if let galleryAddress, let gallery {
            result.images = StateBuilder.union(result.images, quoted.images)
            addGallery(
                source.gallery, fields: gallery.fields, origins: gallery.origins, address: galleryAddress,
                images: result.images, stashHint: stashHint, creator: base.account?.username, label: label, rank: rank)
            result.gallery = galleryAddress
            linkQuotedScenes(quoted.scenes, to: galleryAddress, rule: source.scene)
        }
        return result
    }

    /// Links the scenes of quoted posts to the repost's gallery, as the scene rule's `galleries: [item]`
    /// links a post's own scenes. Only the link is added: the scenes keep their author's fields.
    func linkQuotedScenes(_ scenes: [EntityAddress], to gallery: EntityAddress, rule: EntityRule) {
        guard !scenes.isEmpty,
            let link = rule.fields.first(where: { field in
                if case .references(let sources) = field.source {
                    return field.output == "gallery_ids" && sources.contains(.item)
                }
                return false
            })
        else { return }
        for scene in scenes {
            // The worst rank: the contribution only adds to lists, never wins a single value.
            add(
                DesiredEntity(
                    address: scene,
                    fields: [DesiredField(name: "gallery_ids", value: .references([gallery]), strategy: link.strategy)],
                    createMissing: false, respectOrganized: rule.respectOrganized),
                rank: Rank(tier: Int.max, time: 0, id: 0),
                origins: observer == nil
                    ? [:]
                    : [
                        "gallery_ids": FieldOrigin(
                            rule: "engine: the gallery of the repost quoting it (\(link.path))",
                            location: link.location.description)
                    ])
        }
    }

    /// The media of a post or message that a rule takes (it has a file, an enabled rule, and passes
    /// the rule's `when`), each with its owner and context.
    func pickMedia(
        _ source: SourceRules, context base: RecordContext, media: [AccountMedia], refs: References,
        ownerFromMedia: Account?
    ) -> [MediaPick] {
        var picks: [MediaPick] = []
        var context = base
        for (index, item) in media.enumerated() {
            referenced.insert(item.id)
            guard let file = item.file else {
                if let observer, observer.isTarget(media: item, file: nil) {
                    observer.capture(context, roots: RuleCompiler.itemRoots.union(RuleCompiler.mediaRoots))
                    observer.report(
                        "media \(item.id) has no downloaded file (not downloaded, or locked without a preview): nothing to map"
                    )
                }
                continue
            }
            let rule: EntityRule
            let address: EntityAddress
            let target: ExtraTag.Target
            switch file.kind {
            case .image: rule = source.image; address = Addresses.image(item.id); target = .image
            case .video: rule = source.scene; address = Addresses.scene(item.id); target = .scene
            case .audio, .other: continue
            }
            guard rule.enabled else {
                if let observer, observer.isTarget(media: item, file: file) {
                    context.media = item
                    context.file = file
                    context.position = index + 1
                    observer.capture(
                        context,
                        roots: base.post != nil
                            ? RuleCompiler.postRoots.union(RuleCompiler.mediaRoots)
                            : RuleCompiler.itemRoots.union(RuleCompiler.mediaRoots))
                    observer.enter()
                    observer.note(
                        "\(rule.path) is disabled (absent, false or enabled: false): the \(target.rawValue) is not mapped"
                    )
                    observer.leave()
                }
                continue
            }
            var itemRefs = refs
            var owner = base.account
            if let fallback = ownerFromMedia, item.accountId != fallback.id,
                let mediaOwner = accounts.byId[item.accountId],
                let ownerRefs = references(for: mediaOwner)
            {
                owner = mediaOwner
                itemRefs.creatorStudio = ownerRefs.creatorStudio
                itemRefs.creatorPerformers = ownerRefs.creatorPerformers
            }
            context.account = owner
            context.media = item
            context.file = file
            context.position = index + 1
            var focused = false
            if let observer, observer.isTarget(media: item, file: file) {
                focused = true
                observer.capture(
                    context,
                    roots: base.item?.kind == .media
                        ? RuleCompiler.itemRoots.union(RuleCompiler.mediaRoots)
                        : base.post != nil
                            ? RuleCompiler.postRoots.union(RuleCompiler.mediaRoots)
                            : RuleCompiler.messageRoots.union(RuleCompiler.mediaRoots))
            }
            if let when = rule.when, !when.holds(context) {
                if let observer, focused || observer.isInside {
                    observer.enter()
                    observer.note(
                        "\(rule.path): media \(item.id) is excluded by "
                            + ExplainObserver.place("\(rule.path).when", when))
                    observer.leave()
                }
                continue
            }
            picks.append(
                MediaPick(
                    index: index, rule: rule, address: address, target: target, owner: owner, refs: itemRefs,
                    file: file, focused: focused))
        }
        return picks
    }
}
