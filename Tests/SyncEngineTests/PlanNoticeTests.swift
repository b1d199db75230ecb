import FanslyMetadata
import MappingRules
import XCTest

@testable import SyncEngine

/// The "posts cannot be linked to their media" notice: plan data, said once in the report, kept in
/// the JSON document and the saved plan.
final class PlanNoticeTests: XCTestCase {
    private let linkage = MediaLinkage(
        posts: 1300, postsWithoutAttachments: 1234, messages: 60, messagesWithoutAttachments: 56,
        unlinkedDownloadedMedia: 4567)

    private func plan(notices: [PlanNotice]) throws -> Plan {
        var plan = try PlanFixtures.scannedPlan()
        plan.notices = notices
        return plan
    }

    func testTheNoticeSaysWhatIsMissingWhyAndWhatItMeansWithCounts() throws {
        let notice = try XCTUnwrap(PlanNotice.unlinkedPosts(linkage))
        XCTAssertEqual(notice.kind, "unlinked_posts")
        XCTAssertEqual(
            notice.message,
            "1,234 of 1,300 posts and 56 of 60 messages cannot be linked to their media: fansly-scraper 0.13 "
                + "and later no longer records which media a post or message shows (its attachments table stays empty), and fansly-stash "
                + "does not guess it from dates. The 4,567 downloaded media no post reaches are still matched by their files, attributed "
                + "to their creator, dated from their upload to Fansly and mapped by the media rules; they get no post title, caption or "
                + "hashtag tags, and no post galleries are made for them. Posts that are linked (written by older versions) are mapped as usual."
        )
        XCTAssertEqual(
            notice.counts,
            [
                "posts": 1300, "posts_without_media_links": 1234, "messages": 60,
                "messages_without_media_links": 56, "unlinked_downloaded_media": 4567,
            ])
        XCTAssertNil(
            PlanNotice.unlinkedPosts(MediaLinkage(posts: 10, postsWithoutAttachments: 2, unlinkedDownloadedMedia: 0)),
            "text-only posts with every downloaded media linked need no notice")
        XCTAssertNil(
            PlanNotice.unlinkedPosts(MediaLinkage(posts: 10, postsWithoutAttachments: 0, unlinkedDownloadedMedia: 5)))
    }

    func testRenderedOnceAboveTheClosingLine() throws {
        let notice = try XCTUnwrap(PlanNotice.unlinkedPosts(linkage))
        let report = PlanRenderer().render(try plan(notices: [notice]))
        XCTAssertEqual(report.components(separatedBy: "cannot be linked to their media").count, 2, report)
        let noteLine = try XCTUnwrap(report.range(of: "\nNote: 1,234 of 1,300 posts"))
        let closing = try XCTUnwrap(
            report.range(of: "\nPlan: ", options: .backwards) ?? report.range(of: "\nNo changes.", options: .backwards))
        XCTAssertLessThan(noteLine.lowerBound, closing.lowerBound)
        XCTAssertFalse(PlanRenderer().render(try plan(notices: [])).contains("Note:"))
    }

    func testKeptInTheDocumentAndTheSavedPlan() throws {
        let notice = try XCTUnwrap(PlanNotice.unlinkedPosts(linkage))
        let plan = try plan(notices: [notice])
        let text = String(decoding: try PlanFile.encode(plan), as: UTF8.self)
        XCTAssertTrue(text.contains(",\"notices\":[{\"counts\":{\"messages\":60,"), text)
        let withoutNotices = try self.plan(notices: [])
        XCTAssertFalse(String(decoding: try PlanFile.encode(withoutNotices), as: UTF8.self).contains("notices"))

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("notice-\(UUID().uuidString).plan")
            .path
        defer { try? FileManager.default.removeItem(atPath: path) }
        for saved in [plan, withoutNotices] {
            try PlanFile.write(saved, to: path)
            XCTAssertEqual(try PlanFile.read(from: path), saved, "the notices are in the end line")
            XCTAssertEqual(try PlanFileReader.open(path: path).readChanges().count, saved.changes.count)
        }
    }
}
