import Foundation
import PostgresTestSupport
import SampleData
import XCTest

@testable import FanslyMetadata

/// The bookkeeping queries that run over the whole library must stay linear when the sets they
/// test against do not fit in `work_mem`: a subquery PostgreSQL cannot hash is otherwise scanned
/// once per row (a 600,000-media library's `IN (SELECT … FROM media)` had an estimated cost of
/// 3·10¹⁰ and hit the statement timeout).
final class PostgresQueryPlanTests: XCTestCase {
    func testUnlinkedDownloadedMediaScanNoSubqueryPerItem() async throws {
        // 6,000 media (v0.13 shape: no attachments, so every downloaded item counts): at the
        // smallest work_mem (64 kB) their ids cannot be hashed.
        let (database, _) = try await TestPostgres.sampleDatabase(
            self, options: .large(creators: 2, postsPerCreator: 1_000, mediaPerPost: 3), shape: .v013)
        let store = try PGFixture.open(self, database)
        let condition = PostgresLinkage.unlinkedDownloaded(store.schema)
        let plan = try database.rows(
            """
            SET work_mem = '64kB';
            EXPLAIN SELECT count(*) FROM account_media am WHERE \(condition)
            """
        ).compactMap { $0.first ?? nil }
        XCTAssertFalse(plan.isEmpty)
        for problem in Self.subplansScanningTables(plan) {
            XCTFail("a subquery is scanned per row:\n\(problem)\n\nwhole plan:\n\(plan.joined(separator: "\n"))")
        }
        // The form it replaced (`IN (subquery)` inside OR) is caught on the same data, and the count
        // still reads what it read.
        let previous = """
            FROM account_media am
            WHERE (am."mediaId" IN (SELECT id FROM media WHERE is_downloaded::boolean)
                   OR am."previewId" IN (SELECT id FROM media WHERE is_downloaded::boolean)
                   OR am."mediaId" IN (SELECT v."mediaId" FROM media_variants v JOIN media vm ON vm.id = v."variantId"
                                       WHERE vm.is_downloaded::boolean))
              AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a."contentId" = am.id AND a."contentType"::text = 'ACCOUNT_MEDIA')
              AND NOT EXISTS (SELECT 1 FROM account_media_bundle_media bm JOIN attachments a
                              ON a."contentId" = bm.bundle_id AND a."contentType"::text = 'ACCOUNT_MEDIA_BUNDLE'
                              WHERE bm.media_id = am.id)
            """
        let previousPlan = try database.rows("SET work_mem = '64kB'; EXPLAIN SELECT count(*) \(previous)")
            .compactMap { $0.first ?? nil }
        XCTAssertFalse(Self.subplansScanningTables(previousPlan).isEmpty, previousPlan.joined(separator: "\n"))
        let count = try database.value("SELECT count(*)::text FROM account_media am WHERE \(condition)")
        XCTAssertEqual(count, try database.value("SELECT count(*)::text \(previous)"))
        XCTAssertNotEqual(count, "0", "the sample has downloaded media no attachment reaches")
    }

    /// The subtrees of `EXPLAIN` lines under a `SubPlan` that is not hashed (so runs once per
    /// outer row) that read a whole table (`Seq Scan`) or a materialized set (`Materialize`).
    static func subplansScanningTables(_ lines: [String]) -> [String] {
        func indent(_ line: String) -> Int { line.prefix { $0 == " " }.count }
        // A hashed subplan is named so where it is used (`Filter: … (hashed SubPlan 3)`), not
        // in its own heading; it runs once.
        let hashed = Set(
            lines.joined(separator: "\n").matches(of: /hashed SubPlan (\d+)/).map { "SubPlan \($0.1)" })
        var problems: [String] = []
        for (index, line) in lines.enumerated() {
            let text = line.trimmingCharacters(in: .whitespaces)
            guard text.hasPrefix("SubPlan"), !hashed.contains(text) else { continue }
            let subtree = lines[(index + 1)...].prefix { indent($0) > indent(line) }
            if subtree.contains(where: { $0.contains("Seq Scan") || $0.contains("Materialize") }) {
                problems.append(([line] + subtree).joined(separator: "\n"))
            }
        }
        return problems
    }
}
