import FanslyMetadata
import Foundation

/// Records: posts (and the posts they quote), messages, loose media and bundles.
extension Evaluation {
    func counts(_ media: [AccountMedia]) -> (Int, Int, Int) {
        var images = 0
        var videos = 0
        for item in media {
            switch item.file?.kind ?? item.media.kind {
            case .image: images += 1
            case .video: videos += 1
            default: break
            }
        }
        return (media.count, images, videos)
    }

    /// Maps a post and, one level deep, the posts it quotes (`AGGREGATED_POSTS`); returns what the
    /// post produced, so that a repost's gallery can hold the media of the posts it quotes.
    @discardableResult
    func processPost(_ post: Post, folderOwner: Account, reposter: String?) -> ItemResult {
        let author = account(post.accountId, fallback: folderOwner)
        guard var refs = references(for: author) else { return ItemResult() }
        // Quoted posts first: they keep their author, and the repost's gallery holds their media.
        var quoted = ItemResult()
        if reposter == nil {
            for original in post.reposts where original.id != post.id {
                let produced = processPost(original, folderOwner: folderOwner, reposter: author.username)
                quoted.images = StateBuilder.union(quoted.images, produced.images)
                quoted.scenes = StateBuilder.union(quoted.scenes, produced.scenes)
            }
        }
        var context = RecordContext(urls: rules.urls)
        context.account = author
        context.post = post
        context.reposter = reposter
        context.postWalls = post.wallIds.compactMap { walls[$0]?.name }
        let media = post.media
        let (total, images, videos) = counts(media)
        context.item = ItemInfo(
            kind: .post, id: post.id, content: post.content, createdAt: post.createdAt,
            mediaCount: total, imageCount: images, videoCount: videos)
        context.captionMemo = CaptionMemo()
        let focused = entering(context, roots: RuleCompiler.postRoots) { $0.isTarget(post: post.id) }
        defer { if focused { observer?.leave() } }
        if let when = rules.post.when, !when.holds(context) {
            for item in media { referenced.insert(item.id) }
            observer?.note("the post is excluded by " + ExplainObserver.place("post.when", when))
            return ItemResult()
        }
        refs.hashtagTags = tags(for: post)
        refs.mentionPerformers = mentionPerformers(post, author: author)
        let result = processItem(
            rules.post, context: context, media: media, refs: refs,
            gallery: Addresses.gallery("post", post.id), stashHint: post.stashID,
            folders: folders(for: folderOwner), label: "post \(post.id)",
            rank: .item(post.createdAt, post.id), quoted: quoted)
        addWallEntities(post, context: context, gallery: result.gallery, images: result.images)
        return result
    }

    func processMessage(_ message: Message, creator: Account) {
        guard var refs = references(for: creator) else { return }
        var context = RecordContext(urls: rules.urls)
        context.account = creator
        context.message = message
        let media = message.media
        let (total, images, videos) = counts(media)
        context.item = ItemInfo(
            kind: .message, id: message.id, content: message.content, createdAt: message.createdAt,
            mediaCount: total, imageCount: images, videoCount: videos)
        context.captionMemo = CaptionMemo()
        let focused = entering(context, roots: RuleCompiler.messageRoots) { $0.isTarget(message: message.id) }
        defer { if focused { observer?.leave() } }
        if let when = rules.message.when, !when.holds(context) {
            for item in media { referenced.insert(item.id) }
            observer?.note("the message is excluded by " + ExplainObserver.place("message.when", when))
            return
        }
        refs.hashtagTags = []
        _ = processItem(
            rules.message, context: context, media: media, refs: refs,
            gallery: Addresses.gallery("message", message.id), stashHint: message.stashID,
            folders: folders(for: creator), label: "message \(message.id)",
            rank: .item(message.createdAt, message.id), ownerFromMedia: creator)
    }

    func processLoose(_ item: AccountMedia, creator: Account) {
        guard let refs = references(for: creator) else { return }
        var context = RecordContext(urls: rules.urls)
        context.account = creator
        let (total, images, videos) = counts([item])
        let date = item.createdAt ?? item.media.createdAt
        context.item = ItemInfo(
            kind: .media, id: item.id, content: nil, createdAt: date,
            mediaCount: total, imageCount: images, videoCount: videos)
        context.captionMemo = CaptionMemo()
        if let when = rules.media.when, !when.holds(context) {
            if let observer, observer.isTarget(looseMedia: item) {
                observer.capture(context, roots: RuleCompiler.itemRoots)
                observer.report("excluded by " + ExplainObserver.place("media.when", when))
            }
            return
        }
        _ = processItem(
            rules.media, context: context, media: [item], refs: refs, gallery: nil, stashHint: nil,
            folders: folders(for: creator), label: "media \(item.id) (in no stored post or message)",
            rank: .loose(date, item.id))
    }

    func processBundle(_ bundle: MediaBundle, creator: Account) {
        guard let refs = references(for: creator) else { return }
        var context = RecordContext(urls: rules.urls)
        context.account = creator
        context.bundle = bundle
        let (total, images, videos) = counts(bundle.media)
        context.item = ItemInfo(
            kind: .bundle, id: bundle.id, content: nil, createdAt: bundle.createdAt,
            mediaCount: total, imageCount: images, videoCount: videos)
        context.captionMemo = CaptionMemo()
        if let when = rules.bundle.when, !when.holds(context) { return }
        let imageAddresses = bundle.media.compactMap { item -> EntityAddress? in
            let address = Addresses.image(item.id)
            return builder.contains(address) ? address : nil
        }
        addGallery(
            rules.bundle.gallery, context: context, refs: refs, address: Addresses.gallery("bundle", bundle.id),
            images: imageAddresses, stashHint: bundle.stashID, label: "bundle \(bundle.id)",
            rank: .item(bundle.createdAt, bundle.id))
    }
}
