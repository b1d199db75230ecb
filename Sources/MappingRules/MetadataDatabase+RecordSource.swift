import Foundation
import FanslyMetadata

extension MetadataDatabase: MetadataRecordSource {
    /// Every creator of the database (accounts owning posts, media or walls), by username.
    public func creatorAccounts() throws -> [Account] { try creators().map(\.account) }

    /// The folder holding the database: where the downloader keeps `metadata_db.sqlite3` by default.
    public var defaultDownloadRoot: String? { URL(fileURLWithPath: path).deletingLastPathComponent().path }
}

extension MappingEngine {
    /// Evaluates the rules over a metadata database, streaming each creator's records page by page.
    /// - Parameter creators: the creators to map; nil maps every creator of the database.
    public func evaluate(database: MetadataDatabase, creators: [Account]? = nil) throws -> DesiredState {
        try evaluate(source: database, creators: creators)
    }
}
