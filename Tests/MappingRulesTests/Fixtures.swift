import FanslyMetadata
import Foundation

@testable import MappingRules

/// Small hand-built records covering what the engine must handle: several media per post,
/// HLS variants, previews, reposts, mentions, hashtags, walls, messages and media no post shows.
enum Fixtures {
    static func date(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)!
    }

    static let ember = Account(
        id: 100, username: "EmberWilde42", displayName: "Ember Wilde", about: "<b>Latex</b> &amp; more",
        location: "Berlin", createdAt: date("2022-01-01T00:00:00Z"), stashID: 7)
    static let nova = Account(id: 200, username: "NovaQuinn", displayName: nil, about: "Nova's bio")
    static let couple = Account(id: 300, username: "AliceAndBob", displayName: "Alice & Bob")

    static func image(
        _ id: FanslyID, owner: FanslyID = 100, downloaded: Bool = true, at: String = "2023-07-17T00:48:00Z"
    ) -> AccountMedia {
        let media = Media(
            id: id, accountId: owner, mimetype: "image/jpeg", type: 1, kind: .image, width: 1080, height: 1350,
            createdAt: date(at), localFilename: downloaded ? "2023-07-17_at_00-48_UTC_id_\(id).jpeg" : nil,
            contentHash: String(repeating: "a", count: 64), isDownloaded: downloaded)
        return AccountMedia(id: id, accountId: owner, media: media, access: true, createdAt: date(at))
    }

    /// A video whose file is its HLS variant (`id + 1`).
    static func video(_ id: FanslyID, owner: FanslyID = 100, at: String = "2023-02-21T04:30:00Z") -> AccountMedia {
        let media = Media(
            id: id, accountId: owner, mimetype: "video/mp4", type: 2, kind: .video, width: 1920, height: 1080,
            duration: 61.5, createdAt: date(at))
        let variant = Media(
            id: id + 1, accountId: owner, mimetype: "application/vnd.apple.mpegurl", type: 302, kind: .video,
            localFilename: "2023-02-21_at_04-30_UTC_id_\(id + 1).mp4", isDownloaded: true)
        return AccountMedia(
            id: id, accountId: owner, media: media, variants: [variant], access: true, createdAt: date(at))
    }

    /// A locked video: only its preview image (`id + 5`) is on disk.
    static func locked(_ id: FanslyID, owner: FanslyID = 100) -> AccountMedia {
        let media = Media(id: id, accountId: owner, mimetype: "video/mp4", type: 2, kind: .video)
        let preview = Media(
            id: id + 5, accountId: owner, mimetype: "image/jpeg", type: 1, kind: .image,
            localFilename: "2023-02-27_at_06-52_UTC_preview_id_\(id + 5).None", isDownloaded: true)
        return AccountMedia(
            id: id, accountId: owner, media: media, preview: preview, access: false,
            createdAt: date("2023-02-27T06:52:00Z"))
    }

    static func attach(_ items: [AccountMedia]) -> [Attachment] {
        items.enumerated().map { index, item in
            Attachment(
                id: FanslyID(9000 + item.id), pos: index, contentId: item.id, contentType: "ACCOUNT_MEDIA",
                content: .accountMedia(item))
        }
    }

    static let threeMedia = [image(1001), image(1002), video(1010)]
    static let longLine = String(repeating: "word ", count: 40) // 200 characters

    static let novaPost = Post(
        id: 5000, accountId: 200, content: "Nova's original set", createdAt: date("2023-01-05T10:00:00Z"),
        attachments: attach([image(2001, owner: 200)]))

    static var posts: [Post] {
        [
            Post(
                id: 1, accountId: 100, content: "Latex Friday is here! #Latex #LatexModel\nsecond line @NovaQuinn",
                createdAt: date("2023-07-17T00:48:00Z"), attachments: attach(threeMedia),
                hashtags: [Hashtag(id: 1, value: "latex"), Hashtag(id: 2, value: "latexmodel")],
                mentions: [
                    Mention(handle: "NovaQuinn", accountId: 200, account: nova), Mention(handle: "ghost_handle"),
                ],
                wallIds: [77]),
            Post(
                id: 2, accountId: 100, content: "short", createdAt: date("2023-08-01T12:00:00Z"),
                attachments: attach([image(1003)])),
            Post(
                id: 3, accountId: 100, content: longLine, createdAt: date("2023-08-02T12:00:00Z"),
                attachments: attach([locked(1020)])),
            // The same image shown again later: one entity, the earlier post wins single values.
            Post(
                id: 4, accountId: 100, content: "A repeat of an older picture", createdAt: date("2023-09-01T12:00:00Z"),
                attachments: attach([image(1001)]), hashtags: [Hashtag(id: 3, value: "throwback")]),
            // A repost of Nova's post: its media belong to Nova.
            Post(
                id: 6, accountId: 100, content: "Look at Nova!", createdAt: date("2023-09-02T12:00:00Z"),
                attachments: [
                    Attachment(
                        id: 9999, pos: 0, contentId: 5000, contentType: "AGGREGATED_POSTS",
                        content: .repost(postId: 5000, post: novaPost))
                ]),
        ]
    }

    static var messages: [Message] {
        [
            Message(
                id: 700, groupId: 70, senderId: 100, content: "A private set for you",
                createdAt: date("2023-10-01T08:00:00Z"),
                sender: ember,
                attachments: attach([image(1100)]) + [
                    Attachment(
                        id: 9998, pos: 5, contentId: 1200, contentType: "ACCOUNT_MEDIA_BUNDLE",
                        content: .missing(contentType: "ACCOUNT_MEDIA_BUNDLE", contentId: 1200))
                ])
        ]
    }

    /// Media of the missing message bundle: in no stored post or message.
    static let looseVideo = video(1300, at: "2023-10-01T08:00:00Z")

    static var records: MetadataRecords {
        let allMedia = threeMedia + [image(1003), locked(1020), image(1100), looseVideo, image(2001, owner: 200)]
        return MetadataRecords(
            creators: [ember], otherAccounts: [nova, couple], posts: posts + [novaPost], messages: messages,
            media: allMedia, walls: [Wall(id: 77, accountId: 100, pos: 1, name: "Latex Collection", postIds: [1])],
            downloadRoot: "/downloads")
    }
}

extension DesiredState {
    subscript(_ address: String) -> DesiredEntity? { entities.first { $0.address.description == address } }
}

extension DesiredEntity {
    func text(_ name: String) -> String? {
        switch self[field: name]?.value {
        case .string(let text)?, .date(let text)?: return text
        case .int(let number)?: return String(number)
        case .bool(let flag)?: return String(flag)
        default: return nil
        }
    }
    func list(_ name: String) -> [String]? {
        switch self[field: name]?.value {
        case .strings(let items)?: return items
        case .refs(let refs)?: return refs.compactMap { $0.address?.description }
        case .ref(let ref)?: return ref.address.map { [$0.description] }
        default: return nil
        }
    }
}
