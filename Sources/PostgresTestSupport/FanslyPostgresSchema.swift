import SampleData

/// The schema fansly-scraper v0.15.1's migrations create (alembic head `b6d60f698c27`), as the
/// project's own `SamplePostgresSchema` writes it: run it in an empty database to get the
/// downloader's tables, types and constraints. (`PostgresSampleDataTests` checks it against the
/// reference DDL in `../shared`, which is read there and never copied into the project.)
public enum FanslyPostgresSchema {
    /// The alembic revision the schema is at.
    public static let alembicHead = SamplePostgresSchema.alembicRevision

    /// Every statement, tables first, then keys, indexes and foreign keys.
    public static let sql = (SamplePostgresSchema.tables + SamplePostgresSchema.constraints)
        .map { $0 + ";\n" }.joined()
}
