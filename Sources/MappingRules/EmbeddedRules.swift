// The bytes come from the package manager (`.embedInCode` in Package.swift, which generates
// `PackageResources`); `Rules` in this folder links to the repository's rules/ folder, so there is
// one copy of each file and a build always embeds the current text.

/// The shipped rule file and JSON Schema, compiled into the binary so that the installed tool finds
/// them from any working directory.
enum EmbeddedRules {
    /// The text of `rules/default.yaml`.
    static let defaultYAML = String(decoding: PackageResources.default_yaml, as: UTF8.self)

    /// The text of `rules/fansly-stash-rules.schema.json`.
    static let schemaJSON = String(decoding: PackageResources.fansly_stash_rules_schema_json, as: UTF8.self)
}
