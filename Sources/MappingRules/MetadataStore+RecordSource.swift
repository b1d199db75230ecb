public import FanslyMetadata
import Foundation

extension PostgresMetadataDatabase: MetadataRecordSource {}

/// Any `MetadataStore` as the engine's record source (the calls forwarded as they are).
public struct StoreRecordSource: MetadataRecordSource {
    public let store: any MetadataStore

    public init(_ store: any MetadataStore) { self.store = store }

    public func creatorAccounts() throws -> [Account] { try store.creatorAccounts() }
    public func accounts(ids: [FanslyID]) throws -> [FanslyID: Account] { try store.accounts(ids: ids) }
    public func walls(creator: FanslyID) throws -> [Wall] { try store.walls(creator: creator) }
    public func forEachPostPage(creator: FanslyID, pageSize: Int, _ body: ([Post]) throws -> Void) throws {
        try store.forEachPostPage(creator: creator, pageSize: pageSize, body)
    }
    public func forEachMessagePage(creator: FanslyID, pageSize: Int, _ body: ([Message]) throws -> Void) throws {
        try store.forEachMessagePage(creator: creator, pageSize: pageSize, body)
    }
    public func forEachBundlePage(creator: FanslyID, pageSize: Int, _ body: ([MediaBundle]) throws -> Void) throws {
        try store.forEachBundlePage(creator: creator, pageSize: pageSize, body)
    }
    public func forEachMediaPage(creator: FanslyID, pageSize: Int, _ body: ([AccountMedia]) throws -> Void) throws {
        try store.forEachMediaPage(creator: creator, pageSize: pageSize, body)
    }
    public func forEachMediaPage(
        creator: FanslyID, pageSize: Int, excluding excluded: Set<FanslyID>,
        _ body: ([AccountMedia]) throws -> Void
    ) throws {
        try store.forEachMediaPage(creator: creator, pageSize: pageSize, excluding: excluded, body)
    }
    public var defaultDownloadRoot: String? { store.defaultDownloadRoot }
}

extension MappingEngine {
    /// Evaluates the rules over whichever database `store` is, with reader threads reading ahead
    /// (`readers`, as `evaluate(database:creators:readers:)`): a SQLite file as before, PostgreSQL on
    /// reader connections that share the run's snapshot. The state does not depend on `readers`.
    public func evaluate(store: any MetadataStore, creators: [Account]? = nil, readers: Int = 2) throws -> DesiredState
    {
        let creators = try creators ?? store.creatorAccounts()
        return try withRecordSource(store, creators: creators, readers: readers) { source in
            try evaluate(source: source, creators: creators)
        }
    }

    /// Runs `body` over `store` as the engine reads it: a SQLite or PostgreSQL database read ahead
    /// by `readers` threads (`withReadingAhead`), any other store as it is.
    func withRecordSource<Result>(
        _ store: any MetadataStore, creators: [Account], readers: Int,
        _ body: (any MetadataRecordSource) throws -> Result
    ) throws -> Result {
        if let database = store as? MetadataDatabase {
            return try withReadingAhead(database, creators: creators, readers: readers, body)
        }
        if let database = store as? PostgresMetadataDatabase {
            return try withReadingAhead(database, creators: creators, readers: readers, body)
        }
        return try body(StoreRecordSource(store))
    }
}
