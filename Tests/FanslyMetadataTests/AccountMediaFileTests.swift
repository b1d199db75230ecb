import XCTest

@testable import FanslyMetadata

/// `AccountMedia.file`: which row carries the downloaded file.
final class AccountMediaFileTests: XCTestCase {
    private func media(
        _ id: FanslyID, kind: MediaKind = .image, type: Int? = 1, file: String? = nil, downloaded: Bool = false
    ) -> Media {
        Media(id: id, accountId: 1, type: type, kind: kind, localFilename: file, isDownloaded: downloaded)
    }

    func testAccessibleImageUsesTheOriginal() {
        let item = AccountMedia(
            id: 10, accountId: 1, media: media(10, file: "a_id_10.jpeg", downloaded: true), access: true)
        XCTAssertEqual(
            item.file,
            DownloadedFile(
                fileMediaId: 10, localFilename: "a_id_10.jpeg", isDownloaded: true, isPreview: false, kind: .image))
    }

    func testHLSVideoUsesTheVariantWithTheFileEvenBehindAThumbnail() {
        let item = AccountMedia(
            id: 10, accountId: 1, media: media(10, kind: .video, type: 2),
            preview: media(13),
            variants: [media(11, type: 1), media(12, kind: .video, type: 302, file: "v_id_12.mp4", downloaded: true)],
            access: true)
        XCTAssertEqual(
            item.file,
            DownloadedFile(
                fileMediaId: 12, localFilename: "v_id_12.mp4", isDownloaded: true, isPreview: false, kind: .video))
        XCTAssertEqual(item.fileIds, [10, 11, 12, 13])
    }

    func testUndownloadedVideoPointsAtItsHLSVariant() {
        let item = AccountMedia(
            id: 10, accountId: 1, media: media(10, kind: .video, type: 2),
            variants: [media(11, type: 1), media(12, kind: .other, type: 302)], access: true)
        XCTAssertEqual(item.file?.fileMediaId, 12)
        XCTAssertEqual(item.file?.isDownloaded, false)
        XCTAssertEqual(item.file?.kind, .video, "the kind comes from the original")
    }

    func testLockedItemsOnlyHaveTheirPreview() {
        let locked = AccountMedia(
            id: 10, accountId: 1, media: media(10, kind: .video, type: 2),
            preview: media(14, file: "p_preview_id_14.None", downloaded: true), access: false)
        XCTAssertEqual(
            locked.file,
            DownloadedFile(
                fileMediaId: 14, localFilename: "p_preview_id_14.None", isDownloaded: true, isPreview: true,
                kind: .image))
        XCTAssertNil(AccountMedia(id: 10, accountId: 1, media: media(10), access: false).file)
    }

    func testNeverDownloadedItemReportsTheOriginalWithoutFile() {
        let item = AccountMedia(id: 10, accountId: 1, media: media(10), access: true, deleted: true)
        XCTAssertEqual(
            item.file,
            DownloadedFile(fileMediaId: 10, localFilename: nil, isDownloaded: false, isPreview: false, kind: .image))
    }

    func testKindFromMimetypeThenType() {
        XCTAssertEqual(MediaKind(mimetype: "image/jpeg", type: 2), .image)
        XCTAssertEqual(MediaKind(mimetype: "video/mp4", type: nil), .video)
        XCTAssertEqual(MediaKind(mimetype: "application/vnd.apple.mpegurl", type: 302), .video)
        XCTAssertEqual(MediaKind(mimetype: "audio/mpeg", type: nil), .audio)
        XCTAssertEqual(MediaKind(mimetype: nil, type: 1), .image)
        XCTAssertEqual(MediaKind(mimetype: nil, type: 303), .video)
        XCTAssertEqual(MediaKind(mimetype: "application/octet-stream", type: nil), .other)
    }
}
