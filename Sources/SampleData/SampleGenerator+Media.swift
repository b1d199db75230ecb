import Foundation
import GRDB

/// `account_media` items, their media rows and files, bundles and attachments.
extension SampleGenerator {
    /// Writes one `account_media` item (original, variants, preview, phantom bundle) and records
    /// the file the downloader would have written. Returns the `account_media.id`.
    /// `time` is the post's or message's; in the v0.13 shape the item was uploaded before it.
    mutating func addItem(_ item: Item, owner: Account, downloader: Account, time: Int64, folder: Folder) throws
        -> Int64
    {
        let v013 = shape == .v013
        let mediaId = nextId()
        let accountMediaId = item.separateId ? nextId() : mediaId
        let (width, height) =
            item.kind == .image ? rng.pick(SampleVocabulary.imageSizes) : rng.pick(SampleVocabulary.videoSizes)
        let drawnCreated = time - Int64(rng.int(60..<7_200))
        // v0.10 dates the file and account_media by the post; v0.13 data carry the upload time.
        let itemTime = v013 ? uploadTime(before: time) : time
        let created = v013 ? itemTime : drawnCreated
        let duration = item.kind == .video ? Double(rng.int(50..<6_000)) / 10 : nil
        let mimetype = item.kind == .video ? "video/mp4" : (item.png ? "image/png" : "image/jpeg")
        let ext = item.kind == .video ? "mp4" : (item.png ? "png" : "jpeg")
        let originalHasFile = !item.locked && !item.deleted && (item.kind == .image || !item.hls)
        let originalHash = originalHasFile ? (item.kind == .image ? rng.hex(64) : rng.hex(32)) : nil
        // A video's variant ids and the HLS hash are drawn here, before any row is written, because
        // v0.13 records the HLS file on the original's row (same draw order as before).
        let thumbnail = item.kind == .video ? nextId() : 0
        let hls = item.kind == .video ? nextId() : 0
        let hlsHasFile = item.kind == .video && item.hls && !item.locked && !item.deleted
        let hlsHash = hlsHasFile ? rng.hex(32) : nil
        let hlsFileName = hlsHasFile ? fileName(time: itemTime, fileId: hls, preview: false, ext: "mp4") : nil
        let originalFileName =
            originalHasFile
            ? fileName(time: itemTime, fileId: mediaId, preview: false, ext: ext)
            : (v013 ? hlsFileName : nil)
        let location = "https://cdn3.fansly.com/\(owner.id)/\(mediaId).\(ext)"
        let metaInfo = duration.map { "{\"duration\":\($0),\"frameRate\":30,\"resolutionMode\":1}" }
        try insertMedia(
            id: mediaId, owner: owner.id, location: location, mimetype: mimetype, width: width, height: height,
            type: item.kind == .image ? 1 : 2, created: created, metaInfo: metaInfo, duration: duration,
            localFilename: originalFileName, contentHash: originalHash ?? (v013 ? hlsHash : nil))
        try sink.insert(.mediaLocations, [mediaId.databaseValue, "1".databaseValue, location.databaseValue])
        var file: SampleFile?
        if originalHasFile {
            file = SampleFile(
                path: "", creator: downloader.username, fileId: mediaId, accountMediaId: accountMediaId,
                ownerId: owner.id, isVideo: item.kind == .video, isPreview: false,
                contentHash: originalHash!, width: width, height: height, duration: duration,
                createdAt: Date(timeIntervalSince1970: TimeInterval(itemTime)))
        }

        if item.kind == .video {
            // Variants in id order: a thumbnail (never downloaded), then the HLS rendition.
            // v0.13 leaves a variant's createdAt empty.
            let variantCreated = v013 ? nil : created
            try insertMedia(
                id: thumbnail, owner: owner.id, location: "https://cdn3.fansly.com/\(owner.id)/\(thumbnail).jpeg",
                mimetype: "image/jpeg", width: width / 4, height: height / 4, type: 1, created: variantCreated)
            try sink.insert(.mediaVariants, [mediaId.databaseValue, thumbnail.databaseValue])
            try insertMedia(
                id: hls, owner: owner.id, location: "https://cdn3.fansly.com/\(owner.id)/\(hls)/\(hls).m3u8",
                mimetype: "application/vnd.apple.mpegurl", width: width, height: height, type: 302,
                created: variantCreated, metaInfo: "{\"variants\":[{\"w\":\(width),\"h\":\(height)}]}",
                localFilename: v013 ? nil : hlsFileName, contentHash: v013 ? nil : hlsHash)
            try sink.insert(.mediaVariants, [mediaId.databaseValue, hls.databaseValue])
            if hlsHasFile {
                file = SampleFile(
                    path: "", creator: downloader.username, fileId: hls, accountMediaId: accountMediaId,
                    ownerId: owner.id, isVideo: true, isPreview: false, contentHash: hlsHash!,
                    width: width, height: height, duration: duration,
                    createdAt: Date(timeIntervalSince1970: TimeInterval(itemTime)))
            }
        }

        // Videos and locked items have a preview picture; only a locked item's preview is downloaded,
        // named `.None` by v0.10 and with its real extension by v0.13.
        let previewExtension = v013 ? "jpeg" : "None"
        var previewId: Int64?
        if item.kind == .video || item.locked {
            let preview = nextId()
            previewId = preview
            let downloaded = item.locked && !item.deleted
            let previewHash = downloaded ? rng.hex(64) : nil
            try insertMedia(
                id: preview, owner: owner.id, location: "https://cdn3.fansly.com/\(owner.id)/\(preview).jpeg",
                mimetype: "image/jpeg", width: width / 2, height: height / 2, type: 1, created: created,
                localFilename: downloaded
                    ? fileName(time: itemTime, fileId: preview, preview: true, ext: previewExtension) : nil,
                contentHash: previewHash)
            if downloaded {
                file = SampleFile(
                    path: "", creator: downloader.username, fileId: preview, accountMediaId: accountMediaId,
                    ownerId: owner.id, isVideo: false, isPreview: true, contentHash: previewHash!,
                    width: width / 2, height: height / 2, duration: nil,
                    createdAt: Date(timeIntervalSince1970: TimeInterval(itemTime)))
            }
        }

        try sink.insert(
            .accountMedia,
            [
                accountMediaId.databaseValue, owner.id.databaseValue, mediaId.databaseValue,
                previewId.databaseValue, stamp(itemTime),
                item.deleted ? stamp(time + 86_400) : .null, item.deleted.databaseValue,
                (!item.locked).databaseValue, DatabaseValue.null,
            ])
        if var file {
            let subfolder = file.isVideo ? "Videos" : "Pictures"
            let level = folder.rawValue.isEmpty ? "" : folder.rawValue + "/"
            file.path =
                "\(downloader.username)_fansly/\(level)\(subfolder)/"
                + fileName(
                    time: itemTime, fileId: file.fileId, preview: file.isPreview,
                    ext: file.isPreview ? previewExtension : (file.isVideo ? "mp4" : ext))
            files.append(file)
            // The phantom bundle every downloaded item gets from v0.10, owned by the downloading creator.
            if !v013 {
                try sink.insert(
                    .accountMediaBundles,
                    [
                        accountMediaId.databaseValue, downloader.id.databaseValue, DatabaseValue.null,
                        stamp(time), DatabaseValue.null, false.databaseValue, true.databaseValue,
                        false.databaseValue, false.databaseValue, DatabaseValue.null,
                    ])
            }
        }
        return accountMediaId
    }

    /// v0.13 shape: when an item shown at `time` was uploaded. Half were uploaded within hours of
    /// the post, the rest days to months before (vault items reused later).
    private mutating func uploadTime(before time: Int64) -> Int64 {
        uploadRng.chance(0.5)
            ? time - Int64(uploadRng.int(120..<21_600)) : time - Int64(uploadRng.int(86_400..<180 * 86_400))
    }

    mutating func insertMedia(
        id: Int64, owner: Int64, location: String, mimetype: String, width: Int, height: Int,
        type: Int, created: Int64?, metaInfo: String? = nil, duration: Double? = nil,
        localFilename: String? = nil, contentHash: String? = nil
    ) throws {
        try sink.insert(
            .media,
            [
                id.databaseValue, owner.databaseValue, location.databaseValue, mimetype.databaseValue,
                height.databaseValue, width.databaseValue, type.databaseValue, 1.databaseValue,
                created.map { stamp($0) } ?? .null, created.map { stamp($0) } ?? .null,
                0.databaseValue, metaInfo.databaseValue,
                duration.databaseValue, localFilename.databaseValue, contentHash.databaseValue,
                (localFilename != nil).databaseValue, DatabaseValue.null,
            ])
    }

    mutating func addBundle(owner: Account, members: [Int64], positions: [Int], time: Int64) throws -> Int64 {
        let bundleId = nextId()
        try sink.insert(
            .accountMediaBundles,
            [
                bundleId.databaseValue, owner.id.databaseValue, members[0].databaseValue,
                stamp(time), DatabaseValue.null, false.databaseValue, true.databaseValue,
                false.databaseValue, false.databaseValue, DatabaseValue.null,
            ])
        for (member, pos) in zip(members, positions) {
            try sink.insert(
                .accountMediaBundleMedia, [bundleId.databaseValue, member.databaseValue, pos.databaseValue])
        }
        return bundleId
    }

    mutating func addAttachment(
        post: Int64? = nil, message: Int64? = nil, pos: Int, contentId: Int64, type: String
    ) throws {
        attachmentId += 1
        // v0.13's storage layer never inserts attachment rows.
        guard shape == .migrated else { return }
        try sink.insert(
            .attachments,
            [
                attachmentId.databaseValue, post.databaseValue, message.databaseValue,
                contentId.databaseValue, pos.databaseValue, type.databaseValue,
            ])
    }
}
