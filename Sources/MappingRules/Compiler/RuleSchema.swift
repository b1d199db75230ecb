/// The JSON Schema of rule files (`rules schema`, `rules/fansly-stash-rules.schema.json`): the
/// hand-written grammar of rule files, with the field tables (`$defs.sceneFields`…) generated
/// from `StashFieldCatalog` so that the schema accepts exactly the fields the compiler accepts.
public enum RuleSchema {
    /// The schema as `rules schema` prints it and `rules/fansly-stash-rules.schema.json` holds it.
    public static var text: String {
        // The embedded file parses: a test compares it with this output, byte for byte.
        guard var schema = try? JSONTree.parse(EmbeddedRules.schemaJSON) else { return EmbeddedRules.schemaJSON }
        for (name, specs) in fieldTables { schema[definition: name] = fieldTable(specs) }
        return schema.formatted + "\n"
    }

    /// Each `$defs` entry the catalog generates, with the fields the rule compiler reads there.
    static var fieldTables: [(String, [RuleCompiler.FieldSpec])] {
        [
            ("galleryFields", RuleCompiler.galleryFields), ("sceneFields", RuleCompiler.sceneFields),
            ("imageFields", RuleCompiler.imageFields), ("performerFields", RuleCompiler.performerFields),
            ("studioFields", RuleCompiler.studioFields), ("networkFields", RuleCompiler.networkFields),
            ("chapterFields", RuleCompiler.chapterFields),
        ]
    }

    static func fieldTable(_ specs: [RuleCompiler.FieldSpec]) -> JSONTree {
        .object([
            ("type", .string("object")),
            ("additionalProperties", .bool(false)),
            ("properties", .object(specs.map { ($0.name, field($0)) })),
        ])
    }

    private static func field(_ spec: RuleCompiler.FieldSpec) -> JSONTree {
        func ref(_ name: String) -> JSONTree { .object([("$ref", .string("#/$defs/\(name)"))]) }
        let words: JSONTree
        switch spec.type {
        case .text, .date: return ref("textField")
        case .list: return ref("listField")
        case .bool: return ref("boolField")
        case .int: return ref("intField")
        case .reference(let sources):
            words = .object([("enum", .array((sources.map(\.rawValue) + ["none"]).map(JSONTree.string)))])
        case .references(let sources):
            let word = JSONTree.object([("enum", .array((sources.map(\.rawValue) + ["none"]).map(JSONTree.string)))])
            words = .object([("oneOf", .array([word, .object([("type", .string("array")), ("items", word)])]))])
        }
        let longForm = JSONTree.object([
            ("type", .string("object")),
            ("additionalProperties", .bool(false)),
            (
                "properties",
                .object([
                    ("value", words),
                    ("firstOf", .object([("type", .string("array")), ("items", ref("template"))])),
                    ("postProcess", ref("postProcess")),
                    ("strategy", ref("strategy")),
                    ("when", ref("condition")),
                ])
            ),
        ])
        var entries: [(String, JSONTree)] = [("oneOf", .array([words, longForm]))]
        if let note = spec.note { entries.append(("description", .string(note))) }
        return .object(entries)
    }
}
