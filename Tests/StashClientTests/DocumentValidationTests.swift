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

    /// The test server's SDL is a faithful subset: every type, field, argument and enum value it
    /// declares exists in Stash v0.30.1 with the same type.
    func testTestServerSchemaIsASubsetOfStash() throws {
        let stash = try Self.loadStashSchema()
        let subset = try buildSchema(source: Source(body: StashTestServerSDL.text, name: "test-server"))
        var checked = 0
        for (name, type) in subset.typeMap where !name.hasPrefix("__") {
            let real = stash.getType(name: name)
            XCTAssertNotNil(real, "type \(name) is not in Stash's schema")
            switch (type, real) {
            case let (mine as GraphQLObjectType, theirs as GraphQLObjectType):
                try compare(name, mine.fields(), theirs.fields())
            case let (mine as GraphQLInterfaceType, theirs as GraphQLInterfaceType):
                try compare(name, mine.fields(), theirs.fields())
            case let (mine as GraphQLInputObjectType, theirs as GraphQLInputObjectType):
                let theirFields = try theirs.fields()
                for (field, definition) in try mine.fields() {
                    XCTAssertEqual(theirFields[field].map { Self.describe($0.type) }, Self.describe(definition.type), "\(name).\(field)")
                    checked += 1
                }
            case let (mine as GraphQLEnumType, theirs as GraphQLEnumType):
                XCTAssertTrue(Set(mine.values.map(\.name)).isSubset(of: theirs.values.map(\.name)), name)
            default:
                break
            }
        }
        XCTAssertGreaterThan(checked, 100)
    }

    private func compare(_ typeName: String, _ mine: GraphQLFieldMap, _ theirs: GraphQLFieldMap) {
        for (field, definition) in mine {
            guard let real = theirs[field] else { XCTFail("\(typeName).\(field) is not in Stash's schema"); continue }
            XCTAssertEqual(Self.describe(definition.type), Self.describe(real.type), "\(typeName).\(field)")
            for (argument, config) in definition.args {
                XCTAssertEqual(real.args[argument].map { Self.describe($0.type) }, Self.describe(config.type), "\(typeName).\(field)(\(argument))")
            }
        }
    }

    static func describe(_ type: GraphQLType) -> String {
        if let nonNull = type as? GraphQLNonNull { return describe(nonNull.ofType) + "!" }
        if let list = type as? GraphQLList { return "[" + describe(list.ofType) + "]" }
        return (type as? GraphQLNamedType)?.name ?? "?"
    }

    func testBatchDocumentCarriesNoValues() {
        let text = StashDocuments.batch(field: "sceneUpdate", inputType: "SceneUpdateInput", selection: "{ id }", count: 3)
        XCTAssertEqual(text, "mutation Batch_sceneUpdate($i0: SceneUpdateInput!, $i1: SceneUpdateInput!, $i2: SceneUpdateInput!) { u0: sceneUpdate(input: $i0) { id } u1: sceneUpdate(input: $i1) { id } u2: sceneUpdate(input: $i2) { id } }")
    }
}
