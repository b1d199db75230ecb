import Foundation
import GRDB

/// How a generated timestamp is stored. Real databases use `.text`; the others are the
/// variants a tolerant reader must also accept.
enum StampStyle {
    case text, textWithoutFraction, integerSeconds, integerMilliseconds
}

/// Produces the rows of a sample database and the files the downloader would have written.
/// Everything depends only on `SampleOptions`: no clock, no system randomness, no hashing order.
struct SampleGenerator<Sink: RowSink> {
    struct Account {
        var id: Int64
        var username: String
    }

    /// The folder level between the creator folder and `Pictures|Videos`; stories have none.
    enum Folder: String { case timeline = "Timeline", messages = "Messages", stories = "" }
    enum Kind { case image, video }

    /// How one `account_media` item is generated.
    struct Item {
        var kind: Kind = .image
        var locked = false
        /// Videos only: the file is the HLS variant's (most videos) rather than the original's.
        var hls = true
        var deleted = false
        /// Gives the `account_media` row its own id instead of the media's.
        var separateId = false
        var png = false
    }

    var sink: Sink
    var files: [SampleFile] = []
    var rng: SplitMix64
    /// v0.13 upload times come from their own sequence, so that every other value (ids, sizes,
    /// hashes, captions) is the same in both shapes.
    var uploadRng: SplitMix64
    private var idCounter: Int64 = 0
    var attachmentId: Int64 = 0
    var hashtagIds: [String: Int64] = [:]
    let options: SampleOptions
    let shape: SampleShape
    private let revision: String

    static var epoch: Int64 { 1_672_876_800 } // 2023-01-05 00:00:00 UTC

    /// - Parameter revision: the alembic revision recorded (v0.10's for SQLite, v0.15.1's for PostgreSQL).
    init(
        options: SampleOptions, shape: SampleShape = .migrated, revision: String = FanslySchema.alembicRevision,
        sink: Sink
    ) {
        self.options = options
        self.shape = shape
        self.revision = revision
        self.sink = sink
        self.rng = SplitMix64(seed: options.seed)
        self.uploadRng = SplitMix64(seed: options.seed ^ 0x0013_0013_0013_0013)
    }

    // MARK: - The whole database

    mutating func run() throws {
        try sink.insert(.alembicVersion, [revision.databaseValue])
        let fan = try addAccount(username: "quiet_collector", displayName: nil, created: Self.epoch - 400 * 86_400)
        let creators = try (0..<options.creators).map { index in
            try addCreator(index: index)
        }
        let quirks = options.includesQuirks && creators.count >= 3
        var studio: Account?
        if quirks {
            studio = try addAccount(
                username: "StudioPal", displayName: "Studio Pal", created: Self.epoch - 200 * 86_400)
        }
        for (index, creator) in creators.enumerated() {
            var time = Self.epoch + Int64(index) * 7_919
            var postIds: [Int64] = []
            if quirks && index == 0 {
                postIds += try addQuirkTimeline(luna: creator, nora: creators[2], studio: studio!, time: &time)
            }
            if quirks && index == 2 {
                postIds += try addRepostedPost(nora: creator, reposter: creators[0], time: &time)
            }
            for _ in 0..<options.postsPerCreator {
                time += Int64(rng.int(1_800..<60_000))
                postIds.append(try addOrdinaryPost(creator: creator, time: time))
            }
            try addWalls(creator: creator, postIds: postIds, quirks: quirks && index == 0)
            time = Self.epoch + Int64(index) * 7_919 + 3_600
            try addMessages(creator: creator, fan: fan, time: &time, quirks: quirks, index: index)
            try sink.insert(
                .timelineStats,
                [
                    creator.id.databaseValue, 0.databaseValue, 0.databaseValue,
                    0.databaseValue, 0.databaseValue, 0.databaseValue,
                    stamp(Self.epoch + 500 * 86_400),
                ])
            try sink.insert(
                .mediaStoryStates,
                [
                    creator.id.databaseValue, 0.databaseValue, 0.databaseValue,
                    1.databaseValue, stamp(Self.epoch), stamp(Self.epoch),
                    false.databaseValue,
                ])
        }
        if shape == .v013 {
            // Last, so that every id before them is the same as in the migrated shape.
            try addStories(creators: creators)
            try addStubPins(creators: creators, pinnedBefore: quirks ? [creators[0].id] : [])
        }
        files.sort { $0.path < $1.path }
    }

    // MARK: - Accounts

    private mutating func addCreator(index: Int) throws -> Account {
        let username =
            index < SampleVocabulary.creatorNames.count ? SampleVocabulary.creatorNames[index] : "creator\(index + 1)"
        let displayName =
            index < SampleVocabulary.creatorNames.count
            ? username.replacingOccurrences(of: "([a-z])([A-Z])", with: "$1 $2", options: .regularExpression)
            : "Creator \(index + 1)"
        let account = try addAccount(
            username: username, displayName: displayName,
            created: Self.epoch - Int64(300 + index * 17) * 86_400)
        for table in [SampleTable.accountAvatar, .accountBanner] {
            let mediaId = nextId()
            try insertMedia(
                id: mediaId, owner: account.id, location: "https://cdn3.fansly.com/\(account.id)/\(mediaId).jpeg",
                mimetype: "image/jpeg", width: table == .accountAvatar ? 400 : 1500,
                height: table == .accountAvatar ? 400 : 500, type: 1, created: Self.epoch - 100 * 86_400)
            try sink.insert(table, [account.id.databaseValue, mediaId.databaseValue])
        }
        return account
    }

    private mutating func addAccount(username: String, displayName: String?, created: Int64) throws -> Account {
        let account = Account(id: nextId(), username: username)
        let about = displayName.map { "Hi, I'm \($0). New sets every week." }
        try sink.insert(
            .accounts,
            [
                account.id.databaseValue, username.databaseValue, displayName.databaseValue,
                0.databaseValue, 1.databaseValue, about.databaseValue,
                (displayName == nil ? nil : "Somewhere nice").databaseValue,
                true.databaseValue, true.databaseValue, stamp(created),
                (displayName != nil).databaseValue, DatabaseValue.null,
            ])
        return account
    }

    // MARK: - Ids, names and timestamps

    /// Snowflake-like ids: 18 digits, increasing, unique.
    mutating func nextId() -> Int64 {
        idCounter += 1
        return 400_000_000_000_000_000 + idCounter * 1_048_576 + Int64(rng.int(0..<1_048_576))
    }

    func fileName(time: Int64, fileId: Int64, preview: Bool, ext: String) -> String {
        let (date, clock) = Self.civil(time)
        let hourMinute = "\(Self.pad(clock.hour, 2))-\(Self.pad(clock.minute, 2))"
        return "\(date)_at_\(hourMinute)_UTC_\(preview ? "preview_id" : "id")_\(fileId).\(ext)"
    }

    func stamp(_ seconds: Int64, _ style: StampStyle = .text) -> DatabaseValue {
        switch style {
        case .integerSeconds: return seconds.databaseValue
        case .integerMilliseconds: return (seconds * 1_000).databaseValue
        case .text, .textWithoutFraction:
            let (date, clock) = Self.civil(seconds)
            let text = "\(date) \(Self.pad(clock.hour, 2)):\(Self.pad(clock.minute, 2)):\(Self.pad(clock.second, 2))"
            return (style == .text ? text + ".000000" : text).databaseValue
        }
    }

    /// `YYYY-MM-DD` and the time of day for Unix seconds (proleptic Gregorian, UTC).
    static func civil(_ seconds: Int64) -> (date: String, clock: (hour: Int64, minute: Int64, second: Int64)) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (
            "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))",
            (secondOfDay / 3_600, secondOfDay % 3_600 / 60, secondOfDay % 60)
        )
    }

    static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

/// The revision row as a database value.
enum FanslySchemaRevision {
    static var value: DatabaseValue { FanslySchema.alembicRevision.databaseValue }
}

/// Fixed words and sizes the generator draws from.
enum SampleVocabulary {
    static let creatorNames = [
        "LunaVesper", "MiraKestrel", "NoraQuill", "IvyMarlowe", "SableRenn",
        "WrenHollis", "CoraBlythe", "EdenSol",
    ]
    static let captions = [
        "New set is up", "Behind the scenes from Tuesday", "Golden hour again",
        "Which one is your favourite?", "Studio day", "Back from the beach",
        "Trying something different", "Thank you for 1k!",
    ]
    static let tags = [
        "cosplay", "latex", "latexmodel", "gym", "outdoors", "selfie", "lingerie",
        "studio", "Behind_The_Scenes", "GoldenHour",
    ]
    static let imageSizes = [(1080, 1350), (1440, 1920), (2048, 1365), (1200, 1600)]
    static let videoSizes = [(1080, 1920), (1920, 1080), (720, 1280)]
}
