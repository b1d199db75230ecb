import GRDB

/// Rows only the v0.13 shape has: stories and the stub posts `pinned_posts` points at.
extension SampleGenerator {
    /// One picture and one HLS video story per creator, in `media_stories`; the downloader writes
    /// their files directly under `<creator>_fansly/Pictures|Videos`.
    mutating func addStories(creators: [Account]) throws {
        for (index, creator) in creators.enumerated() {
            let time = Self.epoch + 450 * 86_400 + Int64(index) * 3_600
            for (offset, kind) in [Kind.image, .video].enumerated() {
                let storyTime = time + Int64(offset) * 600
                let item = try addItem(
                    Item(kind: kind), owner: creator, downloader: creator, time: storyTime, folder: .stories)
                // Fansly's content type 1 is account media.
                try sink.insert(
                    .mediaStories,
                    [
                        nextId().databaseValue, creator.id.databaseValue, 1.databaseValue,
                        item.databaseValue, stamp(storyTime), stamp(storyTime),
                    ])
            }
        }
    }

    /// v0.13 fills `pinned_posts` while processing an account, before the pinned post itself is
    /// fetched: a stub `posts` row (no caption, no date) satisfies the foreign key, and
    /// `stub_tracker` lists it. Such a post is never a real post.
    mutating func addStubPins(creators: [Account], pinnedBefore: Set<Int64>) throws {
        for (index, creator) in creators.enumerated() {
            let stub = nextId()
            let time = Self.epoch + 460 * 86_400 + Int64(index) * 3_600
            try sink.insert(
                .posts,
                [
                    stub.databaseValue, creator.id.databaseValue, DatabaseValue.null,
                    DatabaseValue.null, DatabaseValue.null, DatabaseValue.null, DatabaseValue.null,
                    DatabaseValue.null, DatabaseValue.null,
                ])
            let position = pinnedBefore.contains(creator.id) ? 1 : 0
            try sink.insert(
                .pinnedPosts, [stub.databaseValue, creator.id.databaseValue, position.databaseValue, stamp(time)])
            try sink.insert(
                .stubTracker,
                [
                    "posts".databaseValue, stub.databaseValue, stamp(time),
                    "junction_fk:pinned_posts".databaseValue,
                ])
        }
    }
}
