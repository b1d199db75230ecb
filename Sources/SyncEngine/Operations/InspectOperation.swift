public import FanslyMetadata

/// What `inspect` reports: the database as shown to people, its alembic revision, and one summary
/// per creator.
public struct Inspection: Sendable {
    public var databaseName: String
    public var alembicVersion: String?
    public var creators: [CreatorSummary]
}

/// `inspect` as one call, for the CLI and a plugin alike.
public enum InspectOperation {
    /// Opens `database` read-only (which database it is and its warnings go to `progress` as
    /// `.database` and `.warning` events) and summarises the creators named in `creators` (username
    /// in any case, or account id; each once, in the order given), or every creator when none is named.
    public static func run(database spec: String, creators names: [String], progress: OperationProgress) throws
        -> Inspection
    {
        let database = try MetadataOpening.openAnnouncing(spec, progress: progress)
        let summaries: [CreatorSummary]
        if names.isEmpty {
            summaries = try database.creators()
        } else {
            var seen = Set<FanslyID>()
            summaries = try names.map { try database.creator(matching: $0) }
                .filter { seen.insert($0.id).inserted }
                .map { try database.summary(creator: $0.id) }
        }
        let identity = try database.identity()
        return Inspection(
            databaseName: database.displayName, alembicVersion: identity.alembicVersion, creators: summaries)
    }
}
