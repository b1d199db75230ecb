import XCTest

@testable import MappingRules

/// The rule compiler's field tables and the JSON Schema of rule files both come from
/// `StashFieldCatalog`: every field a rule file may set is accepted by both, the Stash fields the
/// rules cannot set are refused by both, and the shipped schema file is the generated one.
final class FieldCatalogTests: XCTestCase {
    /// Where each field table is used in a rule file, and the roots its templates may use.
    static let places: [(table: String, prefix: String)] = [
        ("galleryFields", "post:\n  gallery:\n"), ("sceneFields", "post:\n  scene:\n"),
        ("imageFields", "post:\n  image:\n"),
        ("performerFields", "account:\n  performer:\n"), ("studioFields", "account:\n  studio:\n"),
        ("networkFields", "network:\n  studio:\n"), ("chapterFields", "wall:\n  chapter:\n"),
    ]

    func testTheSchemaFileIsTheOneGeneratedFromTheCatalog() throws {
        let generated = RuleSchema.text
        if ProcessInfo.processInfo.environment["REGENERATE_SCHEMA"] == "1" {
            try Data(generated.utf8).write(to: SchemaAndEmbeddingTests.schemaFile)
            return
        }
        let file = try String(contentsOf: SchemaAndEmbeddingTests.schemaFile, encoding: .utf8)
        XCTAssertEqual(
            file, generated,
            "rules/fansly-stash-rules.schema.json is out of date with StashFieldCatalog: "
                + "run REGENERATE_SCHEMA=1 swift test --filter FieldCatalogTests and review the diff")
    }

    func testEveryTableOfTheSchemaListsTheCompilersFields() throws {
        let schema = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(RuleSchema.text.utf8)) as? [String: Any])
        let defs = try XCTUnwrap(schema["$defs"] as? [String: Any])
        for (name, specs) in RuleSchema.fieldTables {
            let table = try XCTUnwrap(defs[name] as? [String: Any], name)
            let properties = try XCTUnwrap(table["properties"] as? [String: Any], name)
            XCTAssertEqual(Set(properties.keys), Set(specs.map(\.name)), name)
            XCTAssertEqual(table["additionalProperties"] as? Bool, false, name)
        }
    }

    func testTheCompilersFieldsAreTheCatalogsRuleFields() {
        let tables: [(EntityKind, [RuleCompiler.FieldSpec])] = [
            (.scene, RuleCompiler.sceneFields), (.image, RuleCompiler.imageFields),
            (.gallery, RuleCompiler.galleryFields),
            (.performer, RuleCompiler.performerFields), (.studio, RuleCompiler.studioFields),
            (.chapter, RuleCompiler.chapterFields),
        ]
        for (kind, specs) in tables {
            for spec in specs {
                let field = StashFieldCatalog.field(spec.output, of: kind)
                XCTAssertNotNil(field, "\(kind) \(spec.output)")
                XCTAssertEqual(field?.rule?.key, spec.name)
            }
        }
        XCTAssertEqual(RuleCompiler.imageFields.map(\.output).last, "photographer")
        XCTAssertFalse(RuleCompiler.networkFields.contains { $0.name == "parent" }, "the network studio has no parent")
    }

    /// A value each kind of field accepts.
    func sample(_ spec: RuleCompiler.FieldSpec) -> String {
        switch spec.type {
        case .text, .date: return "Fansly"
        case .list: return "[Fansly]"
        case .bool: return "true"
        case .int: return "3"
        case .reference(let sources): return sources[0].rawValue
        case .references(let sources): return "[\(sources[0].rawValue)]"
        }
    }

    func testEveryCatalogFieldLoadsAndValidatesWhereTheRulesMaySetIt() throws {
        let validator = MiniSchemaValidator(
            schema: try XCTUnwrap(JSONSerialization.jsonObject(with: Data(RuleSchema.text.utf8)) as? [String: Any]))
        let tables = Dictionary(uniqueKeysWithValues: RuleSchema.fieldTables)
        var checked = 0
        for (table, prefix) in Self.places {
            for spec in try XCTUnwrap(tables[table]) {
                let yaml = prefix + "    fields:\n      \(spec.name): \(sample(spec))\n"
                let node = try XCTUnwrap(RuleFileParser.parse(yaml: yaml, file: "x", sink: DiagnosticSink()))
                XCTAssertEqual(validator.errors(node.jsonObject), [], yaml)
                XCTAssertNoThrow(try RuleSet.load(yaml: yaml), yaml)
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 40)
    }

    func testStashFieldsTheRulesCannotSetAreRefusedByTheSchemaAndTheLoader() throws {
        let validator = MiniSchemaValidator(
            schema: try XCTUnwrap(JSONSerialization.jsonObject(with: Data(RuleSchema.text.utf8)) as? [String: Any]))
        let refused = [
            "post:\n  gallery:\n    fields:\n      scene_ids: [item]\n", // not set by the rules
            "post:\n  gallery:\n    fields:\n      photographr: x\n", // misspelt
            "post:\n  scene:\n    fields:\n      photographer: x\n", // an image and gallery field
            "post:\n  image:\n    fields:\n      director: x\n", // a scene field
            "post:\n  image:\n    fields:\n      galleries: [item]\n", // only scenes name their gallery
            "account:\n  performer:\n    fields:\n      birthdate: x\n", // not set by the rules
            "account:\n  performer:\n    fields:\n      performer_ids: x\n", // Stash's name, not the rules'
            "network:\n  studio:\n    fields:\n      parent: network\n", // the network has no parent
            "wall:\n  chapter:\n    fields:\n      gallery_id: x\n", // set by the engine
        ]
        for yaml in refused {
            let node = try XCTUnwrap(RuleFileParser.parse(yaml: yaml, file: "x", sink: DiagnosticSink()))
            XCTAssertFalse(validator.errors(node.jsonObject).isEmpty, "the schema accepts:\n\(yaml)")
            XCTAssertThrowsError(try RuleSet.load(yaml: yaml), "the loader accepts:\n\(yaml)")
        }
    }

    func testValueTypesAcceptWhatTheyHold() {
        XCTAssertTrue(StashValueType.text.accepts(.string("x")))
        XCTAssertFalse(StashValueType.text.accepts(.strings(["x"])))
        XCTAssertTrue(StashValueType.date.accepts(.date("2024-01-31")))
        XCTAssertTrue(StashValueType.reference(.studio).accepts(.reference(EntityAddress(kind: .studio, key: "x"))))
        XCTAssertFalse(StashValueType.references(.tag).accepts(.reference(EntityAddress(kind: .tag, key: "x"))))
        XCTAssertTrue(StashValueType.int.accepts(.int(3)))
        XCTAssertFalse(StashValueType.int.accepts(.string("3")))
        XCTAssertEqual(StashFieldCatalog.caseInsensitiveLists, ["alias_list", "aliases"])
        XCTAssertNil(StashFieldCatalog.customFieldsSince(.chapter))
        XCTAssertEqual(StashFieldCatalog.customFieldsSince(.performer), "v0.28")
    }
}

/// The field table of Docs/rules.md lists what the compiler accepts.
final class FieldDocumentationTests: XCTestCase {
    func testTheReferenceListsEachEntitysFields() throws {
        let docs = try String(
            contentsOf: SchemaAndEmbeddingTests.root.appendingPathComponent("Docs/rules.md"), encoding: .utf8)
        let rows: [(String, [RuleCompiler.FieldSpec])] = [
            ("gallery", RuleCompiler.galleryFields), ("scene", RuleCompiler.sceneFields),
            ("image", RuleCompiler.imageFields),
            ("performer", RuleCompiler.performerFields), ("studio", RuleCompiler.studioFields),
            ("network studio", RuleCompiler.networkFields), ("wall chapter", RuleCompiler.chapterFields),
        ]
        for (entity, specs) in rows {
            let line = try XCTUnwrap(docs.split(separator: "\n").first { $0.hasPrefix("| \(entity) | `") }, entity)
            let documented = line.split(separator: "`").enumerated().filter { $0.offset % 2 == 1 }.map {
                String($0.element)
            }
            XCTAssertEqual(documented, specs.map(\.name), "Docs/rules.md's fields of \(entity)")
        }
    }
}
