import Foundation
import SampleData
import XCTest

@testable import FanslyMetadata

/// Reads the bundled sample and checks every quirk the generator planted in it.
final class SampleReadingTests: XCTestCase {
    private var database: MetadataDatabase!
    private var luna: Account!

    override func setUpWithError() throws {
        database = try MetadataDatabase(path: TestSupport.sampleDatabase.path)
        luna = try database.creator(matching: "LunaVesper")
    }

    private func posts(of creator: Account, pageSize: Int = 500) throws -> [Post] {
        var posts: [Post] = []
        try database.forEachPostPage(creator: creator.id, pageSize: pageSize) { posts += $0 }
        return posts
    }

    private func post(_ prefix: String) throws -> Post {
        try XCTUnwrap(
            posts(of: luna).first { $0.content?.hasPrefix(prefix) == true }, "no post starting with \(prefix)")
    }

    func testCreatorsAreTheAccountsWithContentOrderedByName() throws {
        let creators = try database.creators()
        XCTAssertEqual(creators.map(\.account.username), ["LunaVesper", "MiraKestrel", "NoraQuill"])
        let summary = try XCTUnwrap(creators.first)
        XCTAssertEqual(summary.account.displayName, "Luna Vesper")
        XCTAssertEqual(summary.walls, 2)
        XCTAssertEqual(summary.bundles, 1, "phantom bundles are not counted")
        XCTAssertNotNil(summary.account.avatar)
        XCTAssertNotNil(summary.account.banner)
        XCTAssertEqual(summary.account.avatar?.isDownloaded, false)
    }

    func testCreatorAccountsAreTheCreatorsWithoutCounts() throws {
        XCTAssertEqual(try database.creatorAccounts(), try database.creators().map(\.account))
        let generated = try MetadataDatabase(
            path: TestSupport.generatedSample(self, options: .large(creators: 4, postsPerCreator: 5, mediaPerPost: 1))
                .path)
        XCTAssertEqual(try generated.creatorAccounts(), try generated.creators().map(\.account))
        XCTAssertEqual(try generated.creatorAccounts().count, 4)
    }

    func testMediaPagesExcludingSkipTheExcludedItems() throws {
        for creator in try database.creatorAccounts() {
            var all: [AccountMedia] = []
            try database.forEachMediaPage(creator: creator.id, pageSize: 500) { all += $0 }
            XCTAssertGreaterThan(all.count, 2, creator.username)
            let excluded = Set(all.enumerated().filter { $0.offset % 2 == 0 }.map(\.element.id))
            var kept: [AccountMedia] = []
            var largestPage = 0
            try database.forEachMediaPage(creator: creator.id, pageSize: 2, excluding: excluded) { page in
                XCTAssertFalse(page.isEmpty)
                largestPage = max(largestPage, page.count)
                kept += page
            }
            XCTAssertEqual(kept, all.filter { !excluded.contains($0.id) }, creator.username)
            XCTAssertLessThanOrEqual(largestPage, 2)
            var none = 0
            try database.forEachMediaPage(creator: creator.id, pageSize: 2, excluding: Set(all.map(\.id))) { _ in
                none += 1
            }
            XCTAssertEqual(none, 0, "a page with every item excluded is not delivered")
        }
    }

    func testCreatorMatchingByNameCaseInsensitiveHandleOrId() throws {
        XCTAssertEqual(try database.creator(matching: "lunavesper").id, luna.id)
        XCTAssertEqual(try database.creator(matching: "@LUNAVESPER").id, luna.id)
        XCTAssertEqual(try database.creator(matching: String(luna.id)).username, "LunaVesper")
        XCTAssertThrowsError(try database.creator(matching: "LunaVesp")) { error in
            XCTAssertEqual(
                "\(error)",
                "No creator 'LunaVesp' in \(TestSupport.sampleDatabase.path). Did you mean 'LunaVesper'? "
                    + "Creators: LunaVesper, MiraKestrel, NoraQuill.")
        }
        XCTAssertThrowsError(try database.creator(matching: "zzzzzzzzzz")) { error in
            XCTAssertFalse("\(error)".contains("Did you mean"), "\(error)")
            XCTAssertTrue("\(error)".contains("Creators: LunaVesper, MiraKestrel, NoraQuill."), "\(error)")
        }
    }

    func testConcatenatedHashtagsAndMentionsIncludingHandleOnly() throws {
        let post = try post("Shoot day")
        XCTAssertEqual(
            post.hashtags.map(\.value), ["latex", "latexmodel"], "#Latex#LatexModel gives both, caption order")
        XCTAssertEqual(post.mentions.map(\.handle), ["StudioPal", "ghost_handle"])
        XCTAssertEqual(post.mentions[0].account?.username, "StudioPal")
        XCTAssertNil(post.mentions[1].accountId)
        XCTAssertNil(post.mentions[1].account, "handle-only mention")
        XCTAssertEqual(try self.post("Full set").hashtags.map(\.value), ["latexmodel"])
        XCTAssertEqual(try self.post("PPV teaser").hashtags.map(\.value), ["behind_the_scenes"])
        XCTAssertTrue(try database.hashtags(creator: luna.id).map(\.value).contains("latexmodel"))
    }

    func testASCIICaptionSearchAgreesWithFoundation() {
        let texts = [
            "latex friday #latex #latexmodel", "#a#b", "no tags here", "@x and @xy", "", "#", "ab#latex\r\n#x",
        ]
        let needles = ["#latex", "#latexmodel", "#a", "#b", "@xy", "@x", "#nope", "#x", "#"]
        for text in texts {
            for needle in needles {
                let expected = text.range(of: needle).map {
                    text.utf8.distance(from: text.startIndex, to: $0.lowerBound)
                }
                XCTAssertEqual(
                    RecordLoader.asciiOffset(of: needle, in: text), .some(expected),
                    "\(needle) in \(text.debugDescription)")
            }
        }
        // nil (not `.some(nil)`, "not found"): the scan declines and Foundation searches.
        XCTAssertTrue(
            RecordLoader.asciiOffset(of: "#latex", in: "été #latex") == nil, "non-ASCII text goes to Foundation")
        XCTAssertTrue(RecordLoader.asciiOffset(of: "#été", in: "#été") == nil)
    }

    func testImageAndHLSVideoAttachmentsResolveToTheirFiles() throws {
        let post = try post("Shoot day")
        XCTAssertEqual(post.media.map(\.media.kind), [.image, .video])
        let image = post.media[0]
        XCTAssertEqual(image.file?.fileMediaId, image.media.id)
        XCTAssertEqual(image.file?.isDownloaded, true)
        XCTAssertEqual(image.media.contentHash?.count, 64)
        let video = post.media[1]
        XCTAssertNil(video.media.localFilename, "the original of an HLS video carries no file")
        let hls = try XCTUnwrap(video.variants.first { $0.type == 302 })
        XCTAssertEqual(video.file?.fileMediaId, hls.id, "video files are named after the HLS variant")
        XCTAssertEqual(video.file?.kind, .video)
        XCTAssertEqual(video.file?.localFilename?.hasSuffix("_id_\(hls.id).mp4"), true)
        XCTAssertEqual(hls.contentHash?.count, 32)
        XCTAssertNotNil(video.media.duration)
        XCTAssertEqual(video.media.variantIds, video.variants.map(\.id))
        XCTAssertEqual(video.media.variantIds, video.media.variantIds.sorted())
        XCTAssertNotNil(video.preview, "accessible videos keep an undownloaded preview")
        XCTAssertEqual(video.preview?.isDownloaded, false)
    }

    func testRealBundleMembersComeInPosOrder() throws {
        let post = try post("Full set")
        guard case .bundle(let bundle) = try XCTUnwrap(post.attachments.first).content else {
            return XCTFail("expected a bundle")
        }
        XCTAssertFalse(bundle.isPhantom)
        XCTAssertEqual(bundle.media.count, 3)
        // Members were stored with pos [2, 0, 1] for ids in increasing order.
        let ids = bundle.media.map(\.id)
        XCTAssertEqual(ids, [ids.sorted()[1], ids.sorted()[2], ids.sorted()[0]])
        XCTAssertEqual(post.media.map(\.id), ids)
        XCTAssertEqual(bundle.previewId, ids.sorted()[0])
        XCTAssertTrue(post.pinned)

        var bundles: [MediaBundle] = []
        try database.forEachBundlePage(creator: luna.id) { bundles += $0 }
        XCTAssertEqual(bundles.map(\.id), [bundle.id], "phantom bundles are skipped")
    }

    func testPostWithoutAttachmentsAndToleratedTimestamps() throws {
        let empty = try post("Good morning")
        XCTAssertTrue(empty.attachments.isEmpty)
        XCTAssertTrue(empty.media.isEmpty)
        // Stored without fraction, as integer seconds and as integer milliseconds.
        for (prefix, storedAs) in [
            ("Good morning", "text"), ("PPV teaser", "seconds"), ("Two classics", "milliseconds"),
        ] {
            let date = try XCTUnwrap(post(prefix).createdAt, storedAs)
            XCTAssertEqual(date.timeIntervalSince1970.truncatingRemainder(dividingBy: 3_600), 0, "\(storedAs): \(date)")
            XCTAssertGreaterThan(date, Date(timeIntervalSince1970: 1_672_876_800))
            XCTAssertLessThan(date, Date(timeIntervalSince1970: 1_704_067_200))
        }
    }

    func testDeletedMediaAndSeparateAccountMediaId() throws {
        let withDeleted = try post("One of these")
        XCTAssertEqual(withDeleted.media.map(\.deleted), [true, false])
        XCTAssertNotNil(withDeleted.media[0].deletedAt)
        XCTAssertEqual(withDeleted.media[0].file?.isDownloaded, false)
        XCTAssertEqual(withDeleted.media[1].media.mimetype, "image/png")

        let classics = try post("Two classics")
        let odd = classics.media[0]
        XCTAssertNotEqual(odd.id, odd.media.id, "account_media.id differs from mediaId")
        XCTAssertEqual(odd.file?.fileMediaId, odd.media.id, "the file is named after the media id")
        let direct = classics.media[1]
        XCTAssertEqual(direct.media.kind, .video)
        XCTAssertEqual(direct.file?.fileMediaId, direct.media.id, "a video whose original carries the file")
    }

    func testLockedMediaOnlyHaveTheirPreviewDownloaded() throws {
        let post = try post("PPV teaser")
        XCTAssertEqual(post.media.count, 2)
        for item in post.media {
            XCTAssertFalse(item.access)
            XCTAssertFalse(item.media.isDownloaded)
            let file = try XCTUnwrap(item.file)
            XCTAssertTrue(file.isPreview)
            XCTAssertEqual(file.fileMediaId, item.preview?.id)
            XCTAssertEqual(file.localFilename?.hasSuffix("_preview_id_\(file.fileMediaId).None"), true)
            XCTAssertTrue(file.isDownloaded)
        }
        XCTAssertEqual(post.media.map(\.media.kind), [.video, .image])
    }

    func testRepostsResolveOneLevelDeepOrStayMissing() throws {
        let post = try post("Go follow")
        XCTAssertEqual(post.attachments.map(\.contentType), ["AGGREGATED_POSTS", "AGGREGATED_POSTS"])
        XCTAssertTrue(post.media.isEmpty, "a repost's media are not the post's own")
        let reposted = try XCTUnwrap(post.reposts.first)
        XCTAssertEqual(post.reposts.count, 1)
        XCTAssertEqual(try database.accounts(ids: [reposted.accountId])[reposted.accountId]?.username, "NoraQuill")
        XCTAssertEqual(reposted.media.count, 1)
        XCTAssertEqual(reposted.hashtags.map(\.value), ["studio"])
        guard case .repost(let missingId, let missingPost) = post.attachments[1].content else { return XCTFail() }
        XCTAssertNil(missingPost)
        XCTAssertEqual(missingId, post.attachments[1].contentId)
        XCTAssertEqual(post.mentions.first?.account?.username, "NoraQuill")
        // Its file sits in the reposting creator's folder.
        let file = try XCTUnwrap(
            SampleDatabase.downloadedFiles(options: .sample).first { $0.accountMediaId == reposted.media[0].id })
        XCTAssertTrue(file.path.hasPrefix("LunaVesper_fansly/"))
    }

    func testPollAndTipGoalsAreOtherAndRepliesKeepTheirParent() throws {
        let post = try post("Vote for")
        XCTAssertEqual(post.attachments.count, 2)
        for attachment in post.attachments {
            guard case .other(let type, _) = attachment.content else { return XCTFail("\(attachment)") }
            XCTAssertTrue(["POLL", "TIP_GOALS"].contains(type))
        }
        XCTAssertEqual(post.inReplyTo, try self.post("Shoot day").id)
    }

    func testWallsListTheirPostsInTimeOrder() throws {
        let walls = try database.walls(creator: luna.id)
        XCTAssertEqual(walls.map(\.name), ["Main", "Latex"])
        XCTAssertEqual(walls.map(\.pos), [0, 1])
        let all = try posts(of: luna)
        let byId = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0) })
        for wall in walls {
            let dates = wall.postIds.map { byId[$0]?.createdAt ?? .distantPast }
            XCTAssertEqual(dates, dates.sorted(), wall.name ?? "")
            for id in wall.postIds { XCTAssertTrue(byId[id]?.wallIds.contains(wall.id) == true) }
        }
        XCTAssertEqual(walls[1].postIds.count, 2)
        XCTAssertFalse(walls[0].postIds.contains(try post("Good morning").id))
    }

    func testMessagesInGroupsWithMissingBundlesAndDirectMessages() throws {
        var messages: [Message] = []
        try database.forEachMessagePage(creator: luna.id) { messages += $0 }
        XCTAssertEqual(messages.map(\.id), messages.map(\.id).sorted())
        let fan = try database.creator(matching: "quiet_collector")
        XCTAssertTrue(messages.allSatisfy { $0.groupId != nil && $0.recipientId == nil })
        XCTAssertTrue(messages.contains { $0.senderId == fan.id && $0.sender?.username == "quiet_collector" })
        let bundled = try XCTUnwrap(messages.first { $0.content == "A little bundle for you" })
        guard case .missing(let type, _) = try XCTUnwrap(bundled.attachments.first).content else {
            return XCTFail("message bundles are never stored")
        }
        XCTAssertEqual(type, "ACCOUNT_MEDIA_BUNDLE")
        let video = try XCTUnwrap(messages.first { $0.content == "Video as promised" })
        XCTAssertEqual(video.media.first?.file?.kind, .video)

        let mira = try database.creator(matching: "mirakestrel")
        var miraMessages: [Message] = []
        try database.forEachMessagePage(creator: mira.id) { miraMessages += $0 }
        let direct = try XCTUnwrap(miraMessages.first { $0.content == "Direct hello" })
        XCTAssertNil(direct.groupId)
        XCTAssertEqual(direct.recipient?.username, "quiet_collector")
        XCTAssertEqual(direct.media.count, 1)
    }

    /// Every file the downloader wrote maps back to the item whose `file` it is.
    func testEveryDownloadedFileMapsBackToItsAccountMedia() throws {
        let files = SampleDatabase.downloadedFiles(options: .sample)
        let found = try database.accountMedia(forFileIds: files.map(\.fileId))
        for file in files {
            let items = try XCTUnwrap(found[file.fileId], file.path)
            let item = try XCTUnwrap(items.first { $0.id == file.accountMediaId }, file.path)
            XCTAssertEqual(item.file?.fileMediaId, file.fileId, file.path)
            XCTAssertEqual(item.file?.isPreview, file.isPreview, file.path)
            XCTAssertEqual(item.file?.localFilename, (file.path as NSString).lastPathComponent)
            XCTAssertEqual(item.file?.kind == .video, file.isVideo, file.path)
        }
        XCTAssertTrue(try database.accountMedia(forFileIds: [1, 2, 3]).isEmpty)
    }

    func testSummaryCountsAgreeWithTheRecords() throws {
        for summary in try database.creators() {
            let id = summary.account.id
            var posts = 0
            var messages = 0
            var bundles = 0
            var images = 0
            var videos = 0
            var previews = 0
            var downloaded = 0
            try database.forEachPostPage(creator: id, pageSize: 3) { posts += $0.count }
            try database.forEachMessagePage(creator: id, pageSize: 2) { messages += $0.count }
            try database.forEachBundlePage(creator: id, pageSize: 1) { bundles += $0.count }
            try database.forEachMediaPage(creator: id, pageSize: 4) { page in
                for item in page {
                    images += item.media.kind == .image ? 1 : 0
                    videos += item.media.kind == .video ? 1 : 0
                    previews += item.preview == nil ? 0 : 1
                    downloaded += item.file?.isDownloaded == true ? 1 : 0
                }
            }
            let name = summary.account.username
            XCTAssertEqual(summary.posts, posts, name)
            XCTAssertEqual(summary.messages, messages, name)
            XCTAssertEqual(summary.bundles, bundles, name)
            XCTAssertEqual(summary.images, images, name)
            XCTAssertEqual(summary.videos, videos, name)
            XCTAssertEqual(summary.previews, previews, name)
            XCTAssertEqual(summary.downloadedMedia, downloaded, name)
            XCTAssertEqual(summary.walls, try database.walls(creator: id).count, name)
            XCTAssertEqual(summary.hashtags, try database.hashtags(creator: id).count, name)
        }
    }

    func testPageSizeDoesNotChangeTheSequence() throws {
        let whole = try posts(of: luna)
        for size in [1, 2, 5] {
            var pages: [[Post]] = []
            try database.forEachPostPage(creator: luna.id, pageSize: size) { pages.append($0) }
            XCTAssertTrue(pages.allSatisfy { $0.count <= size })
            XCTAssertEqual(pages.flatMap { $0 }, whole, "page size \(size)")
        }
        XCTAssertEqual(whole.map(\.id), whole.map(\.id).sorted())
    }

    func testIdentityIsStable() throws {
        let first = try database.identity()
        XCTAssertEqual(first, try MetadataDatabase(path: TestSupport.sampleDatabase.path).identity())
        XCTAssertEqual(first.alembicVersion, "06658bf47c03")
        XCTAssertEqual(first.path, TestSupport.sampleDatabase.path)
        XCTAssertTrue(try database.stories(creator: luna.id).isEmpty)
    }
}
