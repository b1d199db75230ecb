import Foundation
import GraphQL
import Logging
import OrderedCollections
import StashTestServer
import XCTest

@testable import StashClient

/// Every document the client sends must be valid against Stash v0.30.1's real schema, read from
/// `<package root>/../shared/stash-schema` (not shipped with the project: it is AGPL).
final class DocumentValidationTests: XCTestCase {
    static var schemaFolder: URL { RealStashSchema.folder(.v0_30) }

    static func loadStashSchema() throws -> GraphQLSchema {
        guard let schema = try RealStashSchema.load(.v0_30) else {
            throw XCTSkip(
                "Stash's schema is not at \(schemaFolder.path); skipping the check of the client's documents against it"
            )
        }
        return schema
    }

    func testEveryClientDocumentIsValidAgainstStashSchema() throws {
        let schema = try Self.loadStashSchema()
        let documents = StashDocuments.all
        XCTAssertGreaterThan(documents.count, 35, "every find and mutation the client sends")
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
            case (let mine as GraphQLObjectType, let theirs as GraphQLObjectType):
                try compare(name, mine.fields(), theirs.fields())
            case (let mine as GraphQLInterfaceType, let theirs as GraphQLInterfaceType):
                try compare(name, mine.fields(), theirs.fields())
            case (let mine as GraphQLInputObjectType, let theirs as GraphQLInputObjectType):
                let theirFields = try theirs.fields()
                for (field, definition) in try mine.fields() {
                    XCTAssertEqual(
                        theirFields[field].map { Self.describe($0.type) }, Self.describe(definition.type),
                        "\(name).\(field)")
                    checked += 1
                }
            case (let mine as GraphQLEnumType, let theirs as GraphQLEnumType):
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
                XCTAssertEqual(
                    real.args[argument].map { Self.describe($0.type) }, Self.describe(config.type),
                    "\(typeName).\(field)(\(argument))")
            }
        }
    }

    static func describe(_ type: GraphQLType) -> String {
        if let nonNull = type as? GraphQLNonNull { return describe(nonNull.ofType) + "!" }
        if let list = type as? GraphQLList { return "[" + describe(list.ofType) + "]" }
        return (type as? GraphQLNamedType)?.name ?? "?"
    }

    func testBatchDocumentCarriesNoValues() {
        let text = StashDocuments.batch(
            field: "sceneUpdate", inputType: "SceneUpdateInput", selection: "{ id }", count: 3)
        XCTAssertEqual(
            text,
            "mutation Batch_sceneUpdate($i0: SceneUpdateInput!, $i1: SceneUpdateInput!, $i2: SceneUpdateInput!) { u0: sceneUpdate(input: $i0) { id } u1: sceneUpdate(input: $i1) { id } u2: sceneUpdate(input: $i2) { id } }"
        )
    }
}

// MARK: - Both Stash lines (v0.30.1 and v0.31)

extension DocumentValidationTests {
    static func loadStashSchemaV031() throws -> GraphQLSchema {
        guard let schema = try RealStashSchema.load(.v0_31) else {
            throw XCTSkip(
                "Stash v0.31's schema is not at \(RealStashSchema.folder(.v0_31).path); skipping the check of the client's documents against it"
            )
        }
        return schema
    }

    /// The documents sent to a server with `capabilities`.
    static func documents(for capabilities: StashCapabilities) -> [(name: String, text: String)] {
        StashDocuments.all.map { ($0.name, capabilities.adapting($0.text)) }
    }

    func testDocumentsForEachLineAreValidAgainstBothSchemas() throws {
        let v030 = try Self.loadStashSchema()
        let v031 = try Self.loadStashSchemaV031()
        // What a v0.30.1 server (or one not connected yet) gets must also be valid on v0.31.
        for capabilities in [StashCapabilities(), .v0_30] {
            for (name, text) in Self.documents(for: capabilities) {
                let document = try parse(source: Source(body: text, name: name))
                XCTAssertEqual(validate(schema: v030, ast: document).map(\.message), [], "\(name) on v0.30.1")
                XCTAssertEqual(validate(schema: v031, ast: document).map(\.message), [], "\(name) on v0.31")
            }
        }
        var selectingCustomFields = 0
        let older = Dictionary(Self.documents(for: .v0_30).map { ($0.name, $0.text) }) { first, _ in first }
        for (name, text) in Self.documents(for: .v0_31) {
            let document = try parse(source: Source(body: text, name: name))
            XCTAssertEqual(validate(schema: v031, ast: document).map(\.message), [], "\(name) on v0.31")
            if text != older[name] {
                selectingCustomFields += 1
                XCTAssertFalse(validate(schema: v030, ast: document).isEmpty, "\(name) selects what v0.30.1 lacks")
            }
        }
        XCTAssertGreaterThanOrEqual(selectingCustomFields, 7, "finds of every type that has custom fields since v0.31")
    }

    /// The inputs carrying custom fields, as the client encodes them, pass the real schemas'
    /// variable coercion: v0.31 for every type, v0.30.1 for performers.
    func testCustomFieldInputsCoerceAgainstTheRealSchemas() async throws {
        let v030 = try Self.loadStashSchema()
        let v031 = try Self.loadStashSchemaV031()
        let transport = GraphQLTransport(
            configuration: StashConfiguration(baseURL: URL(string: "http://127.0.0.1:1")!),
            logger: .init(label: "test"))
        func coerce(_ schema: GraphQLSchema, _ kind: MutationKind, _ input: some Encodable) async throws -> [String] {
            let text = StashDocuments.batch(
                field: kind.field, inputType: kind.inputType, selection: kind.selection, count: 1)
            let variables = try JSONDecoder().decode(Map.self, from: transport.encoder.encode(input))
            let result = try await execute(
                schema: schema, documentAST: parse(source: Source(body: text)), rootValue: (),
                context: (), variableValues: ["i0": variables], operationName: nil)
            // Without resolvers the fields answer null; only coercion can fail.
            return result.errors.map(\.message).filter { !$0.contains("Cannot return null") }
        }
        let partial = CustomFieldsInput(partial: ["fansly_post_id": "1"])
        var scene = SceneUpdateInput(id: "1"); scene.customFields = partial
        var image = ImageUpdateInput(id: "1"); image.customFields = partial
        var gallery = GalleryUpdateInput(id: "1"); gallery.customFields = partial
        var studio = StudioUpdateInput(id: "1"); studio.customFields = partial
        var tag = TagUpdateInput(id: "1"); tag.customFields = partial
        var performer = PerformerUpdateInput(id: "1"); performer.customFields = partial
        var galleryCreate = GalleryCreateInput(title: "t"); galleryCreate.customFields = ["a": "1"]
        var studioCreate = StudioCreateInput(name: "s"); studioCreate.customFields = ["a": "1"]
        var tagCreate = TagCreateInput(name: "t"); tagCreate.customFields = ["a": "1"]
        var performerCreate = PerformerCreateInput(name: "p"); performerCreate.customFields = ["a": "1"]
        let v031Errors =
            try await coerce(v031, .sceneUpdate, scene) + coerce(v031, .imageUpdate, image)
            + coerce(v031, .galleryUpdate, gallery) + coerce(v031, .studioUpdate, studio)
            + coerce(v031, .tagUpdate, tag)
            + coerce(v031, .performerUpdate, performer) + coerce(v031, .galleryCreate, galleryCreate)
            + coerce(v031, .studioCreate, studioCreate) + coerce(v031, .tagCreate, tagCreate)
            + coerce(v031, .performerCreate, performerCreate)
        XCTAssertEqual(v031Errors, [])
        let v030Errors =
            try await coerce(v030, .performerUpdate, performer) + coerce(v030, .performerCreate, performerCreate)
        XCTAssertEqual(v030Errors, [])
        let rejected = try await coerce(v030, .sceneUpdate, scene)
        XCTAssertFalse(rejected.isEmpty, "v0.30.1 has no custom fields on scenes: the check can fail")
    }

    /// The v0.31 dialect of the test server is a faithful subset of Stash v0.31.
    func testTestServerV031SchemaIsASubsetOfStashV031() throws {
        let stash = try Self.loadStashSchemaV031()
        let subset = try buildSchema(
            source: Source(body: StashTestServerSDL.text(for: .v0_31), name: "test-server-v0.31"))
        var checked = 0
        for (name, type) in subset.typeMap where !name.hasPrefix("__") {
            let real = stash.getType(name: name)
            XCTAssertNotNil(real, "type \(name) is not in Stash v0.31's schema")
            if let mine = type as? GraphQLObjectType, let theirs = real as? GraphQLObjectType {
                let theirFields = try theirs.fields()
                for (field, definition) in try mine.fields() {
                    XCTAssertEqual(
                        theirFields[field].map { Self.describe($0.type) }, Self.describe(definition.type),
                        "\(name).\(field)")
                    checked += 1
                }
            } else if let mine = type as? GraphQLInputObjectType, let theirs = real as? GraphQLInputObjectType {
                let theirFields = try theirs.fields()
                for (field, definition) in try mine.fields() {
                    XCTAssertEqual(
                        theirFields[field].map { Self.describe($0.type) }, Self.describe(definition.type),
                        "\(name).\(field)")
                    checked += 1
                }
            }
        }
        XCTAssertGreaterThan(checked, 100)
        for (name, text) in Self.documents(for: .v0_31) {
            XCTAssertEqual(
                validate(schema: subset, ast: try parse(source: Source(body: text, name: name))).map(\.message), [],
                name)
        }
    }
}
