import FanslyMetadata
import Foundation
import MappingRules
import StashClient
import StashTestServer
import XCTest

@testable import SyncEngine

/// The rules' `custom_fields` planned and applied on a Stash speaking v0.31, and left out with
/// one notice on v0.30.1.
final class CustomFieldsPlanTests: XCTestCase {
    private static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples")
    private static let rules = """
        extends: default
        post:
          scene:
            custom_fields: { fansly_post_id: "{{ post.id }}", fansly_media_id: "{{ media.id }}" }
          gallery:
            custom_fields: { fansly_post_id: "{{ post.id }}" }
        account:
          studio:
            custom_fields: { fansly_account_id: "{{ account.id }}" }
        tags:
          custom_fields: { source: fansly-stash }
        """

    private func run(_ line: StashSchemaLine) async throws -> (
        server: StashTestServer, client: StashClient, plan: () async throws -> Plan
    ) {
        let server = StashTestServer(line: line)
        try await server.start()
        let list = try String(contentsOf: Self.examples.appendingPathComponent("sample-files.txt"), encoding: .utf8)
        server.seed(paths: list.split(separator: "\n").map { Self.examples.path + "/" + $0 })
        let client = StashClient(configuration: StashConfiguration(baseURL: server.baseURL, retryPolicy: .none))
        let database = try MetadataDatabase(path: Self.examples.appendingPathComponent("sample-metadata.sqlite3").path)
        let desired = try MappingEngine(rules: try RuleSet.load(yaml: Self.rules)).evaluate(database: database)
        return (
            server, client,
            {
                try await PlanSession(
                    desired: desired, inputs: PlanFixtures.inputs, client: client, catalog: database, tool: "test"
                ).run()
            }
        )
    }

    private func apply(_ plan: Plan, client: StashClient, state: SyncState) async -> SyncReport {
        await Applier(
            writer: StashClientWriter(client: client), state: state, monitor: SyncMonitor(style: .quiet) { _ in },
            options: BatchOptions(batchSize: 50, parallelism: 2, maxAttempts: 1, retryDelay: .milliseconds(5))
        ).apply(plan)
    }

    func testPlannedLikeAnyFieldAndWrittenPartiallyOnV031() async throws {
        let (server, client, plan) = try await run(.v0_31)
        defer { Task { await server.stop() } }
        let someScene = try XCTUnwrap(server.state.scenes.keys.min())
        server.modify { $0.scenes[someScene]?.customFields = ["other_tool": "keep me"] }

        let first = try await plan()
        XCTAssertEqual(first.notices, [])
        let scene = try XCTUnwrap(first.changes.first { $0.address.kind == .scene && $0.action == .update })
        let postId = try XCTUnwrap(scene.fields.first { $0.field == "custom_fields.fansly_post_id" })
        XCTAssertEqual(postId.before, .null)
        guard case .string(let id) = postId.after else { return XCTFail("\(postId)") }
        XCTAssertTrue(PlanRenderer().render(first).contains("custom_fields.fansly_post_id: null -> \"\(id)\""))
        let studio = try XCTUnwrap(
            first.changes.first {
                $0.address.kind == .studio && $0.action == .create
                    && $0.fields.contains { $0.field == "custom_fields.fansly_account_id" }
            })
        XCTAssertNotNil(studio)

        let state = try SyncState(path: temporaryStatePath())
        let report = await apply(first, client: client, state: state)
        XCTAssertEqual(report.failures, [])
        let stash = server.state
        XCTAssertEqual(
            stash.scenes[someScene]?.customFields["other_tool"], "keep me", "partial keeps other tools' keys")
        XCTAssertEqual(stash.scenes[Int(scene.stashId!)!]?.customFields["fansly_post_id"], id)
        XCTAssertFalse(stash.studios.values.filter { $0.customFields["fansly_account_id"] != nil }.isEmpty)
        XCTAssertFalse(stash.galleries.values.filter { $0.customFields["fansly_post_id"] != nil }.isEmpty)
        XCTAssertFalse(stash.tags.isEmpty)
        XCTAssertTrue(stash.tags.values.allSatisfy { $0.customFields == ["source": "fansly-stash"] })

        let second = try await PlanSession(
            desired: try MappingEngine(rules: try RuleSet.load(yaml: Self.rules))
                .evaluate(
                    database: try MetadataDatabase(
                        path: Self.examples.appendingPathComponent("sample-metadata.sqlite3").path)),
            inputs: PlanFixtures.inputs, client: client, links: state, tool: "test"
        ).run()
        XCTAssertFalse(second.summary.hasChanges, PlanRenderer().render(second))
    }

    func testLeftOutWithOneNoticeOnV030() async throws {
        let (server, client, plan) = try await run(.v0_30)
        defer { Task { await server.stop() } }
        let first = try await plan()
        XCTAssertEqual(first.notices.count, 1, "\(first.notices)")
        XCTAssertEqual(first.notices.first?.kind, PlanNotice.customFieldsLeftOutKind)
        let notice = try XCTUnwrap(first.notices.first?.message)
        XCTAssertTrue(
            notice.contains(
                "no custom fields on tags (source), studios (fansly_account_id), galleries (fansly_post_id), "
                    + "scenes (fansly_media_id, fansly_post_id)"), notice)
        XCTAssertFalse(first.changes.contains { $0.fields.contains { $0.field.hasPrefix("custom_fields.") } })
        XCTAssertTrue(PlanRenderer().render(first).contains("Note: this Stash has no custom fields on"))
        let report = await apply(first, client: client, state: try SyncState(path: temporaryStatePath()))
        XCTAssertEqual(report.failures, [])
    }
}

/// Stash v0.31's organized studios are left alone like organized scenes.
final class OrganizedStudioTests: XCTestCase {
    func testAnOrganizedStudioIsMarkedSoInTheSnapshot() throws {
        func studio(_ organized: String) throws -> StashObject {
            try XCTUnwrap(
                SnapshotSelectionTests.objects(
                    StudioSnapshot.self,
                    #"{"id": "4", "name": "emberwilde42 (Fansly)", \#(organized)"custom_fields": {"fansly_account_id": "100"}}"#
                ).first)
        }
        XCTAssertFalse(try studio("").organized, "a Stash without organized studios")
        XCTAssertFalse(try studio(#""organized": false, "#).organized)
        let object = try studio(#""organized": true, "#)
        XCTAssertTrue(object.organized)
        XCTAssertEqual(object.fields["custom_fields.fansly_account_id"], .string("100"))
    }
}
