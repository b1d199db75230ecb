import FanslyMetadata
import Foundation
import MappingRules
import StashClient

/// A folder under which Stash holds this database's files in creator folders.
public struct DownloadRootCandidate: Sendable, Hashable {
    /// The folder, as Stash sees it, that holds the creator folders.
    var root: String
    /// Distinct media of this database seen there (in the sample read).
    var files: Int
    init(root: String, files: Int) { self.root = root; self.files = files }
}

/// Finds where Stash sees the downloads when the creator folders the settings give hold nothing:
/// files whose names carry this database's media ids (`…_id_<n>.…`), inside folders named like a
/// creator folder (`emberwilde42_fansly`), within Stash's libraries. It reads one page of paths
/// per folder name, never the whole library.
struct DownloadRootDetector: Sendable {
    var client: StashClient
    /// Tells which media ids are this database's; nil counts every media id token.
    var catalog: MediaCatalog?
    /// Paths read per creator folder name and media kind.
    var sampleSize: Int
    /// Creator folder names searched at most (the first ones, by name).
    var nameLimit: Int

    init(client: StashClient, catalog: MediaCatalog? = nil, sampleSize: Int = 500, nameLimit: Int = 20) {
        self.client = client; self.catalog = catalog; self.sampleSize = max(1, sampleSize);
        self.nameLimit = max(1, nameLimit)
    }

    /// True when Stash holds any scene or image under one of `folders` (count-only finds).
    func holdsFiles(under folders: [String]) async throws -> Bool {
        for folder in folders {
            for kind in [StashClient.MediaKind.scenes, .images] {
                let page = try await client.findSummaries(
                    kind, filter: MediaFilter(path: .includesPhrase(folder + "/")), page: 1, perPage: 0)
                if page.count > 0 { return true }
            }
        }
        return false
    }

    /// The folders holding creator folders named as in `layout`, most files first; empty when none.
    func candidates(layout: FolderLayout) async throws -> [DownloadRootCandidate] {
        let names = Array(layout.allNames.prefix(nameLimit))
        guard !names.isEmpty else { return [] }
        // Files outside every library are leftovers of a library removed without a clean.
        let libraries = ((try? await client.libraryPaths()) ?? []).map {
            $0.hasSuffix("/") && $0.count > 1 ? String($0.dropLast()) : $0
        }
        var within: MediaFilter?
        for library in libraries.reversed() {
            var filter = MediaFilter(path: .includesPhrase(library + "/"))
            filter.or = within
            within = filter
        }
        var idsByRoot: [String: Set<FanslyID>] = [:]
        for name in names {
            var filter = MediaFilter(path: .includesPhrase("/" + name + "/"))
            filter.and = within
            for kind in [StashClient.MediaKind.scenes, .images] {
                let page = try await client.findSummaries(kind, filter: filter, page: 1, perPage: sampleSize)
                for path in page.items.lazy.flatMap(\.paths) {
                    guard let root = Self.root(of: path, folderName: name, libraries: libraries),
                        let token = MediaFileName.token(inPath: path)
                    else { continue }
                    idsByRoot[root, default: []].insert(token.mediaId)
                }
            }
        }
        var known: Set<FanslyID>?
        if let catalog {
            known = try catalog.knownFileIds(idsByRoot.values.reduce(into: Set<FanslyID>()) { $0.formUnion($1) })
        }
        return idsByRoot.compactMap { root, ids in
            let count = known.map { ids.intersection($0).count } ?? ids.count
            return count > 0 ? DownloadRootCandidate(root: root, files: count) : nil
        }.sorted { $0.files != $1.files ? $0.files > $1.files : $0.root < $1.root }
    }

    /// The folder above the creator folder `folderName` in `path` (any case: the downloader reuses
    /// an existing folder whatever its case); nil when it is not there or outside `libraries`.
    static func root(of path: String, folderName: String, libraries: [String]) -> String? {
        guard let range = path.range(of: "/" + folderName + "/", options: [.caseInsensitive]) else { return nil }
        let root = String(path[..<range.lowerBound])
        guard !root.isEmpty else { return nil }
        if libraries.isEmpty { return root }
        return libraries.contains { path.hasPrefix($0 + "/") } ? root : nil
    }
}
