import GraphQL
import OrderedCollections

extension StashTestServer {
    /// `configuration`: the library folders and plugin settings of the state.
    func configurationNode() -> PlainNode {
        let state = self.state
        let libraries = state.libraryPaths.map { path in
            PlainNode(values: ["path": path, "excludeVideo": false, "excludeImage": false])
        }
        return PlainNode(values: [
            "general": PlainNode(values: ["stashes": libraries]),
            "plugins": PluginSettingsField(settings: state.pluginSettings),
        ])
    }
}

/// `ConfigResult.plugins(include:)`: resolved with its argument (see `attachConfigurationResolvers`).
struct PluginSettingsField: Sendable {
    let settings: [String: [String: String]]

    func map(include: [String]?) throws -> Map {
        let chosen = settings.filter { plugin, _ in include.map { $0.contains(plugin) } ?? true }
        return try Map(chosen)
    }
}

extension StashTestServer {
    /// `ConfigResult.plugins(include:)` filters by its argument, which the default resolver ignores.
    static func attachConfigurationResolvers(_ schema: GraphQLSchema) throws {
        guard let type = schema.getType(name: "ConfigResult") as? GraphQLObjectType else { return }
        var fields = try type.fields()
        if let original = fields["plugins"] {
            fields["plugins"] = GraphQLField(type: original.type, args: original.args) { source, args, _, _ in
                guard let node = source as? PlainNode, let field = node.values["plugins"] as? PluginSettingsField else {
                    return Map.null
                }
                return try field.map(include: args["include"].array?.compactMap(\.string))
            }
        }
        let patched = fields
        type.fields = { patched }
    }
}
