import GRDB

/// Walls (with the posts they list) and message groups with their messages.
extension SampleGenerator {
    mutating func addWalls(creator: Account, postIds: [Int64], quirks: Bool) throws {
        let main = nextId()
        try sink.insert(
            .walls,
            [
                main.databaseValue, creator.id.databaseValue, 0.databaseValue, "Main".databaseValue,
                "Everything".databaseValue, DatabaseValue.null, DatabaseValue.null,
            ])
        let second = nextId()
        try sink.insert(
            .walls,
            [
                second.databaseValue, creator.id.databaseValue, 1.databaseValue,
                (quirks ? "Latex" : "Favourites").databaseValue, DatabaseValue.null,
                DatabaseValue.null, DatabaseValue.null,
            ])
        for (index, postId) in postIds.enumerated() {
            if quirks ? index != 2 : rng.chance(0.3) {
                try sink.insert(.wallPosts, [main.databaseValue, postId.databaseValue])
            }
            if quirks ? index < 2 : rng.chance(0.1) {
                try sink.insert(.wallPosts, [second.databaseValue, postId.databaseValue])
            }
        }
    }

    mutating func addMessages(creator: Account, fan: Account, time: inout Int64, quirks: Bool, index: Int)
        throws
    {
        let groupId = nextId()
        // Real groups often point at a last message that was never stored.
        try sink.insert(.groups, [groupId.databaseValue, creator.id.databaseValue, nextId().databaseValue])
        try sink.insert(.groupUsers, [groupId.databaseValue, creator.id.databaseValue])
        try sink.insert(.groupUsers, [groupId.databaseValue, fan.id.databaseValue])
        if quirks && index == 0 {
            time += 600
            let welcome = try insertMessage(
                group: groupId, sender: creator, recipient: nil, content: "Thanks for subscribing!", time: time)
            try addAttachment(
                message: welcome, pos: 0,
                contentId: addItem(Item(), owner: creator, downloader: creator, time: time, folder: .messages),
                type: "ACCOUNT_MEDIA")
            time += 600
            // Message bundles are never stored: the attachment points nowhere.
            let bundled = try insertMessage(
                group: groupId, sender: creator, recipient: nil, content: "A little bundle for you", time: time)
            try addAttachment(message: bundled, pos: 0, contentId: nextId(), type: "ACCOUNT_MEDIA_BUNDLE")
            time += 600
            _ = try insertMessage(group: groupId, sender: fan, recipient: nil, content: "Love it!", time: time)
            time += 600
            let video = try insertMessage(
                group: groupId, sender: creator, recipient: nil, content: "Video as promised", time: time)
            try addAttachment(
                message: video, pos: 0,
                contentId: addItem(
                    Item(kind: .video), owner: creator, downloader: creator, time: time, folder: .messages),
                type: "ACCOUNT_MEDIA")
        }
        if quirks && index == 1 {
            time += 900
            // A direct message: no group, an explicit recipient.
            let direct = try insertMessage(
                group: nil, sender: creator, recipient: fan, content: "Direct hello", time: time)
            try addAttachment(
                message: direct, pos: 0,
                contentId: addItem(Item(), owner: creator, downloader: creator, time: time, folder: .messages),
                type: "ACCOUNT_MEDIA")
        }
        for number in 0..<options.messagesPerCreator {
            time += Int64(rng.int(3_600..<200_000))
            let fromCreator = number % 2 == 0
            let message = try insertMessage(
                group: groupId, sender: fromCreator ? creator : fan, recipient: nil,
                content: fromCreator ? "Something special for you" : "Thank you!", time: time)
            if fromCreator {
                var item = Item()
                item.kind = rng.chance(0.3) ? .video : .image
                item.locked = rng.chance(0.3)
                try addAttachment(
                    message: message, pos: 0,
                    contentId: addItem(item, owner: creator, downloader: creator, time: time, folder: .messages),
                    type: "ACCOUNT_MEDIA")
            }
        }
    }

    private mutating func insertMessage(
        group: Int64?, sender: Account, recipient: Account?, content: String, time: Int64
    ) throws -> Int64 {
        let id = nextId()
        try sink.insert(
            .messages,
            [
                id.databaseValue, group.databaseValue, sender.id.databaseValue,
                recipient?.id.databaseValue ?? .null, content.databaseValue, stamp(time),
                DatabaseValue.null, false.databaseValue, DatabaseValue.null,
            ])
        return id
    }
}
