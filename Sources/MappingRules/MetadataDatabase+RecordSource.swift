import Foundation
import FanslyMetadata

extension MetadataDatabase: MetadataRecordSource {
    /// The folder holding the database: where the downloader keeps `metadata_db.sqlite3` by default.
    public var defaultDownloadRoot: String? { URL(fileURLWithPath: path).deletingLastPathComponent().path }
}

extension MappingEngine {
    /// Evaluates the rules over a metadata database, streaming each creator's records page by page.
    /// - Parameter creators: the creators to map; nil maps every creator of the database.
    ///
    /// A reader thread with its own connection reads the records ahead while the rules are
    /// evaluated (see `PrefetchingSource`); the state is the one `evaluate(source: database, creators:)`
    /// gives. (One reader: on two cores, a second one costs memory and CPU for no measurable gain.)
    public func evaluate(database: MetadataDatabase, creators: [Account]? = nil) throws -> DesiredState {
        try evaluate(database: database, creators: creators, readers: 1)
    }

    /// `evaluate(database:creators:)` with `readers` threads reading ahead (0: the engine reads
    /// the database itself, on the calling thread). The state does not depend on `readers`.
    public func evaluate(database: MetadataDatabase, creators: [Account]?, readers: Int) throws -> DesiredState {
        let creators = try creators ?? database.creatorAccounts()
        guard readers > 0 else { return try evaluate(source: database, creators: creators) }
        let source = PrefetchingSource(database: database, creators: creators, includeBundles: rules.bundle.gallery.enabled,
                                       pageSize: MappingEngine.pageSize, readers: readers)
        source.start()
        defer { source.finish() }
        return try evaluate(source: source, creators: creators)
    }
}
