import Foundation
import GraphQL
import XCTest
@testable import StashClient
import StashTestServer

/// Every document the client sends must be valid against Stash v0.30.1's real schema, read from
/// `<package root>/../shared/stash-schema` (not shipped with the project: it is AGPL).
final class DocumentValidationTests: XCTestCase {
    /// `<package root>/../shared/stash-schema`, looked for beside the package root and, for a git
    /// worktree nested one level deeper, beside its ancestors.
    static let schemaFolder: URL = {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        var directory = packageRoot.deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("shared/stash-schema")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/stash-schema")
    }()

    static func loadStashSchema() throws -> GraphQLSchema {
        let folder = schemaFolder
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("schema.graphql").path) else {
            throw XCTSkip("Stash's schema is not at \(folder.path); skipping the check of the client's documents against it")
        }
        var sdl = try String(contentsOf: folder.appendingPathComponent("schema.graphql"), encoding: .utf8)
        let types = folder.appendingPathComponent("types")
        for file in try FileManager.default.contentsOfDirectory(atPath: types.path).sorted() where file.hasSuffix(".graphql") {
            sdl += "\n" + (try String(contentsOf: types.appendingPathComponent(file), encoding: .utf8))
        }
        return try buildASTSchema(documentAST: parse(source: Source(body: sdl, name: "stash-schema")))
    }

    func testEveryClientDocumentIsValidAgainstStashSchema() throws {
        let schema = try Self.loadStashSchema()
        let documents = StashDocuments.all
        XCTAssertGreaterThan(documents.count, 40)
        for (name, text) in documents {
            let document = try parse(source: Source(body: text, name: name))
            let errors = validate(schema: schema, ast: document)
            XCTAssertTrue(errors.isEmpty, "\(name): \(errors.map(\.message))")
        }
    }

    func testTestServerSchemaAcceptsEveryClientDocument() throws {
        // The test server must understand all the client sends; its own SDL is checked here too.
        let schema = try buildSchema(source: Source(body: StashTestServerSDL.text, name: "test-server"))
        for (name, text) in StashDocuments.all {
            let errors = validate(schema: schema, ast: try parse(source: Source(body: text, name: name)))
            XCTAssertTrue(errors.isEmpty, "\(name): \(errors.map(\.message))")
        }
    }

    func testBatchDocumentCarriesNoValues() {
        let text = StashDocuments.batch(field: "sceneUpdate", inputType: "SceneUpdateInput", selection: "{ id }", count: 3)
        XCTAssertEqual(text, "mutation Batch_sceneUpdate($i0: SceneUpdateInput!, $i1: SceneUpdateInput!, $i2: SceneUpdateInput!) { u0: sceneUpdate(input: $i0) { id } u1: sceneUpdate(input: $i1) { id } u2: sceneUpdate(input: $i2) { id } }")
    }
}
