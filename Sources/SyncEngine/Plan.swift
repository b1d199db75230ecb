public import FanslyMetadata
import Foundation
public import MappingRules

// A plan is data: `apply` executes exactly what `plan` wrote here, after checking it is not stale.

/// A plan: every change with its address, action, before/after per field and the Stash ids
/// involved, plus the identity of its inputs so that `apply` can refuse a stale plan. Saved and read
/// as a plan file by `PlanFileWriter` and `PlanFileReader` (Docs/plan-format.md).
public struct Plan: Sendable, Hashable {
    var createdAt: Date
    /// `fansly-stash <version>` that wrote the plan.
    var tool: String
    var inputs: PlanInputs
    /// Sorted by address (phase order, then key).
    public var changes: [PlannedChange]
    public var unmatched: [UnmatchedMedia]
    public var summary: PlanSummary
    /// What the user should read once about the whole plan (posts that cannot be linked to their
    /// media); written only when there is any.
    var notices: [PlanNotice]

    init(
        createdAt: Date, tool: String, inputs: PlanInputs,
        changes: [PlannedChange], unmatched: [UnmatchedMedia], summary: PlanSummary, notices: [PlanNotice] = []
    ) {
        self.createdAt = createdAt; self.tool = tool; self.inputs = inputs
        self.changes = changes; self.unmatched = unmatched; self.summary = summary; self.notices = notices
    }
}

/// Something about the whole plan the user should read once, not tied to one change.
public struct PlanNotice: Sendable, Hashable, Codable {
    /// Stable identifier for scripts: `unlinked_posts`.
    var kind: String
    /// Plain words, for the report.
    public var message: String
    /// The numbers the message gives, by name.
    var counts: [String: Int]

    init(kind: String, message: String, counts: [String: Int]) {
        self.kind = kind; self.message = message; self.counts = counts
    }

    /// Posts the database cannot link to their media (fansly-scraper 0.13+ stores no attachment
    /// rows); nil when every post is linked or no downloaded media is left without a post.
    static func unlinkedPosts(_ linkage: MediaLinkage) -> PlanNotice? {
        guard linkage.isIncomplete else { return nil }
        func number(_ value: Int) -> String {
            let formatter = NumberFormatter()
            formatter.numberStyle = .decimal
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.groupingSeparator = ","
            formatter.usesGroupingSeparator = true
            return formatter.string(from: NSNumber(value: value)) ?? String(value)
        }
        var what = "\(number(linkage.postsWithoutAttachments)) of \(number(linkage.posts)) posts"
        if linkage.messagesWithoutAttachments > 0 {
            what += " and \(number(linkage.messagesWithoutAttachments)) of \(number(linkage.messages)) messages"
        }
        let media = linkage.unlinkedDownloadedMedia
        let message =
            "\(what) cannot be linked to their media: fansly-scraper 0.13 and later no longer records which "
            + "media a post or message shows (its attachments table stays empty), and fansly-stash does not guess it from dates. "
            + "The \(number(media)) downloaded media no post reaches are still matched by their files, attributed to their "
            + "creator, dated from their upload to Fansly and mapped by the media rules; they get no post title, caption or "
            + "hashtag tags, and no post galleries are made for them. Posts that are linked (written by older versions) are mapped as usual."
        return PlanNotice(
            kind: "unlinked_posts", message: message,
            counts: [
                "posts": linkage.posts, "posts_without_media_links": linkage.postsWithoutAttachments,
                "messages": linkage.messages, "messages_without_media_links": linkage.messagesWithoutAttachments,
                "unlinked_downloaded_media": media,
            ])
    }
}

/// What a plan was computed from. Never holds the API key.
public struct PlanInputs: Sendable, Hashable, Codable {
    /// SHA-256 of the effective rules (all files, in order).
    var rulesHash: String
    var rulesFiles: [String]
    var database: DatabaseIdentity
    /// Base URL of Stash, or nil for a plan against an empty (offline) Stash.
    var stashURL: String?
    /// `--creator` selections, lower-cased; empty = all.
    public var creators: [String]
    /// `--target` selections; empty = all.
    var targets: [String]

    public init(
        rulesHash: String, rulesFiles: [String], database: DatabaseIdentity, stashURL: String?,
        creators: [String] = [], targets: [String] = []
    ) {
        self.rulesHash = rulesHash; self.rulesFiles = rulesFiles; self.database = database
        self.stashURL = stashURL; self.creators = creators; self.targets = targets
    }

    enum CodingKeys: String, CodingKey {
        case rulesHash = "rules_hash", rulesFiles = "rules_files", database, stashURL = "stash_url", creators, targets
    }

    /// Writes `stash_url` as an explicit `null` for an offline plan (documented in Docs/plan-format.md).
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rulesHash, forKey: .rulesHash)
        try container.encode(rulesFiles, forKey: .rulesFiles)
        try container.encode(database, forKey: .database)
        try container.encode(stashURL, forKey: .stashURL)
        try container.encode(creators, forKey: .creators)
        try container.encode(targets, forKey: .targets)
    }
}

/// What apply does with one entity.
enum ChangeAction: String, Sendable, Hashable, Codable {
    case create, update, noop, skip
}

/// Why an entity is skipped.
enum SkipReason: String, Sendable, Hashable, Codable {
    /// Stash marks the object organized and the rules respect that.
    case organized
    /// Every field's strategy is `ignore`.
    case ignored
    /// Excluded by `--creator`/`--target` or a rule condition.
    case filtered
    /// Nothing matches and the rules do not create this kind.
    case notCreated = "not_created"
    /// Several Stash objects match; the mapper never guesses.
    case ambiguous
    /// A field refers to an entity that cannot exist (skipped or ambiguous itself).
    case unresolved
    /// An object fansly-stash wrote earlier that the rules no longer produce: left in Stash, never deleted.
    case notProduced = "not_produced"
}

/// How apply writes a field.
enum FieldOperation: String, Sendable, Hashable, Codable {
    /// Send `after` as the field's value (single values; lists that are replaced).
    case set
    /// Add the items of `after` missing from Stash's list, keep the others (`merge` on lists).
    case add
}

/// One field's change.
struct FieldChange: Sendable, Hashable {
    /// Stash input field name (`title`, `tag_ids`, `image_ids` for gallery images…).
    var field: String
    var before: FieldValue
    var after: FieldValue
    var operation: FieldOperation
    init(field: String, before: FieldValue, after: FieldValue, operation: FieldOperation = .set) {
        self.field = field; self.before = before; self.after = after; self.operation = operation
    }
}

/// A field Stash changed since the last apply wrote it, left alone (the rule does not say `overwrite`).
struct FieldDrift: Sendable, Hashable {
    var field: String
    /// What fansly-stash last wrote (as recorded in SyncState), rendered for people.
    var written: String
    /// What Stash holds now, rendered for people.
    var current: String
    init(field: String, written: String, current: String) {
        self.field = field; self.written = written; self.current = current
    }
}

/// One entity's planned change.
public struct PlannedChange: Sendable, Hashable {
    var address: EntityAddress
    var action: ChangeAction
    var reason: SkipReason?
    /// More words on the reason (`matches performers 12 and 31`).
    var detail: String?
    /// The matched Stash object, for update/noop/skip.
    var stashId: String?
    /// For create: every field; for update: only the changing fields.
    var fields: [FieldChange]
    var drift: [FieldDrift]
    /// How the created object can be found again if the reply to its create is lost.
    var match: [MatchKey]
    public var creator: String?
    var source: String

    init(
        address: EntityAddress, action: ChangeAction, reason: SkipReason? = nil, detail: String? = nil,
        stashId: String? = nil, fields: [FieldChange] = [], drift: [FieldDrift] = [], match: [MatchKey] = [],
        creator: String? = nil, source: String = ""
    ) {
        self.address = address; self.action = action; self.reason = reason; self.detail = detail
        self.stashId = stashId; self.fields = fields; self.drift = drift; self.match = match
        self.creator = creator; self.source = source
    }
}

/// A media file the rules want updated that Stash does not hold.
public struct UnmatchedMedia: Sendable, Hashable {
    var address: EntityAddress
    public var creator: String?
    var fileMediaId: FanslyID
    /// Paths (in Stash's view) or folders looked in.
    var lookedFor: [String]
    /// `not scanned`, `preview file ends in .None`, `outside the creator folders`…: the same words
    /// for every file of one kind of problem (the report counts them by reason).
    var reason: String
    /// Where Stash holds the file instead, when it does (outside the creator folders).
    var stashPaths: [String]?
    init(
        address: EntityAddress, creator: String?, fileMediaId: FanslyID, lookedFor: [String], reason: String,
        stashPaths: [String]? = nil
    ) {
        self.address = address; self.creator = creator; self.fileMediaId = fileMediaId
        self.lookedFor = lookedFor; self.reason = reason; self.stashPaths = stashPaths
    }
}

/// Counts for the closing line: `Plan: N to add, N to change. N unchanged, N skipped, N unmatched.`
public struct PlanSummary: Sendable, Hashable, Codable {
    public var add: Int
    public var change: Int
    public var unchanged: Int
    public var skipped: Int
    public var unmatched: Int
    init(add: Int = 0, change: Int = 0, unchanged: Int = 0, skipped: Int = 0, unmatched: Int = 0) {
        self.add = add; self.change = change; self.unchanged = unchanged; self.skipped = skipped;
        self.unmatched = unmatched
    }
    /// True when apply would change anything.
    public var hasChanges: Bool { add > 0 || change > 0 }

    /// Counts one change of `action`.
    mutating func count(_ action: ChangeAction) {
        switch action {
        case .create: add += 1
        case .update: change += 1
        case .noop: unchanged += 1
        case .skip: skipped += 1
        }
    }
}

// What SyncState remembers and the planner reads to tell owned fields from drift.

/// What fansly-stash remembers about one address: the Stash object it maps to and what it last wrote.
public struct SyncLink: Sendable, Hashable, Codable {
    var address: EntityAddress
    var stashId: String
    /// Per field, the value last written by apply (in `after` form: refs carry ids).
    var writtenFields: [String: FieldValue]
    var writtenAt: Date
    init(address: EntityAddress, stashId: String, writtenFields: [String: FieldValue], writtenAt: Date) {
        self.address = address; self.stashId = stashId; self.writtenFields = writtenFields; self.writtenAt = writtenAt
    }
}

/// Read access to remembered links, as the planner needs it. SyncState conforms; tests may use a dictionary.
public protocol SyncLinkReader: Sendable {
    /// The link remembered for `address`, if any.
    func link(for address: EntityAddress) throws -> SyncLink?
    /// Every remembered link (the planner loads them once per run).
    func allLinks() throws -> [EntityAddress: SyncLink]
    /// The links of those of `addresses` that have one (a grouped plan reads a part's at a time).
    func links(for addresses: [EntityAddress]) throws -> [EntityAddress: SyncLink]
    /// The Stash id of every linked address, without what was written.
    func allLinkedIds() throws -> [EntityAddress: String]
}

extension SyncLinkReader {
    public func links(for addresses: [EntityAddress]) throws -> [EntityAddress: SyncLink] {
        var links: [EntityAddress: SyncLink] = [:]
        for address in addresses { if let link = try link(for: address) { links[address] = link } }
        return links
    }

    public func allLinkedIds() throws -> [EntityAddress: String] { try allLinks().mapValues(\.stashId) }
}

// MARK: - What the planner asks of values

extension FieldValue {
    /// True for null, `""` (Stash returns `""` for unset strings) and empty lists.
    public var isEmpty: Bool {
        switch self {
        case .null: return true
        case .string(let text), .date(let text): return text.isEmpty || text.trimmedForComparison.isEmpty
        case .strings(let items): return items.isEmpty
        case .refs(let refs): return refs.isEmpty
        case .int, .bool, .ref: return false
        }
    }
}

extension PlannedChange {
    /// True when apply sends anything for this entity.
    var changesStash: Bool { action == .create || action == .update }
}

extension Plan {
    /// Changes apply sends (create and update), in phase order.
    var actionable: [PlannedChange] { changes.filter(\.changesStash) }
}
