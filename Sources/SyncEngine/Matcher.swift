import FanslyMetadata
import Foundation
import MappingRules

/// How a desired entity relates to what Stash holds.
enum MatchResult: Sendable, Hashable {
    /// One Stash object matches; `via` says how (`link`, `name`, `alias`, `url`, `code`, `file`, `hint`).
    case matched(id: String, via: String)
    /// Nothing matches.
    case none
    /// Several objects match the same key; the planner never guesses.
    case ambiguous(ids: [String], via: String)
    /// A scene/image whose file Stash does not hold.
    case unmatchedMedia(fileMediaId: FanslyID, reason: String, lookedFor: [String])
}

/// Matches desired entities to Stash objects: remembered links first, then the entity's match keys
/// in order (name/alias with disambiguation, URL, code, media id in file names, downloader hints).
struct Matcher: Sendable {
    var snapshot: StashSnapshot
    var links: [EntityAddress: SyncLink]

    /// Why every scene and image of an offline plan is unmatched.
    static let offlineReason = "no Stash to look in (offline plan)"
    /// Why a media item whose only files are `.None` previews is unmatched.
    static let nonePreviewReason =
        "preview file ends in .None, which Stash does not scan (rename it to its real extension)"
    /// Why a media item Stash holds at another path than the creator folders is unmatched (the
    /// paths are in `UnmatchedMedia.stashPaths`): one wording, so that the report counts them.
    static let outsideFoldersReason = "Stash holds the file outside the creator folders"
    /// Why a media item Stash does not hold anywhere it looked is unmatched.
    static let notScannedReason = "not in Stash (not scanned yet?)"
    /// Why a media item whose file name the database does not record is unmatched.
    static let noFileNameReason = "not in Stash, and the database records no downloaded file name"
    /// Why a media item without a recorded download is unmatched.
    static let notDownloadedReason = "no downloaded file recorded in the database"

    init(snapshot: StashSnapshot, links: [EntityAddress: SyncLink] = [:]) {
        self.snapshot = snapshot; self.links = links
    }

    /// Matches `entity`. Chapters need their gallery's Stash id (`galleryId`), found by the caller first.
    func match(_ entity: DesiredEntity, galleryId: String? = nil) -> MatchResult {
        withUnsafePointer(to: entity) { match($0, galleryId: galleryId) }
    }

    /// `match` of the entity at `entity`, read in place: passing `pointer.pointee` as a value copies
    /// the entity (six reference counts, for every entity of a plan).
    func match(_ entity: UnsafePointer<DesiredEntity>, galleryId: String? = nil) -> MatchResult {
        let kind = entity.pointee.address.kind
        if !links.isEmpty, let link = links[entity.pointee.address], snapshot.holds(kind, id: link.stashId) {
            return .matched(id: link.stashId, via: "link")
        }
        if kind == .chapter { return matchChapter(entity.pointee.fields, entity.pointee.match, galleryId: galleryId) }
        for key in entity.pointee.match {
            let (ids, via) = candidates(for: key, kind: kind)
            if ids.count == 1 { return .matched(id: ids[0], via: via) }
            if ids.count > 1 { return .ambiguous(ids: ids, via: via) }
        }
        if kind == .scene || kind == .image { return matchMediaFiles(entity) }
        return .none
    }

    private func candidates(for key: MatchKey, kind: EntityKind) -> (ids: [String], via: String) {
        switch key {
        case .name(let name, let disambiguation):
            let byName = filter(snapshot.ids(named: name, kind: kind), kind: kind, disambiguation: disambiguation)
            if !byName.isEmpty { return (byName, "name") }
            return (
                filter(snapshot.ids(aliased: name, kind: kind), kind: kind, disambiguation: disambiguation), "alias"
            )
        case .url(let url):
            return (unique(snapshot.ids(url: url, kind: kind)), "url")
        case .code(let code):
            return (unique(snapshot.ids(code: code, kind: kind)), "code")
        case .fileMediaId(let mediaId):
            return (unique(snapshot.ids(fileMediaId: mediaId, kind: kind)), "file")
        case .stashIdHint(let id):
            return (snapshot.holds(kind, id: id) ? [id] : [], "hint")
        }
    }

    /// Performers: a given disambiguation must be equal; without one, performers that have none are
    /// preferred, else every candidate stays (and more than one is ambiguous).
    private func filter(_ ids: [String], kind: EntityKind, disambiguation: String?) -> [String] {
        let ids = unique(ids)
        guard kind == .performer else { return ids }
        func disambiguationOf(_ id: String) -> String {
            snapshot.object(kind, id: id)?.string("disambiguation")?.lowercased() ?? ""
        }
        if let wanted = disambiguation?.trimmingCharacters(in: .whitespaces).lowercased(), !wanted.isEmpty {
            return ids.filter { disambiguationOf($0) == wanted }
        }
        let plain = ids.filter { disambiguationOf($0).isEmpty }
        return plain.isEmpty ? ids : plain
    }

    private func matchChapter(_ fields: [DesiredField], _ keys: [MatchKey], galleryId: String?) -> MatchResult {
        guard let galleryId else { return .none }
        var title: String?
        if case .string(let text)? = fields.first(where: { $0.name == "title" })?.value { title = text }
        for key in keys { if case .name(let name, _) = key { title = name; break } }
        guard let title else { return .none }
        let ids = snapshot.chapterIds(gallery: galleryId).filter {
            snapshot.object(.chapter, id: $0)?.string("title")?.lowercased() == title.lowercased()
        }
        if ids.count == 1 { return .matched(id: ids[0], via: "title") }
        return ids.isEmpty ? .none : .ambiguous(ids: ids, via: "title")
    }

    /// Scenes and images: the media id tokens of the entity's expected files, looked up in the index
    /// of Stash's file names.
    private func matchMediaFiles(_ entity: UnsafePointer<DesiredEntity>) -> MatchResult {
        let kind = entity.pointee.address.kind
        var found: [String] = []
        for file in entity.pointee.files {
            found.append(contentsOf: snapshot.ids(fileMediaId: file.fileMediaId, kind: kind))
        }
        let ids = unique(found)
        if ids.count == 1 { return .matched(id: ids[0], via: "file") }
        if ids.count > 1 { return .ambiguous(ids: ids, via: "file") }
        return unmatched(entity.pointee.match, entity.pointee.files)
    }

    private func unmatched(_ match: [MatchKey], _ files: [ExpectedFile]) -> MatchResult {
        guard let file = files.first else {
            let mediaId =
                match.lazy.compactMap { key -> FanslyID? in
                    if case .fileMediaId(let id) = key { return id } else { return nil }
                }.first ?? 0
            return .unmatchedMedia(fileMediaId: mediaId, reason: Self.notDownloadedReason, lookedFor: [])
        }
        // The downloader puts files in subfolders (Timeline/Pictures…) that users rename, so the
        // search is "anywhere under the creator folder", written as a glob.
        var lookedFor: [String] = []
        lookedFor.reserveCapacity(files.reduce(0) { $0 + $1.folders.count })
        for file in files {
            let name = file.basename ?? "*id_\(file.fileMediaId).*"
            for folder in file.folders {
                // Built in place: offline, every media item of a large database lists its glob.
                var glob = ""
                glob.reserveCapacity(folder.utf8.count + name.utf8.count + 4)
                glob += folder
                if !folder.hasSuffix("/") { glob += "/" }
                glob += "**/"
                glob += name
                lookedFor.append(glob)
            }
        }
        for file in files {
            if let paths = snapshot.filesOutsideFolders[file.fileMediaId], !paths.isEmpty {
                return .unmatchedMedia(
                    fileMediaId: file.fileMediaId, reason: Self.outsideFoldersReason, lookedFor: lookedFor)
            }
        }
        if files.allSatisfy({ $0.isPreview && ($0.basename?.hasSuffix(".None") ?? false) }) {
            return .unmatchedMedia(fileMediaId: file.fileMediaId, reason: Self.nonePreviewReason, lookedFor: lookedFor)
        }
        if snapshot.isOffline {
            return .unmatchedMedia(fileMediaId: file.fileMediaId, reason: Self.offlineReason, lookedFor: lookedFor)
        }
        if files.allSatisfy({ $0.basename == nil }) {
            return .unmatchedMedia(fileMediaId: file.fileMediaId, reason: Self.noFileNameReason, lookedFor: lookedFor)
        }
        return .unmatchedMedia(fileMediaId: file.fileMediaId, reason: Self.notScannedReason, lookedFor: lookedFor)
    }

    private func unique(_ ids: [String]) -> [String] {
        if ids.count < 2 { return ids }
        var seen = Set<String>()
        return ids.filter { seen.insert($0).inserted }
    }
}
