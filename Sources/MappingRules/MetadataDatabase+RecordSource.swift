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
    /// A second connection reads the records ahead on another thread while the rules are evaluated
    /// (see `PrefetchingSource`); the state is the one `evaluate(source: database, creators:)` gives.
    public func evaluate(database: MetadataDatabase, creators: [Account]? = nil) throws -> DesiredState {
        let creators = try creators ?? database.creatorAccounts()
        let source = PrefetchingSource(database: database, creators: creators,
                                       includeBundles: rules.bundle.gallery.enabled, pageSize: MappingEngine.pageSize)
        source.start()
        defer { source.finish() }
        return try evaluate(source: source, creators: creators)
    }
}
