import XCTest

@testable import MappingRules

/// The embedded rules/default.yaml and JSON Schema are the files in rules/, and the schema
/// accepts the shipped rule files and rejects what the loader rejects.
final class SchemaAndEmbeddingTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let defaultRules = root.appendingPathComponent("rules/default.yaml")
    static let schemaFile = root.appendingPathComponent("rules/fansly-stash-rules.schema.json")
    static let ruleFiles = [
        "rules/default.yaml", "examples/rules-fansdb/rules.yaml", "examples/rules-couple/rules.yaml",
        "examples/rules-minimal/rules.yaml",
    ]

    func testEmbeddedTextsAreTheShippedFiles() throws {
        // The package manager embeds rules/ (Package.swift, `.embedInCode`): this fails only if that wiring breaks.
        XCTAssertEqual(EmbeddedRules.defaultYAML, try String(contentsOf: Self.defaultRules, encoding: .utf8))
        XCTAssertEqual(EmbeddedRules.schemaJSON, try String(contentsOf: Self.schemaFile, encoding: .utf8))
    }

    func testDefaultRulesNameTheSchemaForEditors() throws {
        let first = EmbeddedRules.defaultYAML.split(separator: "\n").first.map(String.init)
        XCTAssertEqual(first, "# yaml-language-server: $schema=./fansly-stash-rules.schema.json")
        XCTAssertNoThrow(try RuleSet.builtInDefault())
    }

    func schema() throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(EmbeddedRules.schemaJSON.utf8)) as? [String: Any])
    }

    func json(_ yaml: String) throws -> Any {
        let sink = DiagnosticSink()
        let node = try XCTUnwrap(RuleFileParser.parse(yaml: yaml, file: "x", sink: sink))
        return node.jsonObject
    }

    func testSchemaAcceptsTheShippedRuleFiles() throws {
        let validator = MiniSchemaValidator(schema: try schema())
        for file in Self.ruleFiles {
            let text = try String(contentsOf: Self.root.appendingPathComponent(file), encoding: .utf8)
            XCTAssertEqual(validator.errors(try json(text)), [], file)
        }
    }

    func testSchemaRejectsWhatTheLoaderRejects() throws {
        let validator = MiniSchemaValidator(schema: try schema())
        let cases = [
            "pots: {}",
            "post:\n  gallery:\n    fields:\n      titel: x",
            "post:\n  scene:\n    createMissing: true",
            "wall:\n  as: pages",
            "post:\n  gallery:\n    strategy: replace",
            "tags:\n  extra:\n    - for: [scene]",
            "post:\n  gallery:\n    fields:\n      studio: [creator]",
        ]
        for yaml in cases {
            XCTAssertFalse(validator.errors(try json(yaml)).isEmpty, "the schema accepts:\n\(yaml)")
            XCTAssertThrowsError(try RuleSet.load(yaml: yaml), "the loader accepts:\n\(yaml)")
        }
    }

    func testSchemaTopLevelKeysAreTheLoaderKeys() throws {
        let properties = try XCTUnwrap(try schema()["properties"] as? [String: Any])
        XCTAssertEqual(Set(properties.keys), Set(RuleCompiler.topKeys))
    }
}

/// The subset of JSON Schema 2020-12 the rule schema uses: type, const, enum, properties,
/// additionalProperties, required, items, oneOf, $ref, min/maxProperties.
struct MiniSchemaValidator {
    let schema: [String: Any]

    func errors(_ value: Any) -> [String] { check(value, schema, path: "$") }

    private func resolve(_ node: [String: Any]) -> [String: Any] {
        guard let ref = node["$ref"] as? String, ref.hasPrefix("#/$defs/"),
            let defs = schema["$defs"] as? [String: Any],
            let target = defs[String(ref.dropFirst(8))] as? [String: Any]
        else { return node }
        return resolve(target)
    }

    private func typeName(_ value: Any) -> String {
        if type(of: value) == Bool.self { return "boolean" }
        switch value {
        case is NSNull: return "null"
        case is Int: return "integer"
        case is Double: return "number"
        case is String: return "string"
        case is [Any]: return "array"
        case is [String: Any]: return "object"
        default: return "unknown"
        }
    }

    private func check(_ value: Any, _ raw: [String: Any], path: String) -> [String] {
        let node = resolve(raw)
        var errors: [String] = []
        let actual = typeName(value)
        if let type = node["type"] {
            let allowed = (type as? [String]) ?? [type as? String ?? ""]
            let ok = allowed.contains(actual) || (actual == "integer" && allowed.contains("number"))
            if !ok { return ["\(path): expected \(allowed), got \(actual)"] }
        }
        if let constant = node["const"] {
            if "\(constant)" != "\(value)" { errors.append("\(path): expected \(constant)") }
        }
        if let options = node["enum"] as? [Any], !options.contains(where: { "\($0)" == "\(value)" }) {
            errors.append("\(path): \(value) not in \(options)")
        }
        if let alternatives = node["oneOf"] as? [[String: Any]] {
            let passing = alternatives.filter { check(value, $0, path: path).isEmpty }.count
            if passing != 1 { errors.append("\(path): matches \(passing) of the oneOf alternatives") }
        }
        if let object = value as? [String: Any] {
            let properties = node["properties"] as? [String: Any] ?? [:]
            for (key, item) in object {
                if let property = properties[key] as? [String: Any] {
                    errors += check(item, property, path: "\(path).\(key)")
                } else if let additional = node["additionalProperties"] {
                    if let flag = additional as? Bool, !flag, node["properties"] != nil || node["type"] != nil {
                        errors.append("\(path): unknown key \(key)")
                    } else if let schema = additional as? [String: Any] {
                        errors += check(item, schema, path: "\(path).\(key)")
                    }
                }
            }
            for key in node["required"] as? [String] ?? [] where object[key] == nil {
                errors.append("\(path): missing \(key)")
            }
            if let min = node["minProperties"] as? Int, object.count < min { errors.append("\(path): too few keys") }
            if let max = node["maxProperties"] as? Int, object.count > max { errors.append("\(path): too many keys") }
        }
        if let array = value as? [Any], let items = node["items"] as? [String: Any] {
            for (index, item) in array.enumerated() { errors += check(item, items, path: "\(path)[\(index)]") }
        }
        return errors
    }
}

/// The YAML examples of Docs/rules.md are rule files that load.
final class DocumentationExampleTests: XCTestCase {
    func testEveryYAMLExampleOfTheReferenceLoads() throws {
        let docs = try String(
            contentsOf: SchemaAndEmbeddingTests.root.appendingPathComponent("Docs/rules.md"), encoding: .utf8)
        let blocks = docs.components(separatedBy: "```yaml\n").dropFirst().compactMap {
            $0.components(separatedBy: "```").first
        }
        XCTAssertGreaterThan(blocks.count, 15)
        var checked = 0
        for block in blocks where !block.contains("…") {
            checked += 1
            do {
                _ = try RuleSet.load(yaml: block, name: "Docs/rules.md example")
            } catch let error as RulesError {
                XCTFail("this example of Docs/rules.md does not load:\n\(block)\n\(error)")
            }
        }
        XCTAssertGreaterThan(checked, 15)
    }
}
