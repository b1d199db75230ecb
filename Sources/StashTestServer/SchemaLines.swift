import Foundation
import GraphQL

/// The Stash releases whose GraphQL API the test server can speak.
public enum StashSchemaLine: String, Sendable, Hashable, CaseIterable {
    /// v0.30.1: custom fields on performers only.
    case v0_30 = "v0.30.1"
    /// v0.31.0: custom fields on scenes, images, galleries, studios and tags too, `organized` on
    /// studios, `CircumisedEnum` renamed `CircumcisedEnum`.
    case v0_31 = "v0.31.0"

    /// What `systemStatus.appSchema` answers (Stash's database migration level).
    var appSchema: Int { self == .v0_30 ? 75 : 84 }
}

extension TestSchema {
    /// The SDL of `line`: the v0.30.1 subset, with v0.31's additions for `.v0_31`.
    static func sdl(for line: StashSchemaLine) -> String {
        var text = sdl + "\n    input CustomFieldsInput { full: Map, partial: Map, remove: [String!] }\n"
        func add(_ fields: String, to header: String) {
            let opening = header + " {\n"
            precondition(
                text.components(separatedBy: opening).count == 2, "the test server's SDL has no single '\(header)'")
            text = text.replacingOccurrences(of: opening, with: opening + "      " + fields + "\n")
        }
        add("custom_fields: Map!", to: "type Performer")
        add("custom_fields: CustomFieldsInput", to: "input PerformerUpdateInput")
        guard line == .v0_31 else { return text }
        text = text.replacingOccurrences(of: "enum CircumisedEnum ", with: "enum CircumcisedEnum ")
        for type in ["Scene", "Image", "Gallery", "Tag"] { add("custom_fields: Map!", to: "type \(type)") }
        add("custom_fields: Map!, organized: Boolean!", to: "type Studio")
        for input in ["SceneUpdateInput", "ImageUpdateInput", "GalleryUpdateInput", "TagUpdateInput"] {
            add("custom_fields: CustomFieldsInput", to: "input \(input)")
        }
        add("custom_fields: CustomFieldsInput, organized: Boolean", to: "input StudioUpdateInput")
        for input in ["GalleryCreateInput", "TagCreateInput"] { add("custom_fields: Map", to: "input \(input)") }
        add("custom_fields: Map, organized: Boolean", to: "input StudioCreateInput")
        return text
    }
}

extension StashTestServerSDL {
    /// The SDL the test server implements when speaking `line`.
    public static func text(for line: StashSchemaLine) -> String { TestSchema.sdl(for: line) }
}

extension StashTestServer {
    /// The v0.31 schema, built once like `sharedSchema`.
    static let sharedSchemaV031: GraphQLSchema = makeSchema(sdl: TestSchema.sdl(for: .v0_31))
}
