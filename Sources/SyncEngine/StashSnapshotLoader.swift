import FanslyMetadata
import Foundation
public import MappingRules
public import StashClient

/// Reads what the planner needs from Stash in a few large pages: every performer, studio and tag,
/// the galleries that carry a code or URL, and the scenes and images under each creator's folders,
/// indexed in memory by the media id in their file names. Never one request per media item.
public struct StashSnapshotLoader: Sendable {
    public var client: StashClient
    /// Folder finds run this many at a time.
    public var concurrency: Int
    /// Unmatched media ids looked up outside the creator folders, per request (one regex each).
    public var outsideLookupBatch: Int
    /// At most this many outside-folder look-ups per run; beyond, unmatched media just say "not in Stash".
    public var outsideLookupLimit: Int
    /// Scenes, images and galleries read are kept in memory up to about this many; the pages read
    /// after that are written to a temporary file (`SnapshotSpool`) and only what matching looks
    /// up stays in memory. The plan is the same either way.
    public var objectsInMemory = StashSnapshotLoader.defaultObjectsInMemory
    /// 25,000: a few tens of MB of objects as a plan after apply reads them (titles, captions,
    /// tags, galleries), whatever the size of the library; spooling the rest costs little time.
    public static let defaultObjectsInMemory = 25_000
    /// Receives each step's name, wall time and object count as it ends (benchmarks time the steps with it).
    public var stepFinished: @Sendable (_ step: String, _ seconds: Double, _ objects: Int) -> Void = { _, _, _ in }

    public init(client: StashClient, concurrency: Int = 4, outsideLookupBatch: Int = 200, outsideLookupLimit: Int = 10)
    {
        self.client = client; self.concurrency = max(1, concurrency)
        self.outsideLookupBatch = max(1, outsideLookupBatch); self.outsideLookupLimit = max(0, outsideLookupLimit)
    }

    /// Reads that depend only on the creators' folders, started before the rules are evaluated
    /// (see `prefetch(creatorFolders:)`); `load` takes what it needs from them.
    public struct Prefetch: Sendable {
        fileprivate let task: Task<Prefetched, Error>
        /// Stops the reads (when planning fails before `load` uses them).
        public func cancel() { task.cancel() }

        /// Waits for the reads (and so for the connection they start with, which learns what the
        /// server supports).
        public func finished() async throws { _ = try await task.value }

        /// The scenes and images the reads found under `folders` (waiting for them); nil when
        /// they did not read every one of these folders.
        public func objectCount(under folders: [String]) async throws -> Int? {
            let fetched = try await task.value
            var total = 0
            for folder in folders {
                for kind in [EntityKind.scene, .image] {
                    guard let objects = fetched.media.peek(FolderJob(kind: kind, folder: folder)) else { return nil }
                    total += objects.count
                }
            }
            return total
        }
    }

    fileprivate struct FolderJob: Hashable, Sendable {
        let kind: EntityKind
        let folder: String
    }

    fileprivate struct Prefetched: Sendable {
        /// Every performer and studio and tag, and the chapters of `galleries`.
        var common: [StashObject]
        /// The galleries with a code or URL (their chapters are in `common`).
        var galleries: FolderObjects
        var media: TakenOnce
        /// Where later folder reads count and spool their objects.
        var budget: MemoryBudget
    }

    /// The folder reads' objects, handed to the one snapshot made of them: a task's value lives as
    /// long as the task, and the snapshot indexes them all again. A later `load` (a grouped online
    /// plan that falls back to the whole plan) reads the folders again.
    fileprivate final class TakenOnce: @unchecked Sendable {
        private let lock = NSLock()
        private var media: [FolderJob: FolderObjects]

        init(_ media: [FolderJob: FolderObjects]) { self.media = media }

        func peek(_ job: FolderJob) -> FolderObjects? { lock.withLock { media[job] } }

        func take() -> [FolderJob: FolderObjects] {
            lock.withLock {
                defer { media = [:] }
                return media
            }
        }
    }

    /// The scenes or images of one folder, or the galleries: those read first in memory, the rest
    /// (once the budget is spent) in the spool.
    fileprivate struct FolderObjects: Sendable {
        var spool: SnapshotSpool?
        var objects: [StashObject] = []
        var spooled: [SpooledObject] = []
        var count: Int { objects.count + spooled.count }
    }

    /// How many folder objects a snapshot's reads keep in memory (`objectsInMemory`), and the spool
    /// that takes the rest, made when first needed.
    fileprivate final class MemoryBudget: @unchecked Sendable {
        private let lock = NSLock()
        private let limit: Int
        private var held = 0
        private var madeSpool: SnapshotSpool?

        init(limit: Int) { self.limit = limit }

        /// The spool the next page of scenes, images or galleries goes to; nil while memory has
        /// room. Once pages are spooled, every later page is (the count held only grows), so a
        /// find's objects are the ones it kept in memory followed by the ones it spooled.
        func spoolForNextPage() throws -> SnapshotSpool? {
            try lock.withLock {
                guard held >= limit else { return nil }
                if let madeSpool { return madeSpool }
                madeSpool = try SnapshotSpool()
                return madeSpool
            }
        }

        func hold(_ count: Int) { lock.withLock { held += count } }
    }

    /// Connects and starts reading, in the background, what `load` reads whatever the records say:
    /// performers, studios, tags, galleries, and the scenes and images under every creator folder
    /// (`MappingEngine.creatorFolders`). `load` then uses the folders it needs and reads any other;
    /// connection and find errors surface from `load`.
    public func prefetch(creatorFolders: [String: [String]]) -> Prefetch {
        let jobs = Set(creatorFolders.values.flatMap(Self.outermost)).sorted().flatMap { folder in
            [FolderJob(kind: .scene, folder: folder), FolderJob(kind: .image, folder: folder)]
        }
        let loader = self
        let budget = MemoryBudget(limit: objectsInMemory)
        return Prefetch(
            task: Task {
                try await loader.client.connect()
                async let media = loader.fetch(jobs, budget: budget)
                let (common, galleries) = try await loader.commonObjects(
                    kinds: Set(EntityKind.allCases), budget: budget)
                let found = try await media
                return Prefetched(common: common, galleries: galleries, media: TakenOnce(found), budget: budget)
            })
    }

    /// Loads the snapshot for planning `entities` (already narrowed by `--creator`/`--target`).
    /// `prefetched` reads, when given, must come from this loader's client (which they connected).
    /// `progress` receives short status lines (`reading scenes under /data/x…`).
    public func load(
        desired: DesiredState, entities: [DesiredEntity], links: [EntityAddress: SyncLink],
        prefetched: Prefetch? = nil,
        progress: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> StashSnapshot {
        let wantedKinds = Set(entities.map(\.address.kind))
        let creators = Set(entities.compactMap { $0.creator?.lowercased() })
        var folders: [String: [String]] = [:]
        if wantedKinds.contains(.scene) || wantedKinds.contains(.image) {
            for (creator, list) in desired.creatorFolders where creators.contains(creator.lowercased()) {
                folders[creator] = Self.outermost(list)
            }
        }
        var clock = ContinuousClock.now
        func finished(_ step: String, _ count: Int) {
            let now = ContinuousClock.now
            let elapsed = (now - clock).components
            stepFinished(step, Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18, count)
            clock = now
        }

        var prefetchedMedia: [FolderJob: FolderObjects] = [:]
        var budget = MemoryBudget(limit: objectsInMemory)
        var objects: [StashObject]
        var galleries = FolderObjects()
        if let prefetched {
            progress("reading from Stash…")
            let fetched = try await prefetched.task.value
            let readsGalleries = Self.needsGalleries(wantedKinds)
            objects = fetched.common.filter { object in
                switch object.kind {
                case .gallery, .chapter: return readsGalleries
                default: return wantedKinds.contains(object.kind)
                }
            }
            if readsGalleries { galleries = fetched.galleries }
            prefetchedMedia = fetched.media.take()
            budget = fetched.budget
            finished("waiting for the reads started before evaluating", objects.count)
        } else {
            progress("reading performers, studios and tags from Stash…")
            (objects, galleries) = try await commonObjects(kinds: wantedKinds, budget: budget)
            finished("performers, studios, tags and galleries", objects.count + galleries.count)
        }

        // Scenes and images under every creator folder, a few folders at a time.
        let jobs = folders.values.flatMap { $0 }.sorted().flatMap { folder in
            [FolderJob(kind: .scene, folder: folder), FolderJob(kind: .image, folder: folder)].filter {
                wantedKinds.contains($0.kind)
            }
        }
        let missing = jobs.filter { prefetchedMedia[$0] == nil }
        let fetched = try await fetch(missing, budget: budget, progress: progress)
        let media = jobs.map { prefetchedMedia[$0] ?? fetched[$0] ?? FolderObjects() }
        prefetchedMedia = [:]
        finished(
            "scenes and images under \(folders.values.reduce(0) { $0 + $1.count }) folders (\(missing.count) finds)",
            objects.count + media.reduce(0) { $0 + $1.count })
        var snapshot = Self.snapshot(
            common: objects, galleries: galleries, media: media, jobs: jobs, searchedFolders: folders)
        objects = []
        finished("snapshot index", snapshot.count)

        // Scenes/images remembered in SyncState but moved out of the folders: fetched by id.
        for kind in [EntityKind.scene, .image] where wantedKinds.contains(kind) {
            let fetched = try await addRemembered(kind, to: &snapshot, entities: entities, links: links)
            if !fetched.isEmpty { finished("\(kind.rawValue)s by remembered id", fetched.count) }
        }

        // Media still without a file: are they elsewhere in Stash (outside the creator folders)?
        let unmatched = Self.outsideCandidates(entities, links: links, snapshot: snapshot)
        if !unmatched.isEmpty && outsideLookupLimit > 0 {
            progress("looking for \(unmatched.count) unmatched files elsewhere in Stash…")
            snapshot.filesOutsideFolders = try await filesOutside(unmatched)
            finished("unmatched files outside the folders", snapshot.filesOutsideFolders.count)
        }
        return try snapshot.loading(for: entities, links: links)
    }

    /// What `load` reads for entities of every kind and every creator of `creatorFolders`: every
    /// performer, studio, tag and gallery with a code or URL, and the scenes and images under the
    /// creators' folders, in `load`'s order (a grouped online plan plans each part against it).
    /// Without the remembered objects and outside look-ups, which depend on the entities.
    func wholeSnapshot(prefetched: Prefetch, creatorFolders: [String: [String]]) async throws -> StashSnapshot {
        let fetched = try await prefetched.task.value
        let folders = creatorFolders.mapValues(Self.outermost)
        let jobs = folders.values.flatMap { $0 }.sorted().flatMap { folder in
            [FolderJob(kind: .scene, folder: folder), FolderJob(kind: .image, folder: folder)]
        }
        let media = fetched.media.take()
        let missing = try await fetch(jobs.filter { media[$0] == nil }, budget: fetched.budget)
        return Self.snapshot(
            common: fetched.common, galleries: fetched.galleries,
            media: jobs.map { media[$0] ?? missing[$0] ?? FolderObjects() }, jobs: jobs, searchedFolders: folders)
    }

    /// The snapshot of `common` objects (performers, studios, tags, chapters), `galleries` and the
    /// folder reads' `media` (of `jobs`, in order), each gallery given the images that name it as its `image_ids` (Stash's gallery type
    /// does not list its images; the images fetched name their galleries: complete for the folders).
    private static func snapshot(
        common: [StashObject], galleries: FolderObjects, media: [FolderObjects], jobs: [FolderJob],
        searchedFolders: [String: [String]]
    ) -> StashSnapshot {
        var members: [String: [StashRef]] = [:]
        func addMember(_ image: String, of galleries: StashFields?) {
            guard case .refs(let galleries)? = galleries?["gallery_ids"] else { return }
            for gallery in galleries {
                if let id = gallery.id { members[id, default: []].append(StashRef(id: image)) }
            }
        }
        for (job, found) in zip(jobs, media) where job.kind == .image {
            for object in found.objects { addMember(object.id, of: object.fields) }
            for object in found.spooled { addMember(object.id, of: object.keyFields) }
        }
        var snapshot = StashSnapshot(objects: common, searchedFolders: searchedFolders)
        for var gallery in galleries.objects {
            gallery.fields["image_ids"] = .refs(members[gallery.id] ?? [])
            snapshot.insert(gallery)
        }
        if let spool = galleries.spool, !galleries.spooled.isEmpty {
            var spooledMembers: [String: [StashRef]] = [:]
            for gallery in galleries.spooled {
                snapshot.insert(gallery, kind: .gallery, spool: spool)
                if let images = members[gallery.id] { spooledMembers[gallery.id] = images }
            }
            snapshot.spooledGalleryImages = spooledMembers
        }
        for (job, found) in zip(jobs, media) {
            for object in found.objects { snapshot.insert(object) }
            guard !found.spooled.isEmpty, let spool = found.spool else { continue }
            for object in found.spooled { snapshot.insert(object, kind: job.kind, spool: spool) }
        }
        return snapshot
    }

    /// The `kind` objects remembered for `entities` (their links) that `snapshot` lacks, fetched by
    /// id and added to it; returns them.
    func addRemembered(
        _ kind: EntityKind, to snapshot: inout StashSnapshot, entities: [DesiredEntity],
        links: [EntityAddress: SyncLink]
    ) async throws -> [StashObject] {
        guard !links.isEmpty else { return [] }
        let missing = entities.filter { $0.address.kind == kind }.compactMap { links[$0.address]?.stashId }
            .filter { !snapshot.holds(kind, id: $0) }
        guard !missing.isEmpty else { return [] }
        let fetched = try await client.snapshotObjects(kind, ids: missing)
        for object in fetched { snapshot.insert(object) }
        return fetched
    }

    /// The files of scenes and images without a link whose media ids no file in `snapshot` carries
    /// (`.None` previews left out: Stash never scans them), in the entities' order.
    static func outsideCandidates(
        _ entities: [DesiredEntity], links: [EntityAddress: SyncLink], snapshot: StashSnapshot
    ) -> [(EntityKind, FanslyID)] {
        var unmatched: [(EntityKind, FanslyID)] = []
        for entity in entities
        where (entity.address.kind == .scene || entity.address.kind == .image) && links[entity.address] == nil {
            let files = entity.files.filter { !($0.isPreview && ($0.basename?.hasSuffix(".None") ?? false)) }
            guard !files.isEmpty,
                files.allSatisfy({ snapshot.ids(fileMediaId: $0.fileMediaId, kind: entity.address.kind).isEmpty })
            else { continue }
            unmatched += files.map { (entity.address.kind, $0.fileMediaId) }
        }
        return unmatched
    }

    /// Where Stash holds `unmatched` files outside the creator folders, by media id: the first
    /// `outsideLookupLimit` batches of each kind, one regex find per batch.
    func filesOutside(_ unmatched: [(EntityKind, FanslyID)]) async throws -> [FanslyID: [String]] {
        var outside: [FanslyID: [String]] = [:]
        for kind in [EntityKind.scene, .image] {
            let ids = unmatched.filter { $0.0 == kind }.map(\.1)
            var start = 0
            var requests = 0
            while start < ids.count && requests < outsideLookupLimit {
                let chunk = ids[start..<min(ids.count, start + outsideLookupBatch)]
                start += chunk.count
                requests += 1
                let pattern = "(^|[/_])id_(" + chunk.map(String.init).joined(separator: "|") + ")([^0-9/][^/]*)?$"
                let filter = MediaFilter(path: .matchesRegex(pattern))
                try await client.findSummaries(kind == .scene ? .scenes : .images, filter: filter) { page in
                    for path in page.lazy.flatMap(\.paths) {
                        if let token = MediaFileName.token(inPath: path) {
                            outside[token.mediaId, default: []].append(path)
                        }
                    }
                }
            }
        }
        return outside
    }

    /// Performers, studios and tags of `kinds`, and the galleries that carry a code or URL with
    /// their chapters when galleries, chapters or images are wanted (the galleries apart: past the
    /// `budget`, their pages are spooled).
    private func commonObjects(kinds wantedKinds: Set<EntityKind>, budget: MemoryBudget) async throws
        -> (common: [StashObject], galleries: FolderObjects)
    {
        var objects: [StashObject] = []
        async let performers = wantedKinds.contains(.performer) ? client.snapshotObjects(.performer) : []
        async let studios = wantedKinds.contains(.studio) ? client.snapshotObjects(.studio) : []
        async let tags = wantedKinds.contains(.tag) ? client.snapshotObjects(.tag) : []
        objects += try await performers
        objects += try await studios
        objects += try await tags
        var galleries = FolderObjects()
        if Self.needsGalleries(wantedKinds) {
            var filter = MediaFilter(code: StringCriterion("", .notNull))
            filter.or = MediaFilter(url: StringCriterion("", .notNull))
            var chapters: [StashObject] = []
            galleries = try await Self.gathered(budget: budget) { take in
                try await client.forEachSnapshotPage(SnapshotFinds.galleries, filter: filter) { page in
                    chapters += page.filter { $0.kind == .chapter }
                    take(page.filter { $0.kind == .gallery })
                }
            }
            objects += chapters
        }
        return (objects, galleries)
    }

    /// The objects of the pages `pages` hands to its `take`: in memory while `budget` has room,
    /// in its spool after.
    private static func gathered(
        budget: MemoryBudget, _ pages: (_ take: ([StashObject]) -> Void) async throws -> Void
    ) async throws -> FolderObjects {
        var found = FolderObjects()
        var failure: (any Error)?
        try await pages { page in
            guard failure == nil, !page.isEmpty else { return }
            do {
                guard let spool = try budget.spoolForNextPage() else {
                    budget.hold(page.count)
                    found.objects += page
                    return
                }
                found.spool = spool
                found.spooled += try spool.append(page)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return found
    }

    /// Galleries are read for gallery and chapter entities, and for images (which list their galleries).
    private static func needsGalleries(_ kinds: Set<EntityKind>) -> Bool {
        kinds.contains(.gallery) || kinds.contains(.chapter) || kinds.contains(.image)
    }

    /// The scenes or images under each job's folder, `concurrency` finds at a time; each page is
    /// turned into snapshot objects as it arrives.
    private func fetch(
        _ jobs: [FolderJob], budget: MemoryBudget, progress: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> [FolderJob: FolderObjects] {
        let client = self.client
        var found: [FolderJob: FolderObjects] = [:]
        var next = 0
        try await withThrowingTaskGroup(of: (FolderJob, FolderObjects).self) { group in
            func start() {
                guard next < jobs.count else { return }
                let job = jobs[next]
                next += 1
                progress("reading \(job.kind == .scene ? "scenes" : "images") under \(job.folder)…")
                // `INCLUDES "<folder>/"` is a SQL LIKE in Stash: case-insensitive (the downloader reuses
                // an existing creator folder whatever its case) and much cheaper than a regex over
                // every path. What it matches beyond the folder is harmless: files are matched by id.
                let filter = MediaFilter(path: .includesPhrase(job.folder + "/"))
                group.addTask {
                    let objects = try await Self.gathered(budget: budget) {
                        try await client.forEachSnapshotPage(job.kind, filter: filter, eachPage: $0)
                    }
                    return (job, objects)
                }
            }
            for _ in 0..<concurrency { start() }
            while let (job, objects) = try await group.next() {
                found[job] = objects
                start()
            }
        }
        return found
    }

    /// Drops folders nested in another one of the list (their files are fetched with the outer one).
    static func outermost(_ folders: [String]) -> [String] {
        let normalized = Set(folders.map { $0.hasSuffix("/") && $0.count > 1 ? String($0.dropLast()) : $0 })
        return normalized.filter { folder in
            !normalized.contains { other in other != folder && folder.hasPrefix(other + "/") }
        }.sorted()
    }
}

/// Lets the objects of one find share storage: equal field sets (a freshly scanned library's scenes
/// differ only in their paths) and repeated names of tags, performers and studios.
struct ObjectInterner {
    private var fieldSets: Set<StashFields> = []
    private var labels: [String: String] = [:]
    /// The fields made from a kind's values (`SnapshotRecord.object`), to skip making them again.
    private var fieldsByValues: [ReadValues: StashFields] = [:]
    /// Past this many distinct field sets, objects are too different for sharing to pay.
    private let limit = 4096

    mutating func fields(_ fields: StashFields) -> StashFields {
        if let index = fieldSets.firstIndex(of: fields) { return fieldSets[index] }
        if fieldSets.count < limit { fieldSets.insert(fields) }
        return fields
    }

    /// The fields made earlier from these values of an object of `kind`.
    func fields(kind: EntityKind, values: [ReadValue?]) -> StashFields? {
        fieldsByValues[ReadValues(kind: kind, values: values)]
    }

    /// Remembers the fields made from these values (up to the limit).
    mutating func remember(_ fields: StashFields, kind: EntityKind, values: [ReadValue?]) {
        if fieldsByValues.count < limit { fieldsByValues[ReadValues(kind: kind, values: values)] = fields }
    }

    private struct ReadValues: Hashable {
        let kind: EntityKind
        let values: [ReadValue?]
    }

    mutating func label(_ text: String) -> String {
        // Up to 15 UTF-8 bytes a string is stored inline: nothing to share.
        guard text.utf8.count > 15 else { return text }
        if let shared = labels[text] { return shared }
        if labels.count < limit { labels[text] = text }
        return text
    }
}
